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
