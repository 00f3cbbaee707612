import { createRoute, z } from "@hono/zod-openapi";
import { eq } from "drizzle-orm";
import { ApplicantListQuerySchema, listApplicants } from "../applicants/applicant-list";
import { ApplicantProfileSchema } from "../applicants/applicant-profile.schema";
import {
  loadApplicantProfiles,
  serializeApplicantProfile,
} from "../applicants/applicant-profile.serializer";
import { requireAuth, requireRoles } from "../auth/auth.middleware";
import { applicantProfiles } from "../db/schema";
import { notFound } from "../lib/errors";
import { urlId } from "../lib/ids";
import { createRouter, errorResponse, jsonResponse } from "../lib/openapi";
import { pageSchema } from "../lib/pagination";

const TAGS = ["Applicant profiles"];

const ProfileIdParamsSchema = z.object({ id: urlId.openapi({ description: "Profile id." }) });

const listRoute = createRoute({
  method: "get",
  path: "/api/applicant-profiles/",
  tags: TAGS,
  summary: "List applicant profiles (back-office)",
  description:
    "Page-paginated raw ApplicantProfile objects with the filters, search and ordering of " +
    "GET /api/applicants/; ties are broken by profile id.",
  middleware: [requireAuth, requireRoles("ADMIN", "STAFF")] as const,
  request: { query: ApplicantListQuerySchema.omit({ cursor: true, pagination: true }) },
  responses: {
    200: jsonResponse("A page of profiles", pageSchema(ApplicantProfileSchema)),
    400: errorResponse("A filter, ordering or page size is invalid"),
    401: errorResponse("Not signed in, or the token is invalid"),
    403: errorResponse("Not ADMIN or STAFF"),
    404: errorResponse("The page is past the last one"),
  },
});

const detailRoute = createRoute({
  method: "get",
  path: "/api/applicant-profiles/{id}/",
  tags: TAGS,
  summary: "One applicant profile (back-office)",
  middleware: [requireAuth, requireRoles("ADMIN", "STAFF")] as const,
  request: { params: ProfileIdParamsSchema },
  responses: {
    200: jsonResponse("The profile", ApplicantProfileSchema),
    401: errorResponse("Not signed in, or the token is invalid"),
    403: errorResponse("Not ADMIN or STAFF"),
    404: errorResponse("No profile has this id, or the id is malformed"),
  },
});

/** GET /api/applicant-profiles/ and /{id}/; mounted through applicantSearchRoutes. */
export const profilesListRoutes = createRouter()
  .openapi(listRoute, async (c) => {
    const page = await listApplicants(c, "profiles", c.req.valid("query"));
    return c.json(page as never, 200);
  })
  .openapi(detailRoute, async (c) => {
    const db = c.get("database").get().db;
    const [record] = await loadApplicantProfiles(
      db,
      eq(applicantProfiles.id, c.req.valid("param").id),
    );
    if (!record) throw notFound("Profil pelamar tidak ditemukan.");
    return c.json(serializeApplicantProfile(record), 200);
  });
