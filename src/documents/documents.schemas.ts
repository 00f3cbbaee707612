import { z } from "@hono/zod-openapi";
import { PROCESSING_STATUSES, REVIEW_STATUSES } from "../db/schema";
import { urlId } from "../lib/ids";
import { multiLineText } from "../lib/text";

export const ApplicantDocumentSchema = z
  .object({
    id: z.number().int(),
    document_type: z.number().int(),
    file: z.string().openapi({ description: "URL that serves the file for 15 minutes" }),
    original_name: z.string(),
    size_bytes: z.number().int(),
    uploaded_at: z.string(),
    updated_at: z.string(),
    processing_status: z.enum(PROCESSING_STATUSES),
    ocr_text: z.string().nullable(),
    ocr_data: z.record(z.string(), z.unknown()).nullable(),
    ocr_processed_at: z.string().nullable(),
    review_status: z.enum(REVIEW_STATUSES),
    reviewed_by: z.number().int().nullable(),
    reviewed_by_name: z.string().nullable(),
    reviewed_at: z.string().nullable(),
    review_notes: z.string(),
  })
  .openapi("ApplicantDocument");

export type ApplicantDocument = z.infer<typeof ApplicantDocumentSchema>;

export const DocumentUploadFormSchema = z
  .object({
    document_type: z
      .string({ message: "Jenis dokumen wajib diisi (id atau kode)." })
      .trim()
      .min(1, "Jenis dokumen wajib diisi (id atau kode).")
      .max(64),
    file: z
      .instanceof(File, { message: "File wajib diunggah." })
      .openapi({ type: "string", format: "binary" }),
  })
  .openapi("DocumentUploadForm");

export const DocumentReviewSchema = z
  .object({
    review_status: z.enum(REVIEW_STATUSES),
    review_notes: multiLineText({ max: 2000 }).optional(),
  })
  .openapi("DocumentReview");

export type DocumentReview = z.infer<typeof DocumentReviewSchema>;

export const OcrPrefillSchema = z
  .object({
    full_name: z.string().nullable(),
    nik: z.string().nullable(),
    birth_place: z.string().nullable(),
    birth_date: z.string().nullable(),
    address: z.string().nullable(),
    gender: z.string().nullable(),
  })
  .openapi("KtpOcrPrefill");

export const MyDocumentParamsSchema = z.object({ id: urlId });
export const ApplicantParamsSchema = z.object({ user_id: urlId });
export const ApplicantDocumentParamsSchema = z.object({ user_id: urlId, id: urlId });
