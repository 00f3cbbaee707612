import { and, eq, inArray, sql } from "drizzle-orm";
import { recomputeScoreStatement } from "../applicants/score";
import type { ServiceContext } from "../context";
import { type Database, runAtomic } from "../db/client";
import { applicantDocuments, applicantProfiles, documentTypes, users } from "../db/schema";
import { type AcceptedFile, checkDocumentFile } from "../documents/file-checks";
import { sendVerificationEmail } from "../emails/emails.service";
import { auditInsert } from "../lib/audit";
import { type FieldErrors, validationError } from "../lib/errors";
import { describeError } from "../lib/logger";
import { createStorage } from "../lib/storage";
import { removeForbiddenCharacters } from "../lib/text";
import { violatedUniqueConstraint } from "../users/database-errors";
import { checkPasswordRules, hashPassword } from "./passwords";
import { newSecurityStamp, queryRows } from "./sessions.service";

export type DocumentType = typeof documentTypes.$inferSelect;
export type User = typeof users.$inferSelect;

export const KTP_DOCUMENT_CODE = "ktp";

export const EMAIL_TAKEN = "Email ini sudah terdaftar.";
export const NIK_TAKEN = "NIK ini sudah terdaftar.";
export const REFERRAL_CODE_INVALID = "Kode referral tidak valid atau tidak aktif.";

/** Registration fields after the request schema; a field the schema rejected is left out. */
export interface RegistrationFields {
  email?: string;
  password?: string;
  nik?: string;
  ktp?: File;
  referralCode?: string;
}

export interface RegistrationInput extends Required<Omit<RegistrationFields, "referralCode">> {
  referralCode?: string;
  fullName?: string;
  phoneNumber?: string;
  birthDate?: string;
}

/** The outcome of the checks that need the database or the file contents. */
export interface RegistrationCheck {
  errors: FieldErrors;
  referrerId: number | null;
  ktp: AcceptedFile | null;
}

/** Loads a document type by code. Throws when the seed migration has not been applied. */
export async function findDocumentType(db: Database, code: string): Promise<DocumentType> {
  const [type] = await db.select().from(documentTypes).where(eq(documentTypes.code, code));
  if (!type) throw new Error(`document type ${code} is missing; apply the migrations`);
  return type;
}

/**
 * Runs the registration checks that the request schema cannot: email and NIK not taken,
 * password rules, referral code of an active STAFF or ADMIN user, and the KTP file against its
 * document type. Every failing field is reported, keyed by its form field name.
 */
export async function checkRegistration(
  services: ServiceContext,
  fields: RegistrationFields,
  ktpType: DocumentType,
): Promise<RegistrationCheck> {
  const errors: FieldErrors = {};
  const { db } = services;

  if (fields.email !== undefined && (await isEmailTaken(db, fields.email))) {
    errors.email = [EMAIL_TAKEN];
  }
  if (fields.password !== undefined) {
    const problems = checkPasswordRules(fields.password, fields.email);
    if (problems.length > 0) errors.password = problems;
  }
  if (fields.nik !== undefined && (await isNikTaken(db, fields.nik))) {
    errors.nik = [NIK_TAKEN];
  }

  let referrerId: number | null = null;
  if (fields.referralCode !== undefined) {
    referrerId = await findReferrerId(db, fields.referralCode);
    if (referrerId === null) errors.referral_code = [REFERRAL_CODE_INVALID];
  }

  let ktp: AcceptedFile | null = null;
  if (fields.ktp !== undefined) {
    const checked = await checkDocumentFile(fields.ktp, ktpType);
    if (checked.ok) ktp = checked;
    else errors.ktp = checked.errors;
  }
  return { errors, referrerId, ktp };
}

async function isEmailTaken(db: Database, email: string): Promise<boolean> {
  // Emails are stored lower-case (a CHECK constraint enforces it), so the index serves this.
  const [row] = await db
    .select({ id: users.id })
    .from(users)
    .where(eq(users.email, email.toLowerCase()));
  return row !== undefined;
}

async function isNikTaken(db: Database, nik: string): Promise<boolean> {
  const [row] = await db
    .select({ id: applicantProfiles.id })
    .from(applicantProfiles)
    .where(eq(applicantProfiles.nik, nik));
  return row !== undefined;
}

/** Returns the id of the active STAFF or ADMIN user with this code, in any letter case. */
async function findReferrerId(db: Database, code: string): Promise<number | null> {
  const [row] = await db
    .select({ id: users.id })
    .from(users)
    .where(
      and(
        eq(users.referralCode, code.toUpperCase()),
        inArray(users.role, ["STAFF", "ADMIN"]),
        eq(users.isActive, true),
      ),
    );
  return row?.id ?? null;
}

/** What the checks established about a registration that passed them. */
export interface CheckedRegistration {
  referrerId: number | null;
  ktp: AcceptedFile;
  ktpType: DocumentType;
  ipHash: string | null;
}

/**
 * Creates the APPLICANT user, the DRAFT profile, the `ktp` document and a `register` audit
 * event in one transaction, after storing the KTP file. When the transaction fails the stored
 * object is deleted again, so a failed registration leaves nothing behind. A unique violation
 * from a concurrent registration becomes the same 400 as the checks report. After the commit
 * the verification email and the document's processing are queued.
 * NOTE: an isolate that dies between the upload and the commit leaves an orphaned object,
 * under a profile id that no row uses.
 */
