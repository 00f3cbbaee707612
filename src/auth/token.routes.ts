import { createRoute, z } from "@hono/zod-openapi";
import type { AppContext } from "../context";
import { tokenNotValid } from "../lib/errors";
import { urlId } from "../lib/ids";
import {
  createRouter,
  envelopeSchema,
  errorResponse,
  jsonBody,
  jsonResponse,
  requireJson,
} from "../lib/openapi";
import { positiveIntegerQuery } from "../lib/query-params";
import { emailAddress } from "../lib/text";
import { limitPerIp, rateLimitedResponse } from "../rate-limits/rate-limit.middleware";
import { currentAuth, findActiveSessionRole, requireAuth } from "./auth.middleware";
import { respondWithTokens } from "./auth-response";
import { clearAuthCookies } from "./cookies";
import { logIn } from "./login.service";
import { changePassword } from "./password-change.service";
import { MAX_PASSWORD_LENGTH } from "./passwords";
import { refreshSession } from "./refresh.service";
import { readRefreshToken, refreshBodyDocumentation } from "./refresh-body";
import { verifyAccessToken } from "./tokens";
import {
  listUserSessions,
  logOut,
  logOutEverywhere,
  revokeUserSession,
} from "./user-sessions.service";

const UserSummarySchema = z
  .object({
    id: z.number().int(),
    email: z.string(),
    full_name: z.string(),
    role: z.enum(["ADMIN", "STAFF", "COMPANY", "APPLICANT"]),
    is_active: z.boolean(),
    email_verified: z.boolean(),
  })
  .openapi("UserSummary");

const TokenPairSchema = envelopeSchema(
  z.object({ user: UserSummarySchema, access: z.string(), refresh: z.string() }),
).openapi("TokenPairResponse");

// The password is only hashed, never stored or sent to the database, so any characters pass.
const LoginSchema = z.object({
  email: emailAddress,
  password: z.string().min(1).max(1024),
});

const loginRoute = createRoute({
  method: "post",
  path: "/api/auth/token/",
  tags: ["auth"],
  summary: "Signs in with email and password",
  middleware: [limitPerIp("login"), requireJson] as const,
  request: jsonBody(LoginSchema),
  responses: {
    200: jsonResponse("Signed in; both auth cookies are set", TokenPairSchema),
    400: errorResponse("Missing or malformed fields"),
    401: errorResponse("Wrong email or password, or inactive account (`permission_denied`)"),
    429: errorResponse(
      "Too many requests from this client, or too many failed logins for this email address " +
        "(`rate_limited`); `Retry-After` gives the seconds to wait",
    ),
  },
});

const MessageSchema = envelopeSchema(z.null()).openapi("MessageResponse");

const SessionSchema = z
  .object({
    id: z.number().int(),
    created_at: z.string().nullable(),
    last_used_at: z.string().nullable(),
    user_agent: z.string(),
    current: z.boolean(),
  })
  .openapi("Session");

const SessionPageSchema = z
  .object({
    count: z.number().int(),
    next: z.string().nullable(),
    previous: z.string().nullable(),
    results: z.array(SessionSchema),
  })
  .openapi("SessionPage");

const PageQuerySchema = z.object({
  page: positiveIntegerQuery({ max: 1_000_000, fallback: 1 }),
  page_size: positiveIntegerQuery({ max: 100, fallback: 20 }),
});

const ChangePasswordSchema = z.object({
  old_password: z.string().min(1).max(1024),
  // Longer values are rejected by checkPasswordRules with its own message; this bound only
  // keeps megabyte strings away from the similarity check.
  new_password: z.string().max(MAX_PASSWORD_LENGTH * 8),
});

const refreshRoute = createRoute({
  method: "post",
  path: "/api/auth/token/refresh/",
  tags: ["auth"],
  summary: "Rotates the refresh token (cookie first, else body) and issues new tokens",
  middleware: [limitPerIp("refresh")] as const,
  request: refreshBodyDocumentation,
  responses: {
    200: jsonResponse("New tokens; both auth cookies are reset", TokenPairSchema),
    400: errorResponse("A body that does not parse as a JSON object"),
    401: errorResponse(
      "Missing, invalid or expired (`token_not_valid`) or reused (`token_reused`)",
    ),
    403: errorResponse("Cookie sent from an origin outside CORS_ALLOWED_ORIGINS"),
    415: errorResponse("A non-empty body that is not JSON"),
    429: rateLimitedResponse,
  },
});

const verifyRoute = createRoute({
  method: "post",
  path: "/api/auth/token/verify/",
  tags: ["auth"],
  summary: "Checks an access token, including whether its session is still open",
  middleware: [requireJson] as const,
  request: jsonBody(z.object({ token: z.string().min(1).max(4096) })),
  responses: {
    200: jsonResponse("The token is valid", z.object({})),
    400: errorResponse("Missing or malformed fields"),
    401: errorResponse("Invalid, expired or revoked token (`token_not_valid`)"),
  },
});

const logoutRoute = createRoute({
  method: "post",
  path: "/api/auth/logout/",
  tags: ["auth"],
  summary: "Ends the session of the refresh token (cookie first, else body) and clears cookies",
  description: "A body that is empty, not JSON or without a usable `refresh` is ignored.",
  request: refreshBodyDocumentation,
  responses: {
    200: jsonResponse("Signed out, whether or not the token was known", MessageSchema),
    403: errorResponse("Cookie sent from an origin outside CORS_ALLOWED_ORIGINS"),
  },
});

