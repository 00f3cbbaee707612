import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { PGlite } from "@electric-sql/pglite";
import { pg_trgm } from "@electric-sql/pglite/contrib/pg_trgm";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";
import { keepExchangesTogether } from "./pglite-exchanges";

export interface EmbeddedPostgres {
  url: string;
  stop(): Promise<void>;
}

export interface EmbeddedPostgresOptions {
  /** Folder for the data files, or undefined for an in-memory database. */
  dataDir?: string;
  port: number;
  host?: string;
}

/**
 * Starts PGlite with pg_trgm and serves it over the Postgres wire protocol, so the Worker and
 * scripts reach it as an ordinary server. PGlite runs one backend and multiplexes clients, with
 * transactions kept to the client that opened them.
 */
export async function startEmbeddedPostgres(
  options: EmbeddedPostgresOptions,
): Promise<EmbeddedPostgres> {
  if (options.dataDir) {
    const owner = readServerLock(options.dataDir);
    if (owner) {
      throw new Error(
        `the embedded database in ${options.dataDir} is already served by process ${owner.pid} ` +
          `on port ${owner.port}; set EMBEDDED_POSTGRES_PORT=${owner.port} to use it, or stop it`,
      );
    }
    mkdirSync(options.dataDir, { recursive: true });
  }
  const db = await PGlite.create({
    dataDir: options.dataDir ?? "memory://",
    extensions: { pg_trgm },
  });
  const host = options.host ?? "127.0.0.1";
  const server = new PGLiteSocketServer({
    db,
    port: options.port,
    host,
    // Connections beyond this are closed at once. The Worker opens at most
    // DATABASE_MAX_CONNECTIONS (default 10) per isolate, which leaves room for scripts. A
    // higher cap does not add throughput, because every query runs on the one PGlite backend.
    maxConnections: 32,
  });
  keepExchangesTogether(server);
  await server.start();
  if (options.dataDir) writeServerLock(options.dataDir, options.port);
  return {
    url: `postgres://postgres:postgres@${host}:${options.port}/postgres`,
    async stop() {
      await server.stop();
      await db.close();
      if (options.dataDir) rmSync(lockPath(options.dataDir), { force: true });
    },
  };
}

export interface ServerLock {
  pid: number;
  port: number;
}

const lockPath = (dataDir: string) => `${dataDir}.server.json`;

/**
 * Returns the live process that serves `dataDir`, or null. PGlite does not lock its files, and
 * two processes opening the same folder lose each other's writes, so the serving process
 * records itself beside the folder. A lock left by a crashed process is ignored.
 */
export function readServerLock(dataDir: string): ServerLock | null {
  let lock: ServerLock;
  try {
    lock = JSON.parse(readFileSync(lockPath(dataDir), "utf8")) as ServerLock;
  } catch {
    return null;
  }
  if (!Number.isInteger(lock.pid) || !Number.isInteger(lock.port)) return null;
  try {
    process.kill(lock.pid, 0);
  } catch (error) {
    // EPERM means the process exists but belongs to another user.
    if ((error as NodeJS.ErrnoException).code !== "EPERM") return null;
  }
  return lock;
}

function writeServerLock(dataDir: string, port: number) {
  const lock: ServerLock = { pid: process.pid, port };
  writeFileSync(lockPath(dataDir), JSON.stringify(lock));
}
