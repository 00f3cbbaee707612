import { and, eq, sql } from "drizzle-orm";
import { getCookie } from "hono/cookie";
import { createMiddleware } from "hono/factory";
import type { AppContext, AppEnv, AuthState } from "../context";
import type { Database } from "../db/client";
import { sessions, type UserRole, users } from "../db/schema";
import { notAuthenticated, permissionDenied, tokenNotValid } from "../lib/errors";
import { ACCESS_COOKIE } from "./cookies";
import { sessionIsOpen } from "./sessions.service";
import { type AccessClaims, verifyAccessToken } from "./tokens";

const UNSAFE_METHODS = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/**
 * Authenticates the request from `Authorization: Bearer …`, or else from the `kms_access`
 * cookie, and sets `c.var.auth`. Missing credentials raise 401 `not_authenticated`, and a bad,
 * expired or revoked token raises 401 `token_not_valid`.
 */
export const requireAuth = createMiddleware<AppEnv>(async (c, next) => {
  const credentials = readAccessCredentials(c);
  if (!credentials) throw notAuthenticated();

  // CSRF: a browser attaches the cookie to cross-site requests too, so an unsafe request
  // authenticated by cookie must prove it comes from one of our front ends.
  if (credentials.via === "cookie" && UNSAFE_METHODS.has(c.req.method)) {
    assertTrustedOrigin(c);
  }

  const claims = await verifyAccessToken(c.get("config"), credentials.token);
  const role = await findActiveSessionRole(c.get("database").get().db, claims);
  if (!role) throw tokenNotValid();

  c.set("auth", {
    userId: claims.userId,
    role,
    sessionId: claims.sessionId,
    via: credentials.via,
  });
  await next();
});

/** Raises 403 `permission_denied` unless the signed-in user has one of `roles`. */
export const requireRoles = (...roles: UserRole[]) =>
  createMiddleware<AppEnv>(async (c, next) => {
    const auth = c.get("auth");
    if (!auth) throw notAuthenticated();
    if (!roles.includes(auth.role)) throw permissionDenied();
    await next();
  });

/** Returns the signed-in user of a route behind `requireAuth`. */
export function currentAuth(c: AppContext): AuthState {
  const auth = c.get("auth");
  if (!auth) throw notAuthenticated();
  return auth;
}

/** Reads the access token of the request and where it came from. A Bearer header wins. */
export function readAccessCredentials(
  c: AppContext,
): { token: string; via: AuthState["via"] } | null {
  const header = c.req.header("Authorization");
  if (header !== undefined) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match?.[1]) {
      throw notAuthenticated("Header Authorization harus berbentuk 'Bearer <token>'.");
    }
    return { token: match[1], via: "bearer" };
  }
  const cookie = getCookie(c, ACCESS_COOKIE);
  return cookie ? { token: cookie, via: "cookie" } : null;
}

/**
 * Raises 403 `permission_denied` unless the request's Origin, or its Referer when Origin is
 * absent, is in CORS_ALLOWED_ORIGINS. A request with neither is rejected too.
 */
export function assertTrustedOrigin(c: AppContext) {
  const allowed = c.get("config").CORS_ALLOWED_ORIGINS;
  const origin = c.req.header("Origin") ?? originOf(c.req.header("Referer"));
  if (!origin || !allowed.includes(origin)) {
    c.get("logger").warn("cross-site request rejected", { method: c.req.method });
    throw permissionDenied("Permintaan ditolak karena asal (Origin) tidak diizinkan.");
  }
}

/**
 * Returns the user's current role when the token's session is open, the user is active and
 * the token's security stamp is the user's current one. Otherwise returns null. One query.
 *
 * NOTE: this query, with the per-request Postgres connection it opens, costs about 3 ms of
 * workerd CPU under `npm run dev` (BENCHMARKS.md, HTTP), over the 1 ms auth budget. Caching the
 * result per isolate would meet it, but a revoked session must be rejected at once, so the
 * query stays until the product accepts a revocation delay.
 */
export async function findActiveSessionRole(
  db: Database,
  claims: AccessClaims,
): Promise<UserRole | null> {
  const [row] = await db
    .select({ role: users.role })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(
      and(
        eq(sessions.id, claims.sessionId),
        eq(sessions.userId, claims.userId),
        sessionIsOpen,
        eq(users.isActive, true),
        sql`${users.securityStamp} = ${claims.securityStamp}`,
      ),
    )
    .limit(1);
  return row?.role ?? null;
}

function originOf(referer: string | undefined): string | null {
  if (!referer) return null;
  try {
    return new URL(referer).origin;
  } catch {
    return null;
  }
}
