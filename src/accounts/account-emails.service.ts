import { and, eq } from "drizzle-orm";
import type { ServiceContext } from "../context";
import { type UserRole, users } from "../db/schema";
import { sendPasswordResetEmail, sendVerificationEmail } from "../emails/emails.service";
import { recordAuditEvent } from "../lib/audit";
import { AppError, notFound } from "../lib/errors";
import type { AccountActor } from "./account-create.service";

/** The user to email, restricted to one role on the applicant routes. */
export interface EmailTarget {
  userId: number;
  role?: UserRole;
}

async function findTarget(services: ServiceContext, target: EmailTarget) {
  const conditions = [eq(users.id, target.userId)];
  if (target.role) conditions.push(eq(users.role, target.role));
  const [user] = await services.db
    .select()
    .from(users)
    .where(and(...conditions))
    .limit(1);
  if (!user) throw notFound("Akun tidak ditemukan.");
  return user;
}

/**
 * Queues a new verification link to the user, or returns `already_verified` and sends nothing
 * when the email is verified. Raises 404 for an unknown user.
 */
export async function sendVerificationFor(
  services: ServiceContext,
  target: EmailTarget,
): Promise<{ status: "sent" | "already_verified"; email: string }> {
  const user = await findTarget(services, target);
  if (user.emailVerified) return { status: "already_verified", email: user.email };
  await sendVerificationEmail(services, user);
  return { status: "sent", email: user.email };
}

/**
 * Queues a password-reset link to the user and records who asked for it. Raises 404 for an
 * unknown user and 400 `account_inactive` for a deactivated one, whose reset link would be
 * rejected anyway.
 */
export async function sendPasswordResetFor(
  services: ServiceContext,
  actor: AccountActor,
  target: EmailTarget,
): Promise<{ email: string }> {
  const user = await findTarget(services, target);
  if (!user.isActive) {
    throw new AppError(
      400,
      "account_inactive",
      "Akun ini nonaktif. Aktifkan akun terlebih dahulu.",
    );
  }
  await sendPasswordResetEmail(services, user);
  await recordAuditEvent(services, {
    action: "password_reset_requested",
    actorId: actor.userId,
    targetUserId: user.id,
    ipHash: actor.ipHash,
  });
  return { email: user.email };
}
