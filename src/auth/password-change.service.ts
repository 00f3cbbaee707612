import { and, eq, sql } from "drizzle-orm";
import { type AppContext, type AuthState, serviceContext } from "../context";
import { type Database, runAtomic } from "../db/client";
import { users } from "../db/schema";
import { sendPasswordChangedEmail } from "../emails/emails.service";
import { auditInsert, hashClientIp } from "../lib/audit";
import { type FieldErrors, notAuthenticated, validationError } from "../lib/errors";
import { describeError } from "../lib/logger";
import { abortUnlessUpdated, isNothingUpdated } from "./guarded-update";
import { checkPasswordRules, hashPassword, PASSWORD_UNCHANGED, verifyPassword } from "./passwords";
import {
  accessSubject,
  endAllSessionsQuery,
  type IssuedTokens,
  newRefreshToken,
  newSecurityStamp,
  replaceSessionTokensQueries,
} from "./sessions.service";
import { signAccessToken } from "./tokens";

type UserRow = typeof users.$inferSelect;

const WRONG_OLD_PASSWORD = "Kata sandi lama salah.";

/**
 * Changes the signed-in user's password. In one transaction it stores the new hash and a new
 * security stamp (ending every access token), revokes the user's other sessions and gives the
 * current session a new refresh token; the caller gets fresh tokens for it. Then it queues
 * the password-changed email. The hash is replaced only while it is still the one the old
 * password was checked against, so of concurrent changes one wins and the others get 400
 * `errors.old_password`, as the old password is no longer right.
 */
export async function changePassword(
  c: AppContext,
  auth: AuthState,
  input: { oldPassword: string; newPassword: string },
): Promise<{ user: UserRow; tokens: IssuedTokens }> {
  const services = serviceContext(c);
  const [user] = await services.db.select().from(users).where(eq(users.id, auth.userId));
  if (!user) throw notAuthenticated();
  await assertPasswordChange(c, user, input);

  const passwordHash = await hashPassword(input.newPassword, services.config);
  const securityStamp = newSecurityStamp();
  const refresh = await newRefreshToken();
  const change = { user, passwordHash, securityStamp, refreshHash: refresh.hash };
  const ipHash = await hashClientIp(c);
  try {
    await runAtomic(services.database, (db) => changeStatements(db, change, auth, ipHash));
  } catch (error) {
    if (isNothingUpdated(error)) throw validationError({ old_password: [WRONG_OLD_PASSWORD] });
    throw error;
  }

  const changed = { ...user, passwordHash, securityStamp };
  const access = await signAccessToken(services.config, accessSubject(changed, auth.sessionId));
  await notifyPasswordChanged(c, changed);
  return { user: changed, tokens: { access, refresh: refresh.token, sessionId: auth.sessionId } };
}

interface PasswordChange {
  user: UserRow;
  passwordHash: string;
  securityStamp: string;
  refreshHash: string;
}

/** The statements of one password change, the guarded hash update first. */
function changeStatements(
  db: Database,
  change: PasswordChange,
  auth: AuthState,
  ipHash: string | null,
) {
  const { user } = change;
  return [
    abortUnlessUpdated(
      db,
      db
        .update(users)
        .set({
          passwordHash: change.passwordHash,
          securityStamp: change.securityStamp,
          updatedAt: sql`now()`,
        })
        .where(and(eq(users.id, user.id), eq(users.passwordHash, user.passwordHash ?? "")))
        .returning({ id: users.id }),
    ),
    endAllSessionsQuery(db, user.id, "password_changed", auth.sessionId),
    ...replaceSessionTokensQueries(db, auth.sessionId, change.refreshHash),
    auditInsert(db, {
      action: "password_changed",
      actorId: user.id,
      targetUserId: user.id,
      ipHash,
      details: { session_id: auth.sessionId },
    }),
  ] as const;
}

/** 400 with `errors.old_password` and/or `errors.new_password`, all problems at once. */
async function assertPasswordChange(
  c: AppContext,
  user: UserRow,
  input: { oldPassword: string; newPassword: string },
) {
  const errors: FieldErrors = {};
  const old = await verifyPassword(input.oldPassword, user.passwordHash, c.get("config"));
  if (!old.valid) errors.old_password = [WRONG_OLD_PASSWORD];
  const problems = checkPasswordRules(input.newPassword, user.email);
  if (input.newPassword === input.oldPassword) problems.unshift(PASSWORD_UNCHANGED);
  if (problems.length > 0) errors.new_password = problems;
  if (Object.keys(errors).length > 0) throw validationError(errors);
}

/** The password is already changed, so a failure to queue the notice is logged, not raised. */
async function notifyPasswordChanged(c: AppContext, user: UserRow) {
  try {
    await sendPasswordChangedEmail(serviceContext(c), {
      id: user.id,
      email: user.email,
      fullName: user.fullName,
    });
  } catch (error) {
    c.get("logger").error("password changed email not queued", {
      user_id: user.id,
      ...describeError(error),
    });
  }
}
