import type { Router } from "./lib/openapi";
import { hasGeneralRateLimit } from "./rate-limits/rate-limit.middleware";

/** The OpenAPI 3.1 document as the generator returns it. */
export type OpenApiDocument = ReturnType<Router["getOpenAPI31Document"]>;

type Operations = NonNullable<OpenApiDocument["paths"]>[string];
type Responses = Record<string, Record<string, unknown>>;

const DOCUMENT_INFO = {
  openapi: "3.1.0",
  info: { title: "KMS-Connect Account API", version: "1.0.0" },
};

const HTTP_METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

/**
 * Operations that never respond with 503 `service_unavailable`. The first two open no database
 * connection (`/api/files/{token}/` reads R2 only). `/health/` catches database errors itself
 * and reports them in its own 503 body.
 */
export const OPERATIONS_WITHOUT_SERVICE_UNAVAILABLE = new Set([
  "get /health/live/",
  "get /api/files/{token}/",
  "get /health/",
]);

const RETRY_AFTER_HEADER = {
  description: "Seconds to wait before sending the request again",
  schema: { type: "integer", minimum: 0 },
};

const ERROR_CONTENT = {
  "application/json": { schema: { $ref: "#/components/schemas/Error" } },
};

const SERVICE_UNAVAILABLE_DESCRIPTION =
  "The database did not accept a connection, no connection became free in time, or the " +
  "transaction conflicted with a concurrent one (`service_unavailable`); nothing was " +
  "written, so the request can be sent again after `Retry-After`";

const RATE_LIMITED_DESCRIPTION =
  "Too many requests from this client or user (`rate_limited`); `Retry-After` gives the " +
  "seconds to wait";

/**
 * Builds the OpenAPI document of `app` and adds the errors that middleware and the error
 * handler return for many routes. Every route under the general rate limit gets 429
 * `rate_limited`, and every route that uses the database gets 503 `service_unavailable`. A response
 * a route declares itself keeps its description and gains the `Retry-After` header.
 */
export function buildOpenApiDocument(app: Router): OpenApiDocument {
  const document = app.getOpenAPI31Document(DOCUMENT_INFO);
  for (const [path, operations] of Object.entries(document.paths ?? {})) {
    for (const method of HTTP_METHODS) {
      const operation = operations[method as keyof Operations] as
        | { responses?: Responses }
        | undefined;
      if (!operation?.responses) continue;
      if (hasGeneralRateLimit(path)) addRateLimited(operation.responses);
      if (!OPERATIONS_WITHOUT_SERVICE_UNAVAILABLE.has(`${method} ${path}`)) {
        addServiceUnavailable(operation.responses);
      }
    }
  }
  return document;
}

function addRateLimited(responses: Responses) {
  responses["429"] = withRetryAfter(
    responses["429"] ?? { description: RATE_LIMITED_DESCRIPTION, content: ERROR_CONTENT },
  );
}

function addServiceUnavailable(responses: Responses) {
  const declared = responses["503"];
  if (!declared) {
    responses["503"] = withRetryAfter({
      description: SERVICE_UNAVAILABLE_DESCRIPTION,
      content: ERROR_CONTENT,
    });
    return;
  }
  // The route's own 503 (for example an unreachable third-party service) shares the status.
  const description = String(declared.description ?? "");
  responses["503"] = withRetryAfter({
    ...declared,
    description: description.includes("service_unavailable")
      ? description
      : `${description}. Or: ${SERVICE_UNAVAILABLE_DESCRIPTION}`,
  });
}

function withRetryAfter(response: Record<string, unknown>) {
  const headers = (response.headers ?? {}) as Record<string, unknown>;
  return { ...response, headers: { ...headers, "Retry-After": RETRY_AFTER_HEADER } };
}
