// `npm run bench:db [-- --runs N]`: runs every query the applicant list endpoints generate
// (filters, search, orderings, deep pages, cursor pages, the COUNT of page mode) against
// DATABASE_URL or the embedded database, N times each (default 30, fewer for a statement
// that takes more than 5 s in all, but at least 5), and prints p50 and p95
// database time, the rows returned and the plan from EXPLAIN (FORMAT JSON).
//
// The SQL comes from the endpoints' own code: each pattern's query string is validated by
// ApplicantListQuerySchema and passed to applicantPageSource or listApplicantsAfter, whose
// statements a drizzle logger captures. Database time is the round trip of one statement on
// this connection: server time plus the loopback transfer of at most 101 rows.
import { parseArgs } from "node:util";
import { drizzle } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import { ApplicantListQuerySchema } from "../src/applicants/applicant-list";
import {
  applicantPageSource,
  type KeysetStart,
  listApplicantsAfter,
} from "../src/applicants/applicant-search.service";
import type { Database } from "../src/db/client";
import * as schema from "../src/db/schema";
import { type BenchPattern, benchPatterns, readSampleValues } from "./lib/bench-db-patterns";
import { connectDevDatabase } from "./lib/dev-database";

/** SPEC target: p95 of database time per list, filter, search or cursor query at 1M rows. */
const TARGET_P95_MS = 50;
/** Runs of one statement stop after this much time, once MIN_RUNS have been made. */
const TIME_BUDGET_MS = 5000;
const MIN_RUNS = 5;

interface CapturedQuery {
  query: string;
  params: unknown[];
}

interface Measured {
  pattern: string;
  statement: string;
  p50: number;
  p95: number;
  rows: number;
  runs: number;
  plan: string;
}

function readRuns(): number {
  const { values } = parseArgs({ options: { runs: { type: "string", default: "30" } } });
  const runs = Number(values.runs);
  if (!Number.isInteger(runs) || runs < 1 || runs > 1000) {
    throw new Error(`--runs must be an integer 1–1000, got "${values.runs}"`);
  }
  return runs;
}

/** Creates a drizzle database whose statements `capture` records while it runs a call. */
function capturingDatabase(client: postgres.Sql) {
  const captured: CapturedQuery[] = [];
  const state = { recording: false };
  const logger = {
    logQuery(query: string, params: unknown[]) {
      if (state.recording) captured.push({ query, params });
    },
  };
  const db = drizzle(client, { schema, logger }) as unknown as Database;
  return {
    db,
    async capture(run: () => Promise<unknown>): Promise<CapturedQuery[]> {
      captured.length = 0;
      state.recording = true;
      try {
        await run();
      } finally {
        state.recording = false;
      }
      return [...captured];
    },
  };
}

/** Captures the statements one request of `pattern` runs, as `count`, `page` or `cursor`. */
async function statementsOf(
  recorder: ReturnType<typeof capturingDatabase>,
  pattern: BenchPattern,
): Promise<[string, CapturedQuery][]> {
  const params = ApplicantListQuerySchema.parse(pattern.query);
  const size = params.page_size;
  const source = applicantPageSource(recorder.db, pattern.target, params);
  const { mode } = pattern;
  if (mode.kind === "page") {
    const total = await source.count();
    const page = mode.page === "last" ? Math.max(1, Math.ceil(total / size)) : mode.page;
    const [count] = await recorder.capture(() => source.count());
    const [rows] = await recorder.capture(() => source.rows(size, (page - 1) * size));
    // A page past the end of a small database runs no query: there is nothing to time.
    if (!rows) return [];
    const statements: [string, CapturedQuery][] = [["page", rows as CapturedQuery]];
    if (!mode.skipCount) statements.unshift(["count", count as CapturedQuery]);
    return statements;
  }
  let start: KeysetStart | null = null;
  if (mode.position !== "start") {
    const total = await source.count();
    const offset = mode.position === "middle" ? Math.floor(total / 2) : Math.max(0, total - size);
    const [row] = await source.rows(1, offset);
    if (row) start = { direction: "next", values: row.keyValues };
  }
  const [cursor] = await recorder.capture(() =>
    listApplicantsAfter(recorder.db, pattern.target, params, size, start),
  );
  return [["cursor", cursor as CapturedQuery]];
}

function percentile(sorted: number[], share: number): number {
  const index = Math.min(sorted.length - 1, Math.ceil(share * sorted.length) - 1);
  return sorted[Math.max(0, index)] as number;
}

