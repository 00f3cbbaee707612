/**
 * SQLSTATEs of a statement that Postgres aborted because of a concurrent transaction:
 * 40001 (serialization_failure) and 40P01 (deadlock_detected). Running the same work again
 * in a new transaction can succeed.
 */
const CONFLICT_SQLSTATES = new Set(["40001", "40P01"]);

/**
 * Returns the SQLSTATE of `error` when it is a serialization failure or a deadlock, else
 * undefined. Drizzle wraps driver errors in `cause`, so the causes are searched too.
 */
export function transactionConflictState(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 3 && current instanceof Error; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string" && CONFLICT_SQLSTATES.has(code)) return code;
    current = current.cause;
  }
  return undefined;
}
