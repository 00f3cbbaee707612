// `npm run seed:scale -- --applicants N [--seed S] [--staff K]`: loads N generated applicants
// (default 1,000,000) with every profile field, work experiences and document rows, referred
// by K new STAFF users (default 50), into DATABASE_URL or the embedded database, for the
// database benchmark (`npm run bench:db`).
//
// Everything happens in one transaction: secondary indexes are dropped, rows are written with
// COPY (on the embedded PGlite server, which has no COPY FROM STDIN over its socket, with
// INSERTs of JSON record sets), the indexes are rebuilt from the definitions the database
// reported, then VACUUM ANALYZE runs. A failure leaves the database as it was. When the
// database already contains scale data the script stops without writing.
//
// NOTE: the transaction holds PGlite's single backend for the whole load, so a running
// `npm run dev` on the same embedded database waits until it ends.
import { parseArgs } from "node:util";
import { drizzle } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import { hashPassword } from "../src/auth/passwords";
import type { Database } from "../src/db/client";
import * as schema from "../src/db/schema";
import {
  dropSecondaryIndexes,
  maxId,
  rebuildIndexes,
  supportsCopyFromStdin,
  syncIdentity,
  writeRows,
} from "./lib/bulk-load";
import { loadKecamatan } from "./lib/demo-applicants";
import { DemoRandom, indonesianName } from "./lib/demo-data";
import { connectDevDatabase } from "./lib/dev-database";
import { readDevVars } from "./lib/dev-settings";
import { migrateDatabase } from "./lib/migrate";
import { describeRegionSeed, seedRegions } from "./lib/regions-seed";
import {
  buildScaleBatch,
  SCALE_EMAIL_DOMAIN,
  type ScaleContext,
  type ScaleDocumentType,
} from "./lib/scale-applicants";

const BATCH_SIZE = 20_000;
const TABLES = [
  "users",
  "staff_profiles",
  "applicant_profiles",
  "work_experiences",
  "applicant_documents",
];
const FIRST_STAFF_EMAIL = `scale-staff-0@${SCALE_EMAIL_DOMAIN}`;
/** The password of every scale account, stored as one hash computed once. */
const SCALE_PASSWORD = "Skala-Pelamar-2026";
const USAGE = "usage: npm run seed:scale -- --applicants N [--seed S] [--staff K]";

type Sql = postgres.Sql | postgres.TransactionSql;

function readOptions() {
  const { values } = parseArgs({
    options: {
      applicants: { type: "string", default: "1000000" },
      seed: { type: "string", default: "1" },
      staff: { type: "string", default: "50" },
    },
  });
  const number = (name: string, raw: string, min: number, max: number) => {
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      throw new Error(`--${name} must be an integer ${min}–${max}, got "${raw}"\n${USAGE}`);
    }
    return value;
  };
  return {
    applicants: number("applicants", values.applicants, 1, 5_000_000),
    seed: number("seed", values.seed, 0, 2 ** 31 - 1),
    staff: number("staff", values.staff, 1, 1000),
  };
}

const started = performance.now();
function report(message: string): void {
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(`[${seconds.padStart(6)} s] ${message}`);
}

/** Hashes the shared password once; null (no password sign-in) without a PASSWORD_PEPPER. */
async function sharedPasswordHash(): Promise<string | null> {
  const settings = { ...readDevVars(), ...process.env };
  if (!settings.PASSWORD_PEPPER) {
    report("no PASSWORD_PEPPER in the environment or .dev.vars: scale accounts get no password");
    return null;
  }
  const iterations = Number(settings.PASSWORD_ITERATIONS || 100_000);
  const hash = await hashPassword(SCALE_PASSWORD, {
    PASSWORD_PEPPER: settings.PASSWORD_PEPPER,
    PASSWORD_ITERATIONS: iterations,
  });
  report(`every scale account shares one password hash, of "${SCALE_PASSWORD}"`);
  return hash;
}

async function documentTypes(sql: Sql): Promise<ScaleDocumentType[]> {
  return sql<ScaleDocumentType[]>`
    select id, code, format, is_required as "isRequired" from document_types order by sort_order`;
}

/** Writes the STAFF referrers and their staff profiles; returns their user ids. */
async function writeStaff(sql: Sql, context: ScaleContext, count: number, useCopy: boolean) {
  const { random } = context;
  const staff = Array.from({ length: count }, (_, index) => ({
    id: context.nextIds.user++,
    email: `scale-staff-${index}@${SCALE_EMAIL_DOMAIN}`,
    fullName: indonesianName(random, random.chance(0.5) ? "F" : "M"),
    role: "STAFF" as const,
    isActive: true,
    emailVerified: true,
    emailVerifiedAt: context.now,
    // `Z` + five base-36 digits: apart from the seed-based codes of `npm run seed:demo`.
    referralCode: `S-Z${index.toString(36).toUpperCase().padStart(5, "0")}`,
    passwordHash: context.passwordHash,
    securityStamp: crypto.randomUUID(),
    dateJoined: context.now,
    updatedAt: context.now,
  }));
  await writeRows(sql, schema.users, staff, useCopy);
  const profiles = staff.map((user) => ({
    userId: user.id,
    id: user.id,
    contactPhone: "",
    createdAt: context.now,
    updatedAt: context.now,
  }));
  await writeRows(sql, schema.staffProfiles, profiles, useCopy);
  return staff.map((user) => user.id);
}

