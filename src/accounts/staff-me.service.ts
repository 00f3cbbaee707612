import { and, count, desc, eq, ilike, or, type SQL, sql } from "drizzle-orm";
import {
  type ApplicantProfileRecord,
  joinRegionNames,
  regionNameFields,
} from "../applicants/applicant-profile.serializer";
import type { AppContext } from "../context";
import type { Database } from "../db/client";
import {
  applicantProfiles,
  users,
  VERIFICATION_STATUSES,
  type VerificationStatus,
} from "../db/schema";
import { formatDateTime } from "../lib/time";
import { serializeApplicantUser } from "../users/users.serializers";
import { escapeLike, searchTerms } from "./account-list.service";
import { assertPageInRange, buildPage, type PageRequest, pageOffset } from "./page-pagination";

const RECENT_APPLICANTS = 5;

export interface ReferredApplicantsQuery extends PageRequest {
  verificationStatus?: VerificationStatus;
  search?: string;
}

function referredConditions(
  staffId: number,
  query: Omit<ReferredApplicantsQuery, keyof PageRequest>,
) {
  const conditions: SQL[] = [
    eq(applicantProfiles.referrerId, staffId),
    eq(users.role, "APPLICANT"),
  ];
  if (query.verificationStatus) {
    conditions.push(eq(applicantProfiles.verificationStatus, query.verificationStatus));
  }
  for (const term of searchTerms(query.search)) {
    const pattern = `%${escapeLike(term)}%`;
    conditions.push(or(ilike(users.email, pattern), ilike(users.fullName, pattern))!);
  }
  return and(...conditions);
}

/**
 * Lists the applicants whose profile names `staffId` as referrer, newest profile first, as
 * ApplicantUser objects. Two queries: the count and the page. A page past the last one is 404.
 */
export async function listReferredApplicants(
  c: AppContext,
  db: Database,
  staffId: number,
  query: ReferredApplicantsQuery,
) {
  // TODO(#2): swap in the full applicant filter set of GET /api/applicants/ once it exists.
  const where = referredConditions(staffId, query);
  const [total] = await db
    .select({ value: count() })
    .from(applicantProfiles)
    .innerJoin(users, eq(users.id, applicantProfiles.userId))
    .where(where);
  const countValue = total?.value ?? 0;
  assertPageInRange(query, countValue);

  const select = db
    .select({ user: users, profile: applicantProfiles, ...regionNameFields })
    .from(applicantProfiles)
    .innerJoin(users, eq(users.id, applicantProfiles.userId))
    .$dynamic();
  const rows = await joinRegionNames(select)
    .where(where)
    .orderBy(desc(applicantProfiles.createdAt), desc(applicantProfiles.id))
    .limit(query.pageSize)
    .offset(pageOffset(query));

  const results = rows.map((row) => {
    const record: ApplicantProfileRecord = {
      profile: row.profile,
      fullName: row.user.fullName,
      villageNames: row.villageNames,
      familyVillageNames: row.familyVillageNames,
    };
    return serializeApplicantUser(row.user, record);
  });
  return buildPage(c, query, countValue, results);
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
  const where = referredConditions(staffId, {});
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

  const recent = await db
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
    .limit(RECENT_APPLICANTS);

  const breakdown = Object.fromEntries(
    VERIFICATION_STATUSES.map((status) => [status, counts?.[status] ?? 0]),
  ) as Record<VerificationStatus, number>;
  return {
    total_referred_applicants: counts?.total ?? 0,
    total_active: counts?.active ?? 0,
    total_accepted: breakdown.ACCEPTED,
    total_submitted: breakdown.SUBMITTED,
    verification_breakdown: breakdown,
    recent_applicants: recent.map(({ createdAt, ...row }) => ({
      ...row,
      created_at: formatDateTime(createdAt),
    })),
  };
}
