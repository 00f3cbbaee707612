import { env as testEnv } from "cloudflare:test";
import { Validator } from "@seriousme/openapi-schema-validator";
import { sql } from "drizzle-orm";
import { afterEach, describe, expect, it, vi } from "vitest";
import { api, randomIpAddress, readJson } from "../test/helpers/http";
import { workerWith } from "../test/helpers/rate-limits";
import { createTestUser, loginAs } from "../test/helpers/users";
import { createApp } from "./app";
import { type DatabaseHandle, openDatabase } from "./db/client";
import { type Bindings, loadConfig } from "./env";

// The validator reads the OpenAPI JSON Schemas it ships with `readFileSync`, which workerd's
// `node:fs` cannot serve from node_modules, so the test hands it the same files as modules.
// Ajv, which it runs on them, compiles validators with `new Function`, which the test pool allows.
vi.mock("node:fs", async (importOriginal) => {
  const original = await importOriginal<typeof import("node:fs")>();
  const schemas: Record<string, unknown> = {
    "v3.1/schema.json": (
      await import("../node_modules/@seriousme/openapi-schema-validator/schemas/v3.1/schema.json")
    ).default,
  };
  return {
    ...original,
    readFileSync: (path: string, ...rest: unknown[]) => {
      const name = Object.keys(schemas).find((suffix) => String(path).endsWith(suffix));
      if (name) return JSON.stringify(schemas[name]);
      return (original.readFileSync as (...args: unknown[]) => unknown)(path, ...rest);
    },
  };
});

/** Routes that are deliberately not operations of the document. */
const UNDOCUMENTED_ROUTES = new Set([
  // The document itself and the interactive reference that renders it.
  "GET /api/schema/",
  "GET /api/docs/",
]);

type ResponseObject = {
  description?: string;
  headers?: Record<string, unknown>;
  content?: Record<string, { schema?: unknown }>;
};

type OpenApiDocument = {
  openapi: string;
  paths: Record<string, Record<string, { responses?: Record<string, ResponseObject> }>>;
  components?: { schemas?: Record<string, unknown> };
};

async function fetchDocument(): Promise<OpenApiDocument> {
  const response = await api("GET", "/api/schema/");
  expect(response.status).toBe(200);
  return (await readJson(response)) as OpenApiDocument;
}

/** `METHOD /path/:param/` for every handler of the app, leaving out middleware. */
function appRoutes(): string[] {
  const routes = createApp()
    .routes.filter((route) => route.method !== "ALL")
    .map((route) => `${route.method} ${route.path}`);
  return [...new Set(routes)].sort();
}

/** `METHOD /path/:param/` for every operation of the document. */
function documentedRoutes(document: OpenApiDocument): Set<string> {
  const routes = new Set<string>();
  for (const [path, operations] of Object.entries(document.paths)) {
    const honoPath = path.replace(/\{([^}]+)\}/g, ":$1");
    for (const method of Object.keys(operations)) {
      routes.add(`${method.toUpperCase()} ${honoPath}`);
    }
  }
  return routes;
}

describe("GET /api/schema/", () => {
  it("documents every route of the app", async () => {
    const documented = documentedRoutes(await fetchDocument());

    const missing = appRoutes().filter(
      (route) => !documented.has(route) && !UNDOCUMENTED_ROUTES.has(route),
    );

    expect(missing).toEqual([]);
    expect(documented.size).toBeGreaterThan(50);
  });

  it("documents no operation the app does not serve", async () => {
    const served = new Set(appRoutes());

    const extra = [...documentedRoutes(await fetchDocument())].filter(
      (route) => !served.has(route),
    );

    expect(extra).toEqual([]);
  });

  it("is a valid OpenAPI 3.1 document for an independent validator", async () => {
    const document = await fetchDocument();

    const result = await new Validator().validate(document);

    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(document.openapi).toMatch(/^3\.1\./);
  });

  it("fails the validator when an operation is malformed", async () => {
    const document = await fetchDocument();
    const broken = structuredClone(document);
    // A string where the responses object belongs.
    broken.paths["/health/"] = { get: { responses: "none" as never } };

    const result = await new Validator().validate(broken);

    expect(result.valid).toBe(false);
  });
});

/**
 * Operations that never respond with 503 `service_unavailable`: the first two open no database
 * connection, and `/health/` reports database failures in its own 503 body.
 */
const WITHOUT_SERVICE_UNAVAILABLE = new Set([
  "get /health/live/",
  "get /api/files/{token}/",
  "get /health/",
]);

