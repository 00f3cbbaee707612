import { and, eq, inArray } from "drizzle-orm";
import {
  type ProfileColumns,
  prepareApplicantProfileUpdate,
} from "../applicants/applicant-profile-update.service";
import type { Database } from "../db/client";
import { type applicantProfiles, users } from "../db/schema";
import { AppError, type FieldErrors } from "../lib/errors";
import type { BackOfficeApplicantProfileInput } from "./accounts.schemas";

type ProfileRow = typeof applicantProfiles.$inferSelect;

/** Profile columns and the user's new name from a back-office create or update. */
export interface BackOfficeProfileChanges {
  columns: ProfileColumns & { referrerId?: number | null };
  fullName?: string;
}

const REFERRER_INVALID = "Referrer harus akun STAFF atau ADMIN lain.";

/**
 * Builds the stored values that the profile checks read, for a profile that does not exist
 * yet. Every other column keeps its database default on insert.
 * NOTE: prepareApplicantProfileUpdate compares input with these fields only; if it starts
 * reading another column, add that column's default here.
 */
export function blankProfile(): ProfileRow {
  const blank: Partial<ProfileRow> = {
    id: 0,
    nik: null,
    verificationStatus: "DRAFT",
    hasPassport: false,
    passportNumber: "",
    passportIssueDate: null,
    passportExpiryDate: null,
    provinceId: null,
    districtId: null,
    villageId: null,
    familyProvinceId: null,
    familyDistrictId: null,
    familyVillageId: null,
    referrerId: null,
  };
  return blank as ProfileRow;
}

/**
 * Validates the applicant profile that an admin writes, with the same field, region, NIK and
 * passport checks as the applicant's own edits. Unlike those edits, the back office may edit a
 * profile in any verification status, and the edit does not move the status. Throws 400
 * `validation_error` with every problem under `applicant_profile`.
 */
export async function prepareBackOfficeProfile(
  db: Database,
  current: { profile: ProfileRow; fullName: string; userId: number | null },
  input: BackOfficeApplicantProfileInput,
): Promise<BackOfficeProfileChanges> {
  const { referrer, ...fields } = input;
  const errors: FieldErrors = {};
  if (referrer && !(await isReferrer(db, referrer, current.userId))) {
    errors.referrer = [REFERRER_INVALID];
  }

  let changes: BackOfficeProfileChanges = { columns: {} };
  try {
    // The status is read as DRAFT so that the applicant's own editing rule does not apply.
    const editable = { ...current.profile, verificationStatus: "DRAFT" as const };
    changes = await prepareApplicantProfileUpdate(
      db,
      { profile: editable, fullName: current.fullName },
      fields,
    );
  } catch (error) {
    const nested = error instanceof AppError ? error.errors?.applicant_profile : undefined;
    if (!nested || Array.isArray(nested)) throw error;
    Object.assign(errors, nested);
  }
  if (Object.keys(errors).length > 0) {
    throw new AppError(400, "validation_error", "Data yang dikirim tidak valid.", {
      applicant_profile: errors,
    });
  }

  if (referrer !== undefined && referrer !== current.profile.referrerId) {
    changes.columns.referrerId = referrer;
  }
  return changes;
}

async function isReferrer(db: Database, id: number, applicantId: number | null) {
  if (id === applicantId) return false;
  const rows = await db
    .select({ id: users.id })
    .from(users)
    .where(and(eq(users.id, id), inArray(users.role, ["STAFF", "ADMIN"])))
    .limit(1);
  return rows.length > 0;
}
