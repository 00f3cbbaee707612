import { eq, type SQL, sql } from "drizzle-orm";
import type { Database } from "../db/client";
import { applicantDocuments, applicantProfiles, users } from "../db/schema";

// The score weighs how complete the FORM BIODATA is (60 %) against how much of what the
// applicant uploaded has been approved (40 %), on a 0–100 scale with one decimal.
const FIELDS_WEIGHT = 60;
const DOCUMENTS_WEIGHT = 40;

/** The profile columns that count as "filled" fields; `full_name` on `users` is the 11th. */
export const SCORED_PROFILE_COLUMNS = [
  "nik",
  "birthDate",
  "gender",
  "address",
  "contactPhone",
  "provinceId",
  "districtId",
  "villageId",
  "educationLevel",
  "maritalStatus",
] as const;

export type ScoredColumn = (typeof SCORED_PROFILE_COLUMNS)[number];
const SCORED_FIELD_COUNT = SCORED_PROFILE_COLUMNS.length + 1;

/** Values an update is about to write, which the score must count instead of the stored ones. */
export type ScoreOverrides = Partial<Record<ScoredColumn, unknown>>;

/** Whether a value counts as filled: not null and not blank. */
export function isFilled(value: unknown): boolean {
  if (value === null || value === undefined) return false;
  return typeof value !== "string" || value.trim() !== "";
}

/** 1 when the stored column is neither null nor blank, else 0, in SQL. */
function filledColumn(column: ScoredColumn): SQL {
  return sql`(case when nullif(trim(${applicantProfiles[column]}::text), '') is null then 0 else 1 end)`;
}

/**
 * The score of the `applicant_profiles` row that the surrounding statement updates, as a
 * SQL expression for `.set({ score })`. The fields share counts `overrides` for the columns
 * the same UPDATE sets, because an expression in SET sees the values from before the
 * statement; `full_name` is read from `users`, so a name change must be written before
 * this statement in the same transaction. Documents count with their review status at
 * that moment: the share of uploaded documents that are APPROVED, 0 when none are uploaded.
 */
export function applicantProfileScore(overrides: ScoreOverrides = {}): SQL {
  const fields = SCORED_PROFILE_COLUMNS.map((column) =>
    column in overrides ? sql.raw(isFilled(overrides[column]) ? "1" : "0") : filledColumn(column),
  );
  const fullNameFilled = sql`(select case when trim(${users.fullName}) = '' then 0 else 1 end
    from ${users} where ${users.id} = ${applicantProfiles.userId})`;
  const approvedShare = sql`(select coalesce(
      count(*) filter (where ${applicantDocuments.reviewStatus} = 'APPROVED')::numeric
        / nullif(count(*), 0),
      0)
    from ${applicantDocuments}
    where ${applicantDocuments.applicantProfileId} = ${applicantProfiles.id})`;
  return sql`round(
    ${FIELDS_WEIGHT}::numeric * (${sql.join(fields, sql` + `)} + coalesce(${fullNameFilled}, 0))
      / ${SCORED_FIELD_COUNT}
    + ${DOCUMENTS_WEIGHT}::numeric * ${approvedShare},
    1)`;
}

/**
 * Builds the statement that recomputes one profile's score from its stored fields and
 * documents, for use inside `runAtomic` after a statement that changes either (a document
 * upload, removal or review). Put it last, because it reads the rows as the earlier
 * statements of the same transaction left them.
 */
export function recomputeScoreStatement(db: Database, profileId: number) {
  return db
    .update(applicantProfiles)
    .set({ score: applicantProfileScore() })
    .where(eq(applicantProfiles.id, profileId));
}
