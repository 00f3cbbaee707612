import { createMiddleware } from "hono/factory";
import { readAccessCredentials } from "../auth/auth.middleware";
import { verifyAccessToken } from "../auth/tokens";
import type { AppContext, AppEnv } from "../context";
import { AppError } from "../lib/errors";
import { errorResponse } from "../lib/openapi";
import { enforceRateLimit, type LimiterContext, type RateLimitName } from "./rate-limits.service";

/** The OpenAPI response of a route with its own per-IP limit. */
export const rateLimitedResponse = errorResponse(
  "Too many requests from this client (`rate_limited`); `Retry-After` gives the seconds to wait",
);

// Health and liveness probes come from monitors that poll on their own schedule.
const UNLIMITED_PATHS = new Set(["/health", "/health/", "/health/live", "/health/live/"]);

/** Tells whether requests to `path` count against the general limit of `limitRequests`. */
export function hasGeneralRateLimit(path: string): boolean {
  return !UNLIMITED_PATHS.has(path);
}

/**
 * Applies the general limit to every request: per user for a request that carries a valid
 * access token, otherwise per client IP. This checks the token's signature and expiry but not
 * its session, which `requireAuth` checks later with a query. So the holder of a recently
 * revoked token can spend only that user's own allowance, and only until the token expires.
 */
export const limitRequests = createMiddleware<AppEnv>(async (c, next) => {
  const config = c.get("config");
  if (!config.RATE_LIMITS_ENABLED || !hasGeneralRateLimit(c.req.path)) return next();

  const userId = await signedInUserId(c);
  if (userId === null) {
    await enforceRateLimit(limiterContext(c), "anonymous", `ip:${clientAddress(c)}`);
  } else {
    await enforceRateLimit(limiterContext(c), "authenticated", `user:${userId}`);
  }
  await next();
});

/** Route middleware that counts each request against the per-IP limit `name`. */
export const limitPerIp = (name: RateLimitName) =>
  createMiddleware<AppEnv>(async (c, next) => {
    if (c.get("config").RATE_LIMITS_ENABLED) {
      await enforceRateLimit(limiterContext(c), name, `ip:${clientAddress(c)}`);
    }
    await next();
  });

/** Builds the limiter's view of a request, without opening the database connection. */
export function limiterContext(c: AppContext): LimiterContext {
  return { config: c.get("config"), env: c.env, logger: c.get("logger") };
}

/**
 * The client address from `CF-Connecting-IP`, which Cloudflare's edge sets on every request it
 * forwards and overwrites when a client sends its own. `X-Forwarded-For` is never read, because
 * any client can write it. Without the header in development and tests, every request comes
 * from the one local client. In staging and production a missing header means the request did
 * not pass through the edge, and it is rejected with 403. Counting all such requests in one
 * shared bucket would let one client lock out the rest, and skipping the count would let them
 * bypass every limit.
 */
function clientAddress(c: AppContext): string {
  const address = c.req.header("CF-Connecting-IP")?.trim();
  if (address) return address;

  const environment = c.get("config").ENVIRONMENT;
  if (environment === "development" || environment === "test") return "local";
  c.get("logger").error("client ip missing", { method: c.req.method, path: c.req.path });
  throw new AppError(
    403,
    "permission_denied",
    "Permintaan ditolak karena alamat IP klien tidak dapat ditentukan.",
  );
}

/** Returns the user id of a valid access token on the request, or null when there is none. */
async function signedInUserId(c: AppContext): Promise<number | null> {
  try {
    const credentials = readAccessCredentials(c);
    if (!credentials) return null;
    const claims = await verifyAccessToken(c.get("config"), credentials.token);
    return claims.userId;
  } catch {
    // A malformed header or a bad token is counted as anonymous; `requireAuth` rejects it.
    return null;
  }
}
