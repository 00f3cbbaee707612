/**
 * `npm run load:test -- [--clients N] [--duration S] [--addresses K]`: starts `npm run dev`
 * with rate limits on, then runs N concurrent clients (default 200) for S seconds (default 60)
 * from this process. Each client sends one request after another from a realistic mix, with a
 * `CF-Connecting-IP` taken from K client addresses (default 100) in the 198.18.0.0/15
 * benchmarking range (RFC 2544), picked at random per run so earlier runs' counters do not
 * interfere.
 *
 * Exits 1 when any response has a 5xx status, is not JSON or has the wrong shape, when a
 * request gets no response, or when a rate limit lets through more than it allows. It also
 * exits 1 when an account whose failed logins reached the limit can still sign in, or when a
 * registration that returned 201 is missing from the database. Linux or macOS; needs nothing else running.
 */
import { randomInt } from "node:crypto";
import { parseArgs } from "node:util";
import { inArray } from "drizzle-orm";
import { drizzle } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import * as schema from "../src/db/schema";
import { type Bindings, type Config, loadConfig } from "../src/env";
import {
  type Credentials,
  randomPassword,
  registrationForm,
  requestJson,
  uniqueEmail,
} from "./lib/bench-accounts";
import { type DevServer, startDevServer } from "./lib/dev-server";
import { configFromEnvironment, ensureDevSecrets, readDevVars } from "./lib/dev-settings";
import {
  type Client,
  perform,
  pickAction,
  type ResponseRecord,
  registrationPool,
  type Target,
} from "./lib/load-actions";
import { checkLimit, histogram, limitRules, lockedAccounts } from "./lib/load-checks";
import { createSnapshot } from "./lib/load-snapshot";

const USAGE = "usage: npm run load:test -- [--clients N] [--duration S] [--addresses K] [--direct]";
const CLIENTS_PER_ACCOUNT = 4;
/** The start of the plain-text 503 wrangler's proxy sends when its request to the Worker fails. */
const PROXY_FAILURE = "Your worker restarted mid-request";
const LOCK_TARGETS = 2;

function readOptions() {
  const { values } = parseArgs({
    options: {
      clients: { type: "string", default: "200" },
      duration: { type: "string", default: "60" },
      addresses: { type: "string", default: "100" },
      direct: { type: "boolean", default: false },
    },
  });
  const number = (name: string, raw: string, max: number) => {
    const value = Number(raw);
    if (!Number.isInteger(value) || value < 1 || value > max) {
      throw new Error(`--${name} must be an integer from 1 to ${max}, got "${raw}"\n${USAGE}`);
    }
    return value;
  };
  return {
    clients: number("clients", values.clients, 2000),
    durationSeconds: number("duration", values.duration, 3600),
    addresses: number("addresses", values.addresses, 60_000),
    direct: values.direct,
  };
}

/** Loads the Worker's configuration as `npm run dev` builds it, for the limits it enforces. */
function workerConfig(): Config {
  const variables = {
    ENVIRONMENT: "development",
    FRONTEND_URL: "http://localhost:5173",
    DATABASE_URL: "postgres://unused",
    ...readDevVars(),
    ...configFromEnvironment(),
    RATE_LIMITS_ENABLED: "true",
  };
  return loadConfig(variables as unknown as Bindings);
}

/** Picks a block of addresses in 198.18.0.0/15 that this run alone uses. */
function addressBlock(): (index: number) => string {
  const base = randomInt(0, 2 ** 17 - 70_000);
  return (index) => {
    const value = base + index;
    return `198.${18 + (value >> 16)}.${(value >> 8) & 255}.${value & 255}`;
  };
}

/** Sends one request to `target` with its headers, plus those of `init`. */
function send(target: Target, path: string, init: RequestInit = {}) {
  const headers = { ...target.headers, ...(init.headers as Record<string, string> | undefined) };
  return requestJson(`${target.url}${path}`, { ...init, headers });
}

/**
 * Tells whether the dev runtime passes `CF-Connecting-IP` through: one address exhausts the
 * anonymous limit, and a second one must still be served.
 */
async function headerPassesThrough(target: Target, config: Config, address: (i: number) => string) {
  const get = (ip: string) =>
    send(target, "/api/document-types/public/", { headers: { "CF-Connecting-IP": ip } });
  for (let attempt = 0; attempt <= config.RATE_LIMIT_ANONYMOUS.limit; attempt++) {
    if ((await get(address(0))).status === 429) break;
  }
  return (await get(address(1))).status === 200;
}

