import { z } from "@hono/zod-openapi";
import { notFound } from "../lib/errors";

// TODO(#2): replace with the shared src/lib/pagination.ts (`pageQueryFields`, `paginate`), so
// every list pages alike. It appeared after these lists were written and tested.

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

const positiveInt = (max: number, message: string) =>
  z
    .string()
    .regex(/^[1-9][0-9]{0,6}$/, message)
    .transform(Number)
    .pipe(z.number().max(max, message));

/** `page` (1-based) and `page_size` (1–100, default 20), validated as query strings. */
export const PageQuerySchema = z.object({
  page: positiveInt(1_000_000, "Nomor halaman harus bilangan bulat positif.").optional(),
  page_size: positiveInt(
    MAX_PAGE_SIZE,
    `Ukuran halaman harus bilangan bulat 1–${MAX_PAGE_SIZE}.`,
  ).optional(),
});

export interface PageRequest {
  page: number;
  size: number;
}

/** A page of results with the total and absolute links to its neighbours. */
export interface Page<T> {
  count: number;
  next: string | null;
  previous: string | null;
  results: T[];
}

export function pageRequest(query: z.infer<typeof PageQuerySchema>): PageRequest {
  return { page: query.page ?? 1, size: query.page_size ?? DEFAULT_PAGE_SIZE };
}

/**
 * Wraps one page of results, with `next` and `previous` as absolute URLs of the same request
 * with another `page`. A page past the last one is a 404, except page 1 of an empty list.
 */
export function pageOf<T>(
  requestUrl: string,
  request: PageRequest,
  count: number,
  results: T[],
): Page<T> {
  const lastPage = Math.max(1, Math.ceil(count / request.size));
  if (request.page > lastPage) throw notFound("Halaman tidak ditemukan.");
  const link = (page: number) => withQuery(requestUrl, { page: page === 1 ? null : String(page) });
  return {
    count,
    next: request.page < lastPage ? link(request.page + 1) : null,
    previous: request.page > 1 ? link(request.page - 1) : null,
    results,
  };
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
