import { type ChildProcess, spawn } from "node:child_process";
import { createWriteStream, readdirSync, readFileSync, type WriteStream } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { connectDevDatabase } from "./dev-database";
import { findFreePort } from "./free-port";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const DEV_SCRIPT = fileURLToPath(new URL("../dev.ts", import.meta.url));
const START_TIMEOUT_MS = 300_000;
const STOP_TIMEOUT_MS = 20_000;
/** Linux reports process CPU time in clock ticks of 1/100 s (USER_HZ). */
const TICKS_PER_SECOND = 100;

export interface DevServer {
  url: string;
  /** File that receives everything the dev server prints, request log lines included. */
  logPath: string;
  /** Database of the running server, for checks the API cannot make. */
  databaseUrl: string;
  /**
   * How often wrangler reloaded the Worker because a source file changed. Requests that arrive
   * during a reload fail, so figures from a run with reloads are not comparable.
   */
  reloads(): number;
  /** User + system CPU milliseconds of every workerd process of the server so far. */
  workerdCpuMs(): number;
  /**
   * Reads the Worker's own socket behind wrangler's proxy, with the header the proxy adds, from
   * wrangler's debug log. Rejects when the log does not name it within 10 s.
   */
  workerSocket(): Promise<WorkerSocket>;
  stop(): Promise<void>;
}

export interface WorkerSocket {
  url: string;
  headers: Record<string, string>;
}

/**
 * Starts `npm run dev` (scripts/dev.ts) on a free loopback port with `variables` added to its
 * environment, and resolves once wrangler reports it is ready. The server's output goes to a
 * log file instead of the terminal; its last lines are shown when the server fails to start.
 * `root` runs the dev script of another copy of the project, such as a snapshot.
 */
export async function startDevServer(
  variables: Record<string, string>,
  root = ROOT,
): Promise<DevServer> {
  const port = await findFreePort();
  const devScript = root === ROOT ? DEV_SCRIPT : join(root, "scripts", "dev.ts");
  const wranglerLogPath = join(tmpdir(), `kms-wrangler-${port}.log`);
  const child = spawn(process.execPath, ["--import", "tsx", devScript], {
    cwd: root,
    env: { ...process.env, ...variables, PORT: String(port), WRANGLER_LOG_PATH: wranglerLogPath },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const logPath = join(tmpdir(), `kms-dev-server-${port}.log`);
  // Owner-only, because the log of a first start prints the dev admin's password.
  const output = collectOutput(child, createWriteStream(logPath, { mode: 0o600 }));
  try {
    await waitForReady(child, output);
  } catch (error) {
    await stopChild(child);
    throw error;
  }

  // This finds DATABASE_URL or the embedded server that the dev script recorded in its lock
  // file. It starts no server, so its stop() is not needed.
  const { url: databaseUrl } = await connectDevDatabase();
  return {
    url: `http://127.0.0.1:${port}`,
    logPath,
    databaseUrl,
    reloads: output.reloads,
    workerdCpuMs: () => workerdCpuMs(child.pid!),
    workerSocket: () => waitForWorkerSocket(wranglerLogPath),
    stop: () => stopChild(child),
  };
}

interface Output {
  text(): string;
  reloads(): number;
}

/** Writes the server's output to `log` and keeps its last 64 KB for the start-up checks. */
function collectOutput(child: ChildProcess, log: WriteStream): Output {
  let text = "";
  let reloads = 0;
  const append = (chunk: Buffer) => {
    log.write(chunk);
    const added = chunk.toString();
    reloads += added.split("Reloading local server").length - 1;
    text = (text + added).slice(-65_536);
  };
  child.once("exit", () => log.end());
  child.stdout!.on("data", append);
  child.stderr!.on("data", append);
  return { text: () => text, reloads: () => reloads };
}

async function waitForReady(child: ChildProcess, output: Output): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`npm run dev exited before it was ready:\n${lastLines(output.text())}`);
    }
    if (/Ready on http/.test(output.text())) return;
    await sleep(200);
  }
  throw new Error(`npm run dev was not ready after 300 s:\n${lastLines(output.text())}`);
}

function lastLines(text: string): string {
  return text.split("\n").slice(-30).join("\n");
}

/** Sends SIGTERM to scripts/dev.ts, which stops wrangler and the database, then waits. */
async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  const timedOut = await Promise.race([exited.then(() => false), sleep(STOP_TIMEOUT_MS, true)]);
  if (timedOut) child.kill("SIGKILL");
}

/**
 * Finds the last address that wrangler's proxy received as its forwarding target. Wrangler writes every
 * message between its proxy parts to its debug log, among them `reloadComplete` with the
 * Worker's URL and the shared secret the proxy adds to each request.
 */
function workerSocketFromLog(path: string): WorkerSocket | null {
  const text = readTextFile(path) ?? "";
  const marker = "handleProxyControllerIncomingMessage ";
  let found: WorkerSocket | null = null;
  for (const line of text.split("\n")) {
    if (!line.includes(marker) || !line.includes('"reloadComplete"')) continue;
    const message = JSON.parse(line.slice(line.indexOf(marker) + marker.length)) as {
      proxyData: { userWorkerUrl: { protocol: string; hostname: string; port: string } };
    } & { proxyData: { headers?: Record<string, string> } };
    const { protocol, hostname, port } = message.proxyData.userWorkerUrl;
    found = { url: `${protocol}//${hostname}:${port}`, headers: message.proxyData.headers ?? {} };
  }
  return found;
}

// wrangler writes its debug log asynchronously, shortly after it reports being ready.
async function waitForWorkerSocket(path: string): Promise<WorkerSocket> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const socket = workerSocketFromLog(path);
    if (socket) return socket;
    if (Date.now() > deadline)
      throw new Error(`wrangler's debug log ${path} names no Worker socket`);
    await sleep(250);
  }
}

function workerdCpuMs(rootPid: number): number {
  const ticks = descendants(rootPid)
    .filter((pid) => commandLine(pid).includes("workerd"))
    .reduce((sum, pid) => sum + cpuTicks(pid), 0);
  return (ticks * 1000) / TICKS_PER_SECOND;
}

function descendants(pid: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readTextFile(`/proc/${entry}/stat`);
    if (!stat) continue;
    const parent = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
    if (parent === pid) children.push(Number(entry), ...descendants(Number(entry)));
  }
  return children;
}

function commandLine(pid: number): string {
  return readTextFile(`/proc/${pid}/cmdline`) ?? "";
}

function cpuTicks(pid: number): number {
  const stat = readTextFile(`/proc/${pid}/stat`);
  if (!stat) return 0;
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return Number(fields[11]) + Number(fields[12]); // utime + stime
}

/** Reads a /proc file, or returns undefined when the process ended meanwhile. */
function readTextFile(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
}
