import { eq, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { profileUpdateStatement } from "../applicants/applicant-profile-update.service";
import { useAllTokensStatement } from "../auth/one-time-tokens.service";
import { checkPasswordRules, hashPassword } from "../auth/passwords";
import { endAllSessionsQuery, newSecurityStamp } from "../auth/sessions.service";
import type { ServiceContext } from "../context";
import { type Database, runAtomic } from "../db/client";
import { staffProfiles, type UserRole, users } from "../db/schema";
import { auditInsert } from "../lib/audit";
import { AppError, type FieldErrors, validationError } from "../lib/errors";
import { invalidateStaffReferrers } from "../referrers/referrers.service";
import { type EditableUser, prepareProfileChanges } from "../users/me-profile-changes";
import type { MeUpdateInput } from "../users/users.schemas";
import { loadUserShape, type UserShape } from "../users/users.serializers";
import {
  type AccountActor,
  createConflict,
  EMAIL_TAKEN,
  emailTaken,
} from "./account-create.service";
import { findAccount } from "./account-records";
import {
  activeChangeColumns,
  activeChangeStatements,
  cannotDeactivateSelf,
} from "./account-status.service";
import type { AccountInput } from "./accounts.schemas";
import { prepareBackOfficeProfile } from "./applicant-profile-input";

type Statement = BatchItem<"pg">;
type UserColumns = Partial<typeof users.$inferInsert>;

/** Changes of an update beyond plain columns, which select its side effects. */
interface AccountChanges {
  columns: UserColumns;
  profileStatements: (db: Database) => Statement[];
  emailChanged: boolean;
  passwordChanged: boolean;
  activeChanged: boolean;
  newRole?: "ADMIN" | "STAFF";
}

/**
 * Applies a PUT or PATCH (both partial) of an account of `role` in one transaction and returns
 * the new shape. Everything is validated before the first write. A new password, deactivation
 * and a role change each replace the security stamp and end every session of the user. Each
 * change of credentials, status or role gets its audit event. Raises 404 for an unknown id.
 */
export async function updateAccount(
  services: ServiceContext,
  actor: AccountActor,
  target: { id: number; role: UserRole },
  input: AccountInput,
): Promise<UserShape> {
  const current = await findAccount(services.db, target.id, target.role);
  const changes = await prepareChanges(services, actor, current, input);
  const statements = (db: Database) => updateStatements(db, current, changes, actor);

  if (statements(services.db).length > 0) {
    try {
      await runAtomic(services.database, (db) => statements(db) as [Statement, ...Statement[]]);
    } catch (error) {
      throw createConflict(error) ?? error;
    }
    const roles = [current.user.role, changes.newRole];
    if (roles.includes("STAFF")) await invalidateStaffReferrers(services);
    services.logger.info("account updated", { user_id: current.user.id });
  }

  const shape = await loadUserShape(services.db, current.user.id);
  if (!shape) throw new Error("account vanished during an update");
  return shape;
}

async function prepareChanges(
  services: ServiceContext,
  actor: AccountActor,
  current: EditableUser,
  input: AccountInput,
): Promise<AccountChanges> {
  const { user } = current;
  const errors: FieldErrors = {};
  const email = input.email !== undefined && input.email !== user.email ? input.email : undefined;
  if (email !== undefined && (await emailTaken(services.db, email, user.id))) {
    errors.email = [EMAIL_TAKEN];
  }
  if (input.password !== undefined) {
    const problems = checkPasswordRules(input.password, email ?? user.email);
    if (problems.length > 0) errors.password = problems;
  }
  const profile = await collectErrors(errors, () => profileChanges(services.db, current, input));
  if (Object.keys(errors).length > 0) throw validationError(errors);

  const activeChanged = input.is_active !== undefined && input.is_active !== user.isActive;
  if (activeChanged && !input.is_active && user.id === actor.userId) throw cannotDeactivateSelf();
  const newRole = input.role !== undefined && input.role !== user.role ? input.role : undefined;
  if (newRole && user.id === actor.userId) {
    throw new AppError(
      400,
      "cannot_change_own_role",
      "Anda tidak dapat mengubah peran Anda sendiri.",
    );
  }

  const columns = await userColumns(services, current, input, { email, activeChanged, newRole });
  const fullName = profile?.fullName ?? input.full_name;
  if (fullName !== undefined && fullName !== user.fullName) columns.fullName = fullName;
  return {
    columns,
    profileStatements: profile?.statements ?? (() => []),
    emailChanged: email !== undefined,
    passwordChanged: input.password !== undefined,
    activeChanged,
    newRole,
  };
}

interface ProfilePlan {
  fullName?: string;
  statements: (db: Database) => Statement[];
}

async function profileChanges(
  db: Database,
  current: EditableUser,
  input: AccountInput,
): Promise<ProfilePlan> {
  const { user, profile } = current;
  if (user.role !== "APPLICANT") {
    const nested = { staff_profile: input.staff_profile, company_profile: input.company_profile };
    return prepareProfileChanges(db, current, nested as MeUpdateInput);
  }
  if (!profile || input.applicant_profile === undefined) return { statements: () => [] };

  const changes = await prepareBackOfficeProfile(
    db,
    { profile, fullName: user.fullName, userId: user.id },
    input.applicant_profile,
  );
  const columns = changes.columns;
  return {
    fullName: changes.fullName,
    statements: (tx) =>
      Object.keys(columns).length === 0 ? [] : [profileUpdateStatement(tx, profile.id, columns)],
  };
}

/** Runs `prepare`; a `validation_error` it raises adds its field errors to `errors`. */
async function collectErrors<T>(errors: FieldErrors, prepare: () => Promise<T>) {
  try {
    return await prepare();
  } catch (error) {
    if (!(error instanceof AppError) || error.code !== "validation_error") throw error;
    Object.assign(errors, error.errors);
    return undefined;
  }
}

async function userColumns(
  services: ServiceContext,
  current: EditableUser,
  input: AccountInput,
  change: { email?: string; activeChanged: boolean; newRole?: UserRole },
): Promise<UserColumns> {
  const columns: UserColumns = {};
  if (change.email !== undefined) {
    // A new address is unverified unless the same request sets `email_verified`.
    columns.email = change.email;
    columns.emailVerified = false;
    columns.emailVerifiedAt = null;
  }
  const verified = input.email_verified;
  if (verified !== undefined && (verified !== current.user.emailVerified || change.email)) {
    columns.emailVerified = verified;
    columns.emailVerifiedAt = verified ? new Date() : null;
  }
  if (input.password !== undefined) {
    columns.passwordHash = await hashPassword(input.password, services.config);
    columns.securityStamp = newSecurityStamp();
  }
  if (change.activeChanged && input.is_active !== undefined) {
    Object.assign(columns, { isActive: input.is_active }, activeChangeColumns(input.is_active));
  }
  if (change.newRole) {
    columns.role = change.newRole;
    columns.securityStamp = newSecurityStamp();
  }
  return columns;
}

function updateStatements(
  db: Database,
  current: EditableUser,
  changes: AccountChanges,
  actor: AccountActor,
): Statement[] {
  const userId = current.user.id;
  const audit = { actorId: actor.userId, targetUserId: userId, ipHash: actor.ipHash };
  const statements: Statement[] = [];
  if (Object.keys(changes.columns).length > 0) {
    statements.push(
      db
        .update(users)
        .set({ ...changes.columns, updatedAt: sql`now()` })
        .where(eq(users.id, userId)),
    );
  }
  statements.push(...changes.profileStatements(db));

  // A link mailed earlier, maybe to the old address, must not take the account back or verify
  // the new address: an email change ends every link, a password change the reset links.
  if (changes.emailChanged) {
    statements.push(useAllTokensStatement(db, userId, "all"));
  } else if (changes.passwordChanged) {
    statements.push(useAllTokensStatement(db, userId, "password_reset"));
  }
  if (changes.emailChanged) statements.push(auditInsert(db, { action: "email_changed", ...audit }));
  if (changes.passwordChanged) {
    statements.push(endAllSessionsQuery(db, userId, "password_changed"));
    statements.push(auditInsert(db, { action: "password_changed", ...audit }));
  }
  if (changes.activeChanged) {
    statements.push(...activeChangeStatements(db, userId, !current.user.isActive, actor));
  }
  if (changes.newRole)
    statements.push(...roleChangeStatements(db, current, changes.newRole, actor));
  return statements;
}

function roleChangeStatements(
  db: Database,
  current: EditableUser,
  newRole: "ADMIN" | "STAFF",
  actor: AccountActor,
): Statement[] {
  const userId = current.user.id;
  const statements: Statement[] = [
    endAllSessionsQuery(db, userId, "role_changed"),
    auditInsert(db, {
      action: "role_changed",
      actorId: actor.userId,
      targetUserId: userId,
      ipHash: actor.ipHash,
      details: { from: current.user.role, to: newRole },
    }),
  ];
  // The referral code keeps its prefix, so codes already handed out keep working.
  if (newRole === "STAFF") {
    statements.push(db.insert(staffProfiles).values({ userId }).onConflictDoNothing());
  }
  return statements;
}
