import type { AppContext } from "../context";
import { describeError } from "../lib/logger";

/** KV key of the public list's response body; its metadata carries the ETag. */
export const PUBLIC_TYPES_CACHE_KEY = "document-types:public:v1";

/** KV entries expire after 15 minutes, which bounds staleness if an invalidation is lost. */
const KV_TTL_SECONDS = 900;

/**
 * Browsers and the app revalidate on every use (a cheap 304 with the ETag), and shared caches
 * keep the list for a minute, so an admin's change reaches every client within a minute.
 */
export const PUBLIC_TYPES_CACHE_CONTROL = "public, max-age=0, s-maxage=60, must-revalidate";

export interface CachedBody {
  body: string;
  etag: string;
}

/**
 * Returns the public list's body and ETag from KV, or builds them with `load()` and stores them
 * after the response is sent. When KV fails, the failure is logged and the list is loaded from the database.
 */
export async function cachedPublicTypes(
  c: AppContext,
  load: () => Promise<unknown>,
): Promise<CachedBody> {
  const logger = c.get("logger");
  try {
    const cached = await c.env.CACHE.getWithMetadata<{ etag?: string }>(PUBLIC_TYPES_CACHE_KEY);
    if (cached.value !== null && cached.metadata?.etag) {
      return { body: cached.value, etag: cached.metadata.etag };
    }
  } catch (error) {
    logger.warn("document type cache read failed", describeError(error));
  }

  const body = JSON.stringify(await load());
  const etag = await strongEtag(body);
  const store = c.env.CACHE.put(PUBLIC_TYPES_CACHE_KEY, body, {
    expirationTtl: KV_TTL_SECONDS,
    metadata: { etag },
  }).catch((error) => logger.warn("document type cache write failed", describeError(error)));
  c.executionCtx.waitUntil(store);
  return { body, etag };
}

/**
 * Deletes the cached list so the next read rebuilds it. The admin's request awaits it.
 * NOTE: KV shows a delete at once only in the location that made it, and other locations may
 * serve the old entry for up to about 60 seconds. A public read that loaded the list before the
 * admin's write committed can also store the old list again after this delete, and it then
 * lives until the entry's 15-minute expiry.
 */
export async function invalidatePublicTypes(c: AppContext): Promise<void> {
  try {
    await c.env.CACHE.delete(PUBLIC_TYPES_CACHE_KEY);
  } catch (error) {
    c.get("logger").error("document type cache not invalidated", describeError(error));
  }
}

/** True when an `If-None-Match` header lists `etag` or is `*` (weak comparison, RFC 9110). */
export function matchesIfNoneMatch(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  const bare = etag.replace(/^W\//, "");
  return header
    .split(",")
    .map((tag) => tag.trim())
    .some((tag) => tag === "*" || tag.replace(/^W\//, "") === bare);
}

async function strongEtag(body: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(body));
  const hex = [...new Uint8Array(digest)].map((byte) => byte.toString(16).padStart(2, "0"));
  return `"${hex.slice(0, 16).join("")}"`;
}
