const UNIQUE_VIOLATION = "23505";

/**
 * Returns the name of the unique constraint that `error` violated, or undefined for any other
 * error. Drizzle wraps driver errors in `cause`. postgres.js names the constraint
 * `constraint_name` and the Neon driver `constraint`.
 */
export function violatedUniqueConstraint(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 3 && current instanceof Error; depth++) {
    const fields = current as { code?: unknown; constraint_name?: unknown; constraint?: unknown };
    if (fields.code === UNIQUE_VIOLATION) {
      const name = fields.constraint_name ?? fields.constraint;
      return typeof name === "string" ? name : "";
    }
    current = current.cause;
  }
  return undefined;
}
