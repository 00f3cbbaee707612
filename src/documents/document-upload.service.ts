import { and, eq, getTableColumns, sql } from "drizzle-orm";
import { recomputeScoreStatement } from "../applicants/score";
import type { ServiceContext } from "../context";
import { type Database, type DatabaseHandle, runAtomic } from "../db/client";
import { applicantDocuments } from "../db/schema";
import { AppError } from "../lib/errors";
import { describeError } from "../lib/logger";
import { createStorage } from "../lib/storage";
import type { DocumentTypeRow } from "./document-types.schemas";
import type { DocumentRow } from "./documents.serializer";
import type { DocumentOwner } from "./documents.service";
import { deleteObjectOrLog } from "./documents.service";
import type { AcceptedFile } from "./file-checks";

/** A file that passed checkDocumentFile, with the name the client gave it. */
export interface CheckedUpload {
  file: AcceptedFile;
  originalName: string;
}

export interface UploadResult {
  document: DocumentRow;
  /** True for a first upload of the type, false when it replaced a file. */
  created: boolean;
}

// A second attempt is needed only when the row appears or disappears between the two
// statements of an attempt: a concurrent first upload or a concurrent delete.
const MAX_SAVE_ATTEMPTS = 3;

/**
 * Stores the file under `account/documents/<profile_id>/<code>/<uuid>.<ext>`, then inserts the
 * document row or, for a type already uploaded, points the row at the new file: file_version
 * + 1, processing back to pending, review back to PENDING with reviewer fields cleared, OCR
 * cleared. The profile's score is recomputed in the same transaction, because a new or
 * replaced file is not approved yet. The replaced object is deleted only after the row points
 * at the new one. When the row cannot be written the new object is deleted again, so a failed
 * upload leaves neither. After the write, `{document_id, file_version}` goes on DOCUMENTS_QUEUE.
 */
export async function uploadDocument(
  services: ServiceContext,
  owner: DocumentOwner,
  type: DocumentTypeRow,
  upload: CheckedUpload,
): Promise<UploadResult> {
  const key = storageKey(owner.profileId, type.code, upload.file.extension);
  const storage = createStorage(services.env, services.config);
  await storage.put(key, upload.file.bytes, upload.file.contentType);

  let saved: SavedRow;
  try {
    saved = await saveDocumentRow(services.database, { owner, type, upload, key });
  } catch (error) {
    await deleteObjectOrLog(services, key);
    throw error;
  }
  if (saved.replacedKey) await deleteObjectOrLog(services, saved.replacedKey);

  await queueProcessing(services, saved.document);
  return { document: saved.document, created: saved.replacedKey === null };
}

/** The key of a new upload: no name, email or NIK, and a fresh UUID per file version. */
export function storageKey(profileId: number, code: string, extension: string): string {
  return `account/documents/${profileId}/${code}/${crypto.randomUUID()}.${extension}`;
}

interface NewFile {
  owner: DocumentOwner;
  type: DocumentTypeRow;
  upload: CheckedUpload;
  key: string;
}

interface SavedRow {
  document: DocumentRow;
  /** The storage key the row pointed at before, or null for a new row. */
  replacedKey: string | null;
}

/**
 * Inserts or replaces the row of (profile, type). A replacement locks the row and reads the
 * key it pointed at in the same statement, so concurrent uploads of one type queue on the row.
 * The last to commit wins, and each deletes exactly the object it replaced, so no object is
 * left without a row. An optimisation by the documents consumer that commits first is
 * replaced like any other file.
 */
export async function saveDocumentRow(database: DatabaseHandle, next: NewFile): Promise<SavedRow> {
  for (let attempt = 0; attempt < MAX_SAVE_ATTEMPTS; attempt++) {
    const saved = (await replaceFile(database, next)) ?? (await insertDocument(database, next));
    if (saved) return saved;
  }
  throw new AppError(
    409,
    "conflict",
    "Dokumen ini sedang diubah oleh permintaan lain. Silakan unggah ulang.",
  );
}