/** Paths the general rate limit skips, because monitors poll them. */
const UNLIMITED_PATHS = new Set(["/health/", "/health/live/"]);

const ERROR_SCHEMA_REF = "#/components/schemas/Error";

interface Operation {
  /** `method /path/{param}/`, as in the document. */
  key: string;
  method: string;
  path: string;
  responses: Record<string, ResponseObject>;
}

function operationsOf(document: OpenApiDocument): Operation[] {
  return Object.entries(document.paths).flatMap(([path, operations]) =>
    Object.entries(operations).map(([method, operation]) => ({
      key: `${method} ${path}`,
      method,
      path,
      responses: operation.responses ?? {},
    })),
  );
}

/** Returns what is wrong with `response` as the shared error `code`, or null when nothing is. */
function sharedErrorProblem(response: ResponseObject | undefined, code: string): string | null {
  if (!response) return "missing";
  if (!response.description?.includes(code)) return `description does not name ${code}`;
  if (!response.headers?.["Retry-After"]) return "no Retry-After header";
  const schema = response.content?.["application/json"]?.schema as { $ref?: string } | undefined;
  if (schema?.$ref !== ERROR_SCHEMA_REF) return "body is not the Error schema";
  return null;
}

/** Lists `key: problem` for each operation whose `status` response is not the shared `code`. */
function missingSharedErrors(operations: Operation[], status: string, code: string): string[] {
  return operations.flatMap((operation) => {
    const problem = sharedErrorProblem(operation.responses[status], code);
    return problem ? [`${operation.key}: ${problem}`] : [];
  });
}

describe("GET /api/schema/ shared error responses", () => {
  it("lists 503 service_unavailable on every database route", async () => {
    const operations = operationsOf(await fetchDocument()).filter(
      (operation) => !WITHOUT_SERVICE_UNAVAILABLE.has(operation.key),
    );

    expect(missingSharedErrors(operations, "503", "service_unavailable")).toEqual([]);
    expect(operations.length).toBeGreaterThan(50);
  });

  it("keeps the route's own 503 and adds service_unavailable to it", async () => {
    const document = await fetchDocument();

    const ocrPreview = document.paths["/api/auth/ocr-preview/"]?.post?.responses?.["503"];

    expect(ocrPreview?.description).toContain("ocr_unavailable");
    expect(ocrPreview?.description).toContain("service_unavailable");
    expect(ocrPreview?.headers?.["Retry-After"]).toBeDefined();
  });

  it("omits service_unavailable where it is never returned", async () => {
    const document = await fetchDocument();

    const live = document.paths["/health/live/"]?.get?.responses ?? {};
    const file = document.paths["/api/files/{token}/"]?.get?.responses ?? {};
    const health = document.paths["/health/"]?.get?.responses ?? {};

    expect(live["503"]).toBeUndefined();
    expect(file["503"]).toBeUndefined();
    expect(health["503"]?.description).toBe("The database is unreachable");
    expect(health["503"]?.content?.["application/json"]?.schema).toEqual({
      $ref: "#/components/schemas/Health",
    });
    expect(health["503"]?.headers).toBeUndefined();
  });

  it("lists 429 rate_limited on every rate-limited route", async () => {
    const operations = operationsOf(await fetchDocument());
    const limited = operations.filter((operation) => !UNLIMITED_PATHS.has(operation.path));
    const unlimited = operations.filter((operation) => UNLIMITED_PATHS.has(operation.path));

    expect(missingSharedErrors(limited, "429", "rate_limited")).toEqual([]);
    expect(limited.length).toBeGreaterThan(50);
    expect(unlimited.map((operation) => operation.responses["429"])).toEqual([
      undefined,
      undefined,
    ]);
  });

  it("reports an operation whose shared errors were taken out", async () => {
    const broken = structuredClone(await fetchDocument());
    const login = broken.paths["/api/auth/token/"]?.post?.responses ?? {};
    const me = broken.paths["/api/me/"]?.get?.responses ?? {};
    delete login["503"];
    delete me["429"]?.headers?.["Retry-After"];

    const operations = operationsOf(broken);

    expect(missingSharedErrors(operations, "503", "service_unavailable")).toContain(
      "post /api/auth/token/: missing",
    );
    expect(missingSharedErrors(operations, "429", "rate_limited")).toContain(
      "get /api/me/: no Retry-After header",
    );
  });
});

