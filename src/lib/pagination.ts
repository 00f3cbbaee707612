import { z } from "@hono/zod-openapi";
import type { AppContext } from "../context";
import { notFound } from "./errors";

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

/**
 * `?page=` (1-based) and `?page_size=` of a page-paginated list, to spread into a route's
 * query schema. A `page_size` above the maximum is lowered to it, as Django REST framework
 * does, so clients that ask for "everything" still get a page.
 */
export const pageQueryFields = {
  page: z.coerce.number().int().min(1).max(1_000_000).default(1).openapi({ example: 1 }),
  page_size: z.coerce
    .number()
    .int()
    .min(1)
    .default(DEFAULT_PAGE_SIZE)
    .transform((size) => Math.min(size, MAX_PAGE_SIZE))
    .openapi({ description: `Rows per page, default ${DEFAULT_PAGE_SIZE}, max ${MAX_PAGE_SIZE}.` }),
};

/** The query fields of `pageQueryFields` as a route receives them after validation. */
export interface PageQuery {
  page: number;
  page_size: number;
}

/** The body of a page-paginated list. */
export interface Page<T> {
  count: number;
  next: string | null;
  previous: string | null;
  results: T[];
}

/** Schema of a page of `item`, for the OpenAPI document. */
export const pageSchema = <T extends z.ZodType>(item: T) =>
  z.object({
    count: z.number().int(),
    next: z.string().nullable(),
    previous: z.string().nullable(),
    results: z.array(item),
  });

/** How a list reads one page: the total row count, then the rows at `limit`/`offset`. */
export interface PageSource<T> {
  count: () => Promise<number>;
  rows: (limit: number, offset: number) => Promise<T[]>;
}

/**
 * Counts the rows, raises 404 `not_found` for a page past the last one (page 1 always
 * exists, even when empty), then loads the page. `next` and `previous` are absolute URLs
 * built from the request URL, so other query parameters such as filters are kept.
 */
export async function paginate<T>(
  c: AppContext,
  query: PageQuery,
  source: PageSource<T>,
): Promise<Page<T>> {
  const count = await source.count();
  const lastPage = Math.max(1, Math.ceil(count / query.page_size));
  if (query.page > lastPage) throw notFound("Halaman tidak ditemukan.");

  const offset = (query.page - 1) * query.page_size;
  const results = await source.rows(query.page_size, offset);
  return {
    count,
    next: query.page < lastPage ? pageUrl(c.req.url, query.page + 1) : null,
    previous: query.page > 1 ? pageUrl(c.req.url, query.page - 1) : null,
    results,
  };
}

/** The request URL with `page` replaced; page 1 drops the parameter, as DRF's links do. */
function pageUrl(requestUrl: string, page: number): string {
  const url = new URL(requestUrl);
  if (page === 1) url.searchParams.delete("page");
  else url.searchParams.set("page", String(page));
  return url.toString();
}