async function loadApplicants(sql: Sql, context: ScaleContext, total: number, useCopy: boolean) {
  for (let start = 0; start < total; start += BATCH_SIZE) {
    const end = Math.min(start + BATCH_SIZE, total);
    const batch = buildScaleBatch(context, start, end);
    await writeRows(sql, schema.users, batch.users, useCopy);
    await writeRows(sql, schema.applicantProfiles, batch.profiles, useCopy);
    await writeRows(sql, schema.workExperiences, batch.workExperiences, useCopy);
    await writeRows(sql, schema.applicantDocuments, batch.documents, useCopy);
    report(`loaded ${end} of ${total} applicants`);
  }
}

/** Inputs read before the load transaction: regions, document types and the shared hash. */
async function loadInputs(client: postgres.Sql) {
  const db = drizzle(client, { schema }) as unknown as Database;
  return {
    kecamatan: await loadKecamatan(db),
    documentTypes: await documentTypes(client),
    passwordHash: await sharedPasswordHash(),
  };
}

type Inputs = Awaited<ReturnType<typeof loadInputs>>;

async function seed(
  sql: Sql,
  options: ReturnType<typeof readOptions>,
  inputs: Inputs,
  useCopy: boolean,
) {
  const [existing] = await sql`select id from users where email = ${FIRST_STAFF_EMAIL}`;
  if (existing) {
    throw new Error(
      "this database already contains scale data (user scale-staff-0 exists); " +
        "load into a fresh database, for example a new DATABASE_URL",
    );
  }
  // With FK triggers off, no reference is checked row by row. Every id written here comes
  // from the regions, the document types or this same load. Needs a superuser.
  await sql`set local session_replication_role = replica`;
  await sql`set local maintenance_work_mem = '512MB'`;
  const dropped = await dropSecondaryIndexes(sql, TABLES);
  report(`dropped ${dropped.length} secondary indexes`);

  const context: ScaleContext = {
    ...inputs,
    random: new DemoRandom(options.seed),
    staffIds: [],
    takenNiks: new Set(),
    seed: options.seed,
    now: new Date(),
    nextIds: {
      user: (await maxId(sql, "users")) + 1,
      profile: (await maxId(sql, "applicant_profiles")) + 1,
      workExperience: (await maxId(sql, "work_experiences")) + 1,
      document: (await maxId(sql, "applicant_documents")) + 1,
    },
  };
  if (context.kecamatan.length === 0) report("no regions loaded: profiles get no region ids");
  // Staff profiles take the id of their user, so the next id must clear both tables.
  context.nextIds.user = Math.max(context.nextIds.user, (await maxId(sql, "staff_profiles")) + 1);
  context.staffIds = await writeStaff(sql, context, options.staff, useCopy);
  report(`wrote ${options.staff} STAFF referrers`);

  await loadApplicants(sql, context, options.applicants, useCopy);
  await rebuildIndexes(sql, dropped, report);
  for (const table of TABLES) await syncIdentity(sql, table);
}

async function main(): Promise<void> {
  const options = readOptions();
  const database = await connectDevDatabase();
  // max 1 and unnamed statements, for the single shared backend of the embedded server.
  const client = postgres(database.url, { max: 1, prepare: false, onnotice: () => {} });
  try {
    report(`database: ${database.source}`);
    await migrateDatabase(database.url);
    // Real region ids need the regions; a repeat load compares and writes nothing.
    report(describeRegionSeed(await seedRegions(database.url)));
    const useCopy = await supportsCopyFromStdin(client);
    report(
      useCopy ? "writing with COPY FROM STDIN" : "no COPY FROM STDIN: INSERTs of JSON record sets",
    );
    const inputs = await loadInputs(client);
    await client.begin((sql) => seed(sql, options, inputs, useCopy));
    // VACUUM also sets the visibility map, without which no index-only scan skips the heap.
    report("committed; running VACUUM ANALYZE");
    for (const table of TABLES) await client.unsafe(`vacuum analyze "${table}"`);
    report(`done: ${options.applicants} applicants, ${options.staff} staff`);
  } finally {
    await client.end({ timeout: 5 });
    await database.stop();
  }
}

main().catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  console.error(`scale seeding failed: ${message}`);
  process.exitCode = 1;
});
