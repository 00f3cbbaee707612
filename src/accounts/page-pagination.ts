import { z } from "@hono/zod-openapi";
import type { AppContext } from "../context";
import { notFound } from "../lib/errors";

// TODO(#2): merge with the shared page pagination in src/lib/pagination.ts once it exists,
// because these account lists were written while it was still being built.

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

/** `?page=` (1-based) and `?page_size=` of a page-paginated list. */
export const pageQueryFields = {
  page: z.coerce.number().int().min(1).max(1_000_000).default(1),
  page_size: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(DEFAULT_PAGE_SIZE),
};

export interface PageRequest {
  page: number;
  pageSize: number;
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

/** Raises 404 when `page` lies past the last page; page 1 always exists, even when empty. */
export function assertPageInRange(paging: PageRequest, count: number) {
  const lastPage = Math.max(1, Math.ceil(count / paging.pageSize));
  if (paging.page > lastPage) throw notFound("Halaman tidak ditemukan.");
}

/** The SQL offset of the first row of the page. */
export const pageOffset = (paging: PageRequest) => (paging.page - 1) * paging.pageSize;

/** Builds the page body with absolute `next`/`previous` URLs that keep the other query params. */
export function buildPage<T>(
  c: AppContext,
  paging: PageRequest,
  count: number,
  results: T[],
): Page<T> {
  const hasNext = paging.page * paging.pageSize < count;
  return {
    count,
    next: hasNext ? pageUrl(c, paging, paging.page + 1) : null,
    previous: paging.page > 1 ? pageUrl(c, paging, paging.page - 1) : null,
    results,
  };
}

function pageUrl(c: AppContext, paging: PageRequest, page: number): string {
  const url = new URL(c.req.url);
  url.searchParams.set("page", String(page));
  url.searchParams.set("page_size", String(paging.pageSize));
  return url.toString();
}
