import { and, eq, isNull, ne, type SQL, sql } from "drizzle-orm";
import type { AppContext, ServiceContext } from "../context";
import type { Database } from "../db/client";
import { refreshTokens, sessions, type UserRole } from "../db/schema";
import { hashClientIp } from "../lib/audit";
import { AppError } from "../lib/errors";
import { signAccessToken } from "./tokens";

/** Tokens handed to a client for one session. */
export interface IssuedTokens {
  access: string;
  refresh: string;
  sessionId: number;
}

export interface TokenSubject {
  id: number;
  role: UserRole;
  securityStamp: string;
}

/** The device a session was opened from, as stored on the row. */
export interface SessionOrigin {
  userAgent: string;
  ipHash: string | null;
}

const REFRESH_TOKEN_BYTES = 32;
const USER_AGENT_MAX_LENGTH = 512;

/** A random 128-bit value, hex; storing a new one ends every access token of the user. */
export function newSecurityStamp(): string {
  return toHex(crypto.getRandomValues(new Uint8Array(16)));
}

/** A new opaque refresh token (256 random bits, base64url) and the SHA-256 hash to store. */
export async function newRefreshToken(): Promise<{ token: string; hash: string }> {
  const bytes = crypto.getRandomValues(new Uint8Array(REFRESH_TOKEN_BYTES));
  const token = btoa(String.fromCharCode(...bytes))
    .replaceAll("+", "-")
    .replaceAll("/", "_")
    .replace(/=+$/, "");
  return { token, hash: await hashRefreshToken(token) };
}

/** SHA-256 hex of a refresh token: the only form in which the database stores it. */
export async function hashRefreshToken(token: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(token));
  return toHex(new Uint8Array(digest));
}

/** The user agent and keyed IP hash of the request, for a new session row. */
export async function sessionOrigin(c: AppContext): Promise<SessionOrigin> {
  const userAgent = (c.req.header("User-Agent") ?? "").slice(0, USER_AGENT_MAX_LENGTH);
  return { userAgent, ipHash: await hashClientIp(c) };
}

/** Opens a session for the user of the request and returns its first access and refresh tokens. */
export async function startSession(c: AppContext, user: TokenSubject): Promise<IssuedTokens> {
  const services = { db: c.get("database").get().db, config: c.get("config") };
  return openSession(services, user, await sessionOrigin(c));
}

/**
 * Inserts the session and its first refresh token in one statement, so no session exists
 * without a token. The sliding expiry never passes the absolute one. The insert happens only
 * while the user is active and still has the security stamp of `user`. Without that check, a
 * sign-in that verified the password just before a password change, reset or deactivation
 * committed would get a session that outlives the change. Such a sign-in gets 401.
 */
export async function openSession(
  services: Pick<ServiceContext, "db" | "config">,
  user: TokenSubject,
  origin: SessionOrigin,
): Promise<IssuedTokens> {
  const { config } = services;
  const refresh = await newRefreshToken();
  const [row] = await queryRows<{ session_id: number }>(
    services.db,
    sql`with new_session as (
          insert into sessions (user_id, user_agent, ip_hash, expires_at, absolute_expires_at)
          select id, ${origin.userAgent}, ${origin.ipHash},
            now() + least(${config.REFRESH_TOKEN_TTL_DAYS}::int, ${config.REFRESH_TOKEN_ABSOLUTE_DAYS}::int) * interval '1 day',
            now() + ${config.REFRESH_TOKEN_ABSOLUTE_DAYS}::int * interval '1 day'
          from users
          where id = ${user.id} and is_active and security_stamp = ${user.securityStamp}
          returning id
        )
        insert into refresh_tokens (token_hash, session_id)
        select ${refresh.hash}, id from new_session
        returning session_id`,
  );
  if (!row) {
    throw new AppError(
      401,
      "permission_denied",
      "Akun berubah saat proses masuk. Silakan masuk lagi.",
    );
  }

  const access = await signAccessToken(config, accessSubject(user, row.session_id));
  return { access, refresh: refresh.token, sessionId: row.session_id };
}

/** The claims of an access token for `user` in session `sessionId`. */
export function accessSubject(user: TokenSubject, sessionId: number) {
  return { userId: user.id, role: user.role, sessionId, securityStamp: user.securityStamp };
}

/**
 * Revokes every open session of a user, except `exceptSessionId` when given. Their refresh
 * tokens stop working at once, and their access tokens at the next request.
 */
export async function endAllSessions(
  db: Database,
  userId: number,
  reason: string,
  exceptSessionId?: number,
): Promise<void> {
  await endAllSessionsQuery(db, userId, reason, exceptSessionId);
}

/** The statement behind `endAllSessions`, for use inside `runAtomic`. */
export function endAllSessionsQuery(
  db: Database,
  userId: number,
  reason: string,
  exceptSessionId?: number,
) {
  const conditions: SQL[] = [eq(sessions.userId, userId), isNull(sessions.revokedAt)];
  if (exceptSessionId !== undefined) conditions.push(ne(sessions.id, exceptSessionId));
  return db
    .update(sessions)
    .set({ revokedAt: sql`now()`, revokedReason: reason })
    .where(and(...conditions));
}

/**
 * Builds the statements, for `runAtomic`, that leave session `sessionId` with one refresh
 * token: the one whose hash is `tokenHash`. The older tokens are deleted, not marked replaced, because a
 * replaced token still works for the reuse grace period, and a thief holding a copy of one
 * must not get tokens after a password change.
 */
export function replaceSessionTokensQueries(db: Database, sessionId: number, tokenHash: string) {
  return [
    db.delete(refreshTokens).where(eq(refreshTokens.sessionId, sessionId)),
    db.insert(refreshTokens).values({ tokenHash, sessionId }),
  ] as const;
}

/** Revokes one session if it is still open; returns whether it was. */
export async function endSession(db: Database, sessionId: number, reason: string) {
  const ended = await db
    .update(sessions)
    .set({ revokedAt: sql`now()`, revokedReason: reason })
    .where(and(eq(sessions.id, sessionId), isNull(sessions.revokedAt)))
    .returning({ id: sessions.id });
  return ended.length > 0;
}

/** SQL condition: the session is neither revoked nor past either expiry. */
export const sessionIsOpen = sql`(${sessions.revokedAt} is null
  and ${sessions.expiresAt} > now() and ${sessions.absoluteExpiresAt} > now())`;

/**
 * Runs a raw statement and returns its rows on either driver: postgres.js returns an array,
 * Neon's HTTP driver an object with `rows`.
 */
export async function queryRows<T>(db: Database, query: SQL): Promise<T[]> {
  const result: unknown = await db.execute(query);
  if (Array.isArray(result)) return result as T[];
  return (result as { rows: T[] }).rows;
}

function toHex(bytes: Uint8Array): string {
  return [...bytes].map((byte) => byte.toString(16).padStart(2, "0")).join("");
}
