import { and, eq, inArray, sql } from "drizzle-orm";
import type { Database } from "../db/client";
import { applicantDocuments, documentTypes } from "../db/schema";
import type { Bindings, Config } from "../env";
import type { Limiter } from "../lib/limiter";
import type { ObjectStorage } from "../lib/storage";
import { ImageRejectedError, optimiseImage } from "./image-optimiser";
import { parseKtpText } from "./ocr/ktp-parser";
import { OcrError } from "./ocr/ocr-error";
import type { TextReader } from "./ocr/vision.client";

export interface ProcessingDeps {
  db: Database;
  config: Config;
  env: Bindings;
  storage: ObjectStorage;
  /** Null when no Vision credentials are configured: OCR is then skipped. */
  vision: TextReader | null;
  /** Serialises image decoding, because the RGBA pixels of a 12 MP photo alone take 48 MB. */
  imageLimiter: Limiter;
  visionLimiter: Limiter;
}

export interface DocumentJob {
  documentId: number;
  fileVersion: number;
}

/**
 * How one message ended: the document reached a final status, or the message was stale
 * (nothing to do), or the work must be tried again later.
 */
export type ProcessingOutcome =
  | { status: "done" | "skipped" | "failed"; reason?: string }
  | { status: "stale"; reason: string }
  | {
      status: "retry";
      reason: string;
      retryAfterSeconds?: number;
      /** Another consumer has the claim, so wait until it would count as abandoned. */
      waitForClaim?: boolean;
      /** The unexpected error behind the retry, for the log line. */
      error?: unknown;
    };

type DocumentRow = Awaited<ReturnType<typeof loadDocument>>;

/** A final state of a document, written only while this consumer has the claim. */
interface Completion {
  status: "done" | "skipped" | "failed";
  error: string | null;
  ocr?: { text: string; data: unknown };
}

/** Another upload replaced the file while this consumer worked on it. */
class DocumentChangedError extends Error {}

/**
 * Processes one `{document_id, file_version}` message: claims the document (pending →
 * processing), optimises an image, runs OCR for types with `ocr`, and writes `done`, `skipped`
 * or `failed` with the reason. A message for a missing document, another file version or an
 * already processed document changes nothing, so duplicate deliveries are harmless.
 */
export async function processDocument(
  deps: ProcessingDeps,
  job: DocumentJob,
): Promise<ProcessingOutcome> {
  const row = await loadDocument(deps.db, job.documentId);
  if (!row) return { status: "stale", reason: "document not found" };
  if (row.fileVersion !== job.fileVersion) return { status: "stale", reason: "file replaced" };
  if (!["pending", "processing"].includes(row.processingStatus)) {
    return { status: "stale", reason: `already ${row.processingStatus}` };
  }
  if (!(await claim(deps, job))) {
    return { status: "retry", reason: "claimed by another consumer", waitForClaim: true };
  }

  try {
    const completion = await runSteps(deps, row);
    if (!(await complete(deps.db, job, completion))) {
      return { status: "stale", reason: "file replaced" };
    }
    return { status: completion.status, reason: completion.error ?? undefined };
  } catch (error) {
    return handleFailure(deps, job, error);
  }
}

async function runSteps(deps: ProcessingDeps, row: NonNullable<DocumentRow>): Promise<Completion> {
  let image: Uint8Array | null = null;
  if (row.format === "image") image = await deps.imageLimiter(() => optimiseStored(deps, row));
  if (!row.ocr) return { status: "done", error: null };
  if (!deps.vision) {
    return { status: "skipped", error: "ocr skipped: no Vision credentials configured" };
  }

  image ??= await readObject(deps.storage, row.file);
  const text = await deps.visionLimiter(() => deps.vision!.readText(image!));
  const data = row.code === "ktp" ? parseKtpText(text) : null;
  return { status: "done", error: null, ocr: { text, data } };
}

/**
 * Replaces the stored image by its optimised JPEG and returns the bytes now stored. The new
 * object is written first, the row is pointed at it only if it still names the old file, and
 * the old object is deleted last, so the row never names a missing object.
 * NOTE: a crash between the put and the update leaves the new object orphaned.
 */
async function optimiseStored(deps: ProcessingDeps, row: NonNullable<DocumentRow>) {
  const original = await readObject(deps.storage, row.file);
  const result = optimiseImage(original);
  if (!result.changed) return original;

  const key = `${row.file.slice(0, row.file.lastIndexOf("/") + 1)}${crypto.randomUUID()}.jpg`;
  await deps.storage.put(key, result.bytes.slice().buffer, result.contentType);
  const updated = await deps.db
    .update(applicantDocuments)
    .set({
      file: key,
      contentType: result.contentType,
      sizeBytes: result.bytes.length,
      updatedAt: sql`now()`,
    })
    .where(and(claimedBy({ documentId: row.id, fileVersion: row.fileVersion }), eqFile(row.file)))
    .returning({ id: applicantDocuments.id });
  if (updated.length === 0) {
    await deps.storage.delete(key);
    throw new DocumentChangedError();
  }
  await deps.storage.delete(row.file);
  return result.bytes;
}

