import { createRoute } from "@hono/zod-openapi";
import { requireAuth } from "../auth/auth.middleware";
import { setAuthCookies } from "../auth/cookies";
import { type AppContext, serviceContext } from "../context";
import { hashClientIp } from "../lib/audit";
import {
  createRouter,
  envelopeSchema,
  errorResponse,
  jsonBody,
  jsonResponse,
  requireJson,
} from "../lib/openapi";
import { getMe, updateMe } from "./me.service";
import { MeSchema, type MeUpdateInput, MeUpdateSchema } from "./users.schemas";

const PROFILE_UPDATED = "Profil berhasil diperbarui.";

const getMeRoute = createRoute({
  method: "get",
  path: "/api/me/",
  tags: ["Me"],
  summary: "The signed-in user in the shape for its role",
  middleware: [requireAuth] as const,
  responses: {
    200: jsonResponse("The user", envelopeSchema(MeSchema)),
    401: errorResponse("Not signed in, or the token is invalid"),
  },
});

/** PUT and PATCH behave the same: every field is optional, as a user edits one at a time. */
const updateMeRoute = (method: "put" | "patch") =>
  createRoute({
    method,
    path: "/api/me/",
    tags: ["Me"],
    summary: "Update own account and profile",
    description:
      "Both methods are partial updates. Read-only fields (role, is_active, email_verified, " +
      "verification fields) are ignored. Changing email or password needs current_password. " +
      "A new password ends the other sessions and replaces this session's refresh token: the " +
      "response sets new `kms_access` and `kms_refresh` cookies, and a client that keeps its " +
      "tokens in the body signs in again.",
    middleware: [requireAuth, requireJson] as const,
    request: jsonBody(MeUpdateSchema),
    responses: {
      200: jsonResponse("The updated user", envelopeSchema(MeSchema)),
      400: errorResponse("Invalid input, or the applicant profile can no longer be edited"),
      401: errorResponse("Not signed in, or the token is invalid"),
      415: errorResponse("The body is not JSON"),
    },
  });

async function handleUpdate(c: AppContext, input: MeUpdateInput) {
  const auth = c.get("auth")!;
  const actor = { auth, ipHash: await hashClientIp(c) };
  const { user, tokens } = await updateMe(serviceContext(c), actor, input);
  // The body keeps the user shape, so the new tokens of a password change travel as cookies.
  if (tokens) setAuthCookies(c, tokens);
  return c.json({ code: "profile_updated", detail: PROFILE_UPDATED, data: user }, 200);
}

export const meRoutes = createRouter()
  .openapi(getMeRoute, async (c) => {
    const user = await getMe(serviceContext(c), c.get("auth")!.userId);
    return c.json({ code: "success", detail: "Data pengguna.", data: user }, 200);
  })
  .openapi(updateMeRoute("put"), (c) => handleUpdate(c, c.req.valid("json")))
  .openapi(updateMeRoute("patch"), (c) => handleUpdate(c, c.req.valid("json")));
