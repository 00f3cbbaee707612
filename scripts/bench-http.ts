/**
 * `npm run bench:http -- [--duration S] [--connections N] [--only ids]`: starts `npm run dev`
 * with RATE_LIMITS_ENABLED=false on a free loopback port, creates the accounts it needs, then
 * drives each endpoint with autocannon from this process for S seconds (default 10) with N
 * connections (default 10), one endpoint after another, and prints a table. `--only` takes a
 * comma list of: bare, types, login, login-fail, refresh, verify, verify-bad, me, list,
 * search, upload. DATABASE_URL, when set, is passed on to `npm run dev`. `--check` starts no
 * dev server: it runs the refresh token pool against a fake endpoint on loopback and fails when
 * a token was shared, replayed or missing.
 *
 * CPU per request is the user + system time of every workerd process of the dev server over
 * the run (/proc, 10 ms ticks) divided by the responses. It is an upper bound of the Worker's
 * CPU: it includes workerd's HTTP handling, the local KV/R2/queue simulators and, for uploads,
 * the documents consumer. wrangler dev reports no per-request CPU. Linux only.
 */
import { parseArgs } from "node:util";
import { type RunOptions, type RunResult, runLoad } from "./lib/autocannon-run";
import {
  createBenchAdmin,
  createStaff,
  login,
  photoJpeg,
  randomPassword,
  registerApplicant,
} from "./lib/bench-accounts";
import { type Measured, printReport } from "./lib/bench-report";
import { ensureDemoApplicants } from "./lib/demo-population";
import { startDevServer } from "./lib/dev-server";
import { createTokenPool, describeTokenUsage, type TokenPool } from "./lib/token-pool";
import { checkTokenPool } from "./lib/token-pool-check";

const USAGE =
  "usage: npm run bench:http -- [--duration S] [--connections N] [--only ids] [--check]";

interface Scenario {
  /** Short name for --only. */
  id: string;
  label: string;
  /** Path and query that the scenario requests. */
  path: string;
  run: (url: string, durationSeconds: number) => Promise<RunResult>;
  /** The token pool of the scenario's requests, whose tokens are handed back after each run. */
  pool?: TokenPool;
}

function readOptions() {
  const { values } = parseArgs({
    options: {
      duration: { type: "string", default: "10" },
      connections: { type: "string", default: "10" },
      only: { type: "string" },
      check: { type: "boolean", default: false },
    },
  });
  const durationSeconds = Number(values.duration);
  const connections = Number(values.connections);
  if (!Number.isInteger(durationSeconds) || durationSeconds < 1) {
    throw new Error(`--duration must be a whole number of seconds ≥ 1\n${USAGE}`);
  }
  if (!Number.isInteger(connections) || connections < 1 || connections > 500) {
    throw new Error(`--connections must be an integer from 1 to 500\n${USAGE}`);
  }
  return { durationSeconds, connections, only: values.only?.split(","), check: values.check };
}

/** Creates the accounts, sessions and files every scenario needs. */
async function prepare(baseUrl: string, databaseUrl: string, connections: number) {
  const admin = await createBenchAdmin(databaseUrl);
  const adminTokens = await login(baseUrl, admin);
  const staff = await createStaff(baseUrl, adminTokens.access);
  const staffTokens = await login(baseUrl, staff);
  await ensureDemoApplicants(databaseUrl, 1000);

  // One applicant per connection, so that no two uploads replace the same document at once.
  const applicants = [];
  for (let index = 0; index < connections; index++) {
    applicants.push(await registerApplicant(baseUrl));
  }
  // Each run writes off the refresh tokens still in flight when it stops, because the server
  // may have rotated them, so the warm-up and the measured run need a session per connection
  // each. The third session per connection covers requests that time out.
  const refreshTokens = applicants.map((account) => account.tokens.refresh);
  for (let round = 0; round < 2; round++) {
    for (const account of applicants) refreshTokens.push((await login(baseUrl, account)).refresh);
  }
  const upload = await multipartBody(photoJpeg(640, 480));
  return { staffTokens, applicants, refreshTokens, upload };
}

async function multipartBody(photo: Uint8Array) {
  const form = new FormData();
  form.append("document_type", "photo-tki");
  form.append("file", new Blob([photo], { type: "image/jpeg" }), "photo.jpg");
  const request = new Request("http://localhost/", { method: "POST", body: form });
  return {
    body: Buffer.from(await request.arrayBuffer()),
    contentType: request.headers.get("Content-Type")!,
  };
}

