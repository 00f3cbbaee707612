import { createRoute, z } from "@hono/zod-openapi";
import { currentAuth, requireAuth, requireRoles } from "../auth/auth.middleware";
import { type AppContext, serviceContext } from "../context";
import { hashClientIp } from "../lib/audit";
import { urlId } from "../lib/ids";
import {
  createRouter,
  envelopeSchema,
  errorResponse,
  jsonBody,
  jsonResponse,
  requireJson,
} from "../lib/openapi";
import {
  type ApplicantProfileInput,
  ApplicantProfileSchema,
  applicantProfileInputSchema,
} from "./applicant-profile.schema";
import { getOwnProfile, submitOwnProfile, updateOwnProfile } from "./profile.service";

const PROFILE_PATH = "/api/applicants/me/profile/";
// The Django viewset also routed `me/profile/<pk>/`; the mobile app calls it with its
// profile id, which is ignored because an applicant may only read their own profile.
const PROFILE_WITH_ID_PATH = "/api/applicants/me/profile/{id}/";

// The id must still be well-formed, like every other path id, so that junk is 404 everywhere.
const ignoredId = z.object({ id: urlId.openapi({ description: "Ignored." }) });
const profileEnvelope = envelopeSchema(ApplicantProfileSchema);

const common = {
  401: errorResponse("Not signed in, or the token is invalid"),
  403: errorResponse("The user is not an applicant"),
  404: errorResponse("The applicant has no profile"),
};

const getRoute = (path: string) =>
  createRoute({
    method: "get",
    path,
    tags: ["Applicant profile"],
    summary: "The signed-in applicant's profile",
    middleware: [requireAuth, requireRoles("APPLICANT")] as const,
    request: path === PROFILE_PATH ? {} : { params: ignoredId },
    responses: { 200: jsonResponse("The profile", profileEnvelope), ...common },
  });

const patchRoute = (path: string) =>
  createRoute({
    method: "patch",
    path,
    tags: ["Applicant profile"],
    summary: "Update the signed-in applicant's profile",
    description:
      "Partial update. A SUBMITTED or ACCEPTED profile cannot be edited (400 " +
      "invalid_transition); editing a REJECTED profile moves it back to DRAFT.",
    middleware: [requireAuth, requireRoles("APPLICANT"), requireJson] as const,
    request: {
      ...jsonBody(applicantProfileInputSchema),
      ...(path === PROFILE_PATH ? {} : { params: ignoredId }),
    },
    responses: {
      200: jsonResponse("The updated profile", profileEnvelope),
      400: errorResponse("Invalid input, or the profile can no longer be edited"),
      415: errorResponse("The body is not JSON"),
      ...common,
    },
  });

const submitRoute = createRoute({
  method: "post",
  path: "/api/applicants/me/profile/submit_for_verification/",
  tags: ["Applicant profile"],
  summary: "Submit the profile for verification",
  description:
    "DRAFT or REJECTED → SUBMITTED. NIK, full name, address and phone must be filled; the " +
    "empty ones are listed in `errors`.",
  middleware: [requireAuth, requireRoles("APPLICANT")] as const,
  responses: {
    200: jsonResponse("The submitted profile", profileEnvelope),
    400: errorResponse("Required fields are empty, or the profile is not DRAFT or REJECTED"),
    ...common,
  },
});

const showProfile = async (c: AppContext) => {
  const profile = await getOwnProfile(serviceContext(c), currentAuth(c).userId);
  return c.json({ code: "success", detail: "Profil pelamar.", data: profile }, 200);
};

const patchProfile = async (c: AppContext, input: ApplicantProfileInput) => {
  const profile = await updateOwnProfile(serviceContext(c), currentAuth(c).userId, input);
  return c.json({ code: "profile_updated", detail: PROFILE_UPDATED, data: profile }, 200);
};

const PROFILE_UPDATED = "Profil berhasil diperbarui.";
const PROFILE_SUBMITTED = "Profil berhasil diajukan untuk verifikasi.";

// `submit_for_verification/` is declared before `{id}/`, which would match it too.
export const applicantProfileRoutes = createRouter()
  .openapi(getRoute(PROFILE_PATH), showProfile)
  .openapi(patchRoute(PROFILE_PATH), (c) => patchProfile(c, c.req.valid("json")))
  .openapi(submitRoute, async (c) => {
    const actor = { userId: currentAuth(c).userId, ipHash: await hashClientIp(c) };
    const profile = await submitOwnProfile(serviceContext(c), actor);
    return c.json({ code: "profile_submitted", detail: PROFILE_SUBMITTED, data: profile }, 200);
  })
  .openapi(getRoute(PROFILE_WITH_ID_PATH), showProfile)
  .openapi(patchRoute(PROFILE_WITH_ID_PATH), (c) => patchProfile(c, c.req.valid("json")));
