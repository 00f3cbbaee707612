import { createRoute, z } from "@hono/zod-openapi";
import { serviceContext } from "../context";
import { hashClientIp } from "../lib/audit";
import {
  createRouter,
  envelopeSchema,
  errorResponse,
  jsonBody,
  jsonResponse,
  requireJson,
} from "../lib/openapi";
import { limitPerIp, rateLimitedResponse } from "../rate-limits/rate-limit.middleware";
import { respondWithTokens } from "./auth-response";
import { signInWithGoogle, verifyGoogleIdToken } from "./google.service";
import { TokenDataSchema } from "./register.routes";
import { startSession } from "./sessions.service";

const GoogleSignInSchema = z
  .object({
    // Google ID tokens are about 1 KB; the cap keeps verification work bounded.
    id_token: z.string().min(1).max(8192),
  })
  .openapi("GoogleSignIn");

const GoogleTokenDataSchema = TokenDataSchema.extend({ needs_registration: z.boolean() });

const googleRoute = createRoute({
  method: "post",
  path: "/api/auth/google/",
  tags: ["auth"],
  summary: "Sign in or sign up with a Google ID token",
  middleware: [limitPerIp("google"), requireJson] as const,
  request: jsonBody(GoogleSignInSchema),
  responses: {
    200: jsonResponse("Signed in to an existing account", envelopeSchema(GoogleTokenDataSchema)),
    201: jsonResponse("New applicant account created", envelopeSchema(GoogleTokenDataSchema)),
    400: errorResponse("Missing token, or an account with this email that cannot be linked"),
    401: errorResponse("Invalid, expired or foreign token (`permission_denied`)"),
    403: errorResponse("Account deactivated (`account_inactive`)"),
    429: rateLimitedResponse,
    503: errorResponse("Google's key set could not be fetched"),
  },
});

export const googleRoutes = createRouter().openapi(googleRoute, async (c) => {
  const { id_token: idToken } = c.req.valid("json");
  const services = serviceContext(c);

  const identity = await verifyGoogleIdToken(services.config, idToken, services.logger);
  const result = await signInWithGoogle(services, identity, await hashClientIp(c));
  const tokens = await startSession(c, result.user);
  return respondWithTokens(c, {
    status: result.created ? 201 : 200,
    code: result.created ? "registered" : "login_success",
    detail: result.created
      ? "Akun berhasil dibuat dengan Google."
      : "Berhasil masuk dengan Google.",
    user: result.user,
    tokens,
    extra: { needs_registration: result.needsRegistration },
  });
});
