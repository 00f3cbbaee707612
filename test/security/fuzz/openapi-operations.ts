import type { UserRole } from "../../../src/db/schema";
import { api } from "../../helpers/http";

/** One operation of the app's OpenAPI document, reduced to what the fuzzer needs. */
export interface Operation {
  /** `METHOD /path/{param}/`, the name used in exclusions and failure messages. */
  name: string;
  method: string;
  path: string;
  body: "json" | "multipart" | null;
  /** Top-level property names of the request body schema, nested names one level down. */
  bodyFields: Record<string, string[]>;
  pathParams: string[];
  queryParams: string[];
  /** The role the fuzzer signs in as, besides the anonymous client. */
  role: UserRole;
}

/**
 * Operations fuzzed only anonymously, by name, with the reason. Every other operation of the
 * document is fuzzed both anonymously and as its role.
 */
export const ANONYMOUS_ONLY: Record<string, string> = {
  "POST /api/auth/logout-all/":
    "ends every session of the signed-in fuzzing user, so later requests would test only 401",
};

type JsonSchema = Record<string, unknown>;
type OpenApiDocument = {
  paths: Record<string, Record<string, Record<string, unknown>>>;
  components?: { schemas?: Record<string, JsonSchema> };
};

const HTTP_METHODS = new Set(["get", "post", "put", "patch", "delete"]);

/** Fetches GET /api/schema/ and lists its operations, so a new route is fuzzed without edits. */
export async function loadOperations(): Promise<Operation[]> {
  const response = await api("GET", "/api/schema/");
  if (response.status !== 200) throw new Error(`GET /api/schema/ returned ${response.status}`);
  const document = (await response.json()) as OpenApiDocument;
  const operations: Operation[] = [];
  for (const [path, item] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(item)) {
      if (!HTTP_METHODS.has(method)) continue;
      operations.push(describeOperation(document, method.toUpperCase(), path, operation));
    }
  }
  return operations;
}

function describeOperation(
  document: OpenApiDocument,
  method: string,
  path: string,
  operation: Record<string, unknown>,
): Operation {
  const parameters = (operation.parameters ?? []) as { in: string; name: string }[];
  const content = (operation.requestBody as { content?: Record<string, { schema: JsonSchema }> })
    ?.content;
  const mediaType = content ? Object.keys(content)[0] : undefined;
  let body: Operation["body"] = null;
  if (mediaType) body = mediaType.includes("multipart") ? "multipart" : "json";
  const schema = mediaType ? content?.[mediaType]?.schema : undefined;
  return {
    name: `${method} ${path}`,
    method,
    path,
    body,
    bodyFields: schema ? fieldsOf(document, schema, 2) : {},
    pathParams: parameters.filter((p) => p.in === "path").map((p) => p.name),
    queryParams: parameters.filter((p) => p.in === "query").map((p) => p.name),
    role: roleFor(path),
  };
}

/**
 * The role whose requests reach the handler: applicants for their own `/me/` paths and the
 * auth routes, staff for `/api/staff/me/`, and ADMIN for every back-office path, since
 * admins may use everything staff may.
 */
function roleFor(path: string): UserRole {
  if (path.startsWith("/api/staff/me/")) return "STAFF";
  if (path.startsWith("/api/applicants/me/")) return "APPLICANT";
  if (path.startsWith("/api/me/") || path.startsWith("/api/auth/")) return "APPLICANT";
  return "ADMIN";
}

/** Maps `""` to the top-level property names and each object property to its own names. */
function fieldsOf(document: OpenApiDocument, schema: JsonSchema, depth: number) {
  const fields: Record<string, string[]> = { "": [] };
  const properties = propertiesOf(document, schema);
  for (const [name, child] of Object.entries(properties)) {
    fields[""]?.push(name);
    if (depth > 1) {
      const nested = Object.keys(propertiesOf(document, child));
      if (nested.length > 0) fields[name] = nested;
    }
  }
  return fields;
}

function propertiesOf(document: OpenApiDocument, schema: JsonSchema): Record<string, JsonSchema> {
  const resolved = resolve(document, schema);
  const own = (resolved.properties ?? {}) as Record<string, JsonSchema>;
  const variants = [
    ...((resolved.allOf ?? []) as JsonSchema[]),
    ...((resolved.anyOf ?? []) as JsonSchema[]),
    ...((resolved.oneOf ?? []) as JsonSchema[]),
  ];
  return Object.assign({}, own, ...variants.map((variant) => propertiesOf(document, variant)));
}

function resolve(document: OpenApiDocument, schema: JsonSchema): JsonSchema {
  const ref = schema.$ref;
  if (typeof ref !== "string") return schema;
  const name = ref.replace("#/components/schemas/", "");
  return document.components?.schemas?.[name] ?? {};
}
