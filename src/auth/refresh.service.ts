import { eq, sql } from "drizzle-orm";
import { type AppContext, serviceContext } from "../context";
import { runAtomic } from "../db/client";
import { refreshTokens, sessions, users } from "../db/schema";
import { transactionConflictState } from "../db/transaction-conflicts";
import { auditInsert, hashClientIp } from "../lib/audit";
import { AppError, tokenNotValid } from "../lib/errors";
import {
  accessSubject,
  hashRefreshToken,
  type IssuedTokens,
  newRefreshToken,
  queryRows,
  sessionIsOpen,
} from "./sessions.service";
import { signAccessToken } from "./tokens";

type UserRow = typeof users.$inferSelect;
type Services = ReturnType<typeof serviceContext>;

interface PresentedToken {
  sessionId: number;
  replaced: boolean;
  inGrace: boolean;
  sessionOpen: boolean;
  user: UserRow;
}

/**
 * Exchanges a refresh token for a new access and refresh token (rotation).
 *
 * - The current token is replaced atomically; the loser of two concurrent requests finds it
 *   just replaced and takes the grace path.
 * - A token replaced less than REFRESH_REUSE_GRACE_SECONDS ago still gets new tokens, because
 *   two tabs of one browser often refresh at once.
 * - A token replaced earlier was stolen or replayed: the whole session is revoked, an audit
 *   event is written, and the answer is 401 `token_reused`.
 */
export async function refreshSession(
  c: AppContext,
  token: string,
): Promise<{ user: UserRow; tokens: IssuedTokens }> {
  const services = serviceContext(c);
  const tokenHash = await hashRefreshToken(token);

  for (let attempt = 0; attempt < 2; attempt++) {
    const presented = await findPresentedToken(services, tokenHash);
    if (!presented?.sessionOpen || !presented.user.isActive) throw tokenNotValid();

    if (presented.replaced && !presented.inGrace) {
      await revokeForReuse(c, services, presented);
      throw new AppError(401, "token_reused", "Sesi diakhiri karena token refresh dipakai ulang.");
    }

    const next = await newRefreshToken();
    const rotated = await storeNextToken(services, presented, tokenHash, next.hash, attempt);
    // Not rotated: another request rotated the token or ended the session meanwhile, or
    // Postgres aborted the statement for a concurrent one. Read the token again.
    if (!rotated) continue;

    const access = await signAccessToken(
      services.config,
      accessSubject(presented.user, presented.sessionId),
    );
    const tokens = { access, refresh: next.token, sessionId: presented.sessionId };
    return { user: presented.user, tokens };
  }
  throw tokenNotValid();
}

/**
 * Stores the next token: a rotation for a current token, a sibling for one in its grace
 * period. A deadlock or serialization failure (which the session lock in `rotateToken` should
 * prevent) counts as "not rotated" on the first attempt, so the caller tries once more.
 */
async function storeNextToken(
  services: Services,
  presented: PresentedToken,
  tokenHash: string,
  nextHash: string,
  attempt: number,
): Promise<boolean> {
  try {
    return presented.replaced
      ? await addGraceToken(services, presented.sessionId, nextHash)
      : await rotateToken(services, tokenHash, nextHash);
  } catch (error) {
    const sqlState = transactionConflictState(error);
    if (!sqlState || attempt > 0) throw error;
    services.logger.warn("refresh retried after transaction conflict", {
      sql_state: sqlState,
      session_id: presented.sessionId,
    });
    return false;
  }
}

/** Finds the session of any refresh token, replaced ones included; null for unknown tokens. */
export async function findSessionIdByRefreshToken(services: Services, token: string) {
  const [row] = await services.db
    .select({ sessionId: refreshTokens.sessionId, userId: sessions.userId })
    .from(refreshTokens)
    .innerJoin(sessions, eq(sessions.id, refreshTokens.sessionId))
    .where(eq(refreshTokens.tokenHash, await hashRefreshToken(token)))
    .limit(1);
  return row ?? null;
}

