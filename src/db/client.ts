import { neon, neonConfig } from "@neondatabase/serverless";
import type { BatchItem, BatchResponse } from "drizzle-orm/batch";
import { drizzle as drizzleNeon, type NeonHttpDatabase } from "drizzle-orm/neon-http";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import type { Config } from "../env";
import { limitedSocket } from "./connection-limit";
import type * as schema from "./schema";

export type Schema = typeof schema;
/**
 * A drizzle database without the relational query API (`db.query`). Passing the schema to
 * drizzle() rebuilds its relational config on every call, which is once per request. That took
 * about 1 ms of CPU per call in Node 20 on a busy 2-vCPU Xeon, and no code here uses `db.query`.
 */
export type Database = PgDatabase<PgQueryResultHKT>;
export type DatabaseDriver = "postgres" | "neon-http";

/** Seconds postgres.js waits for the TCP connect and start-up of a new connection. */
const CONNECT_TIMEOUT_SECONDS = 10;

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
  config: Pick<
    Config,
    | "DATABASE_DRIVER"
    | "databaseUrl"
    | "NEON_FETCH_ENDPOINT"
    | "DATABASE_MAX_CONNECTIONS"
    | "DATABASE_ACQUIRE_TIMEOUT_MS"
  >,
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
  const socket = limitedSocket({
    maxConnections: config.DATABASE_MAX_CONNECTIONS,
    acquireTimeoutMs: config.DATABASE_ACQUIRE_TIMEOUT_MS,
  });
  const client = postgres(config.databaseUrl, {
    max: 1,
    prepare: false,
    fetch_types: false,
    // postgres.js starts this timer before it calls `socket`, so the wait for a slot counts
    // too. The slot wait times out first and raises its own 503.
    connect_timeout:
      CONNECT_TIMEOUT_SECONDS + (socket ? config.DATABASE_ACQUIRE_TIMEOUT_MS / 1000 : 0),
    idle_timeout: 20,
    ...(socket ? { socket } : {}),
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

  // All statements are issued at once, in order, so postgres.js pipelines them on the
  // transaction's connection instead of waiting a round trip after each. That matters on the
  // single-backend embedded server, where an open transaction makes every other client wait.
  // After a failed statement Postgres rejects the rest with 25P02, and Promise.all reports
  // the first failure, which arrives first.
  return handle.db.transaction(
    (tx) => Promise.all(build(tx as unknown as Database)) as Promise<BatchResponse<T>>,
  );
}