const logoutAllRoute = createRoute({
  method: "post",
  path: "/api/auth/logout-all/",
  tags: ["auth"],
  summary: "Ends every session of the signed-in user",
  middleware: [requireAuth] as const,
  responses: {
    200: jsonResponse("Every session ended; cookies cleared", MessageSchema),
    401: errorResponse("Not signed in"),
    403: errorResponse("Cookie sent from an origin outside CORS_ALLOWED_ORIGINS"),
  },
});

const listSessionsRoute = createRoute({
  method: "get",
  path: "/api/auth/sessions/",
  tags: ["auth"],
  summary: "Lists the signed-in user's open sessions, most recently used first",
  middleware: [requireAuth] as const,
  request: { query: PageQuerySchema },
  responses: {
    200: jsonResponse("One page of sessions", SessionPageSchema),
    401: errorResponse("Not signed in"),
    404: errorResponse("Page out of range"),
  },
});

const revokeSessionRoute = createRoute({
  method: "delete",
  path: "/api/auth/sessions/{id}/",
  tags: ["auth"],
  summary: "Ends one of the signed-in user's sessions",
  middleware: [requireAuth] as const,
  request: { params: z.object({ id: urlId }) },
  responses: {
    200: jsonResponse("Session ended", MessageSchema),
    401: errorResponse("Not signed in"),
    404: errorResponse("Not a canonical id, or no open session with this id belongs to the user"),
  },
});

const changePasswordRoute = (path: string) =>
  createRoute({
    method: "post",
    path,
    tags: ["auth"],
    summary: "Changes the password, ends other sessions and renews the current one",
    middleware: [requireAuth, requireJson] as const,
    request: jsonBody(ChangePasswordSchema),
    responses: {
      200: jsonResponse("Password changed; new tokens for this session", TokenPairSchema),
      400: errorResponse("Wrong `old_password` or weak `new_password`"),
      401: errorResponse("Not signed in"),
      403: errorResponse("Cookie sent from an origin outside CORS_ALLOWED_ORIGINS"),
    },
  });

export const tokenRoutes = createRouter()
  .openapi(loginRoute, async (c) => {
    const { user, tokens } = await logIn(c, c.req.valid("json"));
    return respondWithTokens(c, {
      status: 200,
      code: "login_success",
      detail: "Berhasil masuk.",
      user,
      tokens,
    });
  })
  .openapi(refreshRoute, async (c) => {
    const token = await readRefreshToken(c, { lenient: false });
    if (!token) throw tokenNotValid("Token refresh tidak diberikan.");
    const { user, tokens } = await refreshSession(c, token);
    return respondWithTokens(c, {
      status: 200,
      code: "token_refreshed",
      detail: "Token berhasil diperbarui.",
      user,
      tokens,
    });
  })
  .openapi(verifyRoute, async (c) => {
    const claims = await verifyAccessToken(c.get("config"), c.req.valid("json").token);
    const role = await findActiveSessionRole(c.get("database").get().db, claims);
    if (!role) throw tokenNotValid();
    return c.json({}, 200);
  })
  .openapi(logoutRoute, async (c) => {
    await logOut(c, await readRefreshToken(c, { lenient: true }));
    clearAuthCookies(c);
    return c.json({ code: "logout_success", detail: "Berhasil keluar.", data: null }, 200);
  })
  .openapi(logoutAllRoute, async (c) => {
    await logOutEverywhere(c, currentAuth(c));
    clearAuthCookies(c);
    const detail = "Berhasil keluar dari semua perangkat.";
    return c.json({ code: "logout_all_success", detail, data: null }, 200);
  })
  .openapi(listSessionsRoute, async (c) => {
    const query = c.req.valid("query");
    const paging = { page: query.page, pageSize: query.page_size };
    return c.json(await listUserSessions(c, currentAuth(c), paging), 200);
  })
  .openapi(revokeSessionRoute, async (c) => {
    const auth = currentAuth(c);
    const { id } = c.req.valid("param");
    await revokeUserSession(c, auth, id);
    if (id === auth.sessionId) clearAuthCookies(c);
    const detail = "Sesi berhasil diakhiri.";
    return c.json({ code: "session_revoked", detail, data: null }, 200);
  })
  .openapi(changePasswordRoute("/api/auth/change-password/"), (c) =>
    respondToPasswordChange(c, c.req.valid("json")),
  )
  // The mobile app calls the same operation under the applicant's own path.
  .openapi(changePasswordRoute("/api/applicants/me/change-password/"), (c) =>
    respondToPasswordChange(c, c.req.valid("json")),
  );

async function respondToPasswordChange(c: AppContext, body: z.infer<typeof ChangePasswordSchema>) {
  const { user, tokens } = await changePassword(c, currentAuth(c), {
    oldPassword: body.old_password,
    newPassword: body.new_password,
  });
  return respondWithTokens(c, {
    status: 200,
    code: "password_changed",
    detail: "Kata sandi berhasil diubah.",
    user,
    tokens,
  });
}
