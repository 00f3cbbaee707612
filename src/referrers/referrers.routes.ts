import { createRoute, z } from "@hono/zod-openapi";
import { requireAuth, requireRoles } from "../auth/auth.middleware";
import { serviceContext } from "../context";
import { createRouter, errorResponse, jsonResponse } from "../lib/openapi";
import {
  cachedStaffReferrersJson,
  listReferrers,
  listStaffReferrers,
  STAFF_REFERRERS_CACHE_CONTROL,
} from "./referrers.service";

const ReferrerSchema = z
  .object({
    id: z.number().int(),
    full_name: z.string(),
    email: z.string(),
    referral_code: z.string().nullable(),
  })
  .openapi("Referrer");

const StaffReferrerSchema = ReferrerSchema.omit({ email: true }).openapi("StaffReferrer");

const referrersRoute = createRoute({
  method: "get",
  path: "/api/referrers/",
  tags: ["Referrers"],
  summary: "Every STAFF and ADMIN user, active or not, with their referral codes",
  middleware: [requireAuth, requireRoles("ADMIN")] as const,
  responses: {
    200: jsonResponse("Referrers by name", z.array(ReferrerSchema)),
    401: errorResponse("Not signed in, or the token is invalid"),
    403: errorResponse("The signed-in user is not an ADMIN"),
  },
});

const staffReferrersRoute = createRoute({
  method: "get",
  path: "/api/staff-referrers/",
  tags: ["Referrers"],
  summary: "Active STAFF users and their referral codes, for the registration form",
  description: "No sign-in needed. Served from KV and cacheable for a minute.",
  responses: {
    200: jsonResponse("Staff referrers by name", z.array(StaffReferrerSchema)),
  },
});

export const referrerRoutes = createRouter()
  .openapi(referrersRoute, async (c) => {
    return c.json(await listReferrers(serviceContext(c).db), 200);
  })
  .openapi(staffReferrersRoute, async (c) => {
    const json = await cachedStaffReferrersJson(c, () => listStaffReferrers(serviceContext(c).db));
    // The text is already JSON, so it is sent as is instead of parsed and encoded again.
    return c.body(json, 200, {
      "Content-Type": "application/json",
      "Cache-Control": STAFF_REFERRERS_CACHE_CONTROL,
    }) as never;
  });
