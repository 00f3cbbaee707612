import type { applicantDocuments } from "../db/schema";
import type { ObjectStorage } from "../lib/storage";
import { formatDateTime } from "../lib/time";
import type { ApplicantDocument } from "./documents.schemas";

export type DocumentRow = typeof applicantDocuments.$inferSelect;

/** A document row with the reviewer's name, as the list and detail queries load it. */
export interface DocumentWithReviewer {
  document: DocumentRow;
  reviewerName: string | null;
}

/** Renders a document; `file` becomes a URL signed for 15 minutes, never the storage key. */
export async function serializeDocument(
  { document, reviewerName }: DocumentWithReviewer,
  storage: ObjectStorage,
  baseUrl: string,
): Promise<ApplicantDocument> {
  const file = await storage.signedGetUrl(document.file, {
    fileName: document.originalName,
    contentType: document.contentType,
    baseUrl,
  });
  return {
    id: document.id,
    document_type: document.documentTypeId,
    file,
    original_name: document.originalName,
    size_bytes: document.sizeBytes,
    uploaded_at: formatDateTime(document.uploadedAt) ?? "",
    updated_at: formatDateTime(document.updatedAt) ?? "",
    processing_status: document.processingStatus,
    ocr_text: document.ocrText,
    ocr_data: (document.ocrData as Record<string, unknown> | null) ?? null,
    ocr_processed_at: formatDateTime(document.ocrProcessedAt),
    review_status: document.reviewStatus,
    reviewed_by: document.reviewedById,
    reviewed_by_name: document.reviewedById === null ? null : (reviewerName ?? ""),
    reviewed_at: formatDateTime(document.reviewedAt),
    review_notes: document.reviewNotes,
  };
}
