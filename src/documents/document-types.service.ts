import { asc, count, eq, max } from "drizzle-orm";
import type { Database } from "../db/client";
import { documentTypes } from "../db/schema";
import { fieldError, notFound, validationError } from "../lib/errors";
import { violatedUniqueConstraint } from "../users/database-errors";
import {
  type DocumentTypeCreate,
  type DocumentTypeRow,
  type DocumentTypeUpdate,
  documentTypeSpecErrors,
} from "./document-types.schemas";

const CODE_TAKEN = "Kode jenis dokumen ini sudah dipakai.";

const typeOrder = [asc(documentTypes.sortOrder), asc(documentTypes.code)] as const;

/** Counts every document type, for the admin list. */
export async function countDocumentTypes(db: Database): Promise<number> {
  const [row] = await db.select({ value: count() }).from(documentTypes);
  return row?.value ?? 0;
}

/** Lists document types ordered by sort_order, then code. */
export async function listDocumentTypes(db: Database, limit?: number, offset = 0) {
  const query = db
    .select()
    .from(documentTypes)
    .orderBy(...typeOrder)
    .offset(offset);
  return limit === undefined ? query : query.limit(limit);
}

/** Loads one type, or raises 404 `not_found`. */
export async function getDocumentType(db: Database, id: number): Promise<DocumentTypeRow> {
  const [row] = await db.select().from(documentTypes).where(eq(documentTypes.id, id));
  if (!row) throw notFound("Jenis dokumen tidak ditemukan.");
  return row;
}

/**
 * Finds a type by id (a string of digits) or by code, as the upload form sends either.
 * Returns null when none matches.
 */
export async function findDocumentTypeByIdOrCode(
  db: Database,
  value: string,
): Promise<DocumentTypeRow | null> {
  const byId = /^[1-9][0-9]{0,9}$/.test(value) && Number(value) <= 2_147_483_647;
  const condition = byId
    ? eq(documentTypes.id, Number(value))
    : eq(documentTypes.code, value.toLowerCase());
  const [row] = await db.select().from(documentTypes).where(condition);
  return row ?? null;
}

/** Returns the largest upload limit of any type, which bounds a body before its type is known. */
export async function largestUploadLimit(db: Database): Promise<number> {
  const [row] = await db.select({ value: max(documentTypes.maxSizeBytes) }).from(documentTypes);
  return row?.value ?? 0;
}

/** Creates a type. A taken code is 400 with `errors.code`. */
export async function createDocumentType(
  db: Database,
  input: DocumentTypeCreate,
): Promise<DocumentTypeRow> {
  const errors = documentTypeSpecErrors(input);
  if (Object.keys(errors).length > 0) throw validationError(errors);
  try {
    const [row] = await db.insert(documentTypes).values(toColumns(input)).returning();
    if (!row) throw new Error("document type insert returned no row");
    return row;
  } catch (error) {
    if (violatedUniqueConstraint(error) === "document_types_code_key") {
      throw fieldError("code", CODE_TAKEN);
    }
    throw error;
  }
}

/** Applies a partial update, checking the cross-field rules on the merged result. */
export async function updateDocumentType(
  db: Database,
  id: number,
  input: DocumentTypeUpdate,
): Promise<DocumentTypeRow> {
  const current = await getDocumentType(db, id);
  if (input.code !== undefined && input.code !== current.code) {
    throw fieldError("code", "Kode jenis dokumen tidak dapat diubah.");
  }
  const merged = {
    format: input.format ?? current.format,
    allowed_extensions: input.allowed_extensions ?? current.allowedExtensions,
    ocr: input.ocr ?? current.ocr,
  };
  const errors = documentTypeSpecErrors(merged);
  if (Object.keys(errors).length > 0) throw validationError(errors);

  const { code: _code, ...changes } = input;
  if (Object.keys(changes).length === 0) return current;
  const [row] = await db
    .update(documentTypes)
    .set(toColumns(changes))
    .where(eq(documentTypes.id, id))
    .returning();
  if (!row) throw notFound("Jenis dokumen tidak ditemukan.");
  return row;
}

function toColumns(input: DocumentTypeUpdate) {
  return {
    code: input.code,
    name: input.name,
    isRequired: input.is_required,
    sortOrder: input.sort_order,
    description: input.description,
    format: input.format,
    allowedExtensions: input.allowed_extensions,
    maxSizeBytes: input.max_size_bytes,
    ocr: input.ocr,
  } as typeof documentTypes.$inferInsert;
}
