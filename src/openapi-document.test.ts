import { Validator } from "@seriousme/openapi-schema-validator";
import { describe, expect, it, vi } from "vitest";
import { api, readJson } from "../test/helpers/http";
import { createApp } from "./app";

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

type OpenApiDocument = {
  openapi: string;
  paths: Record<string, Record<string, unknown>>;
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
    broken.paths["/health/"] = { get: { responses: "none" } };

    const result = await new Validator().validate(broken);

    expect(result.valid).toBe(false);
  });
});
