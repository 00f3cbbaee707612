import { createRoute, z } from "@hono/zod-openapi";
import { currentAuth, requireAuth, requireRoles } from "../auth/auth.middleware";
import { serviceContext } from "../context";
import { hashClientIp } from "../lib/audit";
import {
  createRouter,
  errorResponse,
  jsonBody,
  jsonResponse,
  multipartBody,
  requireJson,
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
  ApplicantDocumentParamsSchema,
  ApplicantDocumentSchema,
  ApplicantParamsSchema,
  DocumentReviewSchema,
  DocumentUploadFormSchema,
} from "./documents.schemas";
import { applicantProfileOf, deleteDocument, reviewDocument } from "./documents.service";

const TAGS = ["Applicant documents (back-office)"];
const backOffice = [requireAuth, requireRoles("ADMIN", "STAFF")];
const adminOnly = [requireAuth, requireRoles("ADMIN")];
const BASE = "/api/applicants/{user_id}/documents";

const deniedResponses = permissionResponses("Not allowed for this role");
const documentMissing = {
  404: errorResponse("No such applicant, the document is not theirs, or an id is malformed"),
};

const listRoute = createRoute({
  method: "get",
  path: `${BASE}/`,
  tags: TAGS,
  summary: "Lists an applicant's documents (ADMIN, STAFF)",
  middleware: [...backOffice] as const,
  request: { params: ApplicantParamsSchema, query: z.object(pageQueryFields) },
  responses: {
    200: documentPageResponse,
    ...deniedResponses,
    ...documentMissing,
  },
});

const uploadRoute = createRoute({
  method: "post",
  path: `${BASE}/`,
  tags: TAGS,
  summary: "Uploads a document for an applicant (ADMIN, STAFF)",
  middleware: [...backOffice, requireMultipart, limitUploadBody] as const,
  request: { params: ApplicantParamsSchema, ...multipartBody(DocumentUploadFormSchema) },
  responses: {
    ...uploadResponses,
    ...deniedResponses,
    404: errorResponse("No applicant has this user id, or it is malformed"),
  },
});

const getRoute = createRoute({
  method: "get",
  path: `${BASE}/{id}/`,
  tags: TAGS,
  summary: "One document of an applicant (ADMIN, STAFF)",
  middleware: [...backOffice] as const,
  request: { params: ApplicantDocumentParamsSchema },
  responses: {
    200: documentResponse,
    ...deniedResponses,
    ...documentMissing,
  },
});

const reviewRoute = createRoute({
  method: "patch",
  path: `${BASE}/{id}/`,
  tags: TAGS,
  summary: "Reviews a document (ADMIN, STAFF)",
  description:
    "APPROVED or REJECTED records the reviewer and time; REJECTED needs `review_notes`; " +
    "PENDING clears the reviewer and time.",
  middleware: [...backOffice, requireJson] as const,
  request: { params: ApplicantDocumentParamsSchema, ...jsonBody(DocumentReviewSchema) },
  responses: {
    200: jsonResponse("The reviewed document", ApplicantDocumentSchema),
    ...deniedResponses,
    ...documentMissing,
  },
});

const deleteRoute = createRoute({
  method: "delete",
  path: `${BASE}/{id}/`,
  tags: TAGS,
  summary: "Deletes an applicant's document and its file (ADMIN)",
  middleware: [...adminOnly] as const,
  request: { params: ApplicantDocumentParamsSchema },
  responses: {
    204: { description: "Deleted" },
    ...deniedResponses,
    ...documentMissing,
  },
});

/** Documents of any applicant, by user id, for the back-office. */
export const backOfficeDocumentRoutes = createRouter()
  .openapi(listRoute, async (c) => {
    const owner = await applicantProfileOf(serviceContext(c).db, c.req.valid("param").user_id);
    return c.json(await documentPage(c, owner, c.req.valid("query")), 200);
  })
  .openapi(uploadRoute, async (c) => {
    const owner = await applicantProfileOf(serviceContext(c).db, c.req.valid("param").user_id);
    return respondToUpload(c, owner, c.req.valid("form"));
  })
  .openapi(getRoute, async (c) => {
    const { user_id, id } = c.req.valid("param");
    const owner = await applicantProfileOf(serviceContext(c).db, user_id);
    return c.json(await renderDocument(c, owner, id), 200);
  })
  .openapi(reviewRoute, async (c) => {
    const services = serviceContext(c);
    const { user_id, id } = c.req.valid("param");
    const owner = await applicantProfileOf(services.db, user_id);
    await reviewDocument(services, owner, id, {
      ...c.req.valid("json"),
      reviewerId: currentAuth(c).userId,
      ipHash: await hashClientIp(c),
    });
    return c.json(await renderDocument(c, owner, id), 200);
  })
  .openapi(deleteRoute, async (c) => {
    const services = serviceContext(c);
    const { user_id, id } = c.req.valid("param");
    const owner = await applicantProfileOf(services.db, user_id);
    await deleteDocument(services, owner, id);
    return c.body(null, 204);
  });
