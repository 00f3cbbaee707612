import { createRoute, z } from "@hono/zod-openapi";
import { ApplicantFilterQuerySchema } from "../applicants/applicant-filters";
import { currentAuth, requireAuth, requireRoles } from "../auth/auth.middleware";
import { serviceContext } from "../context";
import { VERIFICATION_STATUSES } from "../db/schema";
import { createRouter, envelopeSchema, errorResponse, jsonResponse } from "../lib/openapi";
import { pageQueryFields, pageSchema } from "../lib/pagination";
import { ApplicantUserSchema } from "../users/users.schemas";
import { listReferredApplicants, referredApplicantStats } from "./staff-me.service";

const staffOnly = [requireAuth, requireRoles("STAFF")];
const denied = {
  401: errorResponse("Not signed in, or the token is invalid"),
  403: errorResponse("The signed-in user is not STAFF"),
};

// The filters of GET /api/applicants/; `referrer` other than the caller matches nothing.
const ReferredQuerySchema = ApplicantFilterQuerySchema.extend(pageQueryFields);

const StatsSchema = z
  .object({
    total_referred_applicants: z.number().int(),
    total_active: z.number().int(),
    total_accepted: z.number().int(),
    total_submitted: z.number().int(),
    verification_breakdown: z.record(z.enum(VERIFICATION_STATUSES), z.number().int()),
    recent_applicants: z.array(
      z.object({
        id: z.number().int(),
        full_name: z.string(),
        email: z.string(),
        verification_status: z.enum(VERIFICATION_STATUSES),
        created_at: z.string().nullable(),
      }),
    ),
  })
  .openapi("StaffDashboardStats");

const referredRoute = createRoute({
  method: "get",
  path: "/api/staff/me/applicants/",
  tags: ["Staff"],
  summary: "Applicants the signed-in staff member referred, page-paginated",
  middleware: [...staffOnly] as const,
  request: { query: ReferredQuerySchema },
  responses: {
    200: jsonResponse("One page of applicants", pageSchema(ApplicantUserSchema)),
    400: errorResponse("Invalid filter"),
    ...denied,
    404: errorResponse("Page out of range"),
  },
});

const statsRoute = createRoute({
  method: "get",
  path: "/api/staff/me/dashboard-stats/",
  tags: ["Staff"],
  summary: "Counts of the signed-in staff member's referred applicants",
  middleware: [...staffOnly] as const,
  responses: {
    200: jsonResponse("Envelope with the counts", envelopeSchema(StatsSchema)),
    ...denied,
  },
});

/** Self-service routes of STAFF users, declared before `/api/staff/{id}/`. */
export const staffMeRoutes = createRouter()
  .openapi(referredRoute, async (c) => {
    const query = c.req.valid("query");
    const { userId } = currentAuth(c);
    const page = await listReferredApplicants(c, serviceContext(c).db, userId, query);
    return c.json(page, 200);
  })
  .openapi(statsRoute, async (c) => {
    const stats = await referredApplicantStats(serviceContext(c).db, currentAuth(c).userId);
    return c.json({ code: "success", detail: "Statistik pelamar referral.", data: stats }, 200);
  });
