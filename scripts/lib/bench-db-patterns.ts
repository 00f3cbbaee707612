// The request patterns of `npm run bench:db`: query strings as clients send them to
// GET /api/applicants/ and GET /api/applicant-profiles/, with filter values read from the
// loaded data so that every filter matches rows.
import type postgres from "postgres";
import { ORDERING_FIELDS } from "../../src/applicants/applicant-ordering";
import { todayInJakarta } from "../../src/lib/time";

/** Paging mode of a pattern: offset mode (COUNT + page query) or one keyset query. */
export type PatternMode =
  | { kind: "page"; page: number | "last"; skipCount?: boolean }
  | { kind: "cursor"; position: "start" | "middle" | "end" };

export interface BenchPattern {
  name: string;
  target: "applicants" | "profiles";
  query: Record<string, string>;
  mode: PatternMode;
}

/** Values taken from one loaded applicant, so that search terms and region filters match. */
export interface SampleValues {
  staffId: number;
  provinceId: number;
  districtId: number;
  nik: string;
  phone: string;
  email: string;
  fullName: string;
}

/** Reads the sample values from the most recently created applicant with a NIK and region. */
export async function readSampleValues(sql: postgres.Sql): Promise<SampleValues> {
  const [row] = await sql<SampleValues[]>`
    select p.referrer_id as "staffId", p.province_id as "provinceId",
      p.district_id as "districtId", p.nik, p.contact_phone as phone, u.email,
      u.full_name as "fullName"
    from applicant_profiles p join users u on u.id = p.user_id
    where p.nik is not null and p.province_id is not null and p.referrer_id is not null
    order by p.id desc limit 1`;
  if (!row) throw new Error("no applicant with a NIK, a region and a referrer: run seed:scale");
  return row;
}

function daysAgo(days: number): string {
  return todayInJakarta(new Date(Date.now() - days * 86_400_000));
}

/** Lists every filter of the list alone, plus one combination and the search kinds. */
function filterQueries(sample: SampleValues): [string, Record<string, string>][] {
  return [
    ["no filter", {}],
    ["verification_status", { verification_status: "SUBMITTED" }],
    ["referrer", { referrer: String(sample.staffId) }],
    ["referrer_isnull=true", { referrer_isnull: "true" }],
    ["referrer_isnull=false", { referrer_isnull: "false" }],
    ["gender", { gender: "M" }],
    ["religion (rare value)", { religion: "HINDU" }],
    ["education_level", { education_level: "S1" }],
    ["marital_status", { marital_status: "CERAI MATI" }],
    ["province", { province: String(sample.provinceId) }],
    ["district", { district: String(sample.districtId) }],
    ["age_min", { age_min: "40" }],
    ["age_max", { age_max: "20" }],
    ["created_at_after (7 days)", { created_at_after: daysAgo(7) }],
    ["created_at_before (150 days)", { created_at_before: daysAgo(150) }],
    ["is_active=false", { is_active: "false" }],
    ["email_verified=false", { email_verified: "false" }],
    [
      "status + province",
      { verification_status: "SUBMITTED", province: String(sample.provinceId) },
    ],
    ["search: full name", { search: sample.fullName.split(" ")[0] as string }],
    ["search: two name terms", { search: sample.fullName.split(" ").slice(0, 2).join(" ") }],
    ["search: NIK prefix (8 digits)", { search: sample.nik.slice(0, 8) }],
    ["search: phone fragment (7 digits)", { search: sample.phone.slice(4, 11) }],
    ["search: email fragment", { search: sample.email.slice(0, 9) }],
  ];
}

/** Builds every pattern, in the order of the printed table. */
export function benchPatterns(sample: SampleValues): BenchPattern[] {
  const patterns: BenchPattern[] = filterQueries(sample).map(([name, query]) => ({
    name,
    target: "applicants",
    query,
    mode: { kind: "page", page: 1 },
  }));
  for (const field of ORDERING_FIELDS) {
    for (const ordering of [field, `-${field}`]) {
      patterns.push({
        name: `ordering=${ordering}`,
        target: "applicants",
        query: { ordering },
        mode: { kind: "page", page: 1, skipCount: true },
      });
    }
  }
  for (const page of [10, 1000, 25_000, "last"] as const) {
    patterns.push({
      name: `page=${page}`,
      target: "applicants",
      query: {},
      mode: { kind: "page", page, skipCount: true },
    });
  }
  for (const ordering of [
    "-applicant_profile__created_at",
    "full_name",
    "-applicant_profile__score",
  ]) {
    for (const position of ["start", "middle", "end"] as const) {
      patterns.push({
        name: `cursor ${position}, ordering=${ordering}`,
        target: "applicants",
        query: { ordering, pagination: "cursor" },
        mode: { kind: "cursor", position },
      });
    }
  }
  patterns.push({
    name: "applicant-profiles: no filter",
    target: "profiles",
    query: {},
    mode: { kind: "page", page: 1 },
  });
  return patterns;
}
