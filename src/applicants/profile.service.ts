import { eq, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { applyProfileTransition } from "../applicant-profiles/profile-transition.service";
import type { ServiceContext } from "../context";
import { runAtomic } from "../db/client";
import { applicantProfiles, users } from "../db/schema";
import { AppError, type FieldErrors, notFound, validationError } from "../lib/errors";
import { violatedUniqueConstraint } from "../users/database-errors";
import type { ApplicantProfileInput } from "./applicant-profile.schema";
import {
  type ApplicantProfileJson,
  type ApplicantProfileRecord,
  loadApplicantProfiles,
  serializeApplicantProfile,
} from "./applicant-profile.serializer";
import {
  NIK_TAKEN,
  prepareApplicantProfileUpdate,
  profileUpdateStatement,
} from "./applicant-profile-update.service";

type Statement = BatchItem<"pg">;

const REQUIRED_FOR_SUBMISSION = "Wajib diisi sebelum profil diajukan untuk verifikasi.";

/** The applicant who sent the request, for the audit trail. */
export interface ProfileActor {
  userId: number;
  ipHash: string | null;
}

/** Loads the applicant's own profile, or raises 404 when the user has none. */
export async function getOwnProfile(
  services: ServiceContext,
  userId: number,
): Promise<ApplicantProfileJson> {
  return serializeApplicantProfile(await loadOwnRecord(services, userId));
}

/**
 * Applies a partial update of the applicant's own profile and name in one transaction and
 * returns the new profile. The rules are those of PATCH /api/me/: no edits once SUBMITTED or
 * ACCEPTED (400 `invalid_transition`), and an edit of a REJECTED profile reopens it as DRAFT.
 */
export async function updateOwnProfile(
  services: ServiceContext,
  userId: number,
  input: ApplicantProfileInput,
): Promise<ApplicantProfileJson> {
  const record = await loadOwnRecord(services, userId);
  const update = await prepareApplicantProfileUpdate(services.db, record, input).catch(
    (error: unknown) => {
      throw unnestProfileErrors(error);
    },
  );

  const statements = (db: typeof services.db): Statement[] => {
    const list: Statement[] = [];
    // The name goes first: the score in the profile statement reads it from `users`.
    if (update.fullName !== undefined) {
      list.push(
        db
          .update(users)
          .set({ fullName: update.fullName, updatedAt: new Date() })
          .where(eq(users.id, userId)),
      );
    }
    if (Object.keys(update.columns).length > 0) {
      list.push(profileUpdateStatement(db, record.profile.id, update.columns));
    }
    return list;
  };
  if (statements(services.db).length > 0) await commit(services, statements);
  return getOwnProfile(services, userId);
}

/**
 * Moves the applicant's own DRAFT or REJECTED profile to SUBMITTED, sets `submitted_at` and
 * records `profile_submitted`. Raises 400 `validation_error` naming each empty field among
 * NIK, full name, address and phone, and 400 `invalid_transition` from any other status.
 */
export async function submitOwnProfile(
  services: ServiceContext,
  actor: ProfileActor,
): Promise<ApplicantProfileJson> {
  const record = await loadOwnRecord(services, actor.userId);
  const from = record.profile.verificationStatus;
  if (from !== "DRAFT" && from !== "REJECTED") throw notSubmittable();

  const missing = missingForSubmission(record);
  if (Object.keys(missing).length > 0) {
    throw validationError(missing, "Lengkapi data wajib sebelum mengajukan verifikasi.");
  }

  // A resubmitted profile starts a new review, so the previous decision is cleared; the
  // audit trail keeps it.
  const submitted = await applyProfileTransition(services.db, {
    profileId: record.profile.id,
    from: ["DRAFT", "REJECTED"],
    set: sql`verification_status = 'SUBMITTED', submitted_at = now(), verified_at = null,
      verified_by_id = null, verification_notes = ''`,
    audit: {
      action: "profile_submitted",
      actorId: actor.userId,
      ipHash: actor.ipHash,
      details: { from, to: "SUBMITTED" },
    },
  });
  // The status changed between the read and the update, from another request.
  if (!submitted) throw notSubmittable();
  services.logger.info("applicant profile submitted", { profile_id: submitted.id });
  return getOwnProfile(services, actor.userId);
}

async function loadOwnRecord(
  services: ServiceContext,
  userId: number,
): Promise<ApplicantProfileRecord> {
  const [record] = await loadApplicantProfiles(services.db, eq(applicantProfiles.userId, userId));
  if (!record) throw notFound("Profil pelamar tidak ditemukan.");
  return record;
}

function missingForSubmission(record: ApplicantProfileRecord): FieldErrors {
  const values: Record<string, string | null> = {
    nik: record.profile.nik,
    full_name: record.fullName,
    address: record.profile.address,
    contact_phone: record.profile.contactPhone,
  };
  const missing: FieldErrors = {};
  for (const [field, value] of Object.entries(values)) {
    if (value === null || value.trim() === "") missing[field] = [REQUIRED_FOR_SUBMISSION];
  }
  return missing;
}

const notSubmittable = () =>
  new AppError(
    400,
    "invalid_transition",
    "Hanya profil berstatus DRAFT atau REJECTED yang dapat diajukan untuk verifikasi.",
  );

/**
 * Moves field errors from under `applicant_profile` to the top level. The shared update
 * service nests them because PATCH /api/me/ sends the profile inside the user, but here the
 * body is the profile itself.
 */
function unnestProfileErrors(error: unknown): unknown {
  if (!(error instanceof AppError) || error.code !== "validation_error") return error;
  const nested = error.errors?.applicant_profile;
  if (!nested || Array.isArray(nested)) return error;
  return new AppError(error.status, error.code, error.detail, nested);
}

/** Another request can take the NIK after the check; the unique index then has the last word. */
async function commit(
  services: ServiceContext,
  build: (db: typeof services.db) => Statement[],
): Promise<void> {
  try {
    await runAtomic(services.database, (db) => build(db) as [Statement, ...Statement[]]);
  } catch (error) {
    if (violatedUniqueConstraint(error) === "applicant_profiles_nik_key") {
      throw validationError({ nik: [NIK_TAKEN] });
    }
    throw error;
  }
}
