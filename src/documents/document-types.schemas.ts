import { z } from "@hono/zod-openapi";
import { DOCUMENT_FORMATS, type documentTypes } from "../db/schema";
import type { FieldErrors } from "../lib/errors";
import { multiLineText, singleLineText } from "../lib/text";
import { formatDateTime } from "../lib/time";

export type DocumentTypeRow = typeof documentTypes.$inferSelect;
export type DocumentFormat = (typeof DOCUMENT_FORMATS)[number];

/** Extensions that file-checks.ts can verify by content, per format. */
export const EXTENSIONS_BY_FORMAT: Record<DocumentFormat, readonly string[]> = {
  pdf: ["pdf"],
  image: ["jpg", "jpeg", "png"],
};

/**
 * Upper bound of a type's upload limit. Uploads are buffered whole in the 128 MB isolate and the
 * documents consumer decodes images there too, so 20 MiB keeps one upload far below that.
 */
export const MAX_DOCUMENT_SIZE_BYTES = 20 * 1024 * 1024;

const SLUG = /^[a-z0-9]+(-[a-z0-9]+)*$/;

const specFields = {
  name: singleLineText({ max: 150, min: 1 }),
  is_required: z.boolean(),
  sort_order: z.number().int().min(0).max(1_000_000),
  description: multiLineText({ max: 2000 }),
  format: z.enum(DOCUMENT_FORMATS),
  allowed_extensions: z
    .array(
      z
        .string()
        .trim()
        .toLowerCase()
        .regex(/^[a-z0-9]{1,10}$/, "Ekstensi tidak valid."),
    )
    .min(1)
    .max(10),
  max_size_bytes: z
    .number()
    .int()
    .positive()
    .max(MAX_DOCUMENT_SIZE_BYTES, `Maksimal ${MAX_DOCUMENT_SIZE_BYTES} byte (20 MB).`),
  ocr: z.boolean(),
};

export const DocumentTypeCreateSchema = z
  .object({
    code: singleLineText({ max: 64, min: 1 }).regex(
      SLUG,
      "Kode hanya boleh huruf kecil, angka dan tanda hubung (contoh: surat-sehat).",
    ),
    ...specFields,
    is_required: specFields.is_required.default(true),
    sort_order: specFields.sort_order.default(0),
    description: specFields.description.default(""),
    ocr: specFields.ocr.default(false),
  })
  .openapi("DocumentTypeCreate");

// `code` is accepted only unchanged, because storage keys and registration use it.
export const DocumentTypeUpdateSchema = z
  .object({ code: singleLineText({ max: 64 }), ...specFields })
  .partial()
  .openapi("DocumentTypeUpdate");

export type DocumentTypeCreate = z.infer<typeof DocumentTypeCreateSchema>;
export type DocumentTypeUpdate = z.infer<typeof DocumentTypeUpdateSchema>;

/**
 * Checks the rules that span fields: every extension belongs to the format, no extension
 * twice, and OCR only for images (the documents consumer reads images only).
 */
export function documentTypeSpecErrors(spec: {
  format: DocumentFormat;
  allowed_extensions: string[];
  ocr: boolean;
}): FieldErrors {
  const errors: FieldErrors = {};
  const allowed = EXTENSIONS_BY_FORMAT[spec.format];
  const wrong = spec.allowed_extensions.filter((extension) => !allowed.includes(extension));
  if (wrong.length > 0) {
    errors.allowed_extensions = [
      `Ekstensi ${wrong.join(", ")} tidak sesuai format ${spec.format}. Pilih dari: ${allowed.join(", ")}.`,
    ];
  } else if (new Set(spec.allowed_extensions).size !== spec.allowed_extensions.length) {
    errors.allowed_extensions = ["Ekstensi tidak boleh berulang."];
  }
  if (spec.ocr && spec.format !== "image") {
    errors.ocr = ["OCR hanya tersedia untuk format image."];
  }
  return errors;
}

const publicFields = {
  id: z.number().int(),
  code: z.string(),
  name: z.string(),
  is_required: z.boolean(),
  sort_order: z.number().int(),
  description: z.string(),
  format: z.enum(DOCUMENT_FORMATS),
  allowed_extensions: z.array(z.string()),
  max_size_bytes: z.number().int(),
  ocr: z.boolean(),
};

export const PublicDocumentTypeSchema = z.object(publicFields).openapi("PublicDocumentType");

export const DocumentTypeSchema = z
  .object({ ...publicFields, created_at: z.string() })
  .openapi("DocumentType");

export type PublicDocumentType = z.infer<typeof PublicDocumentTypeSchema>;

/** Renders a type with its file spec, as the app reads it before an upload. */
export function serializePublicDocumentType(row: DocumentTypeRow): PublicDocumentType {
  return {
    id: row.id,
    code: row.code,
    name: row.name,
    is_required: row.isRequired,
    sort_order: row.sortOrder,
    description: row.description,
    format: row.format,
    allowed_extensions: row.allowedExtensions,
    max_size_bytes: row.maxSizeBytes,
    ocr: row.ocr,
  };
}

/** Renders a type for the admin endpoints. */
export function serializeDocumentType(row: DocumentTypeRow) {
  return { ...serializePublicDocumentType(row), created_at: formatDateTime(row.createdAt) ?? "" };
}
