import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { AppContext } from "../context";
import type { users } from "../db/schema";
import { setAuthCookies } from "./cookies";
import type { IssuedTokens } from "./sessions.service";

type UserRow = typeof users.$inferSelect;

/** The short user shape that every token response carries. */
export function serializeUserSummary(user: UserRow) {
  return {
    id: user.id,
    email: user.email,
    full_name: user.fullName,
    role: user.role,
    is_active: user.isActive,
    email_verified: user.emailVerified,
  };
}

export type UserSummary = ReturnType<typeof serializeUserSummary>;

/**
 * Renders the envelope `data {user, access, refresh, ...extra}` and sets the auth cookies, so
 * web clients and mobile clients get the same tokens.
 */
export function respondWithTokens<
  Status extends ContentfulStatusCode,
  Extra extends Record<string, unknown> = Record<never, never>,
>(
  c: AppContext,
  options: {
    status: Status;
    code: string;
    detail: string;
    user: UserRow;
    tokens: IssuedTokens;
    extra?: Extra;
  },
) {
  const { tokens } = options;
  setAuthCookies(c, tokens);
  const data = {
    user: serializeUserSummary(options.user),
    access: tokens.access,
    refresh: tokens.refresh,
    ...(options.extra ?? ({} as Extra)),
  };
  // c.json, not envelope(), keeps the literal status in the type for @hono/zod-openapi.
  return c.json({ code: options.code, detail: options.detail, data }, options.status);
}
