import { z } from "@hono/zod-openapi";

/** The largest value of a Postgres `integer`, the type of every id column. */
const MAX_INTEGER_ID = 2_147_483_647;

/**
 * A path segment that must be a positive integer id. Junk such as `abc`, `-1`, `1.5` or a
 * number past the `integer` range becomes 400 `validation_error`, never a database error.
 */
export const idPathParam = z
  .string()
  .regex(/^[1-9][0-9]{0,9}$/, "Id harus berupa bilangan bulat positif.")
  .transform(Number)
  .refine((id) => id <= MAX_INTEGER_ID, "Id terlalu besar.")
  .openapi({ type: "integer", example: 1 });
