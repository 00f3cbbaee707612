import { and, count, desc, eq, sql } from "drizzle-orm";
import { type ApplicantFilters, applicantFilterCondition } from "../applicants/applicant-filters";
import {
  type ApplicantProfileRecord,
  joinRegionNames,
  regionNameFields,
} from "../applicants/applicant-profile.serializer";
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
import { serializeApplicantUser } from "../users/users.serializers";

const RECENT_APPLICANTS = 5;

/** The applicants whose profile names `staffId` as referrer, narrowed by `filters`. */
function referredConditions(staffId: number, filters: ApplicantFilters = {}) {
  return and(eq(applicantProfiles.referrerId, staffId), applicantFilterCondition(filters));
}

/**
 * Lists the applicants whose profile names `staffId` as referrer, newest profile first, as
 * ApplicantUser objects, with the filters of GET /api/applicants/. Two queries: the count and
 * the page. A page past the last one is 404.
 */
export async function listReferredApplicants(
  c: AppContext,
  db: Database,
  staffId: number,
  query: PageQuery & ApplicantFilters,
) {
  const where = referredConditions(staffId, query);
  return paginate(c, query, {
    count: async () => {
      const [total] = await db
        .select({ value: count() })
        .from(applicantProfiles)
        .innerJoin(users, eq(users.id, applicantProfiles.userId))
        .where(where);
      return total?.value ?? 0;
    },
    rows: async (limit, offset) => {
      const select = db
        .select({ user: users, profile: applicantProfiles, ...regionNameFields })
        .from(applicantProfiles)
        .innerJoin(users, eq(users.id, applicantProfiles.userId))
        .$dynamic();
      const rows = await joinRegionNames(select)
        .where(where)
        .orderBy(desc(applicantProfiles.createdAt), desc(applicantProfiles.id))
        .limit(limit)
        .offset(offset);
      return rows.map((row) => {
        const record: ApplicantProfileRecord = {
          profile: row.profile,
          fullName: row.user.fullName,
          villageNames: row.villageNames,
          familyVillageNames: row.familyVillageNames,
          nikRegionKnown: row.nikRegionKnown,
        };
        return serializeApplicantUser(row.user, record);
      });
    },
  });
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
