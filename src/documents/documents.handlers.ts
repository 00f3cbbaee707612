import type { z } from "@hono/zod-openapi";
import { bodyLimit } from "hono/body-limit";
import { createMiddleware } from "hono/factory";
import { type AppContext, type AppEnv, serviceContext } from "../context";
import { AppError, fieldError, validationError } from "../lib/errors";
import { type PageQuery, paginate } from "../lib/pagination";
import { createStorage } from "../lib/storage";
import { findDocumentTypeByIdOrCode, largestUploadLimit } from "./document-types.service";
import { originalFileName, uploadDocument } from "./document-upload.service";
import type { DocumentUploadFormSchema } from "./documents.schemas";
import { type DocumentWithReviewer, serializeDocument } from "./documents.serializer";
import {
  countDocuments,
  type DocumentOwner,
  getDocument,
  listDocuments,
} from "./documents.service";
import { checkDocumentFile } from "./file-checks";

// Room for the document_type field and the multipart framing on top of the file itself.
const FORM_ALLOWANCE_BYTES = 64 * 1024;

/**
 * Limits an upload body to the largest upload limit of any type plus the form allowance, with
 * 413 `payload_too_large` past it. The type is a field inside the body, so it is unknown until
 * the body is parsed. A file over its own type's smaller limit then gets a 400 on `file`.
 */
export const limitUploadBody = createMiddleware<AppEnv>(async (c, next) => {
  const largest = await largestUploadLimit(serviceContext(c).db);
  const megabytes = Math.round(largest / (1024 * 1024));
  const limit = bodyLimit({
    maxSize: largest + FORM_ALLOWANCE_BYTES,
    onError: () => {
      throw new AppError(
        413,
        "payload_too_large",
        `Ukuran data yang dikirim terlalu besar. File maksimal ${megabytes} MB.`,
      );
    },
  });
  return limit(c, next);
});

/** Renders documents with URLs that the request's own origin serves (for the R2 driver). */
export async function renderDocuments(c: AppContext, rows: DocumentWithReviewer[]) {
  const storage = createStorage(c.env, c.get("config"));
  const baseUrl = new URL(c.req.url).origin;
  return Promise.all(rows.map((row) => serializeDocument(row, storage, baseUrl)));
}

/** Renders one document of `owner`, loaded again so the reviewer's name is current. */
export async function renderDocument(c: AppContext, owner: DocumentOwner, documentId: number) {
  const row = await getDocument(serviceContext(c).db, owner, documentId);
  const [document] = await renderDocuments(c, [row]);
  return document!;
}

/** Loads and renders one page of the owner's documents. */
export async function documentPage(c: AppContext, owner: DocumentOwner, query: PageQuery) {
  const { db } = serviceContext(c);
  return paginate(c, query, {
    count: () => countDocuments(db, owner),
    rows: async (limit, offset) =>
      renderDocuments(c, await listDocuments(db, owner, limit, offset)),
  });
}

/**
 * Handles an upload form. Resolves the type (400 on `document_type` when unknown), checks the
 * file against it (400 on `file`), stores it, and returns 201 for a new document or 200 for a
 * replaced one.
 */
export async function respondToUpload(
  c: AppContext,
  owner: DocumentOwner,
  form: z.infer<typeof DocumentUploadFormSchema>,
) {
  const services = serviceContext(c);
  const type = await findDocumentTypeByIdOrCode(services.db, form.document_type);
  if (!type) throw fieldError("document_type", "Jenis dokumen tidak ditemukan.");

  const checked = await checkDocumentFile(form.file, type);
  if (!checked.ok) {
    services.logger.warn("document upload rejected", { document_type: type.code });
    throw validationError({ file: checked.errors });
  }

  const originalName = originalFileName(form.file.name, checked.extension, type.code);
  const result = await uploadDocument(services, owner, type, { file: checked, originalName });
  const body = await renderDocument(c, owner, result.document.id);
  return c.json(body, result.created ? 201 : 200);
}
