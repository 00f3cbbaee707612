import { eq, getTableColumns, type SQL, sql } from "drizzle-orm";
import type { AnyPgColumn } from "drizzle-orm/pg-core";
import type { Database } from "../db/client";
import { applicantProfiles, users } from "../db/schema";
import type { PageSource } from "../lib/pagination";
import { serializeApplicantUser } from "../users/users.serializers";
import type { CursorDirection } from "./applicant-cursor";
import { type ApplicantFilters, applicantFilterCondition } from "./applicant-filters";
import {
  keysetCondition,
  keyTextFields,
  type OrderKey,
  orderByClauses,
  parseOrdering,
} from "./applicant-ordering";
import {
  type ApplicantProfileRecord,
  joinRegionNames,
  regionNameFields,
  serializeApplicantProfile,
} from "./applicant-profile.serializer";

/** Which list is asked for: ApplicantUser items keyed by user id, or raw profiles by profile id. */
export type ListTarget = "applicants" | "profiles";

export interface ApplicantListQuery extends ApplicantFilters {
  ordering?: string;
}

/** One listed row: the serialized item and its ordering keys as text, for cursors. */
export interface ListedRow {
  item: ReturnType<typeof serializeApplicantUser> | ReturnType<typeof serializeApplicantProfile>;
  keyValues: string[];
}

const ID_COLUMNS: Record<ListTarget, AnyPgColumn> = {
  applicants: users.id,
  profiles: applicantProfiles.id,
};

// Password hashes and security stamps never leave the database for a list.
const { passwordHash: _hash, securityStamp: _stamp, ...listedUserColumns } = getTableColumns(users);

/** ORDER BY keys of a list query, ending with the target's id as tie-breaker. */
export function listOrderKeys(target: ListTarget, ordering: string | undefined): OrderKey[] {
  return parseOrdering(ordering, ID_COLUMNS[target]);
}

/**
 * Reads a list by offset for `paginate`: one COUNT query and one page query, whatever the page
 * size, with region names joined in the page query instead of loaded per row.
 */
export function applicantPageSource(
  db: Database,
  target: ListTarget,
  query: ApplicantListQuery,
): PageSource<ListedRow> {
  const where = applicantFilterCondition(query);
  const keys = listOrderKeys(target, query.ordering);
  return {
    count: async () => {
      const [counted] = await db
        .select({ count: sql<number>`count(*)::int` })
        .from(users)
        .innerJoin(applicantProfiles, eq(applicantProfiles.userId, users.id))
        .where(where);
      return counted?.count ?? 0;
    },
    rows: async (limit, offset) => {
      const rows = await selectListRows(db, keys)
        .where(where)
        .orderBy(...orderByClauses(keys))
        .limit(limit)
        .offset(offset);
      return rows.map((row) => toListedRow(target, keys, row));
    },
  };
}

/** Where a cursor page starts: after (or before) the row with these key values. */
export interface KeysetStart {
  direction: CursorDirection;
  values: string[];
}

/**
 * Loads one page by keyset in a single query: the rows after (or, going back, before) `start`,
 * plus one extra row that only tells whether more rows follow. The cost does not grow with
 * the depth of the page, because no rows are skipped by OFFSET.
 */
export async function listApplicantsAfter(
  db: Database,
  target: ListTarget,
  query: ApplicantListQuery,
  size: number,
  start: KeysetStart | null,
): Promise<{ rows: ListedRow[]; hasMore: boolean }> {
  const keys = listOrderKeys(target, query.ordering);
  const backwards = start?.direction === "previous";
  const conditions: SQL[] = [applicantFilterCondition(query)];
  if (start) conditions.push(keysetCondition(keys, start.values, backwards));

  const rows = await selectListRows(db, keys)
    .where(sql.join(conditions, sql` and `))
    .orderBy(...orderByClauses(keys, backwards))
    .limit(size + 1);
  const hasMore = rows.length > size;
  const pageRows = rows.slice(0, size);
  if (backwards) pageRows.reverse();
  return { rows: pageRows.map((row) => toListedRow(target, keys, row)), hasMore };
}

function selectListRows(db: Database, keys: OrderKey[]) {
  const query = db
    .select({
      user: listedUserColumns,
      profile: applicantProfiles,
      ...regionNameFields,
      keys: keyTextFields(keys),
    })
    .from(users)
    .innerJoin(applicantProfiles, eq(applicantProfiles.userId, users.id))
    .$dynamic();
  return joinRegionNames(query);
}

type SelectedRow = Awaited<ReturnType<typeof selectListRows>>[number];

function toListedRow(target: ListTarget, keys: OrderKey[], row: SelectedRow): ListedRow {
  const record: ApplicantProfileRecord = {
    profile: row.profile,
    fullName: row.user.fullName,
    villageNames: row.villageNames,
    familyVillageNames: row.familyVillageNames,
    nikRegionKnown: row.nikRegionKnown,
  };
  const keyValues = keys.map((_, index) => row.keys[`key${index}`] as string);
  if (target === "profiles") return { item: serializeApplicantProfile(record), keyValues };

  // The serializer reads neither secret column; they are filled only to satisfy its row type.
  const user = { ...row.user, passwordHash: null, securityStamp: "" };
  return { item: serializeApplicantUser(user, record), keyValues };
}
