import { type SQLWrapper, sql } from "drizzle-orm";
import type { Database } from "../db/client";

/** SQLSTATE of division_by_zero, which `abortUnlessUpdated` raises to abort its transaction. */
const NOTHING_UPDATED_SQLSTATE = "22012";

/**
 * Wraps an `UPDATE … RETURNING` so that it aborts the whole `runAtomic` transaction when it
 * updates no row. Statements in `runAtomic` cannot branch on each other's results, so a
 * compare-and-set (`WHERE id = $1 AND password_hash = $verified`) divides by zero when its
 * condition no longer holds. Concurrent requests that verified the same old value then lose
 * with `isNothingUpdated(error)` instead of overwriting the winner's change.
 */
export function abortUnlessUpdated(db: Database, update: SQLWrapper) {
  return db.execute(sql`with updated as ${update} select 1 / count(*) as updated from updated`);
}

/** Tells whether an error from `runAtomic` is an `abortUnlessUpdated` that matched no row. */
export function isNothingUpdated(error: unknown): boolean {
  for (let current: unknown = error; current instanceof Error; current = current.cause) {
    if ((current as { code?: unknown }).code === NOTHING_UPDATED_SQLSTATE) return true;
  }
  return false;
}
