import { createRoute, z } from "@hono/zod-openapi";
import { requireAuth, requireRoles } from "../auth/auth.middleware";
import { type AppContext, serviceContext } from "../context";
import {
  createRouter,
  envelopeSchema,
  errorResponse,
  jsonBody,
  jsonResponse,
  requireJson,
} from "../lib/openapi";
import {
  type EmailTarget,
  sendPasswordResetFor,
  sendVerificationFor,
} from "./account-emails.service";
import { requestActor } from "./account-resource.routes";
import { UserIdBodySchema, UserIdParamsSchema } from "./accounts.schemas";

const EmailSentSchema = envelopeSchema(z.object({ email: z.string() }));
const responses = {
  200: jsonResponse("`email_sent`, or `email_already_verified` with nothing sent", EmailSentSchema),
  400: errorResponse("A password reset for a deactivated account"),
  401: errorResponse("Not signed in, or the token is invalid"),
  403: errorResponse("The signed-in user is not an ADMIN"),
  404: errorResponse("No such user, or the id is malformed"),
};

const verificationByPath = createRoute({
  method: "post",
  path: "/api/applicants/{id}/send_verification_email/",
  tags: ["Applicants"],
  summary: "Email the applicant a new verification link",
  middleware: [requireAuth, requireRoles("ADMIN")] as const,
  request: { params: UserIdParamsSchema },
  responses,
});

const resetByPath = createRoute({
  method: "post",
  path: "/api/applicants/{id}/send_password_reset_email/",
  tags: ["Applicants"],
  summary: "Email the applicant a password-reset link",
  middleware: [requireAuth, requireRoles("ADMIN")] as const,
  request: { params: UserIdParamsSchema },
  responses,
});

const verificationByBody = createRoute({
  method: "post",
  path: "/api/admins/send-verification-email/",
  tags: ["Admins"],
  summary: "Email any user a new verification link",
  middleware: [requireAuth, requireRoles("ADMIN"), requireJson] as const,
  request: jsonBody(UserIdBodySchema),
  responses: { ...responses, 415: errorResponse("The body is not JSON") },
});

const resetByBody = createRoute({
  method: "post",
  path: "/api/admins/send-password-reset/",
  tags: ["Admins"],
  summary: "Email any user a password-reset link",
  middleware: [requireAuth, requireRoles("ADMIN"), requireJson] as const,
  request: jsonBody(UserIdBodySchema),
  responses: { ...responses, 415: errorResponse("The body is not JSON") },
});

async function verificationResponse(c: AppContext, target: EmailTarget) {
  const result = await sendVerificationFor(serviceContext(c), target);
  if (result.status === "already_verified") {
    const detail = "Email pengguna ini sudah terverifikasi.";
    return c.json({ code: "email_already_verified", detail, data: { email: result.email } }, 200);
  }
  const detail = "Email verifikasi telah dikirim.";
  return c.json({ code: "email_sent", detail, data: { email: result.email } }, 200);
}

async function resetResponse(c: AppContext, target: EmailTarget) {
  const result = await sendPasswordResetFor(serviceContext(c), await requestActor(c), target);
  const detail = "Email atur ulang kata sandi telah dikirim.";
  return c.json({ code: "email_sent", detail, data: { email: result.email } }, 200);
}

/** Verification and password-reset emails that an admin sends on a user's behalf. */
export const accountEmailRoutes = createRouter()
  .openapi(verificationByBody, (c) =>
    verificationResponse(c, { userId: c.req.valid("json").user_id }),
  )
  .openapi(resetByBody, (c) => resetResponse(c, { userId: c.req.valid("json").user_id }))
  .openapi(verificationByPath, (c) =>
    verificationResponse(c, { userId: c.req.valid("param").id, role: "APPLICANT" }),
  )
  .openapi(resetByPath, (c) =>
    resetResponse(c, { userId: c.req.valid("param").id, role: "APPLICANT" }),
  );
