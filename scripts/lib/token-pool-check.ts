import { randomInt, randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { runLoad } from "./autocannon-run";
import { createTokenPool, describeTokenUsage } from "./token-pool";

/** Every how many requests the fake server rotates the token and then drops the connection. */
const DROP_EVERY = 25;
/** Drops in all: each costs a token, and the check gives the pool 2 spare tokens per connection. */
const MAX_DROPS = 5;

/** Counts kept by the fake refresh server, independent of the pool's own bookkeeping. */
interface ServerCounts {
  requests: number;
  rotated: number;
  overlaps: number;
  replays: number;
  unknown: number;
  dropped: number;
}

/**
 * Drives a token pool with autocannon against a fake refresh endpoint on loopback, for a warm-up
 * and a measured run as `bench:http` does. Returns a failure message when a token was sent by
 * two requests at once, replayed after rotation, or missing from the pool, and undefined if not.
 *
 * The fake server rotates each token it accepts, responds after 0 to 20 ms, and drops the
 * connection without an answer on every DROP_EVERY-th request (MAX_DROPS times), after rotating,
 * as a timeout or a crashed request would leave it.
 */
export async function checkTokenPool(connections: number): Promise<string | undefined> {
  const counts: ServerCounts = {
    requests: 0,
    rotated: 0,
    overlaps: 0,
    replays: 0,
    unknown: 0,
    dropped: 0,
  };
  const tokens = Array.from({ length: connections * 3 }, () => randomUUID());
  const { server, url } = await startFakeRefreshServer(new Set(tokens), counts);
  try {
    const pool = createTokenPool(
      tokens,
      (refresh) => ({
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ refresh }),
      }),
      (_sent, status, body) => (status === 200 ? JSON.parse(body).refresh : undefined),
    );
    for (const seconds of [1, 3]) {
      await runLoad({ url, connections, durationSeconds: seconds, requests: pool.requests });
      pool.settleRun();
    }
    const usage = pool.usage();
    console.log(describeTokenUsage("check", usage));
    console.log(`fake server: ${JSON.stringify(counts)}`);
    return findProblem(counts, usage.emptyPool, connections);
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

function findProblem(counts: ServerCounts, emptyPool: number, connections: number) {
  if (counts.overlaps > 0) return `${counts.overlaps} requests shared a token in flight`;
  if (counts.replays > 0) return `${counts.replays} requests replayed a rotated token`;
  if (counts.unknown > 0 || emptyPool > 0) return "requests were sent without a pool token";
  if (counts.dropped === 0) return "the fake server dropped no connection";
  if (counts.rotated <= connections * 3) return "too few rotations to exercise the pool";
  return undefined;
}

async function startFakeRefreshServer(valid: Set<string>, counts: ServerCounts) {
  const retired = new Set<string>();
  const inFlight = new Set<string>();
  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    let body = "";
    for await (const chunk of request) body += chunk;
    const token = String(JSON.parse(body).refresh);
    counts.requests++;
    if (inFlight.has(token)) counts.overlaps++;
    if (retired.has(token)) counts.replays++;
    if (!valid.delete(token)) {
      if (!retired.has(token)) counts.unknown++;
      response.writeHead(401).end("{}");
      return;
    }
    inFlight.add(token);
    retired.add(token);
    const next = randomUUID();
    valid.add(next);
    counts.rotated++;
    await new Promise((resolve) => setTimeout(resolve, randomInt(21)));
    inFlight.delete(token);
    if (counts.requests % DROP_EVERY === 0 && counts.dropped < MAX_DROPS) {
      counts.dropped++;
      request.socket.destroy();
      return;
    }
    response.writeHead(200, { "Content-Type": "application/json" });
    response.end(JSON.stringify({ refresh: next }));
  };
  const server = createServer((request, response) => void handle(request, response));
  const port = await listenOnLoopback(server);
  return { server, url: `http://127.0.0.1:${port}/` };
}

/** Listens on a random port from 40000 to 59999, trying another one when it is taken. */
async function listenOnLoopback(server: Server): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = 40000 + randomInt(20000);
    const listening = await new Promise<boolean>((resolve) => {
      server.once("error", () => resolve(false));
      server.listen(port, "127.0.0.1", () => resolve(true));
    });
    if (listening) return port;
  }
  throw new Error("found no free loopback port from 40000 to 59999 in 20 attempts");
}
