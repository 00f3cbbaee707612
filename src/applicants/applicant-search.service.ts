import { and, eq, getTableColumns, type SQL, sql } from "drizzle-orm";
import type { AnyPgColumn } from "drizzle-orm/pg-core";
import type { Database } from "../db/client";
import { applicantProfiles, users } from "../db/schema";
import type { PageSource } from "../lib/pagination";
import { todayInJakarta } from "../lib/time";
import { serializeApplicantUser } from "../users/users.serializers";
import type { CursorDirection } from "./applicant-cursor";
import {
  type ApplicantFilters,
  applicantFilterCondition,
  applicantFilterScopes,
  profileOfApplicant,
} from "./applicant-filters";
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
 * size, with region names joined in the page query instead of loaded per row. `restriction`
 * is an extra condition on `applicant_profiles` columns only, such as the referrer of a STAFF
 * user's own list.
 */
export function applicantPageSource(
  db: Database,
  target: ListTarget,
  query: ApplicantListQuery,
  restriction?: SQL,
): PageSource<ListedRow> {
  const filter = listFilter(query, restriction);
  const keys = listOrderKeys(target, query.ordering);
  let total: number | undefined;
  return {
    count: async () => {
      total = await countMatches(db, filter);
      return total;
    },
    rows: async (limit, offset) => {
      // Past the middle, the same rows are nearer the other end: read them in reverse order
      // with the smaller OFFSET, because Postgres reads and discards every skipped row.
      // `paginate` calls `count` first, so `total` is set whenever a request reads rows. A row
      // added or removed between the two queries shifts a reversed page by one row, as it
      // shifts a forward page.
      if (total === undefined || offset <= total / 2) {
        return readPage(db, target, filter, keys, { limit, offset, backwards: false });
      }
      const reverseLimit = Math.min(limit, total - offset);
      if (reverseLimit <= 0) return [];
      const reverseOffset = Math.max(0, total - offset - limit);
      const bounds = { limit: reverseLimit, offset: reverseOffset, backwards: true };
      const rows = await readPage(db, target, filter, keys, bounds);
      return rows.reverse();
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
  const keyset = start ? keysetCondition(keys, start.values, backwards) : undefined;
  const filter = listFilter(query, undefined, keyset);
  const rows = await readPage(db, target, filter, keys, { limit: size + 1, offset: 0, backwards });
  const hasMore = rows.length > size;
  const pageRows = rows.slice(0, size);
  if (backwards) pageRows.reverse();
  return { rows: pageRows, hasMore };
}

/** The WHERE clause of a list in the two forms its queries can take. */
interface ListFilter {
  /** Over `applicant_profiles` alone, or null when a filter reads a `users` column. */
  profilesOnly: SQL | null;
  /** Over `users` joined with `applicant_profiles`. */
  joined: SQL;
  /** Whether a search term narrows the list. */
  searches: boolean;
}

function listFilter(query: ApplicantListQuery, restriction?: SQL, keyset?: SQL): ListFilter {
  const today = todayInJakarta();
  const scopes = applicantFilterScopes(query, today, applicantProfiles.userId);
  const profileConditions = [profileOfApplicant(), restriction, ...scopes.profile, keyset];
  return {
    profilesOnly: scopes.user.length > 0 ? null : (and(...profileConditions) as SQL),
    joined: and(applicantFilterCondition(query, today), restriction, keyset) as SQL,
    searches: Boolean(query.search?.trim()),
  };
}

/**
 * Counts the matching applicants. Without a filter on a `users` column the count reads
 * `applicant_profiles` alone, often as an index-only scan. At 1M applicants the unfiltered
 * count took about 0.1 s this way and 0.5–1 s with the join (`npm run bench:db`).
 */
async function countMatches(db: Database, filter: ListFilter): Promise<number> {
  // NOTE: the count is exact, so it reads every matching index entry: 0.1 s or more for a
  // filter that matches most of 1M applicants. A capped or estimated count would change the
  // API's `count` field, so it waits for a product decision (BENCHMARKS.md, Database).
  const counted = filter.profilesOnly
    ? db
        .select({ count: sql<number>`count(*)::int` })
        .from(applicantProfiles)
        .where(filter.profilesOnly)
    : db
        .select({ count: sql<number>`count(*)::int` })
        .from(users)
        .innerJoin(applicantProfiles, eq(applicantProfiles.userId, users.id))
        .where(filter.joined);
  const [row] = await counted;
  return row?.count ?? 0;
}

interface PageBounds {
  limit: number;
  offset: number;
  backwards: boolean;
}

async function readPage(
  db: Database,
  target: ListTarget,
  filter: ListFilter,
  keys: OrderKey[],
  bounds: PageBounds,
): Promise<ListedRow[]> {
  const order = orderByClauses(keys, bounds.backwards);
  const page = pageIds(db, filter, keys, order, bounds);
  const rows = await selectListRows(db, keys, page).orderBy(...order);
  return rows.map((row) => toListedRow(target, keys, row));
}

/**
 * Selects the user ids of one page: filtered, ordered and cut to size. When neither the
 * filters nor the ordering read `users`, the page comes from `applicant_profiles` alone, so an
 * index on the ordering columns plus user_id serves it as an index-only scan, deep OFFSETs
 * included. Joining the eight region tables only to these rows keeps the planner from joining
 * them to every candidate row first, which it did once the joins passed join_collapse_limit (8).
 */
function pageIds(
  db: Database,
  filter: ListFilter,
  keys: OrderKey[],
  order: SQL[],
  bounds: PageBounds,
) {
  const byProfileColumns = keys.every((key) => key.column.table === applicantProfiles);
  // A search page keeps the join. Postgres 15 estimates the ids matching a term at 200 rows,
  // so over profiles alone it probed the profile of each of 119,000 name matches one by one.
  // That took 2.8 s at 1M applicants, against 1.5 s with the join.
  if (filter.profilesOnly && byProfileColumns && !filter.searches) {
    return db
      .select({ id: sql<number>`${applicantProfiles.userId}`.as("page_user_id") })
      .from(applicantProfiles)
      .where(filter.profilesOnly)
      .orderBy(...order)
      .limit(bounds.limit)
      .offset(bounds.offset)
      .as("page");
  }
  return db
    .select({ id: sql<number>`${users.id}`.as("page_user_id") })
    .from(users)
    .innerJoin(applicantProfiles, eq(applicantProfiles.userId, users.id))
    .where(filter.joined)
    .orderBy(...order)
    .limit(bounds.limit)
    .offset(bounds.offset)
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
