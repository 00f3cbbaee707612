import { and, count, desc, eq, sql } from "drizzle-orm";
import type { AppContext, AuthState } from "../context";
import { serviceContext } from "../context";
import { sessions } from "../db/schema";
import { hashClientIp, recordAuditEvent } from "../lib/audit";
import { notFound } from "../lib/errors";
import { formatDateTime } from "../lib/time";
import { findSessionIdByRefreshToken } from "./refresh.service";
import { endAllSessions, endSession, sessionIsOpen } from "./sessions.service";

export interface PageRequest {
  page: number;
  pageSize: number;
}

/**
 * Lists the user's open sessions, most recently used first, page-paginated with absolute
 * `next`/`previous` links. A page past the last one (other than page 1) is 404.
 */
export async function listUserSessions(c: AppContext, auth: AuthState, paging: PageRequest) {
  const { db } = serviceContext(c);
  const owned = and(eq(sessions.userId, auth.userId), sessionIsOpen);
  const [total] = await db.select({ value: count() }).from(sessions).where(owned);
  const rows = await db
    .select()
    .from(sessions)
    .where(owned)
    .orderBy(desc(sessions.lastUsedAt), desc(sessions.id))
    .limit(paging.pageSize)
    .offset((paging.page - 1) * paging.pageSize);

  const countValue = total?.value ?? 0;
  if (rows.length === 0 && paging.page > 1) throw notFound("Halaman tidak ditemukan.");
  return {
    count: countValue,
    next: pageLink(c, paging, paging.page * paging.pageSize < countValue ? 1 : 0),
    previous: pageLink(c, paging, paging.page > 1 ? -1 : 0),
    results: rows.map((row) => ({
      id: row.id,
      created_at: formatDateTime(row.createdAt),
      last_used_at: formatDateTime(row.lastUsedAt),
      user_agent: row.userAgent,
      current: row.id === auth.sessionId,
    })),
  };
}

/** Revokes one of the user's own open sessions; 404 for another user's or an ended one. */
export async function revokeUserSession(c: AppContext, auth: AuthState, sessionId: number) {
  const services = serviceContext(c);
  const ended = await services.db
    .update(sessions)
    .set({ revokedAt: sql`now()`, revokedReason: "revoked_by_user" })
    .where(and(eq(sessions.id, sessionId), eq(sessions.userId, auth.userId), sessionIsOpen))
    .returning({ id: sessions.id });
  if (ended.length === 0) throw notFound("Sesi tidak ditemukan.");

  await recordAuditEvent(services, {
    action: "session_revoked",
    actorId: auth.userId,
    targetUserId: auth.userId,
    ipHash: await hashClientIp(c),
    details: { session_id: sessionId },
  });
}

/** Ends the session that a refresh token belongs to. Unknown tokens are ignored. */
export async function logOut(c: AppContext, refreshToken: string | null) {
  if (!refreshToken) return;
  const services = serviceContext(c);
  const found = await findSessionIdByRefreshToken(services, refreshToken);
  if (!found || !(await endSession(services.db, found.sessionId, "logout"))) return;

  await recordAuditEvent(services, {
    action: "logout",
    actorId: found.userId,
    targetUserId: found.userId,
    ipHash: await hashClientIp(c),
    details: { session_id: found.sessionId },
  });
}

/** Ends every session of the signed-in user, the current one included. */
export async function logOutEverywhere(c: AppContext, auth: AuthState) {
  const services = serviceContext(c);
  await endAllSessions(services.db, auth.userId, "logout_all");
  await recordAuditEvent(services, {
    action: "logout_all",
    actorId: auth.userId,
    targetUserId: auth.userId,
    ipHash: await hashClientIp(c),
  });
}

function pageLink(c: AppContext, paging: PageRequest, step: -1 | 0 | 1): string | null {
  if (step === 0) return null;
  const url = new URL(c.req.url);
  url.searchParams.set("page", String(paging.page + step));
  url.searchParams.set("page_size", String(paging.pageSize));
  return url.toString();
}
