type Level = "debug" | "info" | "warn" | "error";

/**
 * Fields of one log line. Callers pass ids, codes and durations only: never emails, names,
 * NIKs, tokens, passwords, signed URLs or SQL parameters.
 */
export type LogFields = Record<string, string | number | boolean | null | undefined>;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
}

/** Creates a logger that writes one JSON object per line to the Workers console. */
export function createLogger(base: LogFields = {}): Logger {
  const write = (level: Level, message: string, fields?: LogFields) => {
    const line = JSON.stringify({
      level,
      message,
      time: new Date().toISOString(),
      ...base,
      ...fields,
    });
    if (level === "error") console.error(line);
    else if (level === "warn") console.warn(line);
    else console.log(line);
  };
  return {
    debug: (message, fields) => write("debug", message, fields),
    info: (message, fields) => write("info", message, fields),
    warn: (message, fields) => write("warn", message, fields),
    error: (message, fields) => write("error", message, fields),
    child: (fields) => createLogger({ ...base, ...fields }),
  };
}

const SQLSTATE = /^[0-9A-Z]{5}$/;

/**
 * Describes an error for a log line. Database errors keep only their SQLSTATE and constraint:
 * Postgres messages quote the values that failed, and drizzle's DrizzleQueryError message
 * carries the query parameters (emails, NIKs), so neither message is logged.
 */
export function describeError(error: unknown): LogFields {
  if (!(error instanceof Error)) return { error_type: typeof error };
  const frame = error.stack?.split("\n").find((line) => line.trim().startsWith("at "));
  const wrapsQuery = "params" in error || "query" in error;
  const source = wrapsQuery && error.cause instanceof Error ? error.cause : error;
  const { code, constraint_name: constraint } = source as {
    code?: unknown;
    constraint_name?: unknown;
  };
  const fromDatabase = wrapsQuery || (typeof code === "string" && SQLSTATE.test(code));
  return {
    error_name: error.name,
    error_code: typeof code === "string" ? code : undefined,
    error_constraint: typeof constraint === "string" ? constraint : undefined,
    error_message: fromDatabase ? undefined : error.message.slice(0, 300),
    error_frame: frame?.trim(),
  };
}