export async function registerApplicant(
  services: ServiceContext,
  input: RegistrationInput,
  checked: CheckedRegistration,
): Promise<User> {
  const ids = await reserveRegistrationIds(services.db);
  const key = ktpStorageKey(ids.profileId, checked.ktp.extension);
  const passwordHash = await hashPassword(input.password, services.config);
  const storage = createStorage(services.env, services.config);
  await storage.put(key, checked.ktp.bytes, checked.ktp.contentType);

  let user: User | undefined;
  try {
    const [insertedUsers] = await runAtomic(services.database, (db) =>
      registrationStatements(db, { ids, input, checked, key, passwordHash }),
    );
    user = insertedUsers[0];
  } catch (error) {
    await deleteStoredObject(services, storage, key);
    throw registrationConflict(error) ?? error;
  }
  if (!user) throw new Error("user insert returned no row");

  await queueAfterRegistration(services, user, ids.documentId);
  return user;
}

/** `account/documents/<profile_id>/ktp/<uuid>.<ext>`: no name, email or NIK in the key. */
function ktpStorageKey(profileId: number, extension: string): string {
  return `account/documents/${profileId}/${KTP_DOCUMENT_CODE}/${crypto.randomUUID()}.${extension}`;
}

interface RegistrationRows {
  ids: RegistrationIds;
  input: RegistrationInput;
  checked: CheckedRegistration;
  key: string;
  passwordHash: string;
}

function registrationStatements(db: Database, rows: RegistrationRows) {
  const { ids, input, checked } = rows;
  return [
    db
      .insert(users)
      .values({
        id: ids.userId,
        email: input.email.toLowerCase(),
        fullName: input.fullName ?? "",
        role: "APPLICANT",
        passwordHash: rows.passwordHash,
        securityStamp: newSecurityStamp(),
        lastLogin: sql`now()`,
      })
      .returning(),
    db.insert(applicantProfiles).values({
      id: ids.profileId,
      userId: ids.userId,
      referrerId: checked.referrerId,
      nik: input.nik,
      birthDate: input.birthDate ?? null,
      contactPhone: input.phoneNumber ?? "",
    }),
    db.insert(applicantDocuments).values({
      id: ids.documentId,
      applicantProfileId: ids.profileId,
      documentTypeId: checked.ktpType.id,
      file: rows.key,
      fileVersion: 1,
      originalName: originalFileName(input.ktp.name, checked.ktp.extension),
      contentType: checked.ktp.contentType,
      sizeBytes: checked.ktp.bytes.byteLength,
      processingStatus: "pending",
    }),
    auditInsert(db, {
      action: "register",
      actorId: ids.userId,
      targetUserId: ids.userId,
      applicantProfileId: ids.profileId,
      ipHash: checked.ipHash,
      details: { referrer_id: checked.referrerId, document_id: ids.documentId },
    }),
    // Last, because it reads the name, NIK, phone and birth date the inserts above wrote.
    recomputeScoreStatement(db, ids.profileId),
  ] as const;
}

interface RegistrationIds {
  userId: number;
  profileId: number;
  documentId: number;
}

/** Reserves the three ids up front, because statements in `runAtomic` cannot read each other. */
async function reserveRegistrationIds(db: Database): Promise<RegistrationIds> {
  const [row] = await queryRows<{ user_id: string; profile_id: string; document_id: string }>(
    db,
    sql`select nextval(pg_get_serial_sequence('users', 'id')) as user_id,
               nextval(pg_get_serial_sequence('applicant_profiles', 'id')) as profile_id,
               nextval(pg_get_serial_sequence('applicant_documents', 'id')) as document_id`,
  );
  if (!row) throw new Error("nextval returned no row");
  return {
    userId: Number(row.user_id),
    profileId: Number(row.profile_id),
    documentId: Number(row.document_id),
  };
}

/** Maps a unique violation on email or NIK to the field error that the checks would give. */
function registrationConflict(error: unknown) {
  const constraint = violatedUniqueConstraint(error);
  if (constraint === "users_email_key") return validationError({ email: [EMAIL_TAKEN] });
  if (constraint === "applicant_profiles_nik_key") return validationError({ nik: [NIK_TAKEN] });
  return undefined;
}

async function deleteStoredObject(
  services: ServiceContext,
  storage: ReturnType<typeof createStorage>,
  key: string,
) {
  try {
    await storage.delete(key);
  } catch (error) {
    // The key holds only a profile id that was never committed, so an orphan reveals nothing.
    services.logger.error("orphaned upload not deleted", { key, ...describeError(error) });
  }
}

/**
 * Queues the verification email and the KTP's processing. The account already exists, so a
 * queue failure is logged and the registration still succeeds.
 * A lost documents message is sent again by the daily clean-up (`requeueStuckDocuments`), and
 * the user can request the email again.
 */
async function queueAfterRegistration(services: ServiceContext, user: User, documentId: number) {
  try {
    await sendVerificationEmail(services, user);
  } catch (error) {
    services.logger.error("verification email not queued", {
      user_id: user.id,
      ...describeError(error),
    });
  }
  try {
    await services.env.DOCUMENTS_QUEUE.send({ document_id: documentId, file_version: 1 });
  } catch (error) {
    services.logger.error("document processing not queued", {
      document_id: documentId,
      ...describeError(error),
    });
  }
}

/**
 * Strips any path and the characters text fields reject (a NUL would fail the insert) from the
 * client's file name, and cuts it to the column's 255 characters.
 */
function originalFileName(name: string, extension: string): string {
  const base = removeForbiddenCharacters(name).split(/[\\/]/).pop()?.trim() || `ktp.${extension}`;
  return base.length <= 255 ? base : `${base.slice(0, 250 - extension.length)}.${extension}`;
}
