import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { z } from "zod";

/** Field name to messages; nested objects nest, object-level errors use `non_field_errors`. */
export interface FieldErrors {
  [field: string]: string[] | FieldErrors;
}

/** An error the API answers with its own status, code and Indonesian message. */
export class AppError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    readonly detail: string,
    readonly errors?: FieldErrors,
    readonly headers?: Record<string, string>,
  ) {
    super(detail);
    this.name = "AppError";
  }
}

export const validationError = (errors: FieldErrors, detail = "Data yang dikirim tidak valid.") =>
  new AppError(400, "validation_error", detail, errors);

/** A 400 `validation_error` with one message on one field. */
export const fieldError = (field: string, message: string) =>
  validationError({ [field]: [message] });

export const notAuthenticated = (detail = "Kredensial autentikasi tidak diberikan.") =>
  new AppError(401, "not_authenticated", detail);

export const tokenNotValid = (detail = "Token tidak valid atau sudah kedaluwarsa.") =>
  new AppError(401, "token_not_valid", detail);

export const permissionDenied = (
  detail = "Anda tidak memiliki izin untuk melakukan tindakan ini.",
  status: ContentfulStatusCode = 403,
) => new AppError(status, "permission_denied", detail);

export const notFound = (detail = "Data tidak ditemukan.") =>
  new AppError(404, "not_found", detail);

/** Converts zod issues into the nested field map of the error body. */
export function zodIssuesToFieldErrors(issues: readonly z.core.$ZodIssue[]): FieldErrors {
  const root: FieldErrors = {};
  for (const issue of issues) {
    const path = issue.path.map(String);
    const leaf = path.pop() ?? "non_field_errors";
    let node = root;
    for (const segment of path) {
      const next = node[segment];
      if (Array.isArray(next) || next === undefined) {
        const child: FieldErrors = {};
        if (Array.isArray(next)) child.non_field_errors = next;
        node[segment] = child;
        node = child;
      } else {
        node = next;
      }
    }
    const existing = node[leaf];
    if (Array.isArray(existing)) existing.push(issue.message);
    else if (existing === undefined) node[leaf] = [issue.message];
    else {
      const messages = existing.non_field_errors;
      existing.non_field_errors = Array.isArray(messages)
        ? [...messages, issue.message]
        : [issue.message];
    }
  }
  return root;
}
