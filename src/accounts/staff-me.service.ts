import { and, count, eq, sql } from "drizzle-orm";
import { type ApplicantFilters, applicantFilterCondition } from "../applicants/applicant-filters";
import { applicantPageSource } from "../applicants/applicant-search.service";
import type { AppContext } from "../context";
import { newestApplicants } from "../dashboard/dashboard.service";
import type { Database } from "../db/client";
import {
  applicantProfiles,
  users,
  VERIFICATION_STATUSES,
  type VerificationStatus,
} from "../db/schema";
import { type PageQuery, paginate } from "../lib/pagination";
import type { serializeApplicantUser } from "../users/users.serializers";

const RECENT_APPLICANTS = 5;

/** The applicants whose profile names `staffId` as referrer, narrowed by `filters`. */
function referredConditions(staffId: number, filters: ApplicantFilters = {}) {
  return and(eq(applicantProfiles.referrerId, staffId), applicantFilterCondition(filters));
}

/**
 * Lists the applicants whose profile names `staffId` as referrer, newest profile first, as
 * ApplicantUser objects, with the filters of GET /api/applicants/. It runs the page source of
 * that list, so it has the same two queries: a count, and a page chosen before region names
 * are joined. A page past the last one is 404.
 */
export async function listReferredApplicants(
  c: AppContext,
  db: Database,
  staffId: number,
  query: PageQuery & ApplicantFilters,
) {
  const referred = eq(applicantProfiles.referrerId, staffId);
  const page = await paginate(c, query, applicantPageSource(db, "applicants", query, referred));
  // The "applicants" target serializes every row as an ApplicantUser.
  const results = page.results.map((row) => row.item as ReturnType<typeof serializeApplicantUser>);
  return { ...page, results };
}

const statusCount = (status: VerificationStatus) =>
  sql<number>`count(*) filter (where ${applicantProfiles.verificationStatus} = ${status})`.mapWith(
    Number,
  );

/**
 * Counts the applicants `staffId` referred, in total, active, per verification status, and
 * lists the newest few. Two queries, whatever the number of applicants.
 */
export async function referredApplicantStats(db: Database, staffId: number) {
  const where = referredConditions(staffId);
  const [counts] = await db
    .select({
      total: count(),
      active: sql<number>`count(*) filter (where ${users.isActive})`.mapWith(Number),
      DRAFT: statusCount("DRAFT"),
      SUBMITTED: statusCount("SUBMITTED"),
      ACCEPTED: statusCount("ACCEPTED"),
      REJECTED: statusCount("REJECTED"),
    })
    .from(applicantProfiles)
    .innerJoin(users, eq(users.id, applicantProfiles.userId))
    .where(where);

  const recent = await newestApplicants(db, where, RECENT_APPLICANTS);

  const breakdown = Object.fromEntries(
    VERIFICATION_STATUSES.map((status) => [status, counts?.[status] ?? 0]),
  ) as Record<VerificationStatus, number>;
  return {
    total_referred_applicants: counts?.total ?? 0,
    total_active: counts?.active ?? 0,
    total_accepted: breakdown.ACCEPTED,
    total_submitted: breakdown.SUBMITTED,
    verification_breakdown: breakdown,
    recent_applicants: recent,
  };
}