async function readObject(storage: ObjectStorage, key: string): Promise<Uint8Array> {
  const object = await storage.get(key);
  if (!object) throw new ImageRejectedError("stored file is missing");
  return new Uint8Array(await new Response(object.body).arrayBuffer());
}

async function handleFailure(
  deps: ProcessingDeps,
  job: DocumentJob,
  error: unknown,
): Promise<ProcessingOutcome> {
  if (error instanceof DocumentChangedError) return { status: "stale", reason: "file replaced" };

  const permanent =
    error instanceof ImageRejectedError || (error instanceof OcrError && !error.transient);
  if (permanent) {
    const reason = error.message;
    await complete(deps.db, job, { status: "failed", error: reason });
    return { status: "failed", reason };
  }

  // Network, 429 and 5xx from Vision, database and storage errors: give the claim back so
  // the redelivered message can take it at once instead of waiting for the claim timeout.
  const isOcr = error instanceof OcrError;
  const reason = isOcr ? error.message : "unexpected error";
  await release(deps.db, job, reason).catch(() => undefined);
  const retryAfterSeconds = error instanceof OcrError ? error.retryAfterSeconds : undefined;
  // Vision failures are expected and logged at warn; anything else is logged with its error.
  return { status: "retry", reason, retryAfterSeconds, error: isOcr ? undefined : error };
}

async function loadDocument(db: Database, documentId: number) {
  const [row] = await db
    .select({
      id: applicantDocuments.id,
      file: applicantDocuments.file,
      fileVersion: applicantDocuments.fileVersion,
      processingStatus: applicantDocuments.processingStatus,
      code: documentTypes.code,
      format: documentTypes.format,
      ocr: documentTypes.ocr,
    })
    .from(applicantDocuments)
    .innerJoin(documentTypes, eq(documentTypes.id, applicantDocuments.documentTypeId))
    .where(eq(applicantDocuments.id, documentId));
  return row;
}

/**
 * Moves the document to `processing` in one conditional UPDATE, so of two consumers holding
 * the same message only one gets it. A document left `processing` longer than
 * DOCUMENTS_PROCESSING_TIMEOUT_SECONDS belongs to a consumer that crashed, and is taken over.
 */
async function claim(deps: ProcessingDeps, job: DocumentJob): Promise<boolean> {
  const timeout = deps.config.DOCUMENTS_PROCESSING_TIMEOUT_SECONDS;
  const status = applicantDocuments.processingStatus;
  const claimable = sql`(${status} = 'pending' or (${status} = 'processing'
    and ${applicantDocuments.updatedAt} < now() - make_interval(secs => ${timeout})))`;
  const rows = await deps.db
    .update(applicantDocuments)
    .set({ processingStatus: "processing", processingError: null, updatedAt: sql`now()` })
    .where(and(sameFile(job), claimable))
    .returning({ id: applicantDocuments.id });
  return rows.length > 0;
}

/** Writes the final state; false when the document changed since it was claimed. */
async function complete(db: Database, job: DocumentJob, completion: Completion) {
  const ocrFields = completion.ocr
    ? { ocrText: completion.ocr.text, ocrData: completion.ocr.data, ocrProcessedAt: sql`now()` }
    : {};
  const rows = await db
    .update(applicantDocuments)
    .set({
      processingStatus: completion.status,
      processingError: completion.error,
      updatedAt: sql`now()`,
      ...ocrFields,
    })
    .where(claimedBy(job))
    .returning({ id: applicantDocuments.id });
  return rows.length > 0;
}

/** Puts a claimed document back to `pending`, with the reason the attempt failed. */
async function release(db: Database, job: DocumentJob, reason: string) {
  await db
    .update(applicantDocuments)
    .set({ processingStatus: "pending", processingError: reason, updatedAt: sql`now()` })
    .where(claimedBy(job));
}

/**
 * Marks a document `failed` after its message exhausted its retries, unless it was replaced
 * or already reached a final state. Returns whether a row changed.
 */
export async function markGivenUp(db: Database, job: DocumentJob, reason: string) {
  const rows = await db
    .update(applicantDocuments)
    .set({ processingStatus: "failed", processingError: reason, updatedAt: sql`now()` })
    .where(
      and(sameFile(job), inArray(applicantDocuments.processingStatus, ["pending", "processing"])),
    )
    .returning({ id: applicantDocuments.id });
  return rows.length > 0;
}

function sameFile(job: DocumentJob) {
  return and(
    eq(applicantDocuments.id, job.documentId),
    eq(applicantDocuments.fileVersion, job.fileVersion),
  );
}

function claimedBy(job: DocumentJob) {
  return and(sameFile(job), eq(applicantDocuments.processingStatus, "processing"));
}

function eqFile(file: string) {
  return eq(applicantDocuments.file, file);
}
