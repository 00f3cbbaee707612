import { and, asc, count, eq, sql } from "drizzle-orm";
import { recomputeScoreStatement } from "../applicants/score";
import type { ServiceContext } from "../context";
import { type Database, runAtomic } from "../db/client";
import { applicantDocuments, applicantProfiles, documentTypes, users } from "../db/schema";
import { auditInsert } from "../lib/audit";
import { AppError, fieldError, notFound } from "../lib/errors";
import { describeError } from "../lib/logger";
import { createStorage } from "../lib/storage";
import type { DocumentReview } from "./documents.schemas";
import type { DocumentWithReviewer } from "./documents.serializer";

/** The applicant whose documents a request reads or changes. */
export interface DocumentOwner {
  profileId: number;
  userId: number;
}

const DOCUMENT_NOT_FOUND = "Dokumen tidak ditemukan.";

/** Finds the signed-in applicant's profile, or raises 404 when the account has none. */
export async function ownProfile(db: Database, userId: number): Promise<DocumentOwner> {
  const [row] = await db
    .select({ profileId: applicantProfiles.id })
    .from(applicantProfiles)
    .where(eq(applicantProfiles.userId, userId));
  if (!row) throw notFound("Profil pelamar tidak ditemukan.");
  return { profileId: row.profileId, userId };
}

/** Finds the profile of the APPLICANT user `userId`, or raises 404 for any other user. */
export async function applicantProfileOf(db: Database, userId: number): Promise<DocumentOwner> {
  const [row] = await db
    .select({ profileId: applicantProfiles.id })
    .from(applicantProfiles)
    .innerJoin(users, eq(users.id, applicantProfiles.userId))
    .where(and(eq(applicantProfiles.userId, userId), eq(users.role, "APPLICANT")));
  if (!row) throw notFound("Pelamar tidak ditemukan.");
  return { profileId: row.profileId, userId };
}

const withReviewer = (db: Database) =>
  db
    .select({ document: applicantDocuments, reviewerName: users.fullName })
    .from(applicantDocuments)
    .leftJoin(users, eq(users.id, applicantDocuments.reviewedById));

/** Counts the owner's documents. */
export async function countDocuments(db: Database, owner: DocumentOwner): Promise<number> {
  const [row] = await db
    .select({ value: count() })
    .from(applicantDocuments)
    .where(eq(applicantDocuments.applicantProfileId, owner.profileId));
  return row?.value ?? 0;
}

/** Lists one page of the owner's documents in the order of their types. */
export async function listDocuments(
  db: Database,
  owner: DocumentOwner,
  limit: number,
  offset: number,
): Promise<DocumentWithReviewer[]> {
  return withReviewer(db)
    .innerJoin(documentTypes, eq(documentTypes.id, applicantDocuments.documentTypeId))
    .where(eq(applicantDocuments.applicantProfileId, owner.profileId))
    .orderBy(asc(documentTypes.sortOrder), asc(documentTypes.code))
    .limit(limit)
    .offset(offset);
}

/**
 * Loads one of the owner's documents. Another applicant's document is 404 like a missing one,
 * so ids cannot be probed.
 */
export async function getDocument(
  db: Database,
  owner: DocumentOwner,
  documentId: number,
): Promise<DocumentWithReviewer> {
  const [row] = await withReviewer(db).where(ownedDocument(owner, documentId));
  if (!row) throw notFound(DOCUMENT_NOT_FOUND);
  return row;
}

/**
 * Deletes the row and recomputes the profile's score in one transaction, then deletes the stored
 * object. The row goes first so that no response can point at a deleted object; an object left
 * behind by a storage failure is logged.
 */
export async function deleteDocument(
  services: ServiceContext,
  owner: DocumentOwner,
  documentId: number,
): Promise<void> {
  const [deleted] = await runAtomic(services.database, (db) => [
    db
      .delete(applicantDocuments)
      .where(ownedDocument(owner, documentId))
      .returning({ file: applicantDocuments.file }),
    recomputeScoreStatement(db, owner.profileId),
  ]);
  const row = deleted[0];
  if (!row) throw notFound(DOCUMENT_NOT_FOUND);
  await deleteObjectOrLog(services, row.file);
}

