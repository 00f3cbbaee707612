import type { AppContext, ServiceContext } from "../context";
import type { Database } from "../db/client";
import { auditEvents } from "../db/schema";

export type AuditAction =
  | "login"
  | "login_failed"
  | "logout"
  | "logout_all"
  | "session_revoked"
  | "refresh_token_reused"
  | "register"
  | "google_sign_in"
  | "email_verified"
  | "email_changed"
  | "password_changed"
  | "password_reset_requested"
  | "password_reset"
  | "role_changed"
  | "user_created"
  | "user_deactivated"
  | "user_activated"
  | "profile_submitted"
  | "profile_approved"
  | "profile_rejected"
  | "document_reviewed";

export interface AuditEventInput {
  action: AuditAction;
  actorId?: number | null;
  targetUserId?: number | null;
  applicantProfileId?: number | null;
  ipHash?: string | null;
  /** Ids, codes and statuses only; never emails, names, NIKs or tokens. */
  details?: Record<string, string | number | boolean | null>;
}

/** The insert statement for an audit event, for use inside `runAtomic`. */
export function auditInsert(db: Database, event: AuditEventInput) {
  return db.insert(auditEvents).values({
    action: event.action,
    actorId: event.actorId ?? null,
    targetUserId: event.targetUserId ?? null,
    applicantProfileId: event.applicantProfileId ?? null,
    ipHash: event.ipHash ?? null,
    details: event.details ?? {},
  });
}

/** Records one audit event on its own. */
export async function recordAuditEvent(services: ServiceContext, event: AuditEventInput) {
  await auditInsert(services.db, event);
}

/** The client address as Cloudflare reports it; `X-Forwarded-For` is never trusted. */
export function clientIp(c: AppContext): string | null {
  return c.req.header("CF-Connecting-IP") ?? null;
}

/**
 * Keyed SHA-256 of the client address, so audit rows can be correlated without storing IPs.
 * The key is the password pepper, which never leaves the server.
 */
export async function hashClientIp(c: AppContext): Promise<string | null> {
  const ip = clientIp(c);
  if (!ip) return null;
  const key = await crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(c.get("config").PASSWORD_PEPPER),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const signature = await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(`ip:${ip}`));
  return [...new Uint8Array(signature)].map((byte) => byte.toString(16).padStart(2, "0")).join("");
}
