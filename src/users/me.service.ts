import { and, eq } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { NIK_TAKEN } from "../applicants/applicant-profile-update.service";
import { abortUnlessUpdated, isNothingUpdated } from "../auth/guarded-update";
import { accessSubject, type IssuedTokens } from "../auth/sessions.service";
import { signAccessToken } from "../auth/tokens";
import type { AuthState, ServiceContext } from "../context";
import { type Database, runAtomic } from "../db/client";
import { type UserRole, users } from "../db/schema";
import { sendPasswordChangedEmail, sendVerificationEmail } from "../emails/emails.service";
import { notAuthenticated, validationError } from "../lib/errors";
import { describeError } from "../lib/logger";
import {
  CREDENTIALS_CHANGED_MEANWHILE,
  type CredentialChanges,
  credentialSideEffects,
  EMAIL_TAKEN,
  prepareCredentialChanges,
} from "./credential-changes";
import { violatedUniqueConstraint } from "./database-errors";
import { loadEditableUser, prepareProfileChanges } from "./me-profile-changes";
import type { MeUpdateInput } from "./users.schemas";
import { loadUserShape, type UserShape } from "./users.serializers";

type Statement = BatchItem<"pg">;
type UserColumns = Partial<typeof users.$inferInsert>;

/** The user who sent the request, for sessions and the audit trail. */
export interface MeActor {
  auth: AuthState;
  ipHash: string | null;
}

/** Loads the signed-in user in the shape for its role, or raises 401 for a deleted account. */
export async function getMe(services: ServiceContext, userId: number): Promise<UserShape> {
  const shape = await loadUserShape(services.db, userId);
  if (!shape) throw notAuthenticated();
  return shape;
}

/** The result of an update: the new shape, and new tokens after a password change. */
export interface MeUpdate {
  user: UserShape;
  tokens: IssuedTokens | null;
}

/**
 * Applies a PUT or PATCH of /api/me/ (both partial) in one transaction and returns the new
 * shape. Everything is validated before the first write, so a rejected update changes
 * nothing. Email and password changes need `current_password`. A password change also
 * replaces the security stamp, ends every other session and replaces the caller's refresh
 * tokens, as POST /api/auth/change-password/ does, and returns the caller's new tokens.
 * Emails are queued after the commit.
 */
export async function updateMe(
  services: ServiceContext,
  actor: MeActor,
  input: MeUpdateInput,
): Promise<MeUpdate> {
  const current = await loadEditableUser(services.db, actor.auth.userId);
  if (!current) throw notAuthenticated();
  const { user } = current;

  const credentials = await prepareCredentialChanges(services.config, services.db, user, input);
  const profile = await prepareProfileChanges(services.db, current, input);

  const userColumns: UserColumns = { ...credentials.columns };
  const fullName = profile.fullName ?? input.full_name;
  if (fullName !== undefined && fullName !== user.fullName) userColumns.fullName = fullName;

  const sideEffects = { userId: user.id, sessionId: actor.auth.sessionId, ipHash: actor.ipHash };
  await commit(services, (db) => [
    ...(Object.keys(userColumns).length > 0
      ? [userUpdateStatement(db, user.id, userColumns, credentials.verified)]
      : []),
    ...profile.statements(db),
    ...credentialSideEffects(db, sideEffects, credentials),
  ]);

  await queueNotices(services, { ...user, ...userColumns }, credentials);
  const tokens = await newSessionTokens(services, user, actor.auth.sessionId, credentials);
  return { user: await getMe(services, user.id), tokens };
}

/** Signs the caller's new tokens after a password change. Returns null without one. */
async function newSessionTokens(
  services: ServiceContext,
  user: { id: number; role: UserRole },
  sessionId: number,
  credentials: CredentialChanges,
): Promise<IssuedTokens | null> {
  const securityStamp = credentials.columns.securityStamp;
  if (!credentials.refresh || !securityStamp) return null;
  const subject = accessSubject({ id: user.id, role: user.role, securityStamp }, sessionId);
  const access = await signAccessToken(services.config, subject);
  return { access, refresh: credentials.refresh.token, sessionId };
}

/**
 * Updates the users row. With `verified` (a credential change), the update applies only while
 * the password hash and email are still the ones `current_password` was checked against, and
 * otherwise aborts the transaction (see `commit`).
 */
function userUpdateStatement(
  db: Database,
  userId: number,
  columns: UserColumns,
  verified?: CredentialChanges["verified"],
) {
  const update = db.update(users).set({ ...columns, updatedAt: new Date() });
  if (!verified) return update.where(eq(users.id, userId));
  const unchanged = and(
    eq(users.id, userId),
    eq(users.passwordHash, verified.passwordHash),
    eq(users.email, verified.email),
  );
  return abortUnlessUpdated(db, update.where(unchanged).returning({ id: users.id }));
}

/**
 * Runs the statements in one transaction. Another request can take the same email or NIK
 * between the checks and this commit, so a unique violation becomes the checks' 400 error.
 */
async function commit(services: ServiceContext, build: (db: Database) => Statement[]) {
  if (build(services.db).length === 0) return;
  try {
    await runAtomic(services.database, (db) => build(db) as [Statement, ...Statement[]]);
  } catch (error) {
    if (isNothingUpdated(error)) {
      throw validationError({ current_password: [CREDENTIALS_CHANGED_MEANWHILE] });
    }
    const constraint = violatedUniqueConstraint(error);
    if (constraint === "users_email_key") throw validationError({ email: [EMAIL_TAKEN] });
    if (constraint === "applicant_profiles_nik_key") {
      throw validationError({ applicant_profile: { nik: [NIK_TAKEN] } });
    }
    throw error;
  }
}

/**
 * Queues the verification email for a new address and the notice of a new password. The change
 * is already committed, so a failure here is logged and not reported to the user, who can ask
 * for the verification email again.
 */
async function queueNotices(
  services: ServiceContext,
  user: { id: number; email: string; fullName: string },
  credentials: CredentialChanges,
) {
  const recipient = { id: user.id, email: user.email, fullName: user.fullName };
  const notices: [string, (s: ServiceContext, r: typeof recipient) => Promise<void>][] = [];
  if (credentials.emailChanged) notices.push(["verification", sendVerificationEmail]);
  if (credentials.passwordChanged) notices.push(["password changed", sendPasswordChangedEmail]);

  for (const [kind, send] of notices) {
    try {
      await send(services, recipient);
      services.logger.info("email queued after account change", { kind, user_id: user.id });
    } catch (error) {
      services.logger.error("queueing email after account change failed", {
        kind,
        user_id: user.id,
        ...describeError(error),
      });
    }
  }
}
