import { z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { notFound, validationError, zodIssuesToFieldErrors } from "./errors";

/** The largest value of a Postgres `integer`, the type of every id column. */
export const MAX_DATABASE_ID = 2_147_483_647;

/**
 * An id in a JSON body: a positive integer that fits a Postgres `integer`. A larger number
 * would make the query fail with SQLSTATE 22003 instead of a validation error.
 */
export const databaseId = z
  .number({ error: "Id harus berupa bilangan bulat positif." })
  .int("Id harus berupa bilangan bulat positif.")
  .positive("Id harus berupa bilangan bulat positif.")
  .max(MAX_DATABASE_ID, "Id terlalu besar.");

/** Canonical decimal digits: no sign, exponent, hex prefix, spaces or leading zeros. */
const CANONICAL_ID = /^[1-9][0-9]{0,9}$/;

/** Parses an id written in a path or query string, or returns null for anything non-canonical. */
export function parseDatabaseId(text: string): number | null {
  if (!CANONICAL_ID.test(text)) return null;
  const id = Number(text);
  return id <= MAX_DATABASE_ID ? id : null;
}

/**
 * An id in a URL path or query string: canonical decimal digits of a positive `integer`, so
 * `1e3`, `0x10`, ` 1`, `-1`, `0` and 20-digit numbers are rejected. Every router made by
 * `createRouter` validates with `pathIdsNotFound`, so a junk path id is 404, like an id that
 * does not exist.
 */
export const urlId = z
  .string()
  .transform((text, context) => {
    const id = parseDatabaseId(text);
    if (id === null) {
      context.addIssue({ code: "custom", message: "Id harus berupa bilangan bulat positif." });
      return z.NEVER;
    }
    return id;
  })
  .openapi({ type: "integer", example: 1 });

/**
 * Raises the validation error of every router made by `createRouter`. An invalid path
 * parameter is 404 `not_found`, because the URL names no resource (the Django API this
 * replaces returned 404 too). Any other invalid part of the request is 400 `validation_error`.
 */
export function pathIdsNotFound(
  result: { target: string; success: boolean; error?: { issues: readonly z.core.$ZodIssue[] } },
  _c: Context,
): undefined {
  if (result.success) return undefined;
  if (result.target === "param") throw notFound();
  throw validationError(zodIssuesToFieldErrors(result.error?.issues ?? []));
}
