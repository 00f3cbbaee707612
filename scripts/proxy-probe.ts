/**
 * `npx tsx scripts/proxy-probe.ts [--bursts N] [--size M] [--pause MS] [--direct]`: starts
 * `npm run dev` with rate limits off and sends N bursts (default 6) of M parallel logins with
 * unknown emails (default 200), MS milliseconds apart (default 1000). Every login should get
 * 401. Prints each burst's statuses; with `--direct` the logins go to the Worker's own socket
 * instead of wrangler's proxy. Exits 1 when any login got something else.
 *
 * It reproduces the plain-text 503 "Your worker restarted mid-request" of load:test in about
 * 40 s. After a burst, the proxy keeps up to M connections to the Worker. The pause leaves
 * some of them idle for about as long as the Worker's side keeps an idle connection open. The
 * proxy then sends requests of the next burst on connections that side has just closed.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { parseArgs } from "node:util";
import { startDevServer, type WorkerSocket } from "./lib/dev-server";

const { values } = parseArgs({
  options: {
    bursts: { type: "string", default: "6" },
    size: { type: "string", default: "200" },
    pause: { type: "string", default: "1000" },
    direct: { type: "boolean", default: false },
  },
});
const bursts = Number(values.bursts);
const size = Number(values.size);
const pauseMs = Number(values.pause);
if (![bursts, size].every((value) => Number.isInteger(value) && value >= 1) || !(pauseMs >= 0)) {
  throw new Error(
    "usage: npx tsx scripts/proxy-probe.ts [--bursts N] [--size M] [--pause MS] [--direct]",
  );
}

/** Signs in with an unknown email and names the outcome, such as "401 JSON". */
async function login(target: WorkerSocket, burst: number, index: number): Promise<string> {
  try {
    const response = await fetch(`${target.url}/api/auth/token/`, {
      method: "POST",
      headers: {
        ...target.headers,
        "Content-Type": "application/json",
        "CF-Connecting-IP": `198.18.${burst}.${index % 250}`,
      },
      body: JSON.stringify({
        email: `probe-${burst}-${index}@probe.kms.test`,
        password: "Salah-123",
      }),
    });
    const text = await response.text();
    return `${response.status} ${text.startsWith("{") ? "JSON" : `text "${text.slice(0, 40)}…"`}`;
  } catch (error) {
    return `no response (${(error as Error).message})`;
  }
}

const server = await startDevServer({ RATE_LIMITS_ENABLED: "false" });
let failed = 0;
try {
  const target = values.direct ? await server.workerSocket() : { url: server.url, headers: {} };
  const through = values.direct ? "the Worker's own socket" : "wrangler's proxy";
  console.log(`dev server log: ${server.logPath}`);
  console.log(`sending ${bursts} bursts of ${size} logins to ${target.url} (${through})`);
  for (let burst = 0; burst < bursts; burst++) {
    const started = Date.now();
    const outcomes = await Promise.all(
      Array.from({ length: size }, (_, index) => login(target, burst, index)),
    );
    const counts = new Map<string, number>();
    for (const outcome of outcomes) counts.set(outcome, (counts.get(outcome) ?? 0) + 1);
    failed += outcomes.filter((outcome) => outcome !== "401 JSON").length;
    const summary = [...counts].map(([outcome, count]) => `${count} × ${outcome}`).join(", ");
    console.log(`burst ${burst + 1}: ${Date.now() - started} ms: ${summary}`);
    await sleep(pauseMs);
  }
} finally {
  await server.stop();
}
console.log(failed === 0 ? "every login got 401" : `${failed} logins got something else`);
process.exit(failed === 0 ? 0 : 1);
