import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { AppEnv } from "../context";
import { databaseConnectFailure } from "../db/connection-failures";
import { transactionConflictState } from "../db/transaction-conflicts";
import { ConfigError } from "../env";
import { AppError, type FieldErrors } from "./errors";
import { createLogger, describeError } from "./logger";

const CODES_BY_STATUS: Record<number, [code: string, detail: string]> = {
  400: ["validation_error", "Permintaan tidak valid."],
  401: ["not_authenticated", "Kredensial autentikasi tidak diberikan."],
  403: ["permission_denied", "Anda tidak memiliki izin untuk melakukan tindakan ini."],
  404: ["not_found", "Halaman tidak ditemukan."],
  405: ["method_not_allowed", "Metode tidak diizinkan."],
  413: ["payload_too_large", "Ukuran data yang dikirim terlalu besar."],
  415: ["unsupported_media_type", "Tipe konten tidak didukung."],
  429: ["rate_limited", "Terlalu banyak permintaan. Coba lagi nanti."],
};

const INTERNAL_ERROR = "Terjadi kesalahan pada server. Silakan coba lagi nanti.";
const DATABASE_UNREACHABLE =
  "Layanan sedang tidak tersedia. Silakan coba lagi dalam beberapa saat.";
const UNREACHABLE_RETRY_AFTER_SECONDS = 5;
const TRANSACTION_CONFLICT =
  "Permintaan bentrok dengan permintaan lain yang berjalan bersamaan. Silakan coba lagi.";

/**
 * SQLSTATEs that mean a request value reached Postgres unvalidated: 22021 (a NUL or invalid
 * UTF-8 in text), 22P05 (a `\u0000` escape in jsonb) and 22003 (a number outside its column's
 * range). Request schemas reject these values first; this map is the last line of defence, so
 * such input is a 400 and not a 500.
 */
const INVALID_INPUT_SQLSTATES: Record<string, string> = {
  "22021": "Data berisi karakter yang tidak diizinkan.",
  "22P05": "Data berisi karakter yang tidak diizinkan.",
  "22003": "Nilai angka di luar batas yang diizinkan.",
};

/** Writes the error body that every failure uses: `{detail, code, errors?, request_id}`. */
export function renderError(
  c: Context<AppEnv>,
  status: ContentfulStatusCode,
  code: string,
  detail: string,
  errors?: FieldErrors,
) {
  const body: Record<string, unknown> = { detail, code };
  if (errors) body.errors = errors;
  body.request_id = c.get("requestId") ?? null;
  return c.json(body, status);
}

/** The app's single `onError`: our errors, framework errors and unexpected ones. */
export function handleError(error: Error, c: Context<AppEnv>) {
  const appError = findAppError(error);
  if (appError) {
    for (const [name, value] of Object.entries(appError.headers ?? {})) c.header(name, value);
    return renderError(c, appError.status, appError.code, appError.detail, appError.errors);
  }

  if (error instanceof HTTPException && error.status < 500) {
    const [code, detail] = CODES_BY_STATUS[error.status] ?? ["validation_error", error.message];
    // Hono raises 400 for a body that does not parse as JSON or multipart.
    if (error.status === 400) {
      return renderError(c, 400, "validation_error", "Body permintaan tidak dapat dibaca.", {
        non_field_errors: ["Body permintaan bukan JSON atau multipart yang valid."],
      });
    }
    return renderError(c, error.status, code, detail);
  }

  const logger = c.get("logger") ?? createLogger();
  const sqlState = invalidInputSqlState(error);
  if (sqlState) {
    logger.warn("invalid input reached the database", {
      sql_state: sqlState,
      route: c.req.routePath,
    });
    return renderError(c, 400, "validation_error", "Data yang dikirim tidak valid.", {
      non_field_errors: [INVALID_INPUT_SQLSTATES[sqlState] ?? ""],
    });
  }
  const conflictState = transactionConflictState(error);
  if (conflictState) {
    // Postgres aborted the request's transaction for a concurrent one (deadlock or
    // serialization failure). Nothing was written, so the client can send it again.
    logger.warn("transaction conflict", { sql_state: conflictState, route: c.req.routePath });
    c.header("Retry-After", "1");
    return renderError(c, 503, "service_unavailable", TRANSACTION_CONFLICT);
  }
  const connectFailure = databaseConnectFailure(error);
  if (connectFailure) {
    // The database did not accept a connection (down, overloaded or unreachable). No statement
    // ran, so the request can be sent again once it is back.
    logger.error("database unreachable", { reason: connectFailure, route: c.req.routePath });
    c.header("Retry-After", String(UNREACHABLE_RETRY_AFTER_SECONDS));
    return renderError(c, 503, "service_unavailable", DATABASE_UNREACHABLE);
  }
  if (error instanceof ConfigError) {
    logger.error("invalid configuration", { issues: error.issues.join("; ") });
  } else {
    logger.error("unhandled error", { ...describeError(error), route: c.req.routePath });
  }
  return renderError(c, 500, "internal_error", INTERNAL_ERROR);
}

/**
 * Returns `error` or its cause when either is an AppError. Drizzle wraps what the driver
 * throws, so the 503 of a request that waited too long for a database connection arrives as
 * the cause of a query error.
 */
function findAppError(error: Error): AppError | undefined {
  if (error instanceof AppError) return error;
  return error.cause instanceof AppError ? error.cause : undefined;
}

/** The SQLSTATE of `error` or its causes (drizzle wraps driver errors) when it is invalid input. */
function invalidInputSqlState(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 3 && current instanceof Error; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string" && Object.hasOwn(INVALID_INPUT_SQLSTATES, code)) return code;
    current = current.cause;
  }
  return undefined;
}

export function renderStatus(c: Context<AppEnv>, status: ContentfulStatusCode) {
  const [code, detail] = CODES_BY_STATUS[status] ?? ["internal_error", INTERNAL_ERROR];
  return renderError(c, status, code, detail);
}