/**
 * Records a review decision, its `document_reviewed` audit event and the profile's new score
 * in one transaction. APPROVED and REJECTED set the reviewer and time; PENDING clears them.
 * REJECTED needs notes.
 */
export async function reviewDocument(
  services: ServiceContext,
  owner: DocumentOwner,
  documentId: number,
  review: DocumentReview & { reviewerId: number; ipHash: string | null },
): Promise<void> {
  const notes = review.review_notes ?? "";
  if (review.review_status === "REJECTED" && notes === "") {
    throw fieldError("review_notes", "Catatan wajib diisi saat menolak dokumen.");
  }
  const current = await getDocument(services.db, owner, documentId);
  const decided = review.review_status !== "PENDING";

  await runAtomic(services.database, (db) => [
    db
      .update(applicantDocuments)
      .set({
        reviewStatus: review.review_status,
        reviewNotes: notes,
        reviewedById: decided ? review.reviewerId : null,
        reviewedAt: decided ? sql`now()` : null,
        updatedAt: sql`now()`,
      })
      .where(ownedDocument(owner, documentId)),
    auditInsert(db, {
      action: "document_reviewed",
      actorId: review.reviewerId,
      targetUserId: owner.userId,
      applicantProfileId: owner.profileId,
      ipHash: review.ipHash,
      details: {
        document_id: documentId,
        document_type_id: current.document.documentTypeId,
        from_status: current.document.reviewStatus,
        review_status: review.review_status,
      },
    }),
    recomputeScoreStatement(db, owner.profileId),
  ]);
}

/** KTP fields read by OCR, under the names of the profile form. */
export interface KtpPrefill {
  full_name: string | null;
  nik: string | null;
  birth_place: string | null;
  birth_date: string | null;
  address: string | null;
  gender: string | null;
}

/** Maps a KTP document's `ocr_data` to profile fields; 400 for another type or no OCR yet. */
export async function ktpPrefill(
  db: Database,
  owner: DocumentOwner,
  documentId: number,
): Promise<KtpPrefill> {
  const [row] = await db
    .select({ ocrData: applicantDocuments.ocrData, code: documentTypes.code })
    .from(applicantDocuments)
    .innerJoin(documentTypes, eq(documentTypes.id, applicantDocuments.documentTypeId))
    .where(ownedDocument(owner, documentId));
  if (!row) throw notFound(DOCUMENT_NOT_FOUND);
  if (row.code !== "ktp") {
    throw new AppError(400, "validation_error", "Isian otomatis hanya tersedia untuk dokumen KTP.");
  }
  const data = row.ocrData as Record<string, unknown> | null;
  if (!data || typeof data !== "object") {
    throw new AppError(400, "validation_error", "Hasil OCR KTP belum tersedia. Coba lagi nanti.");
  }
  const text = (key: string) => (typeof data[key] === "string" ? (data[key] as string) : null);
  return {
    full_name: text("name"),
    nik: text("nik"),
    birth_place: text("birth_place"),
    birth_date: text("birth_date"),
    address: text("address"),
    gender: text("gender"),
  };
}

function ownedDocument(owner: DocumentOwner, documentId: number) {
  return and(
    eq(applicantDocuments.id, documentId),
    eq(applicantDocuments.applicantProfileId, owner.profileId),
  );
}

/**
 * Deletes a stored object and logs a failure instead of raising it. The orphan left behind
 * contains no personal data in its key.
 */
export async function deleteObjectOrLog(services: ServiceContext, key: string): Promise<void> {
  try {
    await createStorage(services.env, services.config).delete(key);
  } catch (error) {
    services.logger.error("stored document not deleted", { key, ...describeError(error) });
  }
}
