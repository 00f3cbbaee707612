import { describe, expect, it } from "vitest";
import { api, readJson } from "../test/helpers/http";

function expectErrorBody(body: any, code: string) {
  expect(body.code).toBe(code);
  expect(typeof body.detail).toBe("string");
  expect(body.detail.length).toBeGreaterThan(0);
  expect(typeof body.request_id).toBe("string");
}

describe("app conventions", () => {
  it("answers an unknown route with 404 not_found", async () => {
    const response = await api("GET", "/api/does-not-exist/");
    expect(response.status).toBe(404);
    expect(response.headers.get("Content-Type")).toMatch(/^application\/json/);
    expectErrorBody(await readJson(response), "not_found");
  });

  it("answers a known path with the wrong method with 405", async () => {
    const response = await api("DELETE", "/health/");
    expect(response.status).toBe(405);
    expect(response.headers.get("Allow")).toBe("GET");
    expectErrorBody(await readJson(response), "method_not_allowed");
  });

  it("treats a path without the trailing slash like one with it", async () => {
    const response = await api("POST", "/health");
    expect(response.status).toBe(405);
  });

  it("echoes a well-formed X-Request-ID", async () => {
    const response = await api("GET", "/api/nothing/", {
      headers: { "X-Request-ID": "client-id-12345" },
    });
    expect(response.headers.get("X-Request-ID")).toBe("client-id-12345");
    expect((await readJson(response)).request_id).toBe("client-id-12345");
  });

  it("replaces an X-Request-ID that could inject log text", async () => {
    const response = await api("GET", "/health/", {
      headers: { "X-Request-ID": 'bad id" injected' },
    });
    const requestId = response.headers.get("X-Request-ID");
    expect(requestId).not.toContain("injected");
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("sends security headers on every response", async () => {
    const response = await api("GET", "/api/unknown/");
    expect(response.headers.get("X-Content-Type-Options")).toBe("nosniff");
    expect(response.headers.get("X-Frame-Options")).toBe("SAMEORIGIN");
    expect(response.headers.get("Strict-Transport-Security")).toContain("max-age=");
  });
});

describe("CORS", () => {
  it("allows a configured origin with credentials", async () => {
    const response = await api("OPTIONS", "/api/auth/token/", {
      headers: {
        Origin: "http://admin.test",
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type",
      },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get("Access-Control-Allow-Origin")).toBe("http://admin.test");
    expect(response.headers.get("Access-Control-Allow-Credentials")).toBe("true");
  });

  it("gives no CORS grant to another origin", async () => {
    const response = await api("OPTIONS", "/api/auth/token/", {
      headers: { Origin: "http://evil.test", "Access-Control-Request-Method": "POST" },
    });
    expect(response.headers.get("Access-Control-Allow-Origin")).toBeNull();
  });

  it("never answers with a wildcard origin", async () => {
    const response = await api("GET", "/health/", { headers: { Origin: "http://evil.test" } });
    expect(response.headers.get("Access-Control-Allow-Origin")).not.toBe("*");
  });
});

describe("GET /api/schema/", () => {
  it("serves an OpenAPI 3.1 document", async () => {
    const response = await api("GET", "/api/schema/");
    expect(response.status).toBe(200);
    const document = await readJson(response);
    expect(document.openapi).toBe("3.1.0");
    expect(document.paths["/health/"]).toBeDefined();
  });
});

describe("GET /api/docs/", () => {
  it("serves the interactive reference for the schema", async () => {
    const response = await api("GET", "/api/docs/");
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Type")).toMatch(/^text\/html/);
    const page = await response.text();
    expect(page).toContain("/api/schema/");
    expect(page).toContain("SwaggerUIBundle");
  });
});
