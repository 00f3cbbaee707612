import { and, desc, eq, gte, isNotNull, lt, type SQL, sql } from "drizzle-orm";
import type { AnyPgColumn } from "drizzle-orm/pg-core";
import { alias } from "drizzle-orm/pg-core";
import { jakartaMidnight } from "../applicants/applicant-filters";
import type { Database } from "../db/client";
import { applicantProfiles, provinces, users, VERIFICATION_STATUSES } from "../db/schema";
import { applicantScope, type DashboardScope, jakartaDay } from "./dashboard.service";

const TOP_LIMIT = 10;
const referrer = alias(users, "referrer");
const countAll = sql<number>`count(*)::int`;

/** Inclusive Jakarta calendar days, `YYYY-MM-DD`. */
export interface ReportRange {
  start_date: string;
  end_date: string;
}

/**
 * Builds the applicant report for profiles created within `range`: status totals, the
 * completion rate, breakdowns by status, province (top 10), gender, education, destination
 * and referrer (top 10), and a per-day timeline without empty days.
 */
export async function applicantReport(db: Database, range: ReportRange, scope: DashboardScope) {
  const end = jakartaMidnight(range.end_date);
  end.setUTCDate(end.getUTCDate() + 1);
  const where = and(
    applicantScope(scope),
    gte(applicantProfiles.createdAt, jakartaMidnight(range.start_date)),
    lt(applicantProfiles.createdAt, end),
  ) as SQL;

  const byStatus = await countBy(db, where, applicantProfiles.verificationStatus);
  const statusCounts = new Map(byStatus.map((row) => [row.value, row.count]));
  const by_status = VERIFICATION_STATUSES.map((status) => ({
    verification_status: status,
    count: statusCounts.get(status) ?? 0,
  }));
  return {
    date_range: range,
    summary: summarize(by_status),
    by_status,
    by_province: await byProvince(db, where),
    by_gender: renameValue(await countBy(db, where, applicantProfiles.gender), "gender"),
    by_education: renameValue(
      await countBy(db, where, applicantProfiles.educationLevel),
      "education_level",
    ),
    by_destination: renameValue(
      await countBy(db, where, applicantProfiles.destinationCountry),
      "destination_country",
    ),
    by_referrer: await byReferrer(db, where),
    timeline: await timeline(db, where),
  };
}

/**
 * Status totals and the completion rate: the share of the range's profiles that have left
 * DRAFT (submitted at least once), as a percentage with one decimal; 0.0 for an empty range.
 */
function summarize(byStatus: { verification_status: string; count: number }[]) {
  const count = (status: string) =>
    byStatus.find((row) => row.verification_status === status)?.count ?? 0;
  const total = byStatus.reduce((sum, row) => sum + row.count, 0);
  const completed = total - count("DRAFT");
  return {
    total_applicants: total,
    total_accepted: count("ACCEPTED"),
    total_rejected: count("REJECTED"),
    total_submitted: count("SUBMITTED"),
    total_draft: count("DRAFT"),
    completion_rate: total === 0 ? 0 : Math.round((completed / total) * 1000) / 10,
  };
}

async function countBy(db: Database, where: SQL, column: AnyPgColumn) {
  return db
    .select({ value: sql<string | null>`${column}`, count: countAll })
    .from(applicantProfiles)
    .innerJoin(users, eq(users.id, applicantProfiles.userId))
    .where(where)
    .groupBy(column)
    .orderBy(desc(countAll), sql`${column} nulls last`);
}

function renameValue<K extends string>(rows: { value: string | null; count: number }[], key: K) {
  return rows.map(
    (row) =>
      ({ [key]: row.value, count: row.count }) as Record<K, string | null> & {
        count: number;
      },
  );
}

/** Top provinces by profile count; profiles without a province count under a null id. */
async function byProvince(db: Database, where: SQL) {
  return db
    .select({
      province_id: applicantProfiles.provinceId,
      province: provinces.name,
      count: countAll,
    })
    .from(applicantProfiles)
    .innerJoin(users, eq(users.id, applicantProfiles.userId))
    .leftJoin(provinces, eq(provinces.id, applicantProfiles.provinceId))
    .where(where)
    .groupBy(applicantProfiles.provinceId, provinces.name)
    .orderBy(desc(countAll), sql`${provinces.name} nulls last`)
    .limit(TOP_LIMIT);
}

/** Top referrers by profiles they brought in; profiles without a referrer are left out. */
async function byReferrer(db: Database, where: SQL) {
  return db
    .select({
      referrer_id: referrer.id,
      full_name: referrer.fullName,
      email: referrer.email,
      count: countAll,
    })
    .from(applicantProfiles)
    .innerJoin(users, eq(users.id, applicantProfiles.userId))
    .innerJoin(referrer, eq(referrer.id, applicantProfiles.referrerId))
    .where(and(where, isNotNull(applicantProfiles.referrerId)))
    .groupBy(referrer.id, referrer.fullName, referrer.email)
    .orderBy(desc(countAll), referrer.id)
    .limit(TOP_LIMIT);
}

async function timeline(db: Database, where: SQL) {
  return db
    .select({ date: jakartaDay, count: countAll })
    .from(applicantProfiles)
    .innerJoin(users, eq(users.id, applicantProfiles.userId))
    .where(where)
    .groupBy(jakartaDay)
    .orderBy(jakartaDay);
}
