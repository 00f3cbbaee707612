import { type ChildProcess, spawn } from "node:child_process";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";

const STOP_TIMEOUT_MS = 10_000;
const POLL_INTERVAL_MS = 100;

const GUARD = fileURLToPath(new URL("./group-guard.ts", import.meta.url));

/**
 * Starts a command in a new process group, so that `stopProcessGroup` reaches its children
 * too (wrangler runs workerd as a child). The group's leader is group-guard.ts, which ends the
 * group when this process ends without stopping it. No process of the group reads the
 * terminal, because a background group that does is stopped by SIGTTIN.
 */
export function spawnGroup(command: string, args: string[], cwd: string): ChildProcess {
  const guardArgs = ["--import", "tsx", GUARD, command, ...args];
  return spawn(process.execPath, guardArgs, {
    cwd,
    detached: true,
    stdio: ["pipe", "inherit", "inherit"],
  });
}

/**
 * Sends SIGTERM to the whole group and waits for it to exit, then SIGKILL after 10 seconds.
 * Safe to call when the group has already exited.
 */
export async function stopProcessGroup(child: ChildProcess): Promise<void> {
  if (child.pid === undefined) return;
  if (!signalGroup(child.pid, "SIGTERM")) return;
  if (await waitForGroupExit(child.pid, STOP_TIMEOUT_MS)) return;

  console.error(`[dev] process group ${child.pid} ignored SIGTERM for 10 s; sending SIGKILL`);
  signalGroup(child.pid, "SIGKILL");
  await waitForGroupExit(child.pid, STOP_TIMEOUT_MS);
}

/** Sends `signal` to every process of the group; returns false when none is left. */
function signalGroup(groupId: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-groupId, signal);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ESRCH") return false;
    throw error;
  }
}

async function waitForGroupExit(groupId: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!signalGroup(groupId, 0)) return true;
    await sleep(POLL_INTERVAL_MS);
  }
  return false;
}
