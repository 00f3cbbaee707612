import { createRoute, z } from "@hono/zod-openapi";
import { currentAuth, requireAuth, requireRoles } from "../auth/auth.middleware";
import { serviceContext } from "../context";
import {
  createRouter,
  envelopeSchema,
  errorResponse,
  jsonResponse,
  multipartBody,
  requireMultipart,
} from "../lib/openapi";
import { pageQueryFields } from "../lib/pagination";
import {
  documentPage,
  limitUploadBody,
  renderDocument,
  respondToUpload,
} from "./documents.handlers";
import {
  documentPageResponse,
  documentResponse,
  permissionResponses,
  uploadResponses,
} from "./documents.openapi";
import {
  DocumentUploadFormSchema,
  MyDocumentParamsSchema,
  OcrPrefillSchema,
} from "./documents.schemas";
import { deleteDocument, ktpPrefill, ownProfile } from "./documents.service";
import { backOfficeDocumentRoutes } from "./documents-backoffice.routes";
import { fileRoutes } from "./files.routes";

const TAGS = ["Applicant documents"];
const applicantOnly = [requireAuth, requireRoles("APPLICANT")];
const BASE = "/api/applicants/me/documents";

const deniedResponses = permissionResponses("Not an APPLICANT");
const missingResponses = {
  404: errorResponse("No document of the signed-in applicant has this id, or it is malformed"),
};

const listRoute = createRoute({
  method: "get",
  path: `${BASE}/`,
  tags: TAGS,
  summary: "Lists the signed-in applicant's documents in the order of their types",
  middleware: [...applicantOnly] as const,
  request: { query: z.object(pageQueryFields) },
  responses: {
    200: documentPageResponse,
    ...deniedResponses,
    404: errorResponse("Page out of range"),
  },
});

const uploadRoute = createRoute({
  method: "post",
  path: `${BASE}/`,
  tags: TAGS,
  summary: "Uploads a document, replacing the file of a type uploaded before",
  description:
    "Multipart `document_type` (id or code) and `file`. A replacement resets the review to " +
    "PENDING and queues processing again.",
  middleware: [...applicantOnly, requireMultipart, limitUploadBody] as const,
  request: multipartBody(DocumentUploadFormSchema),
  responses: {
    ...uploadResponses,
    ...deniedResponses,
  },
});

const getRoute = createRoute({
  method: "get",
  path: `${BASE}/{id}/`,
  tags: TAGS,
  summary: "One of the signed-in applicant's documents",
  middleware: [...applicantOnly] as const,
  request: { params: MyDocumentParamsSchema },
  responses: {
    200: documentResponse,
    ...deniedResponses,
    ...missingResponses,
  },
});

const deleteRoute = createRoute({
  method: "delete",
  path: `${BASE}/{id}/`,
  tags: TAGS,
  summary: "Deletes one of the signed-in applicant's documents and its file",
  middleware: [...applicantOnly] as const,
  request: { params: MyDocumentParamsSchema },
  responses: {
    204: { description: "Deleted" },
    ...deniedResponses,
    ...missingResponses,
  },
});

const prefillRoute = createRoute({
  method: "get",
  path: `${BASE}/{id}/ocr_prefill/`,
  tags: TAGS,
  summary: "Profile fields read from a KTP by OCR, to prefill the form",
  middleware: [...applicantOnly] as const,
  request: { params: MyDocumentParamsSchema },
  responses: {
    200: jsonResponse("Fields from the KTP", envelopeSchema(OcrPrefillSchema)),
    400: errorResponse("Not a KTP, or OCR has not read it yet"),
    ...deniedResponses,
    404: missingResponses[404],
  },
});

const applicantDocumentRoutes = createRouter()
  .openapi(listRoute, async (c) => {
    const owner = await ownProfile(serviceContext(c).db, currentAuth(c).userId);
    return c.json(await documentPage(c, owner, c.req.valid("query")), 200);
  })
  .openapi(uploadRoute, async (c) => {
    const owner = await ownProfile(serviceContext(c).db, currentAuth(c).userId);
    return respondToUpload(c, owner, c.req.valid("form"));
  })
  .openapi(getRoute, async (c) => {
    const owner = await ownProfile(serviceContext(c).db, currentAuth(c).userId);
    return c.json(await renderDocument(c, owner, c.req.valid("param").id), 200);
  })
  .openapi(deleteRoute, async (c) => {
    const services = serviceContext(c);
    const owner = await ownProfile(services.db, currentAuth(c).userId);
    await deleteDocument(services, owner, c.req.valid("param").id);
    return c.body(null, 204);
  })
  .openapi(prefillRoute, async (c) => {
    const { db } = serviceContext(c);
    const owner = await ownProfile(db, currentAuth(c).userId);
    const data = await ktpPrefill(db, owner, c.req.valid("param").id);
    return c.json({ code: "success", detail: "Data KTP hasil OCR.", data }, 200);
  });

/**
 * Routes of applicant documents and of the Worker route that serves private files. The
 * applicant's own routes under `/api/applicants/me/documents/` come before the back-office
 * routes under `/api/applicants/{user_id}/documents/`, because `me` would match `{user_id}`.
 */
export const documentRoutes = createRouter()
  .route("/", applicantDocumentRoutes)
  .route("/", backOfficeDocumentRoutes)
  .route("/", fileRoutes);
