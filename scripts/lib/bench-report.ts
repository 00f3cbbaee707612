import { cpus } from "node:os";
import type { RunResult } from "./autocannon-run";

export interface Measured {
  label: string;
  path: string;
  result: RunResult;
  /** Upper bound: CPU of every workerd process over the run, divided by the responses. */
  cpuMsPerRequest: number;
}

/** Login CPU target of the product specification, in milliseconds. */
const LOGIN_CPU_TARGET_MS = 30;
/** Cached document types may be at most this many times slower than the bare route. */
const DOCUMENT_TYPES_RATIO_TARGET = 1.5;
/** Authentication may add at most this many milliseconds to a request. */
const AUTH_OVERHEAD_TARGET_MS = 1;

/** Prints the table of every run, then the figures that the targets are stated in. */
export function printReport(
  measured: Measured[],
  options: { durationSeconds: number; connections: number },
): void {
  const cpu = cpus()[0]?.model ?? "unknown CPU";
  console.log(
    `\n${options.connections} connections, ${options.durationSeconds} s per endpoint, ` +
      `${cpus().length} × ${cpu}, Node ${process.version}\n`,
  );
  console.log(table(measured));

  const find = (label: string) => measured.find((entry) => entry.label === label);
  const bare = find("bare route");
  const types = find("document types");
  if (bare && types) printRatio(types, bare);
  const verify = find("token verify");
  if (bare && verify) printAuthOverhead(verify, bare, find("token verify, bad signature"));
  const login = find("login");
  if (login) {
    const verdict = login.cpuMsPerRequest <= LOGIN_CPU_TARGET_MS ? "met" : "MISSED";
    console.log(
      `login CPU: ${login.cpuMsPerRequest.toFixed(1)} ms per request ` +
        `(target ≤ ${LOGIN_CPU_TARGET_MS} ms: ${verdict})`,
    );
  }
}

function table(measured: Measured[]): string {
  const header = [
    "endpoint",
    "path",
    "req/s",
    "p50 ms",
    "p95 ms",
    "p99 ms",
    "errors",
    "non-2xx",
    "CPU ms/req ≤",
  ];
  const rows = measured.map(({ label, path, result, cpuMsPerRequest }) => [
    label,
    path,
    result.requestsPerSecond.toFixed(0),
    result.latencyMs.p50.toFixed(1),
    result.latencyMs.p95.toFixed(1),
    result.latencyMs.p99.toFixed(1),
    String(result.errors),
    describeNon2xx(result),
    cpuMsPerRequest.toFixed(2),
  ]);
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => row[column]!.length)),
  );
  const line = (cells: string[]) =>
    `| ${cells.map((cell, column) => cell.padEnd(widths[column]!)).join(" | ")} |`;
  const rule = `|${widths.map((width) => "-".repeat(width + 2)).join("|")}|`;
  return [line(header), rule, ...rows.map(line)].join("\n");
}

/** Formats the count of non-2xx responses with each status that occurred. */
function describeNon2xx(result: RunResult): string {
  if (result.non2xx === 0) return "0";
  const statuses = [...result.statuses]
    .filter(([status]) => status >= 300)
    .map(([status, count]) => `${status}×${count}`);
  return `${result.non2xx} (${statuses.join(", ")})`;
}

function printRatio(types: Measured, bare: Measured): void {
  const ratio = (pick: (latency: RunResult["latencyMs"]) => number) =>
    pick(types.result.latencyMs) / pick(bare.result.latencyMs);
  const p50 = ratio((latency) => latency.p50);
  const mean = ratio((latency) => latency.mean);
  const verdict = mean <= DOCUMENT_TYPES_RATIO_TARGET ? "met" : "MISSED";
  console.log(
    `\ndocument types / bare route latency: mean ${mean.toFixed(2)}×, p50 ${p50.toFixed(2)}×, ` +
      `p95 ${ratio((latency) => latency.p95).toFixed(2)}× ` +
      `(target mean ≤ ${DOCUMENT_TYPES_RATIO_TARGET}×: ${verdict})`,
  );
}

/**
 * POST /api/auth/token/verify/ does what requireAuth does (JWT check and one session query)
 * and nothing else, so its difference to the bare route is the cost of authentication plus a
 * small JSON body parse.
 */
function printAuthOverhead(verify: Measured, bare: Measured, rejected?: Measured): void {
  const latency = verify.result.latencyMs.mean - bare.result.latencyMs.mean;
  const cpu = verify.cpuMsPerRequest - bare.cpuMsPerRequest;
  const verdict = cpu <= AUTH_OVERHEAD_TARGET_MS ? "met" : "MISSED";
  console.log(
    `auth overhead (token verify − bare route): CPU ${cpu.toFixed(2)} ms per request ` +
      `(target ≤ ${AUTH_OVERHEAD_TARGET_MS} ms: ${verdict}), mean latency ` +
      `${latency.toFixed(2)} ms (includes the session query's round trip to the database)`,
  );
  if (!rejected) return;
  // A token with a bad signature is rejected before the session query, so the two rows split
  // the overhead into the token check and the database part.
  const tokenCpu = rejected.cpuMsPerRequest - bare.cpuMsPerRequest;
  console.log(
    `  of which JSON body and JWT check (bad signature − bare route): CPU ${tokenCpu.toFixed(2)} ` +
      `ms; session query with its database connection: CPU ${(cpu - tokenCpu).toFixed(2)} ms`,
  );
}
