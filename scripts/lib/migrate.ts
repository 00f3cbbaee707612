import { fileURLToPath } from "node:url";
import { drizzle } from "drizzle-orm/postgres-js";
import { migrate } from "drizzle-orm/postgres-js/migrator";
import postgres from "postgres";

export const MIGRATIONS_FOLDER = fileURLToPath(new URL("../../migrations", import.meta.url));

/** Applies every migration in `migrations/` that the database has not recorded yet. */
export async function migrateDatabase(url: string): Promise<void> {
  // A single connection: the embedded PGlite server hangs when one client runs queries in parallel.
  // Unnamed statements: a running `npm run dev` shares the one PGlite backend, and named
  // prepared statements of two clients would collide there.
  const client = postgres(url, { max: 1, prepare: false, onnotice: () => {} });
  try {
    await migrate(drizzle(client), { migrationsFolder: MIGRATIONS_FOLDER });
  } finally {
    await client.end();
  }
}