async function findPresentedToken(services: Services, tokenHash: string) {
  const grace = services.config.REFRESH_REUSE_GRACE_SECONDS;
  const [row] = await services.db
    .select({
      sessionId: refreshTokens.sessionId,
      replaced: sql<boolean>`${refreshTokens.replacedAt} is not null`,
      // Compared on the database clock, the same clock that wrote replaced_at.
      inGrace: sql<boolean>`coalesce(${refreshTokens.replacedAt} > now() - ${grace}::int * interval '1 second', false)`,
      sessionOpen: sql<boolean>`${sessionIsOpen}`,
      user: users,
    })
    .from(refreshTokens)
    .innerJoin(sessions, eq(sessions.id, refreshTokens.sessionId))
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(eq(refreshTokens.tokenHash, tokenHash))
    .limit(1);
  return (row ?? null) as PresentedToken | null;
}

/**
 * The closing statement of a rotation: marks the sessions of the `inserted` CTE's new tokens
 * used and slides their expiry, never past the absolute limit; returns their ids.
 */
function slideInsertedSessions(services: Services) {
  const days = services.config.REFRESH_TOKEN_TTL_DAYS;
  return sql`update sessions
        set last_used_at = now(),
          expires_at = least(now() + ${days}::int * interval '1 day', absolute_expires_at)
        where id in (select session_id from inserted)
        returning id`;
}

/**
 * Rotates in one statement: replaces the presented token (only if it is still current) and
 * any other live token of the session, stores the new one and slides the session's expiry.
 * Returns false when the presented token was no longer current.
 *
 * The session row is locked first. Without that, two rotations of two live tokens of one
 * session (a grace sibling and the current token) deadlocked on PostgreSQL: each locked its
 * own token, then the session row, then the other's token as a sibling. Data-modifying CTEs
 * run in the order their rows are pulled, and `rotated` cannot produce a row before `locked`
 * has run, so every statement here takes the session lock before any token lock.
 */
async function rotateToken(services: Services, oldHash: string, newHash: string) {
  const rows = await queryRows<{ id: number }>(
    services.db,
    sql`with locked as (
          select id from sessions
          where id = (select session_id from refresh_tokens where token_hash = ${oldHash})
            and ${sessionIsOpen}
          for no key update
        ), rotated as (
          update refresh_tokens set replaced_at = now()
          where token_hash = ${oldHash} and replaced_at is null
            and session_id in (select id from locked)
          returning session_id
        ), siblings as (
          update refresh_tokens set replaced_at = now()
          where session_id in (select session_id from rotated)
            and replaced_at is null and token_hash <> ${oldHash}
        ), inserted as (
          insert into refresh_tokens (token_hash, session_id)
          select ${newHash}, session_id from rotated
          returning session_id
        )
        ${slideInsertedSessions(services)}`,
  );
  return rows.length > 0;
}

/**
 * Gives a token replaced within the grace period a sibling token. The session's current token
 * stays valid, so whichever of the two responses the browser keeps still works.
 */
async function addGraceToken(services: Services, sessionId: number, newHash: string) {
  const rows = await queryRows<{ id: number }>(
    services.db,
    sql`with inserted as (
          insert into refresh_tokens (token_hash, session_id)
          select ${newHash}, id from sessions where id = ${sessionId} and ${sessionIsOpen}
          returning session_id
        )
        ${slideInsertedSessions(services)}`,
  );
  return rows.length > 0;
}

async function revokeForReuse(c: AppContext, services: Services, presented: PresentedToken) {
  const ipHash = await hashClientIp(c);
  await runAtomic(services.database, (db) => [
    db
      .update(sessions)
      .set({ revokedAt: sql`now()`, revokedReason: "token_reused" })
      .where(eq(sessions.id, presented.sessionId)),
    auditInsert(db, {
      action: "refresh_token_reused",
      actorId: presented.user.id,
      targetUserId: presented.user.id,
      ipHash,
      details: { session_id: presented.sessionId },
    }),
  ]);
  services.logger.warn("refresh token reused", {
    user_id: presented.user.id,
    session_id: presented.sessionId,
  });
}
