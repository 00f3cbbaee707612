import type { AppContext } from "../context";
import { describeError } from "../lib/logger";
import { REGION_DATA_VERSION } from "./region-data-version";
import type { RegionLevel, RegionListFilter } from "./regions.service";

/**
 * Region data changes only when a new data package is loaded, so browsers and the app keep a
 * response for an hour and shared caches (the CDN) for a day.
 */
export const REGION_CACHE_CONTROL = "public, max-age=3600, s-maxage=86400";

/** KV entries expire after a day, which also bounds how long a reload can go unseen. */
const LIST_TTL_SECONDS = 86_400;
/** How long each Cloudflare location keeps a KV read before asking KV again. */
const EDGE_READ_TTL_SECONDS = 3_600;
/** Workers KV rejects longer keys. */
const KV_MAX_KEY_BYTES = 512;

/**
 * Builds the KV key of a list. The data package version is part of it, so a deploy with new
 * data reads fresh keys while the old ones expire.
 */
export function regionListCacheKey(level: RegionLevel, filter: RegionListFilter): string {
  const parent = filter.parentId ?? "all";
  return `regions:${REGION_DATA_VERSION}:${level}:${parent}:${filter.terms.join(" ")}`;
}

/**
 * Returns the JSON text stored under `key` in KV, or the JSON of `load()`, which is then
 * stored after the response is sent. When KV fails, the failure is logged and the list is loaded
 * from the database.
 */
export async function cachedJson(
  c: AppContext,
  key: string,
  load: () => Promise<unknown>,
): Promise<string> {
  // Upper-casing can make a 100-character search longer than a KV key may be (one "ΐ" becomes
  // three code points), so such rare queries skip the cache.
  if (new TextEncoder().encode(key).length > KV_MAX_KEY_BYTES) {
    return JSON.stringify(await load());
  }

  const logger = c.get("logger");
  try {
    const cached = await c.env.CACHE.get(key, { cacheTtl: EDGE_READ_TTL_SECONDS });
    if (cached !== null) return cached;
  } catch (error) {
    logger.warn("region cache read failed", describeError(error));
  }

  const json = JSON.stringify(await load());
  const store = c.env.CACHE.put(key, json, { expirationTtl: LIST_TTL_SECONDS }).catch((error) => {
    logger.warn("region cache write failed", describeError(error));
  });
  c.executionCtx.waitUntil(store);
  return json;
}

/** Sends JSON text as a 200 response with the region Cache-Control header. */
export function regionJsonResponse(c: AppContext, json: string) {
  return c.body(json, 200, {
    "Content-Type": "application/json",
    "Cache-Control": REGION_CACHE_CONTROL,
  });
}
