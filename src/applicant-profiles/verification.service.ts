import { and, asc, eq, sql } from "drizzle-orm";
import type { ServiceContext } from "../context";
import { applicantDocuments, applicantProfiles, documentTypes } from "../db/schema";
import { sendProfileDecisionEmail } from "../emails/emails.service";
import { AppError, type FieldErrors, notFound } from "../lib/errors";
import { describeError } from "../lib/logger";
import { applyProfileTransition } from "./profile-transition.service";

export type Decision = "ACCEPTED" | "REJECTED";

/** The back-office user deciding, for `verified_by` and the audit trail. */
export interface Reviewer {
  userId: number;
  ipHash: string | null;
}

/** The `data` of a decision's envelope. */
export interface DecidedProfile {
  id: number;
  full_name: string;
  verification_status: Decision;
}

/** Profile ids one bulk request may carry, so one request cannot hold a connection for long. */
export const MAX_BULK_PROFILES = 100;

/**
 * SQL condition on the `applicant_profiles` row of the surrounding UPDATE: every required
 * document type has an APPROVED document. It sits in the UPDATE itself, so a document review
 * that lands between a check and the update cannot let an incomplete profile through.
 */
const requiredDocumentsApproved = sql`not exists (
  select 1 from ${documentTypes}
  where ${documentTypes.isRequired}
    and not exists (
      select 1 from ${applicantDocuments}
      where ${applicantDocuments.applicantProfileId} = applicant_profiles.id
        and ${applicantDocuments.documentTypeId} = ${documentTypes.id}
        and ${applicantDocuments.reviewStatus} = 'APPROVED'))`;

/**
 * Approves (ACCEPTED) or rejects (REJECTED) a SUBMITTED profile in one conditional UPDATE
 * that also records the audit event, then queues the applicant's email. Raises 404 for an
 * unknown profile, 400 `invalid_transition` unless it is SUBMITTED, and for an approval
 * 400 `documents_incomplete` with each required document type that is missing or not
 * APPROVED as a key of `errors`.
 */
export async function decideProfile(
  services: ServiceContext,
  reviewer: Reviewer,
  target: { profileId: number; decision: Decision; notes: string; bulk?: boolean },
): Promise<DecidedProfile> {
  const { profileId, decision } = target;
  const decidedAt = new Date();
  const decided = await applyProfileTransition(services.db, {
    profileId,
    from: ["SUBMITTED"],
    set: sql`verification_status = ${decision}, verified_by_id = ${reviewer.userId},
      verified_at = ${decidedAt.toISOString()}::timestamptz,
      verification_notes = ${target.notes}`,
    when: decision === "ACCEPTED" ? requiredDocumentsApproved : undefined,
    audit: {
      action: decision === "ACCEPTED" ? "profile_approved" : "profile_rejected",
      actorId: reviewer.userId,
      ipHash: reviewer.ipHash,
      details: { from: "SUBMITTED", to: decision, bulk: target.bulk ?? false },
    },
  });
  if (!decided) throw await whyNotDecided(services, profileId, decision);

  services.logger.info("applicant profile decided", {
    profile_id: profileId,
    decision,
    reviewer_id: reviewer.userId,
  });
  await queueDecisionEmail(services, { ...decided, status: decision, decidedAt });
  return { id: decided.id, full_name: decided.fullName, verification_status: decision };
}

/**
 * Decides each profile on its own (one atomic statement per profile), in the order given.
 * A profile that cannot be decided is skipped with the error code a single request would
 * get: `not_found`, `invalid_transition` or `documents_incomplete`.
 */
export async function decideProfiles(
  services: ServiceContext,
  reviewer: Reviewer,
  request: { profileIds: number[]; decision: Decision; notes: string },
): Promise<{ updated: number; skipped: { id: number; code: string }[] }> {
  const skipped: { id: number; code: string }[] = [];
  let updated = 0;
  for (const profileId of new Set(request.profileIds)) {
    try {
      const target = { profileId, decision: request.decision, notes: request.notes, bulk: true };
      await decideProfile(services, reviewer, target);
      updated += 1;
    } catch (error) {
      if (!(error instanceof AppError) || error.status >= 500) throw error;
      skipped.push({ id: profileId, code: error.code });
    }
  }
  return { updated, skipped };
}

/** Works out why the conditional UPDATE changed no row, as the error to raise. */
async function whyNotDecided(
  services: ServiceContext,
  profileId: number,
  decision: Decision,
): Promise<AppError> {
  const [profile] = await services.db
    .select({ status: applicantProfiles.verificationStatus })
    .from(applicantProfiles)
    .where(eq(applicantProfiles.id, profileId))
    .limit(1);
  if (!profile) return notFound("Profil pelamar tidak ditemukan.");
  if (profile.status !== "SUBMITTED" || decision === "REJECTED") {
    return new AppError(
      400,
      "invalid_transition",
      `Hanya profil berstatus SUBMITTED yang dapat diputuskan (status saat ini ${profile.status}).`,
    );
  }
  const problems = await requiredDocumentProblems(services, profileId);
  // Empty only when the documents were completed after the UPDATE ran: a retry succeeds.
  return new AppError(
    400,
    "documents_incomplete",
    "Semua dokumen wajib harus diunggah dan disetujui sebelum profil diterima.",
    problems,
  );
}

/** Each required document type that is missing or not APPROVED, keyed by its code. */
async function requiredDocumentProblems(
  services: ServiceContext,
  profileId: number,
): Promise<FieldErrors> {
  const rows = await services.db
    .select({ code: documentTypes.code, reviewStatus: applicantDocuments.reviewStatus })
    .from(documentTypes)
    .leftJoin(
      applicantDocuments,
      and(
        eq(applicantDocuments.documentTypeId, documentTypes.id),
        eq(applicantDocuments.applicantProfileId, profileId),
      ),
    )
    .where(eq(documentTypes.isRequired, true))
    .orderBy(asc(documentTypes.sortOrder), asc(documentTypes.code));
  const problems: FieldErrors = {};
  for (const { code, reviewStatus } of rows) {
    if (reviewStatus === null) problems[code] = ["Dokumen belum diunggah."];
    else if (reviewStatus !== "APPROVED") {
      problems[code] = [`Dokumen belum disetujui (status ${reviewStatus}).`];
    }
  }
  return problems;
}

/**
 * Queues the applicant's email. The decision is already committed, so a queue failure is
 * logged for a person to resend, and the reviewer still gets the success response.
 */
async function queueDecisionEmail(
  services: ServiceContext,
  decision: { id: number; userId: number; status: Decision; decidedAt: Date },
) {
  try {
    await sendProfileDecisionEmail(services, { ...decision, profileId: decision.id });
  } catch (error) {
    services.logger.error("queueing profile decision email failed", {
      profile_id: decision.id,
      user_id: decision.userId,
      ...describeError(error),
    });
  }
}
