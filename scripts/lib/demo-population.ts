import { spawn } from "node:child_process";
import { randomInt } from "node:crypto";
import { fileURLToPath } from "node:url";
import { count, eq } from "drizzle-orm";
import { drizzle } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import * as schema from "../../src/db/schema";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const SEED_DEMO = fileURLToPath(new URL("../seed-demo.ts", import.meta.url));

/**
 * Runs `npm run seed:demo` with a random seed until the database contains at least `minimum`
 * applicants, so list and search requests page through a realistic table.
 */
export async function ensureDemoApplicants(databaseUrl: string, minimum: number): Promise<void> {
  const existing = await countApplicants(databaseUrl);
  if (existing >= minimum) return;

  const missing = String(minimum - existing);
  const seed = String(randomInt(1, 2 ** 31 - 1));
  console.log(`seeding ${missing} demo applicants (npm run seed:demo -- --seed ${seed}) …`);
  const child = spawn(
    process.execPath,
    ["--import", "tsx", SEED_DEMO, "--applicants", missing, "--seed", seed],
    { cwd: ROOT, env: { ...process.env, DATABASE_URL: databaseUrl }, stdio: "inherit" },
  );
  const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
  if (code !== 0) throw new Error(`npm run seed:demo exited with code ${code}`);
}

async function countApplicants(databaseUrl: string): Promise<number> {
  // max 1 and unnamed statements, for the single shared backend of the embedded server.
  const client = postgres(databaseUrl, { max: 1, prepare: false, onnotice: () => {} });
  try {
    const db = drizzle(client, { schema });
    const [row] = await db
      .select({ total: count() })
      .from(schema.users)
      .where(eq(schema.users.role, "APPLICANT"));
    return row?.total ?? 0;
  } finally {
    await client.end({ timeout: 5 });
  }
}