/** Registers an applicant through the API, from an address no other request uses. */
async function register(target: Target, ip: string): Promise<Credentials> {
  const credentials = { email: uniqueEmail("load-client"), password: randomPassword() };
  const response = await send(target, "/api/auth/register/", {
    method: "POST",
    headers: { "CF-Connecting-IP": ip },
    body: registrationForm(credentials),
  });
  if (response.status !== 201) {
    throw new Error(
      `setup registration returned ${response.status}: ${JSON.stringify(response.body)}`,
    );
  }
  return credentials;
}

async function registerMany(target: Target, count: number, address: (i: number) => string) {
  const accounts: Credentials[] = [];
  for (let start = 0; start < count; start += 4) {
    const batch = Array.from({ length: Math.min(4, count - start) }, (_, offset) =>
      register(target, address(start + offset)),
    );
    accounts.push(...(await Promise.all(batch)));
  }
  return accounts;
}

interface RunState {
  records: ResponseRecord[];
  transportErrors: string[];
}

async function runClients(
  target: Target,
  clients: Client[],
  lockTargets: string[],
  durationSeconds: number,
): Promise<RunState> {
  const state: RunState = { records: [], transportErrors: [] };
  const takeRegistration = registrationPool(300);
  const started = performance.now();
  const deadline = started + durationSeconds * 1000;
  const loop = async (client: Client) => {
    while (performance.now() < deadline) {
      const sentAt = performance.now() - started;
      try {
        const record = await perform(pickAction(), {
          target,
          client,
          lockTargets,
          takeRegistration,
        });
        state.records.push({ ...record, sentAt, at: performance.now() - started });
      } catch (error) {
        const cause = (error as { cause?: unknown }).cause;
        state.transportErrors.push(cause ? `${String(error)} (${String(cause)})` : String(error));
      }
    }
  };
  await Promise.all(clients.map(loop));
  return state;
}

/** Signs in to each locked account with its right password and returns those not given 429. */
async function unlockedAccounts(
  target: Target,
  locked: string[],
  passwords: Map<string, string>,
  address: (i: number) => string,
): Promise<string[]> {
  const failures: string[] = [];
  for (const [index, email] of locked.entries()) {
    const response = await send(target, "/api/auth/token/", {
      method: "POST",
      headers: { "Content-Type": "application/json", "CF-Connecting-IP": address(index) },
      body: JSON.stringify({ email, password: passwords.get(email) }),
    });
    if (response.status !== 429) failures.push(`${email} answered ${response.status}`);
  }
  return failures;
}

/** Returns the registered emails that the database does not contain. */
async function missingRegistrations(databaseUrl: string, emails: string[]): Promise<string[]> {
  if (emails.length === 0) return [];
  // max 1 and unnamed statements, for the single shared backend of the embedded server.
  const client = postgres(databaseUrl, { max: 1, prepare: false, onnotice: () => {} });
  try {
    const db = drizzle(client, { schema });
    const rows = await db
      .select({ email: schema.users.email })
      .from(schema.users)
      .where(inArray(schema.users.email, emails));
    const found = new Set(rows.map((row) => row.email));
    return emails.filter((email) => !found.has(email));
  } finally {
    await client.end({ timeout: 5 });
  }
}

function printHistogram(records: ResponseRecord[]): void {
  const table = histogram(records);
  const statuses = [...new Set(records.map((record) => record.status))].sort((a, b) => a - b);
  const width = 22;
  console.log(`\n${"action".padEnd(width)}${statuses.map((s) => String(s).padStart(8)).join("")}`);
  for (const [action, row] of table) {
    const cells = statuses.map((status) => String(row.get(status) ?? 0).padStart(8));
    console.log(`${action.padEnd(width)}${cells.join("")}`);
  }
  const total = statuses.map((status) =>
    String(records.filter((record) => record.status === status).length).padStart(8),
  );
  console.log(`${"total".padEnd(width)}${total.join("")}`);
}

