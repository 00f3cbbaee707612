import { mkdirSync } from "node:fs";
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
  if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
  const db = await PGlite.create({
    dataDir: options.dataDir ?? "memory://",
    extensions: { pg_trgm },
  });
  const host = options.host ?? "127.0.0.1";
  const server = new PGLiteSocketServer({
    db,
    port: options.port,
    host,
    maxConnections: 32,
  });
  keepExchangesTogether(server);
  await server.start();
  return {
    url: `postgres://postgres:postgres@${host}:${options.port}/postgres`,
    async stop() {
      await server.stop();
      await db.close();
    },
  };
}
