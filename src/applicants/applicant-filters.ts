import { z } from "@hono/zod-openapi";
import { and, eq, gte, ilike, inArray, isNull, lt, or, type SQL, sql } from "drizzle-orm";
import type { AnyPgColumn } from "drizzle-orm/pg-core";
import {
  applicantProfiles,
  EDUCATION_LEVELS,
  GENDERS,
  MARITAL_STATUSES,
  RELIGIONS,
  USER_ROLES,
  users,
  VERIFICATION_STATUSES,
} from "../db/schema";
import { singleLineText } from "../lib/text";
import { todayInJakarta } from "../lib/time";

const MAX_SEARCH_LENGTH = 200;
const MAX_SEARCH_TERMS = 10;
const JAKARTA_OFFSET = "+07:00";

const booleanParam = z.enum(["true", "false"], "Gunakan true atau false.");
const idParam = z
  .string()
  .regex(/^[1-9][0-9]{0,9}$/, "Harus berupa id bilangan bulat positif.")
  .transform(Number)
  .pipe(z.number().max(2_147_483_647, "Id terlalu besar."));
const ageParam = z
  .string()
  .regex(/^[0-9]{1,3}$/, "Harus berupa bilangan bulat 0–150.")
  .transform(Number)
  .pipe(z.number().max(150, "Harus berupa bilangan bulat 0–150."));
const dayParam = z.iso.date("Gunakan format tanggal YYYY-MM-DD.");

/**
 * Filters shared by GET /api/applicants/, its CSV export and GET /api/applicant-profiles/.
 * Every value arrives as a query string, so each parameter validates its own text and a bad
 * value becomes a 400 naming that parameter.
 */
export const ApplicantFilterQuerySchema = z.object({
  verification_status: z.enum(VERIFICATION_STATUSES).optional(),
  referrer: idParam.optional(),
  referrer_isnull: booleanParam.optional(),
  gender: z.enum(GENDERS).optional(),
  religion: z.enum(RELIGIONS).optional(),
  education_level: z.enum(EDUCATION_LEVELS).optional(),
  marital_status: z.enum(MARITAL_STATUSES).optional(),
  province: idParam.optional(),
  district: idParam.optional(),
  age_min: ageParam.optional(),
  age_max: ageParam.optional(),
  created_at_after: dayParam.optional(),
  created_at_before: dayParam.optional(),
  is_active: booleanParam.optional(),
  email_verified: booleanParam.optional(),
  // singleLineText rejects NUL and other control characters before they reach Postgres, which
  // fails the query with 22021. The CSV export runs its query inside the streamed body, after
  // the 200 is sent, where that failure could not become a 400.
  search: singleLineText({ max: MAX_SEARCH_LENGTH })
    .refine(
      (value) => searchTerms(value).length <= MAX_SEARCH_TERMS,
      `Maksimal ${MAX_SEARCH_TERMS} kata pencarian.`,
    )
    .optional(),
});

export type ApplicantFilters = z.infer<typeof ApplicantFilterQuerySchema>;

/**
 * Builds the WHERE clause for `filters` over `users` joined with `applicant_profiles`,
 * always limited to APPLICANT users. `today` is the Jakarta date the ages are computed on.
 */
export function applicantFilterCondition(
  filters: ApplicantFilters,
  today: string = todayInJakarta(),
): SQL {
  const scopes = applicantFilterScopes(filters, today, users.id);
  return and(eq(users.role, "APPLICANT"), ...scopes.profile, ...scopes.user) as SQL;
}

/** The conditions of a filter set, split by the table whose columns they read. */
export interface FilterScopes {
  /** Conditions on `applicant_profiles` columns; search terms match on `searchIdColumn`. */
  profile: SQL[];
  /** Conditions on `users` columns other than the role. */
  user: SQL[];
}

/**
 * Splits `filters` into profile and user conditions, so that a query whose filters touch only
 * profiles can leave `users` out. A search term tests `searchIdColumn` against the ids of
 * matching users and profiles: `users.id` in a join, `applicant_profiles.user_id` without one.
 */
export function applicantFilterScopes(
  filters: ApplicantFilters,
  today: string,
  searchIdColumn: AnyPgColumn,
): FilterScopes {
  const profile = [
    ...profileConditions(filters),
    ...ageConditions(filters, today),
    ...createdAtConditions(filters),
    ...searchConditions(filters.search, searchIdColumn),
  ].filter((condition): condition is SQL => condition !== undefined);
  const user: SQL[] = [];
  if (filters.is_active) user.push(eq(users.isActive, filters.is_active === "true"));
  if (filters.email_verified) {
    user.push(eq(users.emailVerified, filters.email_verified === "true"));
  }
  return { profile, user };
}

/**
 * "The profile belongs to an APPLICANT user" without joining `users`: a role change keeps the
 * profile row, so the profiles of the few users with another role are excluded by id. The
 * subquery reads `users_role_idx` once and Postgres checks it as a hashed set per row.
 */