async function main(): Promise<number> {
  const options = readOptions();
  // Before the first `npm run dev` there is no .dev.vars: create it here, so the limits read
  // below and the copied sources share the secrets the Worker uses.
  ensureDevSecrets();
  const config = workerConfig();
  const address = addressBlock();
  const snapshot = createSnapshot();
  console.log(`starting npm run dev from a copy of the sources in ${snapshot.root} …`);
  const server = await startDevServer({ RATE_LIMITS_ENABLED: "true" }, snapshot.root).catch(
    (error: unknown) => {
      snapshot.remove();
      throw error;
    },
  );
  try {
    console.log(`worker ready at ${server.url} (its log: ${server.logPath})`);
    const target = options.direct ? await directTarget(server) : { url: server.url, headers: {} };
    if (!(await headerPassesThrough(target, config, address))) {
      console.error("wrangler dev does not pass CF-Connecting-IP through; cannot vary clients");
      return 1;
    }
    console.log("CF-Connecting-IP passes through wrangler dev; registering accounts …");

    // Addresses 2 … 999 serve the set-up and the final checks; clients use 1000 and above.
    const accountCount = Math.ceil(options.clients / CLIENTS_PER_ACCOUNT);
    const accounts = await registerMany(target, accountCount + LOCK_TARGETS, (i) => address(2 + i));
    const lockTargets = accounts.slice(accountCount);
    const clients: Client[] = Array.from({ length: options.clients }, (_, index) => ({
      ip: address(1000 + (index % options.addresses)),
      account: accounts[index % accountCount]!,
    }));

    console.log(`running ${options.clients} clients for ${options.durationSeconds} s …`);
    const lockEmails = lockTargets.map((account) => account.email);
    const state = await runClients(target, clients, lockEmails, options.durationSeconds);

    const passwords = new Map(lockTargets.map((account) => [account.email, account.password]));
    const locked = lockedAccounts(config, state.records);
    const stillOpen = await unlockedAccounts(target, locked, passwords, (i) => address(900 + i));
    const registered = state.records
      .filter((record) => record.action === "register" && record.status === 201)
      .map((record) => record.email.toLowerCase());
    const missing = await missingRegistrations(server.databaseUrl, registered);
    const reloads = server.reloads();
    return report(state, config, { locked, stillOpen, registered, missing, reloads, ...options });
  } finally {
    await server.stop();
    snapshot.remove();
  }
}

/**
 * Returns the Worker's own socket, for `--direct`. wrangler dev listens on a proxy that
 * forwards every request to this socket over a second HTTP connection. Sending straight to the
 * socket removes that hop, which separates the Worker's responses from the proxy's.
 */
async function directTarget(server: DevServer): Promise<Target> {
  const socket = await server.workerSocket();
  console.log(`--direct: sending to the Worker's own socket ${socket.url}, past wrangler's proxy`);
  return socket;
}

interface Outcome {
  locked: string[];
  stillOpen: string[];
  registered: string[];
  missing: string[];
  durationSeconds: number;
  clients: number;
  reloads: number;
}

/** Lists each kind of malformed response once, with its count, most frequent first. */
function groupProblems(records: ResponseRecord[]): string[] {
  const counts = new Map<string, number>();
  for (const record of records) {
    if (!record.problem) continue;
    const kind = `${record.action} ${record.status}: ${record.problem.slice(0, 90)}`;
    counts.set(kind, (counts.get(kind) ?? 0) + 1);
  }
  return [...counts].sort((a, b) => b[1] - a[1]).map(([kind, count]) => `${count} × ${kind}`);
}

function report(state: RunState, config: Config, outcome: Outcome): number {
  const { records } = state;
  printHistogram(records);
  const perSecond = (records.length / outcome.durationSeconds).toFixed(0);
  console.log(`\n${records.length} responses (${perSecond}/s) from ${outcome.clients} clients`);

  const problems: string[] = [];
  const serverErrors = records.filter((record) => record.status >= 500);
  if (serverErrors.length > 0) problems.push(`${serverErrors.length} responses with a 5xx status`);
  problems.push(...groupProblems(records));
  const proxyFailures = records.filter((record) => record.problem?.includes(PROXY_FAILURE));
  if (proxyFailures.length > 0) {
    problems.push(
      `${proxyFailures.length} of them came from wrangler's proxy, which lost its connection to the Worker (see BENCHMARKS.md; compare a run with --direct)`,
    );
  }
  if (state.transportErrors.length > 0) {
    problems.push(
      `${state.transportErrors.length} requests failed without a response, first: ${state.transportErrors[0]}`,
    );
  }
  if (outcome.reloads > 0) {
    problems.push(`wrangler reloaded the Worker ${outcome.reloads} times because files changed`);
  }
  for (const rule of limitRules(config)) problems.push(...checkLimit(rule, records));
  if (outcome.locked.length === 0) problems.push("no account reached the failed-login limit");
  problems.push(...outcome.stillOpen.map((text) => `failed-login lock not enforced: ${text}`));
  problems.push(
    ...outcome.missing.map(
      (email) => `registration returned 201 but the user is missing: ${email}`,
    ),
  );

  console.log(
    `registrations that returned 201: ${outcome.registered.length}, all in the database: ${outcome.missing.length === 0}`,
  );
  console.log(
    `accounts locked by failed logins: ${outcome.locked.length}, lock enforced: ${outcome.stillOpen.length === 0}`,
  );
  if (problems.length === 0) {
    console.log("PASS: no 5xx, every response JSON of the expected shape, every limit held");
    return 0;
  }
  console.log(`FAIL:\n  ${problems.join("\n  ")}`);
  return 1;
}

main()
  .then((code) => process.exit(code))
  .catch((error: unknown) => {
    console.error("load:test failed:", error);
    process.exit(1);
  });
