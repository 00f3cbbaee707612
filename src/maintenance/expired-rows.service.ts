import { and, eq, inArray, lt, notExists } from "drizzle-orm";
import type { Database } from "../db/client";
import { oneTimeTokens, refreshTokens, sessions } from "../db/schema";

/** How much one run may delete per table. */
export interface BatchLimits {
  /** Rows per DELETE statement. */
  batchSize: number;
  /** DELETE statements per table and run; rows past that wait for the next run. */
  maxBatches: number;
}

/** What one run deleted from a table, and whether it stopped at `maxBatches` with rows left. */
export interface DeletionResult {
  table: string;
  deleted: number;
  more: boolean;
}

/**
 * Deletes sessions, their refresh tokens and one-time tokens that expired before `cutoff`.
 * Each statement deletes at most `batchSize` rows and commits on its own, so a large table is
 * never locked for long, and `SKIP LOCKED` passes over rows that a request is using right now.
 * A session's `expires_at` never passes its absolute expiry, so it alone decides; revoked
 * sessions are kept until then like any other. Expired and unknown links already get the same
 * error, so deleting a token changes no response.
 */
export async function deleteExpiredRows(
  db: Database,
  cutoff: Date,
  limits: BatchLimits,
): Promise<DeletionResult[]> {
  // Refresh tokens first, in batches: a month-long session refreshed every 15 minutes has
  // thousands of them, and leaving them to ON DELETE CASCADE would unbound the batch.
  const tokens = await deleteInBatches("refresh_tokens", limits, () =>
    deleteRefreshTokenBatch(db, cutoff, limits.batchSize),
  );
  const expiredSessions = await deleteInBatches("sessions", limits, () =>
    deleteSessionBatch(db, cutoff, limits.batchSize),
  );
  const links = await deleteInBatches("one_time_tokens", limits, () =>
    deleteOneTimeTokenBatch(db, cutoff, limits.batchSize),
  );
  return [tokens, expiredSessions, links];
}

async function deleteInBatches(
  table: string,
  limits: BatchLimits,
  deleteBatch: () => Promise<number>,
): Promise<DeletionResult> {
  let deleted = 0;
  for (let batch = 0; batch < limits.maxBatches; batch++) {
    const count = await deleteBatch();
    deleted += count;
    if (count < limits.batchSize) return { table, deleted, more: false };
  }
  return { table, deleted, more: true };
}

async function deleteRefreshTokenBatch(db: Database, cutoff: Date, size: number) {
  const expiredSessionIds = db
    .select({ id: sessions.id })
    .from(sessions)
    .where(lt(sessions.expiresAt, cutoff));
  const batch = db
    .select({ tokenHash: refreshTokens.tokenHash })
    .from(refreshTokens)
    .where(inArray(refreshTokens.sessionId, expiredSessionIds))
    .limit(size)
    .for("update", { skipLocked: true });
  const rows = await db
    .delete(refreshTokens)
    .where(inArray(refreshTokens.tokenHash, batch))
    .returning({ tokenHash: refreshTokens.tokenHash });
  return rows.length;
}

/** Deletes only sessions without refresh tokens, so the cascade never deletes any. */
async function deleteSessionBatch(db: Database, cutoff: Date, size: number) {
  const tokensOfSession = db
    .select({ sessionId: refreshTokens.sessionId })
    .from(refreshTokens)
    .where(eq(refreshTokens.sessionId, sessions.id));
  const batch = db
    .select({ id: sessions.id })
    .from(sessions)
    .where(and(lt(sessions.expiresAt, cutoff), notExists(tokensOfSession)))
    .limit(size)
    .for("update", { skipLocked: true });
  const rows = await db
    .delete(sessions)
    .where(inArray(sessions.id, batch))
    .returning({ id: sessions.id });
  return rows.length;
}

async function deleteOneTimeTokenBatch(db: Database, cutoff: Date, size: number) {
  const batch = db
    .select({ id: oneTimeTokens.id })
    .from(oneTimeTokens)
    .where(lt(oneTimeTokens.expiresAt, cutoff))
    .limit(size)
    .for("update", { skipLocked: true });
  const rows = await db
    .delete(oneTimeTokens)
    .where(inArray(oneTimeTokens.id, batch))
    .returning({ id: oneTimeTokens.id });
  return rows.length;
}
