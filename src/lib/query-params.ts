import { z } from "@hono/zod-openapi";

/**
 * A positive integer query parameter such as `?page=`: canonical decimal digits only, so
 * `1e3`, `Infinity`, `+1`, ` 1` and `01` are rejected with a message that names the rule, and
 * a repeated parameter (`?page=1&page=2`) is rejected instead of being read as NaN.
 */
export function positiveIntegerQuery(options: { max: number; fallback: number }) {
  const { max, fallback } = options;
  return z
    .string({
      error: (issue) =>
        Array.isArray(issue.input)
          ? "Parameter ini hanya boleh dikirim satu kali."
          : "Harus berupa bilangan bulat positif.",
    })
    .regex(/^[1-9][0-9]*$/, {
      message: "Harus berupa bilangan bulat positif tanpa tanda, spasi atau desimal.",
      abort: true,
    })
    .refine((text) => text.length <= String(max).length && Number(text) <= max, {
      message: `Nilai maksimal ${max}.`,
    })
    .transform(Number)
    .optional()
    .transform((value) => value ?? fallback)
    .openapi({ type: "integer", minimum: 1, maximum: max, default: fallback });
}
