import { z } from "@hono/zod-openapi";
import type { AppContext } from "../context";
import { type Page, pageQueryFields, paginate, withQuery } from "../lib/pagination";
import { decodeCursor, encodeCursor } from "./applicant-cursor";
import { ApplicantFilterQuerySchema } from "./applicant-filters";
import { DEFAULT_ORDERING, OrderingParamSchema } from "./applicant-ordering";
import {
  type ApplicantListQuery,
  applicantPageSource,
  type ListedRow,
  type ListTarget,
  listApplicantsAfter,
} from "./applicant-search.service";

/** Query parameters of the applicant and profile lists: filters, search, ordering, paging. */
export const ApplicantListQuerySchema = ApplicantFilterQuerySchema.extend({
  ordering: OrderingParamSchema.optional(),
  pagination: z.enum(["page", "cursor"]).optional(),
  cursor: z.string().max(4096).optional(),
  ...pageQueryFields,
});

export type ApplicantListParams = z.infer<typeof ApplicantListQuerySchema>;

/** A cursor page: opaque links to the neighbouring pages, no total. */
export interface CursorPage<T> {
  next: string | null;
  previous: string | null;
  results: T[];
}

/**
 * Runs a list request in the mode it asks for: cursor mode when `cursor` is given or
 * `pagination=cursor`, page mode otherwise.
 */
export async function listApplicants(
  c: AppContext,
  target: ListTarget,
  params: ApplicantListParams,
): Promise<Page<ListedRow["item"]> | CursorPage<ListedRow["item"]>> {
  const db = c.get("database").get().db;
  const wantsCursor = params.cursor !== undefined || params.pagination === "cursor";
  if (!wantsCursor || target === "profiles") {
    const page = await paginate(c, params, applicantPageSource(db, target, params));
    return { ...page, results: itemsOf(page.results) };
  }
  return cursorPage(c, params);
}

async function cursorPage(
  c: AppContext,
  params: ApplicantListParams,
): Promise<CursorPage<ListedRow["item"]>> {
  const secret = c.get("config").JWT_SECRET;
  const ordering = normalizedOrdering(params);
  const start = params.cursor ? await decodeCursor(params.cursor, ordering, secret) : null;
  const size = params.page_size;
  const db = c.get("database").get().db;
  const { rows, hasMore } = await listApplicantsAfter(db, "applicants", params, size, start);

  const first = rows[0];
  const last = rows[rows.length - 1];
  const goingBack = start?.direction === "previous";
  // Going forwards, a page reached by a cursor has rows before it; going back, rows after it.
  const hasNext = goingBack ? start !== null : hasMore;
  const hasPrevious = goingBack ? hasMore : start !== null;
  const link = async (row: ListedRow | undefined, direction: "next" | "previous") => {
    if (!row) return null;
    const cursor = await encodeCursor({ ordering, direction, values: row.keyValues }, secret);
    return withQuery(c.req.url, { cursor, page: null });
  };
  return {
    next: hasNext ? await link(last, "next") : null,
    previous: hasPrevious ? await link(first, "previous") : null,
    results: itemsOf(rows),
  };
}

/** The ordering a cursor is bound to, so a cursor cannot be replayed under another order. */
function normalizedOrdering(query: ApplicantListQuery): string {
  const ordering = query.ordering?.trim() || DEFAULT_ORDERING;
  return ordering
    .split(",")
    .map((part) => part.trim())
    .join(",");
}

function itemsOf(rows: ListedRow[]): ListedRow["item"][] {
  return rows.map((row) => row.item);
}
