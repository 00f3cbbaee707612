import { and, eq, sql } from "drizzle-orm";
import { type AppContext, serviceContext } from "../context";
import { users } from "../db/schema";
import { hashClientIp, recordAuditEvent } from "../lib/audit";
import { permissionDenied } from "../lib/errors";
import { reserveLoginAttempt } from "../rate-limits/rate-limits.service";
import { hashPassword, verifyPassword } from "./passwords";
import { type IssuedTokens, startSession } from "./sessions.service";

type UserRow = typeof users.$inferSelect;

// One message for unknown email, wrong password and inactive account, so the response does
// not reveal which accounts exist.
const LOGIN_FAILED = "Email atau kata sandi salah, atau akun tidak aktif.";

/**
 * Checks email and password and opens a session. Every failure costs one password
 * derivation and throws the same 401 `permission_denied`, whether or not the email exists.
 * After too many failures for one email address, every attempt for it raises 429
 * `rate_limited` until the lock ends, even with the right password.
 */
export async function logIn(
  c: AppContext,
  credentials: { email: string; password: string },
): Promise<{ user: UserRow; tokens: IssuedTokens }> {
  const services = serviceContext(c);
  const attempt = await reserveLoginAttempt(services, credentials.email);
  const [user] = await services.db
    .select()
    .from(users)
    .where(eq(users.email, credentials.email.trim().toLowerCase()))
    .limit(1);

  const check = await verifyPassword(
    credentials.password,
    user?.passwordHash ?? null,
    services.config,
  );
  if (!user || !check.valid || !user.isActive) {
    const reason = !user ? "unknown_email" : check.valid ? "inactive" : "wrong_password";
    await recordLogin(c, "login_failed", user?.id ?? null, reason);
    c.get("logger").warn("login failed", { reason, user_id: user?.id });
    throw permissionDenied(LOGIN_FAILED, 401);
  }

  // Only failed attempts count towards the account's lock.
  await attempt.refund();
  if (check.needsRehash) await upgradeHash(c, user, credentials.password);
  const tokens = await startSession(c, user);
  const [updated] = await services.db
    .update(users)
    .set({ lastLogin: sql`now()` })
    .where(eq(users.id, user.id))
    .returning();
  await recordLogin(c, "login", user.id, null, tokens.sessionId);
  return { user: updated ?? user, tokens };
}

/** Re-hashes with the current parameters, unless the password changed in the meantime. */
async function upgradeHash(c: AppContext, user: UserRow, password: string) {
  const services = serviceContext(c);
  const passwordHash = await hashPassword(password, services.config);
  await services.db
    .update(users)
    .set({ passwordHash })
    .where(and(eq(users.id, user.id), eq(users.passwordHash, user.passwordHash ?? "")));
  c.get("logger").info("password hash upgraded", { user_id: user.id });
}

async function recordLogin(
  c: AppContext,
  action: "login" | "login_failed",
  userId: number | null,
  reason: string | null,
  sessionId?: number,
) {
  const details: Record<string, string | number> = {};
  if (reason) details.reason = reason;
  if (sessionId !== undefined) details.session_id = sessionId;
  await recordAuditEvent(serviceContext(c), {
    action,
    actorId: userId,
    targetUserId: userId,
    ipHash: await hashClientIp(c),
    details,
  });
}
