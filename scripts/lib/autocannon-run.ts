import autocannon, { type Request } from "autocannon";

export interface RunOptions {
  url: string;
  connections: number;
  durationSeconds: number;
  method?: "GET" | "POST" | "PATCH";
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** For requests that change per call, such as a refresh token rotated by each response. */
  requests?: Request[];
}

export interface RunResult {
  requests: number;
  requestsPerSecond: number;
  latencyMs: { p50: number; p95: number; p99: number; mean: number };
  /** Connection errors, timeouts included, which have no status. */
  errors: number;
  non2xx: number;
  statuses: Map<number, number>;
}

/**
 * Runs autocannon against one URL and returns its figures. Latencies are the exact response
 * times of every request (autocannon's own summary has no 95th percentile).
 */
export async function runLoad(options: RunOptions): Promise<RunResult> {
  const times: number[] = [];
  const statuses = new Map<number, number>();
  let instance: autocannon.Instance | undefined;
  const finished = new Promise<autocannon.Result>((resolve, reject) => {
    instance = autocannon(
      {
        url: options.url,
        connections: options.connections,
        duration: options.durationSeconds,
        method: options.method ?? "GET",
        headers: options.headers,
        body: options.body,
        requests: options.requests,
        timeout: 30,
      },
      (error, result) => (error ? reject(error) : resolve(result)),
    );
  });
  instance!.on("response", (_client, statusCode, _bytes, responseTime) => {
    times.push(responseTime);
    statuses.set(statusCode, (statuses.get(statusCode) ?? 0) + 1);
  });
  const result = await finished;

  const non2xx = [...statuses].reduce((sum, [status, n]) => sum + (status < 300 ? 0 : n), 0);
  return {
    requests: times.length,
    requestsPerSecond: times.length / options.durationSeconds,
    latencyMs: summarise(times),
    errors: result.errors,
    non2xx,
    statuses,
  };
}

function summarise(times: number[]): RunResult["latencyMs"] {
  const sorted = [...times].sort((a, b) => a - b);
  const at = (share: number) =>
    sorted[Math.min(sorted.length - 1, Math.floor(share * sorted.length))];
  const total = sorted.reduce((sum, time) => sum + time, 0);
  return {
    p50: at(0.5) ?? Number.NaN,
    p95: at(0.95) ?? Number.NaN,
    p99: at(0.99) ?? Number.NaN,
    mean: sorted.length > 0 ? total / sorted.length : Number.NaN,
  };
}
