import { createRoute, z } from "@hono/zod-openapi";
import { profilesListRoutes } from "../applicant-profiles/profiles-list.routes";
import { requireAuth, requireRoles } from "../auth/auth.middleware";
import { createRouter, errorResponse, jsonResponse } from "../lib/openapi";
import { pageSchema } from "../lib/pagination";
import { todayInJakarta } from "../lib/time";
import { ApplicantUserSchema } from "../users/users.schemas";
import { ApplicantFilterQuerySchema } from "./applicant-filters";
import { ApplicantListQuerySchema, listApplicants } from "./applicant-list";
import { ORDERING_FIELDS, OrderingParamSchema } from "./applicant-ordering";
import { exportApplicantsCsv } from "./applicants-export.service";

const TAGS = ["Applicants"];

const ApplicantListSchema = z.union([
  pageSchema(ApplicantUserSchema),
  z.object({
    next: z.string().nullable(),
    previous: z.string().nullable(),
    results: z.array(ApplicantUserSchema),
  }),
]);

const listRoute = createRoute({
  method: "get",
  path: "/api/applicants/",
  tags: TAGS,
  summary: "Search applicants (back-office)",
  description:
    "Filters, `search` (email, name, NIK, phone; space-separated terms all match) and " +
    `\`ordering\` (${ORDERING_FIELDS.join(", ")}; \`-\` for descending). Page pagination ` +
    "by default; `?pagination=cursor` or `?cursor=` switches to cursor pagination.",
  middleware: [requireAuth, requireRoles("ADMIN", "STAFF")] as const,
  request: { query: ApplicantListQuerySchema },
  responses: {
    200: jsonResponse("A page of applicants", ApplicantListSchema),
    400: errorResponse("A filter, ordering, page size or cursor is invalid"),
    401: errorResponse("Not signed in, or the token is invalid"),
    403: errorResponse("Not ADMIN or STAFF"),
    404: errorResponse("The page is past the last one"),
  },
});

const exportRoute = createRoute({
  method: "get",
  path: "/api/applicants/export/",
  tags: TAGS,
  summary: "Export applicants as CSV (ADMIN)",
  description: "Same filters and ordering as the list. UTF-8 with BOM, streamed in batches.",
  middleware: [requireAuth, requireRoles("ADMIN")] as const,
  request: {
    query: ApplicantFilterQuerySchema.extend({ ordering: OrderingParamSchema.optional() }),
  },
  responses: {
    200: {
      description: "CSV file with a header row",
      content: { "text/csv": { schema: z.string() } },
    },
    400: errorResponse("A filter or the ordering is invalid"),
    401: errorResponse("Not signed in, or the token is invalid"),
    403: errorResponse("Not ADMIN"),
  },
});

// The export route comes first: once accounts add `/api/applicants/{id}/`, `export` would
// otherwise be taken for an id.
export const applicantSearchRoutes = createRouter()
  .openapi(exportRoute, (c) => {
    const stream = exportApplicantsCsv(c.get("config"), c.get("logger"), c.req.valid("query"));
    const filename = `applicants-${todayInJakarta().replace(/-/g, "")}.csv`;
    return c.body(stream, 200, {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="${filename}"`,
      "Cache-Control": "no-store",
    });
  })
  .openapi(listRoute, async (c) => {
    const page = await listApplicants(c, "applicants", c.req.valid("query"));
    return c.json(page as z.infer<typeof ApplicantListSchema>, 200);
  })
  .route("/", profilesListRoutes);