function scenarios(setup: Awaited<ReturnType<typeof prepare>>, connections: number): Scenario[] {
  const json = { "Content-Type": "application/json" };
  const applicant = setup.applicants[0]!;
  const staffAuth = { Authorization: `Bearer ${setup.staffTokens.access}` };
  const applicantAuth = { Authorization: `Bearer ${applicant.tokens.access}` };
  const post = (body: unknown) => ({
    method: "POST" as const,
    headers: json,
    body: JSON.stringify(body),
  });
  // Each run of a scenario reuses its pool, so rotated refresh tokens carry over from the
  // warm-up to the measured run instead of being replayed (a replay revokes the session).
  const refreshPool = createTokenPool(
    setup.refreshTokens,
    (refresh) => post({ refresh }),
    (_old, status, body) => (status === 200 ? JSON.parse(body).data.refresh : undefined),
  );
  const uploadPool = createTokenPool(
    setup.applicants.map((account) => account.tokens.access),
    (access) => ({
      method: "POST",
      headers: { Authorization: `Bearer ${access}`, "Content-Type": setup.upload.contentType },
      body: setup.upload.body,
    }),
    (access) => access,
  );
  const scenario = (
    id: string,
    label: string,
    path: string,
    request: Partial<RunOptions>,
    pool?: TokenPool,
  ) => ({
    id,
    label,
    path,
    pool,
    run: async (url: string, durationSeconds: number) => {
      const result = await runLoad({ ...request, url, connections, durationSeconds });
      pool?.settleRun();
      return result;
    },
  });
  const loginBody = { email: applicant.email, password: applicant.password };

  return [
    scenario("bare", "bare route", "/health/live/", {}),
    scenario("types", "document types", "/api/document-types/public/", {}),
    scenario("login", "login", "/api/auth/token/", post(loginBody)),
    scenario("login-fail", "login, wrong password", "/api/auth/token/", {
      ...post({ ...loginBody, password: randomPassword() }),
    }),
    scenario(
      "refresh",
      "refresh",
      "/api/auth/token/refresh/",
      { requests: refreshPool.requests },
      refreshPool,
    ),
    scenario("verify", "token verify", "/api/auth/token/verify/", {
      ...post({ token: applicant.tokens.access }),
    }),
    scenario("verify-bad", "token verify, bad signature", "/api/auth/token/verify/", {
      ...post({ token: tamperSignature(applicant.tokens.access) }),
    }),
    scenario("me", "me", "/api/me/", { headers: applicantAuth }),
    scenario("list", "applicant list", "/api/applicants/", { headers: staffAuth }),
    scenario("search", "applicant search", "/api/applicants/?search=siti", {
      headers: staffAuth,
    }),
    scenario(
      "upload",
      "document upload",
      "/api/applicants/me/documents/",
      { requests: uploadPool.requests },
      uploadPool,
    ),
  ];
}

function warnAboutReloads(count: number): void {
  if (count === 0) return;
  console.warn(
    `\nWARNING: wrangler reloaded the Worker ${count} times because source files changed; ` +
      "requests during a reload fail, so run again on an unchanged tree.",
  );
}

/** Flips one character of the signature, so the token fails before any database query. */
function tamperSignature(token: string): string {
  const last = token.at(-2) === "A" ? "B" : "A";
  return `${token.slice(0, -2)}${last}${token.slice(-1)}`;
}

const WARM_UP_SECONDS = 2;

async function main(): Promise<void> {
  const options = readOptions();
  if (options.check) {
    const problem = await checkTokenPool(options.connections);
    if (problem) throw new Error(`token pool check failed: ${problem}`);
    console.log("token pool check passed");
    return;
  }
  console.log("starting npm run dev with RATE_LIMITS_ENABLED=false …");
  const server = await startDevServer({ RATE_LIMITS_ENABLED: "false" });
  try {
    console.log(`worker ready at ${server.url} (its log: ${server.logPath}); creating accounts …`);
    const setup = await prepare(server.url, server.databaseUrl, options.connections);
    const all = scenarios(setup, options.connections);
    const unknown = options.only?.filter((id) => !all.some((scenario) => scenario.id === id));
    if (unknown?.length) throw new Error(`unknown --only ids: ${unknown.join(", ")}\n${USAGE}`);
    const selected = all.filter((scenario) => !options.only || options.only.includes(scenario.id));

    const measured: Measured[] = [];
    for (const scenario of selected) {
      const url = `${server.url}${scenario.path}`;
      // The warm-up fills the KV cache, compiles hot code and opens the connections.
      await scenario.run(url, WARM_UP_SECONDS);
      const cpuBefore = server.workerdCpuMs();
      const result = await scenario.run(url, options.durationSeconds);
      const cpuMs = server.workerdCpuMs() - cpuBefore;
      const cpuMsPerRequest = cpuMs / Math.max(1, result.requests);
      measured.push({ label: scenario.label, path: scenario.path, result, cpuMsPerRequest });
      console.log(`  ${scenario.label}: ${result.requests} responses`);
      if (scenario.pool) {
        console.log(`  ${describeTokenUsage(scenario.label, scenario.pool.usage())}`);
      }
    }
    printReport(measured, options);
    warnAboutReloads(server.reloads());
  } finally {
    await server.stop();
  }
}

main().catch((error: unknown) => {
  console.error("bench:http failed:", error);
  process.exit(1);
});
