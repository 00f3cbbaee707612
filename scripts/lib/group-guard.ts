// Runs `command ...args` in this process group and ends the whole group when standard input
// closes. scripts/dev.ts has the other end of that pipe, so the pipe closes whenever that
// process ends, SIGKILL and crashes included, and `wrangler dev` stops with it.
import { spawn } from "node:child_process";

const [command, ...args] = process.argv.slice(2);
if (!command) {
  console.error("usage: group-guard <command> [args...]");
  process.exit(2);
}

const child = spawn(command, args, { stdio: ["ignore", "inherit", "inherit"] });
child.once("exit", (code, signal) => {
  process.exit(code ?? (signal ? 1 : 0));
});

process.stdin.once("close", () => {
  console.error("[dev] the dev script is gone; stopping wrangler");
  process.kill(-process.pid, "SIGTERM");
});
process.stdin.resume();
