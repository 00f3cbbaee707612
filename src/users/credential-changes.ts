import { eq } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { useAllTokensStatement } from "../auth/one-time-tokens.service";
import {
  checkPasswordRules,
  hashPassword,
  PASSWORD_UNCHANGED,
  type PasswordConfig,
  verifyPassword,
} from "../auth/passwords";
import {
  endAllSessionsQuery,
  newRefreshToken,
  newSecurityStamp,
  replaceSessionTokensQueries,
} from "../auth/sessions.service";
import type { Database } from "../db/client";
import { users } from "../db/schema";
import { auditInsert } from "../lib/audit";
import { type FieldErrors, validationError } from "../lib/errors";

type UserRow = typeof users.$inferSelect;

export const EMAIL_TAKEN = "Email ini sudah digunakan oleh akun lain.";

/** The answer to a change that lost a race: the password or email changed after the check. */
export const CREDENTIALS_CHANGED_MEANWHILE =
  "Kata sandi atau email akun berubah saat permintaan ini diproses. Muat ulang lalu coba lagi.";

/** Users columns that an email or password change sets, and what changed. */
export interface CredentialChanges {
  columns: Partial<typeof users.$inferInsert>;
  emailChanged: boolean;
  passwordChanged: boolean;
  /**
   * The password hash and email that `current_password` was checked against. The update must
   * apply only while both are unchanged, so that of two concurrent changes one loses.
   */
  verified?: { passwordHash: string; email: string };
  /** The caller's next refresh token, set with a password change, which replaces the old ones. */
  refresh?: { token: string; hash: string };
}

/**
 * Validates a change of email and/or password: both need the right `current_password`, the
 * new email must be free and the new password must pass the rules. Returns the columns to
 * set: a changed email is unverified again, and a new password gets a new security stamp,
 * which invalidates the access tokens of every session. Throws 400 `validation_error`.
 */
export async function prepareCredentialChanges(
  config: PasswordConfig,
  db: Database,
  user: UserRow,
  input: { email?: string; password?: string; current_password?: string },
): Promise<CredentialChanges> {
  const email = input.email !== undefined && input.email !== user.email ? input.email : undefined;
  const password = input.password;
  const changes: CredentialChanges = { columns: {}, emailChanged: false, passwordChanged: false };
  if (email === undefined && password === undefined) return changes;

  await checkCurrentPassword(config, user, input.current_password);

  const errors: FieldErrors = {};
  if (email !== undefined && (await emailTaken(db, email))) errors.email = [EMAIL_TAKEN];
  if (password !== undefined) {
    const problems = checkPasswordRules(password, email ?? user.email);
    if (password === input.current_password) problems.unshift(PASSWORD_UNCHANGED);
    if (problems.length > 0) errors.password = problems;
  }
  if (Object.keys(errors).length > 0) throw validationError(errors);

  changes.verified = { passwordHash: user.passwordHash ?? "", email: user.email };
  if (email !== undefined) {
    changes.emailChanged = true;
    changes.columns = { email, emailVerified: false, emailVerifiedAt: null };
  }
  if (password !== undefined) {
    changes.passwordChanged = true;
    changes.columns.passwordHash = await hashPassword(password, config);
    // The new stamp also ends the caller's own access token, and the session's refresh tokens
    // are replaced by this one, so the caller needs the new tokens to stay signed in.
    changes.columns.securityStamp = newSecurityStamp();
    changes.refresh = await newRefreshToken();
  }
  return changes;
}

async function checkCurrentPassword(
  config: PasswordConfig,
  user: UserRow,
  currentPassword: string | undefined,
) {
  if (currentPassword === undefined || currentPassword === "") {
    throw validationError({
      current_password: ["Kata sandi saat ini wajib diisi untuk mengubah email atau kata sandi."],
    });
  }
  // Accounts that only sign in with Google have no hash. verifyPassword spends the same time
  // on them and reports the password as wrong, so such users set a password by reset first.
  const { valid } = await verifyPassword(currentPassword, user.passwordHash, config);
  if (!valid) throw validationError({ current_password: ["Kata sandi saat ini salah."] });
}

async function emailTaken(db: Database, email: string): Promise<boolean> {
  const rows = await db.select({ id: users.id }).from(users).where(eq(users.email, email)).limit(1);
  return rows.length > 0;
}

/**
 * Statements that go with a credential change in the same transaction: other sessions end on
 * a password change and the caller's session keeps only its new refresh token, and password-reset links already sent die on either change, because one
 * mailed to the old address must not take the account back. An email change also kills every
 * verification link, for good, so that a link for an old address does not work again if the
 * email changes back. Each change gets an audit event.
 */
export function credentialSideEffects(
  db: Database,
  actor: { userId: number; sessionId: number; ipHash: string | null },
  changes: CredentialChanges,
): BatchItem<"pg">[] {
  const statements: BatchItem<"pg">[] = [];
  const audit = { actorId: actor.userId, targetUserId: actor.userId, ipHash: actor.ipHash };
  if (changes.emailChanged) {
    statements.push(useAllTokensStatement(db, actor.userId, "all"));
  } else if (changes.passwordChanged) {
    statements.push(useAllTokensStatement(db, actor.userId, "password_reset"));
  }
  if (changes.emailChanged) {
    statements.push(auditInsert(db, { action: "email_changed", ...audit }));
  }
  if (changes.passwordChanged) {
    statements.push(endAllSessionsQuery(db, actor.userId, "password_changed", actor.sessionId));
    if (changes.refresh) {
      statements.push(...replaceSessionTokensQueries(db, actor.sessionId, changes.refresh.hash));
    }
    statements.push(auditInsert(db, { action: "password_changed", ...audit }));
  }
  return statements;
}
