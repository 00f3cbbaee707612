import type { TestProject } from "vitest/node";
import { type EmbeddedPostgres, startEmbeddedPostgres } from "../../scripts/lib/embedded-postgres";
import { migrateDatabase } from "../../scripts/lib/migrate";
import { seedRegions } from "../../scripts/lib/regions-seed";
import { startFakes } from "../fakes/server";

/**
 * Starts the database (the embedded PGlite server, or TEST_DATABASE_URL when set), applies the
 * migrations, loads the full region data (about 1.6 s in memory, 0.3 s when already loaded),
 * and starts the fakes of third-party HTTP services on the ports vitest.config.ts chose.
 */
export default async function setup(_project: TestProject) {
  const ports = JSON.parse(process.env.KMS_TEST_PORTS ?? "{}") as {
    postgres: number;
    fakes: number;
  };
  let embedded: EmbeddedPostgres | undefined;
  let databaseUrl = process.env.TEST_DATABASE_URL;
  if (!databaseUrl) {
    embedded = await startEmbeddedPostgres({ port: ports.postgres });
    databaseUrl = embedded.url;
  }
  await migrateDatabase(databaseUrl);
  await seedRegions(databaseUrl);
  const fakes = await startFakes({ port: ports.fakes, databaseUrl });

  return async () => {
    await fakes.stop();
    await embedded?.stop();
  };
}