/** Runs one statement `runs` times after a warm-up run. */
async function timeStatement(client: postgres.Sql, statement: CapturedQuery, runs: number) {
  const values = statement.params as postgres.ParameterOrJSON<never>[];
  let rows = (await client.unsafe(statement.query, values)).length;
  const durations: number[] = [];
  const firstRun = performance.now();
  for (let run = 0; run < runs; run++) {
    // A statement of a second or more would hold the table up for minutes at 30 runs.
    if (run >= MIN_RUNS && performance.now() - firstRun > TIME_BUDGET_MS) break;
    const started = performance.now();
    rows = (await client.unsafe(statement.query, values)).length;
    durations.push(performance.now() - started);
  }
  durations.sort((a, b) => a - b);
  const p50 = percentile(durations, 0.5);
  return { p50, p95: percentile(durations, 0.95), rows, runs: durations.length };
}

interface PlanNode {
  "Node Type": string;
  "Relation Name"?: string;
  "Index Name"?: string;
  Plans?: PlanNode[];
}

// Region name lookups (villages and their parents) are primary-key probes on every plan.
const LISTED_TABLES = new Set(["users", "applicant_profiles"]);

/** Scans of users and applicant_profiles in the plan: index names, or Seq Scan. */
async function planOf(client: postgres.Sql, statement: CapturedQuery): Promise<string> {
  const values = statement.params as postgres.ParameterOrJSON<never>[];
  const [result] = await client.unsafe(`explain (format json) ${statement.query}`, values);
  const plans = (result?.["QUERY PLAN"] ?? []) as { Plan: PlanNode }[];
  const root = plans[0]?.Plan;
  const scans: string[] = [];
  const visit = (node: PlanNode) => {
    const table = node["Relation Name"];
    const index = node["Index Name"];
    if (index && (index.startsWith("users_") || index.startsWith("applicant_profiles_"))) {
      scans.push(index);
    } else if (table && LISTED_TABLES.has(table) && node["Node Type"].includes("Seq Scan")) {
      scans.push(`Seq Scan ${table}`);
    }
    for (const child of node.Plans ?? []) visit(child);
  };
  if (root) visit(root);
  return [...new Set(scans)].join(", ");
}

function printTable(results: Measured[]): void {
  console.log(
    "\n| Pattern | Query | p50 ms | p95 ms | Runs | Rows | Plan (users, applicant_profiles) |",
  );
  console.log("|---|---|---:|---:|---:|---:|---|");
  for (const result of results) {
    const p95 = result.p95.toFixed(1);
    const flagged = result.p95 > TARGET_P95_MS ? `**${p95}**` : p95;
    console.log(
      `| ${result.pattern} | ${result.statement} | ${result.p50.toFixed(1)} | ${flagged} | ` +
        `${result.runs} | ${result.rows} | ${result.plan} |`,
    );
  }
  const misses = results.filter((result) => result.p95 > TARGET_P95_MS);
  console.log(
    `\n${results.length} statements; ${misses.length} over the p95 target of ${TARGET_P95_MS} ms` +
      (misses.length > 0 ? " (in bold)" : ""),
  );
}

async function main(): Promise<void> {
  const runs = readRuns();
  const database = await connectDevDatabase();
  // max 1 and unnamed statements, for the single shared backend of the embedded server.
  const client = postgres(database.url, { max: 1, prepare: false, onnotice: () => {} });
  try {
    const [server] = await client`select version() as version,
      (select count(*)::int from applicant_profiles) as profiles`;
    console.log(`database: ${database.source}; ${server?.version}`);
    console.log(`applicant profiles: ${server?.profiles}; runs per statement: ${runs}`);
    const recorder = capturingDatabase(client);
    const results: Measured[] = [];
    for (const pattern of benchPatterns(await readSampleValues(client))) {
      for (const [statement, captured] of await statementsOf(recorder, pattern)) {
        const timing = await timeStatement(client, captured, runs);
        const plan = await planOf(client, captured);
        results.push({ pattern: pattern.name, statement, ...timing, plan });
        process.stderr.write(`${pattern.name} (${statement}): p95 ${timing.p95.toFixed(1)} ms\n`);
      }
    }
    printTable(results);
  } finally {
    await client.end({ timeout: 5 });
    await database.stop();
  }
}

main().catch((error: unknown) => {
  console.error(`database benchmark failed: ${error instanceof Error ? error.stack : error}`);
  process.exitCode = 1;
});
