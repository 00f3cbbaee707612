import { env } from "cloudflare:test";
import { type DatabaseHandle, openDatabase } from "../../src/db/client";
import { type Bindings, loadConfig } from "../../src/env";

/** Opens a database connection with the Worker's own test configuration; close it when done. */
export function openTestDatabase(): DatabaseHandle {
  return openDatabase(loadConfig(env as unknown as Bindings));
}

/** Runs `work` with a fresh connection and closes it afterwards. */
export async function withDatabase<T>(work: (handle: DatabaseHandle) => Promise<T>): Promise<T> {
  const handle = openTestDatabase();
  try {
    return await work(handle);
  } finally {
    await handle.close();
  }
}
