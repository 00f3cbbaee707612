import { connect } from "node:net";
import { fileURLToPath } from "node:url";
import postgres from "postgres";
import { readServerLock, startEmbeddedPostgres } from "./embedded-postgres";

export const DEFAULT_EMBEDDED_POSTGRES_PORT = 54329;

/** Folder of the embedded database's files; `.data/` is git-ignored. */
export const PGLITE_DATA_DIR = fileURLToPath(new URL("../../.data/pglite", import.meta.url));

export interface DevDatabase {
  url: string;
  /** Where the URL came from, for the start-up message. */
  source: "DATABASE_URL" | "running embedded server" | "embedded server started here";
  /** Stops the embedded server if this call started it; otherwise does nothing. */
  stop(): Promise<void>;
}

/** Reads EMBEDDED_POSTGRES_PORT, defaulting to 54329. */
export function embeddedPostgresPort(): number {
  const raw = process.env.EMBEDDED_POSTGRES_PORT;
  if (raw === undefined || raw === "") return DEFAULT_EMBEDDED_POSTGRES_PORT;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65_535) {
    throw new Error(`EMBEDDED_POSTGRES_PORT must be a TCP port number (1-65535), got "${raw}"`);
  }
  return port;
}

export function embeddedPostgresUrl(port: number): string {
  return `postgres://postgres:postgres@127.0.0.1:${port}/postgres`;
}

/**
 * Returns the database that scripts should use: DATABASE_URL when set; else the embedded
 * server of a running `npm run dev` (found through its lock file, or on EMBEDDED_POSTGRES_PORT);
 * else an embedded server started here on `.data/pglite`, which `stop()` shuts down.
 */
export async function connectDevDatabase(): Promise<DevDatabase> {
  const configured = process.env.DATABASE_URL;
  if (configured) return { url: configured, source: "DATABASE_URL", stop: async () => {} };

  // A running `npm run dev` records its port beside the data folder; prefer it over the
  // environment, so a script started without EMBEDDED_POSTGRES_PORT still finds that server.
  const port = readServerLock(PGLITE_DATA_DIR)?.port ?? embeddedPostgresPort();
  const url = embeddedPostgresUrl(port);
  if (await isListening(port)) {
    await checkPostgresAnswers(url, port);
    return { url, source: "running embedded server", stop: async () => {} };
  }

  const embedded = await startEmbeddedPostgres({ dataDir: PGLITE_DATA_DIR, port });
  return { url: embedded.url, source: "embedded server started here", stop: embedded.stop };
}

function isListening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

/** Fails with a clear message when the port belongs to something other than Postgres. */
async function checkPostgresAnswers(url: string, port: number): Promise<void> {
  // max 1: the embedded PGlite server hangs when one client runs queries in parallel.
  const client = postgres(url, { max: 1, connect_timeout: 5, onnotice: () => {} });
  try {
    await client`select 1`;
  } catch (error) {
    throw new Error(
      `port ${port} is in use but no Postgres answered there (${String(error)}); ` +
        "stop that program or set EMBEDDED_POSTGRES_PORT to a free port",
    );
  } finally {
    await client.end({ timeout: 5 });
  }
}
