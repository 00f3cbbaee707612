// `npm run db:migrate`: applies the migrations in `migrations/` to DATABASE_URL (any Postgres,
// Neon included, over TCP), or to the embedded database when DATABASE_URL is unset.
import { connectDevDatabase } from "./lib/dev-database";
import { migrateDatabase } from "./lib/migrate";

async function main(): Promise<void> {
  const database = await connectDevDatabase();
  try {
    console.log(`applying migrations (database: ${database.source})`);
    await migrateDatabase(database.url);
    console.log("migrations applied");
  } finally {
    await database.stop();
  }
}

main().catch((error: unknown) => {
  console.error("migration failed:", error);
  process.exitCode = 1;
});