export function profileOfApplicant(): SQL {
  const otherRoles = USER_ROLES.filter((role) => role !== "APPLICANT");
  return sql`${applicantProfiles.userId} not in (select ${users.id} from ${users}
    where ${inArray(users.role, otherRoles)})`;
}

function profileConditions(filters: ApplicantFilters): (SQL | undefined)[] {
  const p = applicantProfiles;
  const equal = <T>(column: Parameters<typeof eq>[0], value: T | undefined) =>
    value === undefined ? undefined : eq(column, value);
  const referrerIsNull =
    filters.referrer_isnull === undefined
      ? undefined
      : filters.referrer_isnull === "true"
        ? isNull(p.referrerId)
        : sql`${p.referrerId} is not null`;
  return [
    equal(p.verificationStatus, filters.verification_status),
    equal(p.referrerId, filters.referrer),
    referrerIsNull,
    equal(p.gender, filters.gender),
    equal(p.religion, filters.religion),
    equal(p.educationLevel, filters.education_level),
    equal(p.maritalStatus, filters.marital_status),
    equal(p.provinceId, filters.province),
    equal(p.districtId, filters.district),
  ];
}

/**
 * Age in whole years on `today`, as `ageOn` computes it: `age >= n` holds exactly when the
 * birth date is on or before `today` moved back n years, so both bounds become date ranges
 * that the birth_date column can answer without computing an age per row.
 */
function ageConditions(filters: ApplicantFilters, today: string): SQL[] {
  const conditions: SQL[] = [];
  if (filters.age_min !== undefined) {
    conditions.push(sql`${applicantProfiles.birthDate} <= ${yearsBefore(today, filters.age_min)}`);
  }
  if (filters.age_max !== undefined) {
    // age <= n is the same as "not yet n + 1".
    const cutoff = yearsBefore(today, filters.age_max + 1);
    conditions.push(sql`${applicantProfiles.birthDate} > ${cutoff}`);
  }
  return conditions;
}

/** The date `years` before `day` (YYYY-MM-DD); 29 February falls back to 28 February. */
export function yearsBefore(day: string, years: number): string {
  const [year, month, date] = day.split("-").map(Number) as [number, number, number];
  const targetYear = year - years;
  const leap = (targetYear % 4 === 0 && targetYear % 100 !== 0) || targetYear % 400 === 0;
  const targetDate = month === 2 && date === 29 && !leap ? 28 : date;
  const pad = (value: number, length: number) => String(value).padStart(length, "0");
  return `${pad(targetYear, 4)}-${pad(month, 2)}-${pad(targetDate, 2)}`;
}

/** Both bounds are whole Jakarta days and inclusive: `before` ends at the next midnight. */
function createdAtConditions(filters: ApplicantFilters): SQL[] {
  const conditions: SQL[] = [];
  if (filters.created_at_after) {
    conditions.push(gte(applicantProfiles.createdAt, jakartaMidnight(filters.created_at_after)));
  }
  if (filters.created_at_before) {
    const end = jakartaMidnight(filters.created_at_before);
    end.setUTCDate(end.getUTCDate() + 1);
    conditions.push(lt(applicantProfiles.createdAt, end));
  }
  return conditions;
}

/** The instant a Jakarta calendar day (YYYY-MM-DD) starts. */
export function jakartaMidnight(day: string): Date {
  return new Date(`${day}T00:00:00${JAKARTA_OFFSET}`);
}

/**
 * Every space-separated term must occur, case-insensitively, in the email, the full name,
 * the NIK or the phone number. `ILIKE '%term%'` is what the pg_trgm GIN indexes on those
 * four columns serve; `%`, `_` and `\` in a term are escaped so they match themselves.
 */
function searchTerms(search: string): string[] {
  return search.trim().split(/\s+/).filter(Boolean);
}

function searchConditions(search: string | undefined, idColumn: AnyPgColumn): SQL[] {
  return searchTerms(search ?? "").map((term) => {
    const pattern = `%${term.replace(/[\\%_]/g, (character) => `\\${character}`)}%`;
    // One OR across both joined tables can only be checked row by row after the join. Two
    // single-table subqueries let each use a BitmapOr of its own trigram indexes.
    const userMatch = or(ilike(users.email, pattern), ilike(users.fullName, pattern));
    const profileMatch = or(
      ilike(applicantProfiles.nik, pattern),
      ilike(applicantProfiles.contactPhone, pattern),
    );
    const matchingUsers = sql`select ${users.id} from ${users} where ${userMatch}`;
    const matchingProfiles = sql`select ${applicantProfiles.userId} from ${applicantProfiles}
      where ${profileMatch}`;
    return sql`${idColumn} in (${matchingUsers} union all ${matchingProfiles})`;
  });
}
