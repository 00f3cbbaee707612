import { getCookie } from "hono/cookie";
import type { AppContext } from "../context";
import { AppError, validationError } from "../lib/errors";
import { assertTrustedOrigin } from "./auth.middleware";
import { REFRESH_COOKIE } from "./cookies";

/** Refresh tokens are 43 base64url characters; anything longer cannot be one. */
const MAX_REFRESH_TOKEN_LENGTH = 256;
const JSON_MEDIA_TYPE = /^application\/([\w.-]+\+)?json$/i;

/** The optional body of refresh and logout, for the OpenAPI document only. */
export const refreshBodyDocumentation = {
  body: {
    required: false,
    content: {
      "application/json": {
        schema: {
          type: "object" as const,
          properties: { refresh: { type: "string" as const, maxLength: MAX_REFRESH_TOKEN_LENGTH } },
        },
      },
    },
  },
};

/**
 * The refresh token of a refresh or logout request: the `kms_refresh` cookie wins over the
 * body's `refresh`. A token from the cookie needs a trusted Origin, because a browser would
 * send the cookie cross-site too. The body is read by hand and not by the route's validator,
 * because an empty JSON body counts as `{}` and a `refresh` that is not a string of plausible
 * length is the same as an invalid token (the caller answers 401 `token_not_valid`).
 *
 * `lenient` (logout, which always succeeds) ignores a body that is not JSON or does not parse.
 * Without it (refresh), such a body is 415 or 400.
 */
export async function readRefreshToken(
  c: AppContext,
  options: { lenient: boolean },
): Promise<string | null> {
  const cookie = getCookie(c, REFRESH_COOKIE);
  if (cookie) {
    assertTrustedOrigin(c);
    return cookie;
  }

  const body = await readJsonBody(c, options.lenient);
  const refresh = body?.refresh;
  if (typeof refresh !== "string" || refresh === "" || refresh.length > MAX_REFRESH_TOKEN_LENGTH) {
    return null;
  }
  return refresh;
}

async function readJsonBody(
  c: AppContext,
  lenient: boolean,
): Promise<Record<string, unknown> | null> {
  const mediaType = (c.req.header("Content-Type") ?? "").split(";")[0]?.trim() ?? "";
  const text = await c.req.text();
  if (text.trim() === "") return null;
  if (!JSON_MEDIA_TYPE.test(mediaType)) {
    if (lenient) return null;
    throw new AppError(
      415,
      "unsupported_media_type",
      "Tipe konten tidak didukung. Gunakan application/json.",
    );
  }

  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    if (lenient) return null;
    throw validationError({ non_field_errors: ["Body permintaan bukan JSON yang valid."] });
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    if (lenient) return null;
    throw validationError({ non_field_errors: ["Body permintaan harus berupa objek JSON."] });
  }
  return parsed as Record<string, unknown>;
}
