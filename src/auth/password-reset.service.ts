import { eq, sql } from "drizzle-orm";
import type { ServiceContext } from "../context";
import { runAtomic } from "../db/client";
import { users } from "../db/schema";
import { sendPasswordChangedEmail, sendPasswordResetEmail } from "../emails/emails.service";
import { auditInsert, recordAuditEvent } from "../lib/audit";
import { AppError, validationError } from "../lib/errors";
import { describeError } from "../lib/logger";
import {
  claimTokenStatement,
  decodeUid,
  findOneTimeToken,
  isClaimFailure,
  isTokenUsable,
  useAllTokensStatement,
} from "./one-time-tokens.service";
import { checkPasswordRules, hashPassword } from "./passwords";
import { endAllSessionsQuery, newSecurityStamp } from "./sessions.service";

export interface PasswordResetInput {
  uid: string;
  token: string;
  newPassword: string;
}

/** One error for a wrong uid and an unknown, used or expired token, so a guess learns nothing. */
export const invalidResetLink = () =>
  new AppError(
    400,
    "permission_denied",
    "Tautan atur ulang kata sandi tidak valid atau sudah kedaluwarsa. Silakan minta tautan baru.",
  );

/**
 * Sends a password-reset link to the active account with this email. Does nothing for any
 * other address, and callers send the same response either way.
 */
export async function requestPasswordReset(services: ServiceContext, email: string): Promise<void> {
  const [user] = await services.db
    .select()
    .from(users)
    .where(eq(users.email, email.trim().toLowerCase()))
    .limit(1);
  if (!user?.isActive) {
    services.logger.info("password reset email not sent", {
      reason: user ? "inactive" : "unknown_email",
    });
    return;
  }
  await sendPasswordResetEmail(services, user);
  await recordAuditEvent(services, { action: "password_reset_requested", targetUserId: user.id });
}

/**
 * Sets a new password with a reset link. In one transaction: the token is used, the password
 * and security stamp are replaced, the email counts as verified (the link proved the user
 * reads it), other reset links die, every session ends and an audit event is written.
 */
export async function confirmPasswordReset(
  services: ServiceContext,
  input: PasswordResetInput,
  ipHash: string | null,
): Promise<void> {
  const userId = decodeUid(input.uid);
  const found = userId ? await findOneTimeToken(services.db, input.token, "password_reset") : null;
  if (!found || found.user.id !== userId || !isTokenUsable(found) || !found.user.isActive) {
    throw invalidResetLink();
  }

  const { user, token } = found;
  const problems = checkPasswordRules(input.newPassword, user.email);
  if (problems.length > 0) throw validationError({ new_password: problems });
  const passwordHash = await hashPassword(input.newPassword, services.config);

  try {
    await runAtomic(services.database, (db) => [
      claimTokenStatement(db, token.id, true),
      db
        .update(users)
        .set({
          passwordHash,
          securityStamp: newSecurityStamp(),
          emailVerified: true,
          emailVerifiedAt: sql`coalesce(${users.emailVerifiedAt}, now())`,
          updatedAt: sql`now()`,
        })
        .where(eq(users.id, user.id)),
      useAllTokensStatement(db, user.id, "password_reset"),
      endAllSessionsQuery(db, user.id, "password_reset"),
      auditInsert(db, {
        action: "password_reset",
        actorId: user.id,
        targetUserId: user.id,
        ipHash,
        details: { token_id: token.id },
      }),
    ]);
  } catch (error) {
    if (isClaimFailure(error)) throw invalidResetLink();
    throw error;
  }

  await notifyPasswordChanged(services, user);
}

/** Queues the notice. The reset already happened, so a queue failure is logged, not raised. */
async function notifyPasswordChanged(services: ServiceContext, user: typeof users.$inferSelect) {
  try {
    await sendPasswordChangedEmail(services, user);
  } catch (error) {
    services.logger.error("password changed email not queued", {
      user_id: user.id,
      ...describeError(error),
    });
  }
}