/** Returns `path` with every parameter set to 1. */
function samplePath(path: string): string {
  return path.replace(/\{[^}]+\}/g, "1");
}

/**
 * Returns an empty JSON body for methods that carry one. Validation rejects it, but only after
 * the middleware that counts requests and checks the session.
 */
function sampleBody(method: string) {
  return ["post", "put", "patch"].includes(method) ? { json: {} } : {};
}

interface SweepAnswer {
  operation: Operation;
  status: number;
  code: unknown;
  retryAfter: string | null;
}

async function readAnswer(operation: Operation, response: Response): Promise<SweepAnswer> {
  const text = await response.text();
  const body = text.startsWith("{") ? JSON.parse(text) : {};
  const retryAfter = response.headers.get("Retry-After");
  return { operation, status: response.status, code: body.code, retryAfter };
}

// The isolate keeps one pool of connection slots per maximum, so this file occupies every slot
// of a maximum that no other test uses.
const BUSY_MAX_CONNECTIONS = 7;
const heldHandles: DatabaseHandle[] = [];

afterEach(async () => {
  await Promise.all(heldHandles.splice(0).map((handle) => handle.close()));
});

/** Opens `count` connections under a maximum of `count` and keeps them, so no slot is free. */
async function holdEverySlot(count: number) {
  const config = {
    ...loadConfig(testEnv as unknown as Bindings),
    DATABASE_MAX_CONNECTIONS: count,
    DATABASE_ACQUIRE_TIMEOUT_MS: 20_000,
  };
  const handles = Array.from({ length: count }, () => openDatabase(config));
  heldHandles.push(...handles);
  await Promise.all(handles.map((handle) => handle.db.execute(sql`select 1`)));
}

describe("shared error responses of the running app", () => {
  it("lists 503 on routes that return it while the database is busy", async () => {
    const operations = operationsOf(await fetchDocument());
    const { user, password } = await createTestUser();
    const { access } = await loginAs(user.email, password);
    await holdEverySlot(BUSY_MAX_CONNECTIONS);
    const send = workerWith({
      DATABASE_MAX_CONNECTIONS: String(BUSY_MAX_CONNECTIONS),
      DATABASE_ACQUIRE_TIMEOUT_MS: "100",
    });

    const answers = await Promise.all(
      operations.map(async (operation) => {
        const options = { token: access, ...sampleBody(operation.method) };
        const response = await send(operation.method, samplePath(operation.path), options);
        return readAnswer(operation, response);
      }),
    );

    const busy = answers.filter((answer) => answer.code === "service_unavailable");
    const exempt = answers.filter((answer) =>
      WITHOUT_SERVICE_UNAVAILABLE.has(answer.operation.key),
    );
    const busyOperations = busy.map((answer) => answer.operation);
    expect(missingSharedErrors(busyOperations, "503", "service_unavailable")).toEqual([]);
    expect(busy.length).toBeGreaterThan(40);
    expect(busy.every((answer) => answer.status === 503)).toBe(true);
    expect(busy.every((answer) => /^\d+$/.test(answer.retryAfter ?? ""))).toBe(true);
    expect(exempt.map((answer) => answer.code === "service_unavailable")).toEqual([
      false,
      false,
      false,
    ]);
  });

  it("lists 429 on exactly the routes that return it past the general limit", async () => {
    const operations = operationsOf(await fetchDocument());
    const send = workerWith({ RATE_LIMIT_ANONYMOUS: "1/60" });

    const answers = await Promise.all(
      operations.map(async (operation) => {
        const path = samplePath(operation.path);
        const options = {
          headers: { "CF-Connecting-IP": randomIpAddress() },
          ...sampleBody(operation.method),
        };
        await (await send(operation.method, path, options)).body?.cancel();
        return readAnswer(operation, await send(operation.method, path, options));
      }),
    );

    const limited = answers.filter((answer) => answer.code === "rate_limited");
    const listedOnly = answers.filter(
      (answer) => answer.code !== "rate_limited" && answer.operation.responses["429"],
    );
    const limitedOperations = limited.map((answer) => answer.operation);
    expect(missingSharedErrors(limitedOperations, "429", "rate_limited")).toEqual([]);
    expect(listedOnly.map((answer) => answer.operation.key)).toEqual([]);
    expect(limited.length).toBeGreaterThan(50);
    expect(limited.every((answer) => answer.status === 429)).toBe(true);
    expect(limited.every((answer) => /^\d+$/.test(answer.retryAfter ?? ""))).toBe(true);
  });
});