// When the insert or update matches no row, the score statement after it recomputes the score
// from unchanged rows, so the lost attempt needs no undoing.
async function insertDocument(database: DatabaseHandle, next: NewFile): Promise<SavedRow | null> {
  const [inserted] = await runAtomic(database, (db) => [
    db
      .insert(applicantDocuments)
      .values({
        applicantProfileId: next.owner.profileId,
        documentTypeId: next.type.id,
        ...fileColumns(next),
      })
      .onConflictDoNothing({
        target: [applicantDocuments.applicantProfileId, applicantDocuments.documentTypeId],
      })
      .returning(),
    recomputeScoreStatement(db, next.owner.profileId),
  ]);
  const document = inserted[0];
  return document ? { document, replacedKey: null } : null;
}

/** Points an existing row at the new file. Returns null when the profile has no such row. */
async function replaceFile(database: DatabaseHandle, next: NewFile): Promise<SavedRow | null> {
  const [updated] = await runAtomic(database, (db) => [
    replaceFileStatement(db, next),
    recomputeScoreStatement(db, next.owner.profileId),
  ]);
  const row = updated[0];
  if (!row) return null;
  const { replacedKey, ...document } = row;
  return { document, replacedKey };
}

/**
 * Builds the UPDATE of a replacement. Its `previous` subquery locks the row (FOR UPDATE waits for a
 * concurrent writer and then reads the committed row), so `replacedKey` is the key that this
 * update overwrote and no other writer can change it in between.
 */
function replaceFileStatement(db: Database, next: NewFile) {
  const previous = db
    .select({ id: applicantDocuments.id, file: applicantDocuments.file })
    .from(applicantDocuments)
    .where(
      and(
        eq(applicantDocuments.applicantProfileId, next.owner.profileId),
        eq(applicantDocuments.documentTypeId, next.type.id),
      ),
    )
    .for("update")
    .as("previous");
  return db
    .update(applicantDocuments)
    .set({
      ...fileColumns(next),
      fileVersion: sql`${applicantDocuments.fileVersion} + 1`,
      uploadedAt: sql`now()`,
      updatedAt: sql`now()`,
      processingError: null,
      ocrText: null,
      ocrData: null,
      ocrProcessedAt: null,
      reviewStatus: "PENDING",
      reviewedById: null,
      reviewedAt: null,
      reviewNotes: "",
    })
    .from(previous)
    .where(eq(applicantDocuments.id, previous.id))
    .returning({ ...getTableColumns(applicantDocuments), replacedKey: previous.file });
}

function fileColumns(next: NewFile) {
  return {
    file: next.key,
    originalName: next.upload.originalName,
    contentType: next.upload.file.contentType,
    sizeBytes: next.upload.file.bytes.byteLength,
    processingStatus: "pending" as const,
  };
}

/**
 * Queues the document's optimisation and OCR. The upload has succeeded by now, so a queue
 * failure is logged and the response stays a success.
 * A lost message is sent again by the daily clean-up (`requeueStuckDocuments`).
 */
async function queueProcessing(services: ServiceContext, document: DocumentRow) {
  try {
    await services.env.DOCUMENTS_QUEUE.send({
      document_id: document.id,
      file_version: document.fileVersion,
    });
  } catch (error) {
    services.logger.error("document processing not queued", {
      document_id: document.id,
      ...describeError(error),
    });
  }
}

/**
 * Strips any path and every control or format character from the client's file name, then cuts
 * it to the column's 255 characters. Format characters include right-to-left overrides, which
 * could make `foto<U+202E>gpj.pdf` display as `fotofdp.jpg` in the back-office.
 */
export function originalFileName(name: string, extension: string, code: string): string {
  const cleaned = name.replace(/[\p{Cc}\p{Cf}]/gu, "");
  const base = cleaned.split(/[\\/]/).pop()?.trim() || `${code}.${extension}`;
  return base.length <= 255 ? base : `${base.slice(0, 250 - extension.length)}.${extension}`;
}
