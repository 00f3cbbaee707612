import { eq, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { NIK_TAKEN } from "../applicants/applicant-profile-update.service";
import { applicantProfileScore } from "../applicants/score";
import { checkPasswordRules, hashPassword } from "../auth/passwords";
import { newSecurityStamp, queryRows } from "../auth/sessions.service";
import type { ServiceContext } from "../context";
import { type Database, runAtomic } from "../db/client";
import {
  applicantProfiles,
  companyProfiles,
  staffProfiles,
  type UserRole,
  users,
} from "../db/schema";
import { auditInsert } from "../lib/audit";
import { AppError, type FieldErrors, validationError } from "../lib/errors";
import { invalidateStaffReferrers } from "../referrers/referrers.service";
import { violatedUniqueConstraint } from "../users/database-errors";
import { generateReferralCode } from "../users/referral-codes";
import { loadUserShape, type UserShape } from "../users/users.serializers";
import type { AccountInput } from "./accounts.schemas";
import { blankProfile, prepareBackOfficeProfile } from "./applicant-profile-input";

type Statement = BatchItem<"pg">;

export const EMAIL_TAKEN = "Email ini sudah digunakan oleh akun lain.";

// 36^6 codes per prefix, so a second collision in a row means something else is wrong.
const REFERRAL_CODE_ATTEMPTS = 5;

/** The admin who sends the request, for the audit trail. */
export interface AccountActor {
  userId: number;
  ipHash: string | null;
}

/** A validated create request, ready to insert. */
interface PreparedAccount {
  id: number;
  role: UserRole;
  input: AccountInput & { email: string; password: string };
  fullName: string;
  passwordHash: string;
  profile: (db: Database, userId: number) => Statement[];
}

/**
 * Creates a user of `role` with its profile row and a `user_created` audit event in one
 * transaction, and returns the new user in the shape of its role. Every field is checked
 * first, so a rejected request (400 `validation_error`) writes nothing. STAFF and ADMIN get a
 * referral code, drawn again when it collides with an existing one.
 */
export async function createAccount(
  services: ServiceContext,
  actor: AccountActor,
  role: UserRole,
  input: AccountInput & { email: string; password: string },
): Promise<UserShape> {
  const prepared = await prepareAccount(services, role, input);

  for (let attempt = 1; ; attempt++) {
    try {
      await runAtomic(services.database, (db) => createStatements(db, prepared, actor));
      break;
    } catch (error) {
      const conflict = createConflict(error);
      if (conflict) throw conflict;
      const codeTaken = violatedUniqueConstraint(error) === "users_referral_code_key";
      if (!codeTaken || attempt >= REFERRAL_CODE_ATTEMPTS) throw error;
    }
  }

  if (role === "STAFF") await invalidateStaffReferrers(services);
  services.logger.info("account created", { user_id: prepared.id, role });
  const shape = await loadUserShape(services.db, prepared.id);
  if (!shape) throw new Error("created account not found");
  return shape;
}

async function prepareAccount(
  services: ServiceContext,
  role: UserRole,
  input: AccountInput & { email: string; password: string },
): Promise<PreparedAccount> {
  const errors: FieldErrors = {};
  if (await emailTaken(services.db, input.email)) errors.email = [EMAIL_TAKEN];
  const problems = checkPasswordRules(input.password, input.email);
  if (problems.length > 0) errors.password = problems;

  let fullName = input.full_name ?? input.staff_profile?.full_name ?? "";
  let profile: PreparedAccount["profile"] = () => [];
  try {
    const prepared = await prepareProfile(services.db, role, input);
    fullName = prepared.fullName ?? fullName;
    profile = prepared.statements;
  } catch (error) {
    if (!(error instanceof AppError) || error.code !== "validation_error") throw error;
    Object.assign(errors, error.errors);
  }
  if (Object.keys(errors).length > 0) throw validationError(errors);

  const passwordHash = await hashPassword(input.password, services.config);
  const id = await reserveUserId(services.db);
  return { id, role, input, fullName, passwordHash, profile };
}

interface PreparedProfile {
  fullName?: string;
  statements: (db: Database, userId: number) => Statement[];
}

async function prepareProfile(
  db: Database,
  role: UserRole,
  input: AccountInput,
): Promise<PreparedProfile> {
  switch (role) {
    case "STAFF": {
      const contactPhone = input.staff_profile?.contact_phone ?? "";
      return {
        statements: (tx, userId) => [tx.insert(staffProfiles).values({ userId, contactPhone })],
      };
    }
    case "COMPANY":
      return { statements: (tx, userId) => [companyInsert(tx, userId, input)] };
    case "APPLICANT":
      return applicantProfile(db, input);
    default:
      return { statements: () => [] };
  }
}

function companyInsert(db: Database, userId: number, input: AccountInput) {
  const company = input.company_profile;
  // The create schema requires company_name; this guards callers that skip it.
  if (!company?.company_name) throw new Error("company_profile.company_name is required");
  return db.insert(companyProfiles).values({
    userId,
    companyName: company.company_name,
    contactPhone: company.contact_phone ?? "",
    address: company.address ?? "",
  });
}

async function applicantProfile(db: Database, input: AccountInput): Promise<PreparedProfile> {
  const nested = { ...input.applicant_profile };
  nested.full_name ??= input.full_name;
  const changes = await prepareBackOfficeProfile(
    db,
    { profile: blankProfile(), fullName: "", userId: null },
    nested,
  );
  return {
    fullName: changes.fullName,
    // The score reads the profile and the user's name, so it follows both inserts.
    statements: (tx, userId) => [
      tx.insert(applicantProfiles).values({ ...changes.columns, userId }),
      tx
        .update(applicantProfiles)
        .set({ score: applicantProfileScore() })
        .where(eq(applicantProfiles.userId, userId)),
    ],
  };
}

function createStatements(
  db: Database,
  prepared: PreparedAccount,
  actor: AccountActor,
): [Statement, ...Statement[]] {
  const { id, role, input } = prepared;
  const verified = input.email_verified ?? false;
  const backOffice = role === "ADMIN" || role === "STAFF";
  return [
    db.insert(users).values({
      id,
      email: input.email,
      fullName: prepared.fullName,
      role,
      isActive: input.is_active ?? true,
      emailVerified: verified,
      emailVerifiedAt: verified ? sql`now()` : null,
      referralCode: backOffice ? generateReferralCode(role) : null,
      passwordHash: prepared.passwordHash,
      securityStamp: newSecurityStamp(),
    }),
    ...prepared.profile(db, id),
    auditInsert(db, {
      action: "user_created",
      actorId: actor.userId,
      targetUserId: id,
      ipHash: actor.ipHash,
      details: { role },
    }),
  ];
}

/** Turns a unique violation by a concurrent request into the 400 that the checks report. */
export function createConflict(error: unknown): AppError | null {
  const constraint = violatedUniqueConstraint(error);
  if (constraint === "users_email_key") return validationError({ email: [EMAIL_TAKEN] });
  if (constraint === "applicant_profiles_nik_key") {
    return validationError({ applicant_profile: { nik: [NIK_TAKEN] } });
  }
  return null;
}

/** Emails are stored lower-case (a CHECK constraint enforces it), so equality uses the index. */
export async function emailTaken(db: Database, email: string, exceptId?: number) {
  const rows = await db.select({ id: users.id }).from(users).where(eq(users.email, email)).limit(2);
  return rows.some((row) => row.id !== exceptId);
}

/** Takes the next user id first, so the profile and audit rows can refer to it in one batch. */
async function reserveUserId(db: Database): Promise<number> {
  const [row] = await queryRows<{ id: string | number }>(
    db,
    sql`select nextval(pg_get_serial_sequence('users', 'id')) as id`,
  );
  if (!row) throw new Error("nextval returned no row");
  return Number(row.id);
}
