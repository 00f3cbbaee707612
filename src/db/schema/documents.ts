import { type SQL, sql } from "drizzle-orm";
import {
  type AnyPgColumn,
  bigint,
  boolean,
  check,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  uniqueIndex,
  varchar,
} from "drizzle-orm/pg-core";
import { applicantProfiles } from "./applicants";
import { createdAt, enumCheck, idColumn, timestampColumn, updatedAt } from "./columns";
import { users } from "./users";

export const DOCUMENT_FORMATS = ["pdf", "image"] as const;
export const PROCESSING_STATUSES = ["pending", "processing", "done", "failed", "skipped"] as const;
export const REVIEW_STATUSES = ["PENDING", "APPROVED", "REJECTED"] as const;

/**
 * Builds the literal SQL condition for rows whose processing has not finished. The partial
 * index below and the maintenance sweep share it word for word, so the planner can prove that
 * the index covers the sweep even in a generic plan, where the sweep's parameters are unknown.
 */
export function unfinishedProcessing(processingStatus: AnyPgColumn): SQL {
  return sql`${processingStatus} in ('pending', 'processing')`;
}

export const documentTypes = pgTable(
  "document_types",
  {
    id: idColumn(),
    code: varchar("code", { length: 64 }).notNull(),
    name: varchar("name", { length: 150 }).notNull(),
    isRequired: boolean("is_required").notNull().default(true),
    sortOrder: integer("sort_order").notNull().default(0),
    description: text("description").notNull().default(""),
    format: varchar("format", { length: 8, enum: DOCUMENT_FORMATS }).notNull(),
    allowedExtensions: text("allowed_extensions").array().notNull(),
    maxSizeBytes: integer("max_size_bytes").notNull(),
    ocr: boolean("ocr").notNull().default(false),
    createdAt: createdAt(),
  },
  (table) => [
    uniqueIndex("document_types_code_key").on(table.code),
    check("document_types_code_format_check", sql`${table.code} ~ '^[a-z0-9]+(-[a-z0-9]+)*$'`),
    enumCheck("document_types_format_check", table.format, DOCUMENT_FORMATS),
    check("document_types_max_size_check", sql`${table.maxSizeBytes} > 0`),
  ],
);

export const applicantDocuments = pgTable(
  "applicant_documents",
  {
    id: idColumn(),
    applicantProfileId: integer("applicant_profile_id")
      .notNull()
      .references(() => applicantProfiles.id, { onDelete: "cascade" }),
    documentTypeId: integer("document_type_id")
      .notNull()
      .references(() => documentTypes.id),
    /** Storage key, never a URL: `account/documents/<profile_id>/<code>/<uuid>.<ext>`. */
    file: text("file").notNull(),
    /** Incremented on every replacement so queue messages for an older file are skipped. */
    fileVersion: integer("file_version").notNull().default(1),
    originalName: varchar("original_name", { length: 255 }).notNull(),
    contentType: varchar("content_type", { length: 100 }).notNull(),
    sizeBytes: bigint("size_bytes", { mode: "number" }).notNull(),
    uploadedAt: timestampColumn("uploaded_at").notNull().defaultNow(),
    updatedAt: updatedAt(),
    processingStatus: varchar("processing_status", {
      length: 16,
      enum: PROCESSING_STATUSES,
    })
      .notNull()
      .default("pending"),
    processingError: text("processing_error"),
    ocrText: text("ocr_text"),
    ocrData: jsonb("ocr_data"),
    ocrProcessedAt: timestampColumn("ocr_processed_at"),
    reviewStatus: varchar("review_status", {
      length: 16,
      enum: REVIEW_STATUSES,
    })
      .notNull()
      .default("PENDING"),
    reviewedById: integer("reviewed_by_id").references(() => users.id),
    reviewedAt: timestampColumn("reviewed_at"),
    reviewNotes: text("review_notes").notNull().default(""),
  },
  (table) => [
    uniqueIndex("applicant_documents_profile_type_key").on(
      table.applicantProfileId,
      table.documentTypeId,
    ),
    index("applicant_documents_review_status_idx").on(table.reviewStatus),
    // Serves the maintenance sweep for stuck documents, which pages through these rows by id.
    // Every other row is finished, so the index stays as small as the processing backlog.
    index("applicant_documents_unfinished_id_idx")
      .on(table.id)
      .where(unfinishedProcessing(table.processingStatus)),
    enumCheck("applicant_documents_processing_check", table.processingStatus, PROCESSING_STATUSES),
    enumCheck("applicant_documents_review_check", table.reviewStatus, REVIEW_STATUSES),
    check(
      "applicant_documents_reject_notes_check",
      sql`${table.reviewStatus} <> 'REJECTED' or length(trim(${table.reviewNotes})) > 0`,
    ),
  ],
);
