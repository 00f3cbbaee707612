import { deleteCookie, setCookie } from "hono/cookie";
import type { CookieOptions } from "hono/utils/cookie";
import type { AppContext } from "../context";
import type { Config } from "../env";

export const ACCESS_COOKIE = "kms_access";
export const REFRESH_COOKIE = "kms_refresh";

// RFC 6265bis caps cookie lifetimes at 400 days, and Hono throws above it.
const MAX_COOKIE_AGE_SECONDS = 400 * 24 * 60 * 60;

/** Sets `kms_access` and `kms_refresh`, each living as long as the token it carries. */
export function setAuthCookies(c: AppContext, tokens: { access: string; refresh: string }) {
  const config = c.get("config");
  const refreshAge = Math.min(config.REFRESH_TOKEN_TTL_DAYS * 86_400, MAX_COOKIE_AGE_SECONDS);
  setCookie(c, ACCESS_COOKIE, tokens.access, {
    ...cookieOptions(config),
    maxAge: config.ACCESS_TOKEN_TTL_SECONDS,
  });
  setCookie(c, REFRESH_COOKIE, tokens.refresh, { ...cookieOptions(config), maxAge: refreshAge });
}

/** Expires both auth cookies with the attributes they were set with, so browsers drop them. */
export function clearAuthCookies(c: AppContext) {
  const options = cookieOptions(c.get("config"));
  deleteCookie(c, ACCESS_COOKIE, options);
  deleteCookie(c, REFRESH_COOKIE, options);
}

function cookieOptions(config: Config): CookieOptions {
  // JavaScript never reads the tokens, so HttpOnly keeps them out of reach of injected scripts.
  const options: CookieOptions = {
    httpOnly: true,
    secure: config.cookieSecure,
    sameSite: config.COOKIE_SAMESITE,
    path: "/",
  };
  if (config.COOKIE_DOMAIN) options.domain = config.COOKIE_DOMAIN;
  return options;
}
