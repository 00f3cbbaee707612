import { eq } from "drizzle-orm";
import {
  encodeUid,
  findOneTimeTokenById,
  hashToken,
  isTokenUsable,
  type OneTimeTokenWithUser,
} from "../auth/one-time-tokens.service";
import type { Database } from "../db/client";
import { users } from "../db/schema";
import type { Config } from "../env";
import type { EmailMessage } from "./emails.messages";
import {
  type RenderedEmail,
  renderPasswordChangedEmail,
  renderPasswordResetEmail,
  renderVerificationEmail,
} from "./emails.templates";
import { composeProfileDecision } from "./profile-decision.composer";

export type ComposerConfig = Pick<
  Config,
  "COMPANY_NAME" | "FRONTEND_URL" | "EMAIL_VERIFICATION_TTL_DAYS" | "PASSWORD_RESET_TTL_SECONDS"
>;

/** The consumer's decision for a queue message: send this email, skip it, or reject the message. */
export type Composition =
  | { action: "send"; to: string; email: RenderedEmail }
  | { action: "skip"; reason: string }
  | { action: "reject"; reason: string };

/**
 * Reads the current state of the message's user and token and renders the email. A token that
 * was used, expired or addressed to an old email is skipped: its link would not work.
 */
export async function composeEmail(
  db: Database,
  config: ComposerConfig,
  message: EmailMessage,
): Promise<Composition> {
  if (message.type === "password_changed") return composePasswordChanged(db, config, message);
  if (message.type === "profile_approved" || message.type === "profile_rejected") {
    return composeProfileDecision(db, config, message);
  }

  const found = await findOneTimeTokenById(db, message.token_id);
  const rejection = await checkTokenMessage(found, message);
  if (rejection) return { action: "reject", reason: rejection };
  if (!found || !isTokenUsable(found)) return { action: "skip", reason: "token_not_usable" };

  const { user } = found;
  if (message.type === "email_verification") {
    if (user.emailVerified) return { action: "skip", reason: "already_verified" };
    const email = renderVerificationEmail({
      companyName: config.COMPANY_NAME,
      recipientName: user.fullName,
      frontendUrl: config.FRONTEND_URL,
      token: message.token,
      ttlDays: config.EMAIL_VERIFICATION_TTL_DAYS,
    });
    return { action: "send", to: user.email, email };
  }

  if (!user.isActive) return { action: "skip", reason: "user_inactive" };
  const email = renderPasswordResetEmail({
    companyName: config.COMPANY_NAME,
    recipientName: user.fullName,
    frontendUrl: config.FRONTEND_URL,
    uid: encodeUid(user.id),
    token: message.token,
    ttlSeconds: config.PASSWORD_RESET_TTL_SECONDS,
  });
  return { action: "send", to: user.email, email };
}

/**
 * Checks that a token message matches the stored row: the same user, purpose and token. A
 * mismatch means a corrupt or forged message, which no retry can fix.
 */
async function checkTokenMessage(
  found: OneTimeTokenWithUser | null,
  message: Extract<EmailMessage, { token: string }>,
): Promise<string | null> {
  // A missing row is not a corrupt message: the token may have been cleaned up after expiry.
  if (!found) return null;
  if (found.token.userId !== message.user_id) return "user_mismatch";
  if (found.token.purpose !== message.type) return "purpose_mismatch";
  if (found.token.tokenHash !== (await hashToken(message.token))) return "token_mismatch";
  return null;
}

async function composePasswordChanged(
  db: Database,
  config: ComposerConfig,
  message: Extract<EmailMessage, { type: "password_changed" }>,
): Promise<Composition> {
  const [user] = await db.select().from(users).where(eq(users.id, message.user_id)).limit(1);
  if (!user) return { action: "skip", reason: "user_not_found" };
  const email = renderPasswordChangedEmail({
    companyName: config.COMPANY_NAME,
    recipientName: user.fullName,
    changedAt: new Date(message.changed_at),
  });
  return { action: "send", to: user.email, email };
}
