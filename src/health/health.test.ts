import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";

describe("GET /health/", () => {
  it("reports every dependency ok", async () => {
    const response = await SELF.fetch("http://api.test/health/");
    expect(response.status).toBe(200);
    const body = await response.json();
    expect(body).toEqual({
      status: "ok",
      checks: { database: "ok", cache: "ok", storage: "ok", queues: "ok" },
    });
  });

  it("answers without the trailing slash", async () => {
    const response = await SELF.fetch("http://api.test/health");
    expect(response.status).toBe(200);
    expect(response.headers.get("X-Request-ID")).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe("GET /health/live/", () => {
  it("returns status ok without checking dependencies", async () => {
    const response = await SELF.fetch("http://api.test/health/live/");
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Type")).toMatch(/^application\/json/);
    expect(await response.json()).toEqual({ status: "ok" });
  });

  it("passes through the shared middleware", async () => {
    const response = await SELF.fetch("http://api.test/health/live");
    expect(response.status).toBe(200);
    expect(response.headers.get("X-Request-ID")).toMatch(/^[0-9a-f-]{36}$/);
    expect(response.headers.get("X-Content-Type-Options")).toBe("nosniff");
  });

  it("answers 405 for POST", async () => {
    const response = await SELF.fetch("http://api.test/health/live/", { method: "POST" });
    expect(response.status).toBe(405);
    const body = (await response.json()) as { code: string };
    expect(body.code).toBe("method_not_allowed");
  });

  it("is listed in the OpenAPI document", async () => {
    const response = await SELF.fetch("http://api.test/api/schema/");
    const document = (await response.json()) as { paths: Record<string, unknown> };
    expect(document.paths).toHaveProperty(["/health/live/", "get"]);
  });
});
