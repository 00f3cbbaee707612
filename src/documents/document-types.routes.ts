import { createRoute, z } from "@hono/zod-openapi";
import type { TypedResponse } from "hono";
import { requireAuth, requireRoles } from "../auth/auth.middleware";
import { serviceContext } from "../context";
import { urlId } from "../lib/ids";
import {
  createRouter,
  envelopeSchema,
  errorResponse,
  jsonBody,
  jsonResponse,
  requireJson,
} from "../lib/openapi";
import { pageQueryFields, pageSchema, paginate } from "../lib/pagination";
import {
  cachedPublicTypes,
  invalidatePublicTypes,
  matchesIfNoneMatch,
  PUBLIC_TYPES_CACHE_CONTROL,
} from "./document-types.cache";
import {
  DocumentTypeCreateSchema,
  DocumentTypeSchema,
  DocumentTypeUpdateSchema,
  PublicDocumentTypeSchema,
  serializeDocumentType,
  serializePublicDocumentType,
} from "./document-types.schemas";
import {
  countDocumentTypes,
  createDocumentType,
  getDocumentType,
  listDocumentTypes,
  updateDocumentType,
} from "./document-types.service";

const TAGS = ["Document types"];
const adminOnly = [requireAuth, requireRoles("ADMIN")];
const IdParamsSchema = z.object({ id: urlId });
const PublicListSchema = envelopeSchema(z.array(PublicDocumentTypeSchema));

const deniedResponses = {
  401: errorResponse("Not signed in"),
  403: errorResponse("Not an ADMIN"),
};

const publicListRoute = createRoute({
  method: "get",
  path: "/api/document-types/public/",
  tags: TAGS,
  summary: "Lists every document type with its file spec, for checks before an upload",
  description:
    "Ordered by sort_order, then code. Served from KV; send the ETag back in If-None-Match " +
    "for a 304.",
  responses: {
    200: jsonResponse("Every document type", PublicListSchema),
    304: { description: "The list has not changed since the ETag in If-None-Match" },
  },
});

const listRoute = createRoute({
  method: "get",
  path: "/api/document-types/",
  tags: TAGS,
  summary: "Lists document types, page-paginated, ordered by sort_order and code",
  middleware: [...adminOnly] as const,
  request: { query: z.object(pageQueryFields) },
  responses: {
    200: jsonResponse("One page of document types", pageSchema(DocumentTypeSchema)),
    ...deniedResponses,
    404: errorResponse("Page out of range"),
  },
});

const createTypeRoute = createRoute({
  method: "post",
  path: "/api/document-types/",
  tags: TAGS,
  summary: "Creates a document type",
  middleware: [...adminOnly, requireJson] as const,
  request: jsonBody(DocumentTypeCreateSchema),
  responses: {
    201: jsonResponse("The new document type", DocumentTypeSchema),
    400: errorResponse("Invalid field, taken code, or extensions that do not fit the format"),
    ...deniedResponses,
  },
});

const getTypeRoute = createRoute({
  method: "get",
  path: "/api/document-types/{id}/",
  tags: TAGS,
  summary: "One document type",
  middleware: [...adminOnly] as const,
  request: { params: IdParamsSchema },
  responses: {
    200: jsonResponse("The document type", DocumentTypeSchema),
    ...deniedResponses,
    404: errorResponse("No document type has this id, or the id is malformed"),
  },
});

const updateTypeRoute = createRoute({
  method: "patch",
  path: "/api/document-types/{id}/",
  tags: TAGS,
  summary: "Changes a document type; the code cannot change",
  middleware: [...adminOnly, requireJson] as const,
  request: { params: IdParamsSchema, ...jsonBody(DocumentTypeUpdateSchema) },
  responses: {
    200: jsonResponse("The changed document type", DocumentTypeSchema),
    400: errorResponse("Invalid field, a changed code, or extensions that do not fit the format"),
    ...deniedResponses,
    404: errorResponse("No document type has this id, or the id is malformed"),
  },
});

type PublicListBody = z.infer<typeof PublicListSchema>;

export const documentTypeRoutes = createRouter()
  // Declared before `{id}/`, which would otherwise take `public` as an id.
  .openapi(publicListRoute, async (c) => {
    const cached = await cachedPublicTypes(c, async () => {
      const rows = await listDocumentTypes(serviceContext(c).db);
      return {
        code: "success",
        detail: "Daftar jenis dokumen.",
        data: rows.map(serializePublicDocumentType),
      };
    });
    const headers = { ETag: cached.etag, "Cache-Control": PUBLIC_TYPES_CACHE_CONTROL };
    if (matchesIfNoneMatch(c.req.header("If-None-Match"), cached.etag)) {
      return c.body(null, 304, headers) as unknown as TypedResponse<PublicListBody, 200, "json">;
    }
    // The cached text is the JSON of the envelope; parsing it only to serialise it again
    // would waste CPU on the hottest public route.
    const response = c.body(cached.body, 200, { ...headers, "Content-Type": "application/json" });
    return response as unknown as TypedResponse<PublicListBody, 200, "json">;
  })
  .openapi(listRoute, async (c) => {
    const { db } = serviceContext(c);
    const page = await paginate(c, c.req.valid("query"), {
      count: () => countDocumentTypes(db),
      rows: async (limit, offset) =>
        (await listDocumentTypes(db, limit, offset)).map(serializeDocumentType),
    });
    return c.json(page, 200);
  })
  .openapi(createTypeRoute, async (c) => {
    const row = await createDocumentType(serviceContext(c).db, c.req.valid("json"));
    await invalidatePublicTypes(c);
    return c.json(serializeDocumentType(row), 201);
  })
  .openapi(getTypeRoute, async (c) => {
    const row = await getDocumentType(serviceContext(c).db, c.req.valid("param").id);
    return c.json(serializeDocumentType(row), 200);
  })
  .openapi(updateTypeRoute, async (c) => {
    const { db } = serviceContext(c);
    const row = await updateDocumentType(db, c.req.valid("param").id, c.req.valid("json"));
    await invalidatePublicTypes(c);
    return c.json(serializeDocumentType(row), 200);
  });
