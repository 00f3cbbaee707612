import { and, desc, eq, gte, type SQL, sql } from "drizzle-orm";
import { jakartaMidnight } from "../applicants/applicant-filters";
import type { Database } from "../db/client";
import { applicantProfiles, users } from "../db/schema";
import { formatDateTime, todayInJakarta } from "../lib/time";

export const TIMESERIES_DAYS = 90;
export const LATEST_LIMIT = 10;
const GROWTH_WINDOW_MS = 30 * 24 * 60 * 60 * 1000;

/** Optional narrowing of every dashboard figure to the applicants one referrer brought in. */
export interface DashboardScope {
  referrer?: number;
}

/** APPLICANT users' profiles, narrowed to `scope`. */
export function applicantScope(scope: DashboardScope): SQL {
  const conditions = [eq(users.role, "APPLICANT")];
  if (scope.referrer !== undefined)
    conditions.push(eq(applicantProfiles.referrerId, scope.referrer));
  return and(...conditions) as SQL;
}

/** The Jakarta calendar day of a profile's creation, as `YYYY-MM-DD` text. */
export const jakartaDay = sql<string>`to_char(${applicantProfiles.createdAt} at time zone 'Asia/Jakarta', 'YYYY-MM-DD')`;

/**
 * Counts applicants, accepted ones ("active workers") and the rest, and computes the growth
 * rate. `growth_rate_30d` is the number of profiles created in the 30 × 24 h before `now`, as a
 * percentage of the profiles that existed before that window, rounded to one decimal. With no
 * earlier profiles the rate is 100.0 when any were created in the window, else 0.0.
 */
export async function applicantSummary(db: Database, scope: DashboardScope, now = new Date()) {
  // Raw SQL gets no column mapping, so the instant goes in as ISO text with an explicit cast.
  const windowStart = new Date(now.getTime() - GROWTH_WINDOW_MS).toISOString();
  const [row] = await db
    .select({
      total: sql<number>`count(*)::int`,
      accepted: sql<number>`(count(*) filter (where ${applicantProfiles.verificationStatus} = 'ACCEPTED'))::int`,
      recent: sql<number>`(count(*) filter (where ${applicantProfiles.createdAt} > ${windowStart}::timestamptz))::int`,
    })
    .from(applicantProfiles)
    .innerJoin(users, eq(users.id, applicantProfiles.userId))
    .where(applicantScope(scope));

  const total = row?.total ?? 0;
  const accepted = row?.accepted ?? 0;
  const recent = row?.recent ?? 0;
  return {
    total_applicants: total,
    total_active_workers: accepted,
    total_inactive_workers: total - accepted,
    growth_rate_30d: growthRate(recent, total - recent),
  };
}

function growthRate(added: number, before: number): number {
  if (before === 0) return added > 0 ? 100 : 0;
  return Math.round((added / before) * 1000) / 10;
}

/** Profiles created per Jakarta day over the last 90 days including today, oldest first. */
export async function applicantTimeseries(db: Database, scope: DashboardScope, now = new Date()) {
  const firstDay = jakartaMidnight(todayInJakarta(now));
  firstDay.setUTCDate(firstDay.getUTCDate() - (TIMESERIES_DAYS - 1));
  return db
    .select({ date: jakartaDay, count: sql<number>`count(*)::int` })
    .from(applicantProfiles)
    .innerJoin(users, eq(users.id, applicantProfiles.userId))
    .where(and(applicantScope(scope), gte(applicantProfiles.createdAt, firstDay)))
    .groupBy(jakartaDay)
    .orderBy(jakartaDay);
}

/** Lists the ten newest profiles, identified by their users' ids. */
export function latestApplicants(db: Database, scope: DashboardScope) {
  return newestApplicants(db, applicantScope(scope), LATEST_LIMIT);
}

/**
 * Lists the `limit` newest applicant profiles matching `where` (over profiles joined to their
 * users), each with its user's id, name and email and the profile's status and creation time.
 */
export async function newestApplicants(db: Database, where: SQL | undefined, limit: number) {
  const rows = await db
    .select({
      id: users.id,
      full_name: users.fullName,
      email: users.email,
      verification_status: applicantProfiles.verificationStatus,
      createdAt: applicantProfiles.createdAt,
    })
    .from(applicantProfiles)
    .innerJoin(users, eq(users.id, applicantProfiles.userId))
    .where(where)
    .orderBy(desc(applicantProfiles.createdAt), desc(applicantProfiles.id))
    .limit(limit);
  return rows.map(({ createdAt, ...row }) => ({ ...row, created_at: formatDateTime(createdAt) }));
}
