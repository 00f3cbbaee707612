import { and, asc, eq, inArray } from "drizzle-orm";
import type { AppContext, ServiceContext } from "../context";
import type { Database } from "../db/client";
import { users } from "../db/schema";
import { describeError } from "../lib/logger";

/** KV key of the public staff referrer list. Bump the version when the item shape changes. */
export const STAFF_REFERRERS_CACHE_KEY = "staff-referrers:v1";

/**
 * KV keeps the list at most 5 minutes, which bounds how long a failed invalidation goes unseen.
 * KV's minimum expiration is 60 seconds.
 */
const STAFF_REFERRERS_TTL_SECONDS = 300;

/**
 * Browsers and the CDN may keep the list for a minute, so a new or deactivated staff member
 * shows up in the registration form within a minute of the KV invalidation.
 */
export const STAFF_REFERRERS_CACHE_CONTROL = "public, max-age=60";

/** Lists every STAFF and ADMIN user, active or not, for the back-office referrer filter. */
export async function listReferrers(db: Database) {
  return db
    .select({
      id: users.id,
      full_name: users.fullName,
      email: users.email,
      referral_code: users.referralCode,
    })
    .from(users)
    .where(inArray(users.role, ["STAFF", "ADMIN"]))
    .orderBy(asc(users.fullName), asc(users.id));
}

/** Lists active STAFF users with their referral codes; no emails, because anyone may read it. */
export async function listStaffReferrers(db: Database) {
  return db
    .select({ id: users.id, full_name: users.fullName, referral_code: users.referralCode })
    .from(users)
    .where(and(eq(users.role, "STAFF"), eq(users.isActive, true)))
    .orderBy(asc(users.fullName), asc(users.id));
}

/**
 * Returns the staff referrer list as JSON text from KV. When KV has no entry, the database
 * provides the list and the entry is written after the response is sent. A KV read failure is
 * logged and the database is read instead.
 * NOTE: a read that loads from the database just before an invalidation can store the old list
 * again, which then lives until the TTL ends.
 */
export async function cachedStaffReferrersJson(c: AppContext, load: () => Promise<unknown>) {
  const logger = c.get("logger");
  try {
    const cached = await c.env.CACHE.get(STAFF_REFERRERS_CACHE_KEY);
    if (cached !== null) return cached;
  } catch (error) {
    logger.warn("staff referrers cache read failed", describeError(error));
  }

  const json = JSON.stringify(await load());
  const store = c.env.CACHE.put(STAFF_REFERRERS_CACHE_KEY, json, {
    expirationTtl: STAFF_REFERRERS_TTL_SECONDS,
  }).catch((error) => logger.warn("staff referrers cache write failed", describeError(error)));
  c.executionCtx.waitUntil(store);
  return json;
}

/**
 * Deletes the cached staff referrer list after a STAFF account was created, edited,
 * deactivated or activated. A failure is logged, not raised: the change is already committed,
 * and the entry expires within STAFF_REFERRERS_TTL_SECONDS anyway.
 */
export async function invalidateStaffReferrers(services: Pick<ServiceContext, "env" | "logger">) {
  try {
    await services.env.CACHE.delete(STAFF_REFERRERS_CACHE_KEY);
  } catch (error) {
    services.logger.warn("staff referrers cache delete failed", describeError(error));
  }
}
