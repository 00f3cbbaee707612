// `npm run seed:demo -- --applicants N [--seed S] [--staff K]`: fills the local database with
// N generated applicants (default 1,000) referred by K new STAFF users (default 5), after
// applying pending migrations. Same --seed, same data; run again with another seed to add
// more, because emails and referral codes carry the seed and would collide otherwise.
//
// The accounts have no password (they exist to be listed, searched and exported). NIKs start
// with the code of a real kecamatan when the regions are loaded (`npm run db:seed-regions`),
// else with a made-up code and no region ids.
import { parseArgs } from "node:util";
import { drizzle } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import type { Database } from "../src/db/client";
import * as schema from "../src/db/schema";
import { buildApplicant, loadKecamatan } from "./lib/demo-applicants";
import { DemoRandom, indonesianName } from "./lib/demo-data";
import { connectDevDatabase } from "./lib/dev-database";
import { migrateDatabase } from "./lib/migrate";

const BATCH_SIZE = 1000;
const USAGE = "usage: npm run seed:demo -- --applicants N [--seed S] [--staff K]";

function readOptions() {
  const { values } = parseArgs({
    options: {
      applicants: { type: "string", default: "1000" },
      seed: { type: "string", default: "1" },
      staff: { type: "string", default: "5" },
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
    staff: number("staff", values.staff, 1, 100),
  };
}

async function insertStaff(db: Database, random: DemoRandom, seed: number, count: number) {
  const rows = Array.from({ length: count }, (_, index) => {
    const suffix = `${seed.toString(36)}${index.toString(36)}`.toUpperCase().padStart(6, "0");
    return {
      email: `demo-staff-${seed}-${index}@demo.kms.test`,
      fullName: indonesianName(random, random.chance(0.5) ? "F" : "M"),
      role: "STAFF" as const,
      emailVerified: true,
      emailVerifiedAt: new Date(),
      referralCode: `S-${suffix.slice(-6)}`,
      securityStamp: crypto.randomUUID(),
    };
  });
  const staff = await db.insert(schema.users).values(rows).returning({ id: schema.users.id });
  await db.insert(schema.staffProfiles).values(staff.map((row) => ({ userId: row.id })));
  return staff.map((row) => row.id);
}

async function insertBatch(db: Database, applicants: ReturnType<typeof buildApplicant>[]) {
  await db.transaction(async (tx) => {
    const users = await tx
      .insert(schema.users)
      .values(applicants.map((applicant) => applicant.user))
      .returning({ id: schema.users.id });
    const profiles = await tx
      .insert(schema.applicantProfiles)
      .values(
        applicants.map((applicant, index) => ({ ...applicant.profile, userId: users[index]!.id })),
      )
      .returning({ id: schema.applicantProfiles.id });
    const experiences = applicants.flatMap((applicant, index) =>
      applicant.workExperiences.map((experience) => ({
        ...experience,
        applicantProfileId: profiles[index]!.id,
      })),
    );
    if (experiences.length > 0) await tx.insert(schema.workExperiences).values(experiences);
  });
}

async function main(): Promise<void> {
  const options = readOptions();
  const database = await connectDevDatabase();
  // max 1 and unnamed statements, for the single shared backend of the embedded server.
  const client = postgres(database.url, { max: 1, prepare: false, onnotice: () => {} });
  try {
    console.log(`database: ${database.source}`);
    await migrateDatabase(database.url);
    const db = drizzle(client, { schema }) as unknown as Database;
    const random = new DemoRandom(options.seed);
    const kecamatan = await loadKecamatan(db);
    if (kecamatan.length === 0) console.log("no regions loaded: NIKs get made-up region codes");

    const started = performance.now();
    const staffIds = await insertStaff(db, random, options.seed, options.staff);
    const takenNiks = new Set<string>();
    const context = { random, kecamatan, staffIds, takenNiks, seed: options.seed, now: new Date() };
    for (let start = 0; start < options.applicants; start += BATCH_SIZE) {
      const end = Math.min(start + BATCH_SIZE, options.applicants);
      const batch = [];
      for (let index = start; index < end; index++) batch.push(buildApplicant(context, index));
      await insertBatch(db, batch);
      process.stdout.write(`\rinserted ${end} of ${options.applicants} applicants`);
    }
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    console.log(`\ndone: ${options.applicants} applicants, ${options.staff} staff in ${seconds} s`);
  } finally {
    await client.end({ timeout: 5 });
    await database.stop();
  }
}

main().catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  console.error(`demo seeding failed: ${message}`);
  if (/duplicate key/.test(message)) {
    console.error("this --seed was used before on this database; pass another --seed");
  }
  process.exitCode = 1;
});
