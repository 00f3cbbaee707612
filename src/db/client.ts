import { neon, neonConfig } from "@neondatabase/serverless";
import type { BatchItem, BatchResponse } from "drizzle-orm/batch";
import { drizzle as drizzleNeon, type NeonHttpDatabase } from "drizzle-orm/neon-http";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import type { Config } from "../env";
import type * as schema from "./schema";

export type Schema = typeof schema;
/**
 * A drizzle database without the relational query API (`db.query`). Passing the schema to
 * drizzle() rebuilds its relational config on every call, which is once per request. That took
 * about 1 ms of CPU per call in Node 20 on a busy 2-vCPU Xeon, and no code here uses `db.query`.
 */
export type Database = PgDatabase<PgQueryResultHKT>;
export type DatabaseDriver = "postgres" | "neon-http";

/** A database connection for one request or one queue batch; call `close` when done. */
export interface DatabaseHandle {
  readonly db: Database;
  readonly driver: DatabaseDriver;
  close(): Promise<void>;
}

/** Picks Neon's SQL-over-HTTP driver for Neon hosts and postgres.js over TCP for the rest. */
export function resolveDriver(config: Pick<Config, "DATABASE_DRIVER" | "databaseUrl">) {
  if (config.DATABASE_DRIVER !== "auto") return config.DATABASE_DRIVER;
  const host = new URL(config.databaseUrl).hostname;
  return host.endsWith(".neon.tech") ? "neon-http" : "postgres";
}

/** Opens a connection as the configuration says. Nothing is sent before the first query. */
export function openDatabase(
  config: Pick<Config, "DATABASE_DRIVER" | "databaseUrl" | "NEON_FETCH_ENDPOINT">,
): DatabaseHandle {
  const driver = resolveDriver(config);
  if (driver === "neon-http") {
    if (config.NEON_FETCH_ENDPOINT) neonConfig.fetchEndpoint = config.NEON_FETCH_ENDPOINT;
    const db = drizzleNeon(neon(config.databaseUrl));
    return { db: db as unknown as Database, driver, close: async () => {} };
  }

  // One connection per request: Workers cannot share sockets between requests, and the
  // embedded PGlite server hangs when one client runs queries in parallel. Unnamed statements
  // keep clients of the shared PGlite backend from colliding on prepared statement names.
  const client = postgres(config.databaseUrl, {
    max: 1,
    prepare: false,
    fetch_types: false,
    connect_timeout: 10,
    idle_timeout: 20,
  });
  const db = drizzlePostgres(client);
  return {
    db: db as unknown as Database,
    driver,
    close: () => client.end({ timeout: 5 }),
  };
}

type AtomicQueries = readonly [BatchItem<"pg">, ...BatchItem<"pg">[]];

/**
 * Runs the statements that `build` returns as one transaction on either driver: a
 * `db.batch()` on Neon HTTP, which has no interactive transactions, and `BEGIN … COMMIT`
 * over TCP. Statements cannot read each other's results, so reserve ids first
 * (see `reserveIds`) when one row refers to another.
 */
export async function runAtomic<T extends AtomicQueries>(
  handle: DatabaseHandle,
  build: (db: Database) => T,
): Promise<BatchResponse<T>> {
  if (handle.driver === "neon-http") {
    const neonDb = handle.db as unknown as NeonHttpDatabase;
    return neonDb.batch(build(handle.db)) as Promise<BatchResponse<T>>;
  }

  return handle.db.transaction(async (tx) => {
    const results: unknown[] = [];
    for (const query of build(tx as unknown as Database)) {
      results.push(await query);
    }
    return results as BatchResponse<T>;
  });
}
