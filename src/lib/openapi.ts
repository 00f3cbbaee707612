import { OpenAPIHono, z } from "@hono/zod-openapi";
import type { AppEnv } from "../context";
import { requireContentType } from "../middleware/content-type";
import { pathIdsNotFound } from "./ids";

/**
 * Creates a router whose validation failures become 400 `validation_error` with field errors,
 * except a malformed path parameter, which is 404 `not_found` (see `pathIdsNotFound`).
 */
export function createRouter() {
  return new OpenAPIHono<AppEnv>({ getPath: pathWithTrailingSlash, defaultHook: pathIdsNotFound });
}

export type Router = ReturnType<typeof createRouter>;

/**
 * Returns the request path with a final slash added when missing. Routes are declared with the
 * slash, as the clients call them, so a request without it matches the same route with no redirect.
 */
export function pathWithTrailingSlash(request: Request): string {
  const url = request.url;
  const start = url.indexOf("/", url.indexOf("://") + 3);
  const queryStart = url.indexOf("?", start);
  const path = queryStart === -1 ? url.slice(start) : url.slice(start, queryStart);
  return path.endsWith("/") ? path : `${path}/`;
}

/** Declares a required JSON request body validated by `schema`; other content types get 415. */
export function jsonBody<T extends z.ZodType>(schema: T) {
  return {
    body: { content: { "application/json": { schema } }, required: true },
  } as const;
}

/** Declares a required multipart body validated by `schema`; other content types get 415. */
export function multipartBody<T extends z.ZodType>(schema: T) {
  return {
    body: { content: { "multipart/form-data": { schema } }, required: true },
  } as const;
}

export const requireJson = requireContentType("json");
export const requireMultipart = requireContentType("multipart");

/** The error body every failure uses. */
export const ErrorBodySchema = z
  .object({
    detail: z.string(),
    code: z.string(),
    errors: z.record(z.string(), z.unknown()).optional(),
    request_id: z.string().nullable(),
  })
  .openapi("Error");

/** `{code, detail, data}` around `data`. */
export const envelopeSchema = <T extends z.ZodType>(data: T) =>
  z.object({ code: z.string(), detail: z.string(), data });

export const errorResponse = (description: string) => ({
  description,
  content: { "application/json": { schema: ErrorBodySchema } },
});

export const jsonResponse = <T extends z.ZodType>(description: string, schema: T) => ({
  description,
  content: { "application/json": { schema } },
});
