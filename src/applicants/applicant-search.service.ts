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

/**
 * ORDER BY keys of a list query, ending with the target's id as tie-breaker. An applicant list
 * ordered by a profile column breaks ties on `applicant_profiles.user_id` (equal to `users.id`
 * through the join), so that the keyset condition names one table and an index on
 * (column, user_id) serves it at any depth.
 */
export function listOrderKeys(target: ListTarget, ordering: string | undefined): OrderKey[] {
  const [first] = parseOrdering(ordering, ID_COLUMNS[target]);
  const byProfileColumn = first !== undefined && first.column.table === applicantProfiles;
  const tieBreaker =
    target === "applicants" && byProfileColumn ? applicantProfiles.userId : ID_COLUMNS[target];
  return parseOrdering(ordering, tieBreaker);
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
      // TODO(#6): an exact COUNT joins every matching users and applicant_profiles row, which
      // took 0.16–1.9 s at 1M applicants (BENCHMARKS.md); cursor mode skips it. A capped or
      // estimated count changes the `count` field of the API, so it needs a contract decision.
      const [counted] = await db
        .select({ count: sql<number>`count(*)::int` })
        .from(users)
        .innerJoin(applicantProfiles, eq(applicantProfiles.userId, users.id))
        .where(where);
      return counted?.count ?? 0;
    },
    rows: async (limit, offset) => {
      const page = pageIds(db, where, orderByClauses(keys), limit, offset);
      const rows = await selectListRows(db, keys, page).orderBy(...orderByClauses(keys));
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

  const order = orderByClauses(keys, backwards);
  const page = pageIds(db, sql.join(conditions, sql` and `), order, size + 1, 0);
  const rows = await selectListRows(db, keys, page).orderBy(...order);
  const hasMore = rows.length > size;
  const pageRows = rows.slice(0, size);
  if (backwards) pageRows.reverse();
  return { rows: pageRows.map((row) => toListedRow(target, keys, row)), hasMore };
}

/**
 * Selects the user ids of one page: filtered, ordered and cut to size over users and profiles.
 * Joining the eight region tables only to these rows keeps the planner from joining them to
 * every candidate row first, which it did once the joins passed join_collapse_limit (8).
 */
function pageIds(db: Database, where: SQL, order: SQL[], limit: number, offset: number) {
  return db
    .select({ id: users.id })
    .from(users)
    .innerJoin(applicantProfiles, eq(applicantProfiles.userId, users.id))
    .where(where)
    .orderBy(...order)
    .limit(limit)
    .offset(offset)
    .as("page");
}

function selectListRows(db: Database, keys: OrderKey[], page: ReturnType<typeof pageIds>) {
  const query = db
    .select({
      user: listedUserColumns,
      profile: applicantProfiles,
      ...regionNameFields,
      keys: keyTextFields(keys),
    })
    .from(page)
    .innerJoin(users, eq(users.id, page.id))
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
