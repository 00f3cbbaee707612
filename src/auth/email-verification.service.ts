import { eq, sql } from "drizzle-orm";
import type { ServiceContext } from "../context";
import { runAtomic } from "../db/client";
import { users } from "../db/schema";
import { sendVerificationEmail } from "../emails/emails.service";
import { auditInsert } from "../lib/audit";
import { AppError } from "../lib/errors";
import { claimTokenStatement, findOneTimeToken, isClaimFailure } from "./one-time-tokens.service";

export type VerificationResult = { status: "verified" | "already_verified"; email: string };

/** Bad, expired and dead links all get this one error, so a guess learns nothing. */
export const invalidVerificationLink = () =>
  new AppError(
    400,
    "permission_denied",
    "Tautan verifikasi tidak valid atau sudah kedaluwarsa. Silakan minta tautan baru.",
  );

/**
 * Marks the user's email verified with a link token. Verification links may be opened again
 * until they expire: a second visit returns `already_verified`. A link sent to an address the
 * user no longer has is invalid.
 */
export async function verifyEmail(
  services: ServiceContext,
  rawToken: string,
  ipHash: string | null,
): Promise<VerificationResult> {
  const found = await findLiveToken(services, rawToken);
  const { token, user } = found;
  if (user.emailVerified) return { status: "already_verified", email: user.email };
  if (token.usedAt) throw invalidVerificationLink();

  try {
    await runAtomic(services.database, (db) => [
      claimTokenStatement(db, token.id, false),
      db
        .update(users)
        .set({ emailVerified: true, emailVerifiedAt: sql`now()`, updatedAt: sql`now()` })
        .where(eq(users.id, user.id)),
      auditInsert(db, {
        action: "email_verified",
        actorId: user.id,
        targetUserId: user.id,
        ipHash,
        details: { token_id: token.id },
      }),
    ]);
  } catch (error) {
    if (!isClaimFailure(error)) throw error;
    // The link was used or the email changed between the lookup and the update. When a
    // parallel visit of the same link won the claim, the email is verified now, and this
    // visit gets the same answer as any later one.
    const again = await findLiveToken(services, rawToken);
    if (again.user.emailVerified) return { status: "already_verified", email: again.user.email };
    throw invalidVerificationLink();
  }
  return { status: "verified", email: user.email };
}

/** Finds an unexpired token sent to the user's current address, used or not, or raises 400. */
async function findLiveToken(services: ServiceContext, rawToken: string) {
  const found = await findOneTimeToken(services.db, rawToken, "email_verification");
  const live =
    found && found.token.expiresAt > new Date() && found.token.email === found.user.email;
  if (!found || !live) throw invalidVerificationLink();
  return found;
}

/**
 * Sends a new verification link to an active, unverified account with this email. Does
 * nothing for any other address, and callers send the same response either way.
 */
export async function resendVerification(services: ServiceContext, email: string): Promise<void> {
  const [user] = await services.db
    .select()
    .from(users)
    .where(eq(users.email, email.trim().toLowerCase()))
    .limit(1);
  if (!user?.isActive || user.emailVerified) {
    services.logger.info("verification email not sent", { reason: ineligibility(user) });
    return;
  }
  await sendVerificationEmail(services, user);
}

function ineligibility(user: typeof users.$inferSelect | undefined): string {
  if (!user) return "unknown_email";
  return user.isActive ? "already_verified" : "inactive";
}
