import { createRoute, z } from "@hono/zod-openapi";
import { serviceContext } from "../context";
import { hashClientIp } from "../lib/audit";
import { runInBackground } from "../lib/background";
import {
  createRouter,
  envelopeSchema,
  errorResponse,
  jsonBody,
  jsonResponse,
  requireJson,
} from "../lib/openapi";
import { emailAddress } from "../lib/text";
import {
  limiterContext,
  limitPerIp,
  rateLimitedResponse,
} from "../rate-limits/rate-limit.middleware";
import { limitEmailRequests } from "../rate-limits/rate-limits.service";
import { resendVerification, verifyEmail } from "./email-verification.service";
import { confirmPasswordReset, requestPasswordReset } from "./password-reset.service";
import { MAX_PASSWORD_LENGTH } from "./passwords";

const EmailRequestSchema = z.object({ email: emailAddress });

const EmailSentSchema = envelopeSchema(z.null()).openapi("EmailSentResponse");

// Both responses are the same for known and unknown addresses, so they reveal no accounts.
const VERIFICATION_SENT =
  "Jika akun dengan email tersebut ada dan belum diverifikasi, tautan verifikasi telah dikirim.";
const RESET_SENT =
  "Jika akun dengan email tersebut ada, tautan untuk mengatur ulang kata sandi telah dikirim.";

const verifyEmailRoute = createRoute({
  method: "get",
  path: "/api/auth/verify-email/",
  tags: ["auth"],
  summary: "Verifies an email address with the token from the emailed link",
  middleware: [limitPerIp("verify_email")] as const,
  request: { query: z.object({ token: z.string().min(1).max(256) }) },
  responses: {
    200: jsonResponse(
      "Verified (`success`) or verified before (`email_already_verified`)",
      envelopeSchema(z.object({ email: z.string() })).openapi("VerifyEmailResponse"),
    ),
    400: errorResponse(
      "Missing token (`validation_error`); invalid, expired or dead link (`permission_denied`)",
    ),
    429: rateLimitedResponse,
  },
});

const resendVerificationRoute = createRoute({
  method: "post",
  path: "/api/auth/resend-verification/",
  tags: ["auth"],
  summary: "Sends a new verification link to an unverified account",
  middleware: [limitPerIp("verify_email"), requireJson] as const,
  request: jsonBody(EmailRequestSchema),
  responses: {
    200: jsonResponse("Always `email_sent`, whether or not the account exists", EmailSentSchema),
    400: errorResponse("Missing or malformed email"),
    429: errorResponse(
      "Too many requests from this client or for this address, known or not (`rate_limited`)",
    ),
  },
});

const requestResetRoute = createRoute({
  method: "post",
  path: "/api/auth/request-password-reset/",
  tags: ["auth"],
  summary: "Sends a password-reset link to an active account",
  middleware: [limitPerIp("password_reset"), requireJson] as const,
  request: jsonBody(EmailRequestSchema),
  responses: {
    200: jsonResponse("Always `email_sent`, whether or not the account exists", EmailSentSchema),
    400: errorResponse("Missing or malformed email"),
    429: errorResponse(
      "Too many requests from this client or for this address, known or not (`rate_limited`)",
    ),
  },
});

const confirmResetRoute = createRoute({
  method: "post",
  path: "/api/auth/confirm-reset-password/",
  tags: ["auth"],
  summary: "Sets a new password with the uid and token from the emailed link",
  middleware: [limitPerIp("password_reset"), requireJson] as const,
  request: jsonBody(
    z.object({
      uid: z.string().min(1).max(64),
      token: z.string().min(1).max(256),
      new_password: z.string().min(1).max(MAX_PASSWORD_LENGTH),
    }),
  ),
  responses: {
    200: jsonResponse(
      "Password replaced and every session ended (`reset_password_success`)",
      envelopeSchema(z.null()).openapi("ResetPasswordResponse"),
    ),
    400: errorResponse("Invalid or expired link (`permission_denied`), or weak `new_password`"),
    429: rateLimitedResponse,
  },
});

// Handlers build the `{code, detail, data}` envelope with c.json, whose literal status
// @hono/zod-openapi checks against the declared responses.
export const passwordRoutes = createRouter()
  .openapi(verifyEmailRoute, async (c) => {
    const { token } = c.req.valid("query");
    const result = await verifyEmail(serviceContext(c), token, await hashClientIp(c));
    if (result.status === "already_verified") {
      const detail = "Email sudah diverifikasi sebelumnya.";
      return c.json({ code: "email_already_verified", detail, data: { email: result.email } }, 200);
    }
    const detail = "Email berhasil diverifikasi.";
    return c.json({ code: "success", detail, data: { email: result.email } }, 200);
  })
  .openapi(resendVerificationRoute, async (c) => {
    const { email } = c.req.valid("json");
    await limitEmailRequests(limiterContext(c), "verification_email", email);
    // The lookup runs after the response, so its duration cannot reveal whether the account
    // exists.
    runInBackground(c, "resend_verification", (services) => resendVerification(services, email));
    return c.json({ code: "email_sent", detail: VERIFICATION_SENT, data: null }, 200);
  })
  .openapi(requestResetRoute, async (c) => {
    const { email } = c.req.valid("json");
    await limitEmailRequests(limiterContext(c), "password_reset_email", email);
    runInBackground(c, "request_password_reset", (services) =>
      requestPasswordReset(services, email),
    );
    return c.json({ code: "email_sent", detail: RESET_SENT, data: null }, 200);
  })
  .openapi(confirmResetRoute, async (c) => {
    const body = c.req.valid("json");
    await confirmPasswordReset(
      serviceContext(c),
      { uid: body.uid, token: body.token, newPassword: body.new_password },
      await hashClientIp(c),
    );
    const detail = "Kata sandi berhasil diatur ulang. Silakan masuk dengan kata sandi baru.";
    return c.json({ code: "reset_password_success", detail, data: null }, 200);
  });
