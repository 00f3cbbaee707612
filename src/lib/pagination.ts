import { z } from "@hono/zod-openapi";
import type { AppContext } from "../context";
import { notFound } from "./errors";

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;
/** Highest `?page=` accepted, so that no request can ask for an unbounded OFFSET. */
export const MAX_PAGE = 1_000_000;

// Canonical decimal digits only: `z.coerce.number()` would also accept "1e3", "0x10", " 7"
// and "1.0", so one page would have many spellings and clients would get no error for junk.
const CANONICAL_POSITIVE_INTEGER = /^[1-9][0-9]*$/;

/**
 * Builds the schema of one positive integer query parameter. A repeated parameter
 * (`?page=1&page=2`) reaches the schema as an array and is rejected, because picking either
 * value would be a guess.
 */
function positiveIntegerParam(name: string) {
  return z
    .string({
      error: (issue) =>
        Array.isArray(issue.input)
          ? `Parameter ${name} hanya boleh dikirim satu kali.`
          : `Parameter ${name} harus berupa bilangan bulat positif.`,
    })
    .regex(CANONICAL_POSITIVE_INTEGER, {
      message: `Parameter ${name} harus berupa bilangan bulat positif tanpa tanda, spasi, desimal atau eksponen.`,
      abort: true,
    });
}

/**
 * `?page=` (1-based, at most `MAX_PAGE`) and `?page_size=` of a page-paginated list, to spread
 * into a route's query schema. A `page_size` above the maximum is lowered to it, as Django REST
 * framework does, so clients that ask for "everything" still get a page.
 */
export const pageQueryFields = {
  page: positiveIntegerParam("page")
    .refine((text) => text.length <= String(MAX_PAGE).length && Number(text) <= MAX_PAGE, {
      message: `Parameter page maksimal ${MAX_PAGE}.`,
    })
    .transform(Number)
    .optional()
    .transform((page) => page ?? 1)
    .openapi({ type: "integer", minimum: 1, maximum: MAX_PAGE, default: 1, example: 1 }),
  page_size: positiveIntegerParam("page_size")
    // Digits of any length are clamped: past Number's range they read as Infinity first.
    .transform((text) => Math.min(Number(text), MAX_PAGE_SIZE))
    .optional()
    .transform((size) => size ?? DEFAULT_PAGE_SIZE)
    .openapi({
      type: "integer",
      minimum: 1,
      default: DEFAULT_PAGE_SIZE,
      description: `Rows per page, default ${DEFAULT_PAGE_SIZE}; values above ${MAX_PAGE_SIZE} are lowered to ${MAX_PAGE_SIZE}.`,
    }),
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
  return withQuery(requestUrl, { page: page === 1 ? null : String(page) });
}

/** Returns `url` with the given query parameters set, or removed where the value is null. */
export function withQuery(url: string, changes: Record<string, string | null>): string {
  const result = new URL(url);
  for (const [name, value] of Object.entries(changes)) {
    if (value === null) result.searchParams.delete(name);
    else result.searchParams.set(name, value);
  }
  return result.toString();
}
