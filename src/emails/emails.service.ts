import { issueOneTimeToken } from "../auth/one-time-tokens.service";
import type { ServiceContext } from "../context";
import { type EmailMessage, EmailMessageSchema } from "./emails.messages";

/** The user an email is about; the consumer reads the current address again before sending. */
export interface EmailRecipient {
  id: number;
  email: string;
  fullName: string;
}

const SECONDS_PER_DAY = 86_400;

/**
 * Issues an email-verification token for the user's current address and queues the email.
 * The link expires after EMAIL_VERIFICATION_TTL_DAYS and dies if the address changes.
 */
export async function sendVerificationEmail(
  services: ServiceContext,
  user: EmailRecipient,
): Promise<void> {
  const ttlSeconds = services.config.EMAIL_VERIFICATION_TTL_DAYS * SECONDS_PER_DAY;
  const issued = await issueOneTimeToken(services.db, user, "email_verification", ttlSeconds);
  await queueEmail(services, {
    type: "email_verification",
    user_id: user.id,
    token_id: issued.id,
    token: issued.token,
  });
}

/**
 * Issues a single-use password-reset token and queues the email. The link expires after
 * PASSWORD_RESET_TTL_SECONDS.
 */
export async function sendPasswordResetEmail(
  services: ServiceContext,
  user: EmailRecipient,
): Promise<void> {
  const ttlSeconds = services.config.PASSWORD_RESET_TTL_SECONDS;
  const issued = await issueOneTimeToken(services.db, user, "password_reset", ttlSeconds);
  await queueEmail(services, {
    type: "password_reset",
    user_id: user.id,
    token_id: issued.id,
    token: issued.token,
  });
}

/** Queues the notice that the user's password was changed just now. */
export async function sendPasswordChangedEmail(
  services: ServiceContext,
  user: EmailRecipient,
): Promise<void> {
  await queueEmail(services, {
    type: "password_changed",
    user_id: user.id,
    changed_at: new Date().toISOString(),
  });
}

/** Queues the email that tells an applicant their profile was approved or rejected. */
export async function sendProfileDecisionEmail(
  services: ServiceContext,
  decision: {
    userId: number;
    profileId: number;
    status: "ACCEPTED" | "REJECTED";
    decidedAt: Date;
  },
): Promise<void> {
  await queueEmail(services, {
    type: decision.status === "ACCEPTED" ? "profile_approved" : "profile_rejected",
    user_id: decision.userId,
    profile_id: decision.profileId,
    decided_at: decision.decidedAt.toISOString(),
  });
}

/** Validates the body as the consumer will, so a malformed message fails here, loudly. */
async function queueEmail(services: ServiceContext, message: EmailMessage): Promise<void> {
  await services.env.EMAILS_QUEUE.send(EmailMessageSchema.parse(message), {
    contentType: "json",
  });
  services.logger.info("email queued", { email_type: message.type, user_id: message.user_id });
}
