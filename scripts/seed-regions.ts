// `npm run db:seed-regions`: applies pending migrations, then loads the Indonesian provinces,
// regencies, kecamatan and villages from the `idn-area-data` package into DATABASE_URL, or into
// the embedded database when DATABASE_URL is unset. A repeat run only compares and writes
// nothing. `npm run dev` and the test set-up run the same loader on every start.
import { connectDevDatabase } from "./lib/dev-database";
import { migrateDatabase } from "./lib/migrate";
import { describeRegionSeed, seedRegions } from "./lib/regions-seed";

async function main(): Promise<void> {
  const database = await connectDevDatabase();
  try {
    console.log(`loading regions (database: ${database.source})`);
    await migrateDatabase(database.url);
    console.log(describeRegionSeed(await seedRegions(database.url)));
  } finally {
    await database.stop();
  }
}

main().catch((error: unknown) => {
  console.error("region loading failed:", error);
  process.exitCode = 1;
});
