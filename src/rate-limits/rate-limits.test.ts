import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { api, randomIpAddress, readJson } from "../../test/helpers/http";
import {
  expectRateLimited,
  statusesOf,
  waitForWindow,
  workerWith,
} from "../../test/helpers/rate-limits";
import { createTestUser, loginAs } from "../../test/helpers/users";
import { type Bindings, loadConfig } from "../env";
import { rateLimitKey } from "./rate-limits.service";

const bindings = env as unknown as Bindings;

interface RouteCase {
  route: string;
  method: string;
  path: string;
  /** Production default of the route's own limit. */
  limit: number;
  /** A body that fails validation, so the requests leave nothing behind. */
  json?: unknown;
  form?: () => FormData;
}

const PER_IP_ROUTES: RouteCase[] = [
  { route: "login", method: "POST", path: "/api/auth/token/", limit: 10, json: {} },
  { route: "refresh", method: "POST", path: "/api/auth/token/refresh/", limit: 10, json: {} },
  { route: "register", method: "POST", path: "/api/auth/register/", limit: 5, form: emptyForm },
  { route: "verify-email", method: "GET", path: "/api/auth/verify-email/", limit: 5 },
  {
    route: "resend-verification",
    method: "POST",
    path: "/api/auth/resend-verification/",
    limit: 5,
    json: {},
  },
  {
    route: "request-password-reset",
    method: "POST",
    path: "/api/auth/request-password-reset/",
    limit: 5,
    json: {},
  },
  {
    route: "confirm-reset-password",
    method: "POST",
    path: "/api/auth/confirm-reset-password/",
    limit: 5,
    json: {},
  },
  { route: "google", method: "POST", path: "/api/auth/google/", limit: 5, json: {} },
];

function emptyForm() {
  const form = new FormData();
  form.set("email", "not-an-email");
  return form;
}

function send(routeCase: RouteCase, ip: string) {
  return api(routeCase.method, routeCase.path, {
    json: routeCase.json,
    form: routeCase.form?.(),
    headers: { "CF-Connecting-IP": ip },
  });
}

describe("per-IP limits of the auth routes", () => {
  for (const routeCase of PER_IP_ROUTES) {
    it(`${routeCase.method} ${routeCase.path} answers 429 after ${routeCase.limit} per IP`, async () => {
      const ip = randomIpAddress();

      const statuses = await statusesOf(routeCase.limit, () => send(routeCase, ip));
      expect(statuses.every((status) => status >= 400 && status < 429)).toBe(true);

      await expectRateLimited(await send(routeCase, ip), 60);
      const otherClient = await send(routeCase, randomIpAddress());
      expect(otherClient.status).not.toBe(429);
    });
  }

  it("GET /api/auth/verify-email/ shares its limit with resend-verification", async () => {
    const ip = randomIpAddress();
    const headers = { "CF-Connecting-IP": ip };
    await statusesOf(3, () => api("GET", "/api/auth/verify-email/", { headers }));
    await statusesOf(2, () => api("POST", "/api/auth/resend-verification/", { json: {}, headers }));

    await expectRateLimited(await api("GET", "/api/auth/verify-email/", { headers }), 60);
  });

  it("POST /api/auth/ocr-preview/ answers 429 after 5 requests from one IP", async () => {
    const client = workerWith({ OCR_PREVIEW_ENABLED: "true" });
    const headers = { "CF-Connecting-IP": randomIpAddress() };
    const post = () => client("POST", "/api/auth/ocr-preview/", { json: {}, headers });

    expect(await statusesOf(5, post)).toEqual([415, 415, 415, 415, 415]);

    await expectRateLimited(await post(), 60);
  });

  it("POST /api/auth/token/ accepts requests again once the window has passed", async () => {
    const client = workerWith({ RATE_LIMIT_LOGIN: "2/1" });
    const headers = { "CF-Connecting-IP": randomIpAddress() };
    const post = () => client("POST", "/api/auth/token/", { json: {}, headers });

    expect(await statusesOf(2, post)).toEqual([400, 400]);
    await expectRateLimited(await post(), 1);

    await waitForWindow(1);
    expect((await post()).status).toBe(400);
  });
});

describe("general limits", () => {
  it("GET /api/no-such-route/ answers 429 after 30 anonymous requests from one IP", async () => {
    const headers = { "CF-Connecting-IP": randomIpAddress() };
    const get = () => api("GET", "/api/no-such-route/", { headers });

    const statuses = await statusesOf(30, get);
    expect(statuses.every((status) => status === 404)).toBe(true);

    await expectRateLimited(await get(), 60);
    const otherClient = await api("GET", "/api/no-such-route/");
    expect(otherClient.status).toBe(404);
  });

  it("GET /health/ is never limited", async () => {
    const client = workerWith({ RATE_LIMIT_ANONYMOUS: "1/60" });
    const headers = { "CF-Connecting-IP": randomIpAddress() };

    const statuses = await statusesOf(3, () => client("GET", "/health/", { headers }));
    expect(statuses).not.toContain(429);
  });

  it("GET /health/live/ is never limited, with or without the trailing slash", async () => {
    const client = workerWith({ RATE_LIMIT_ANONYMOUS: "1/60" });
    const headers = { "CF-Connecting-IP": randomIpAddress() };

    const withSlash = await statusesOf(3, () => client("GET", "/health/live/", { headers }));
    expect(withSlash).toEqual([200, 200, 200]);
    const withoutSlash = await statusesOf(3, () => client("GET", "/health/live", { headers }));
    expect(withoutSlash).toEqual([200, 200, 200]);

    // The probes used up nothing: the first counted request of this IP still passes.
    const counted = await client("GET", "/api/no-such-route/", { headers });
    expect(counted.status).toBe(404);
  });

  it("GET /api/me/ counts signed-in requests per user, whatever their IP", async () => {
    const client = workerWith({ RATE_LIMIT_AUTHENTICATED: "3/60", RATE_LIMIT_ANONYMOUS: "1/60" });
    const first = await createTestUser();
    const second = await createTestUser();
    const firstSession = await loginAs(first.user.email, first.password);
    const secondSession = await loginAs(second.user.email, second.password);
    const sharedIp = { "CF-Connecting-IP": randomIpAddress() };

    // Each request comes from a new address, so only a per-user count can stop the fourth.
    const statuses = await statusesOf(3, () =>
      client("GET", "/api/me/", { token: firstSession.access }),
    );
    expect(statuses).toEqual([200, 200, 200]);
    await expectRateLimited(await client("GET", "/api/me/", { token: firstSession.access }), 60);

    // Another user is counted apart, and signed-in requests do not use the IP's anonymous limit.
    for (let index = 0; index < 2; index++) {
      const response = await client("GET", "/api/me/", {
        token: secondSession.access,
        headers: sharedIp,
      });
      expect(response.status).toBe(200);
    }
  });

  it("GET /api/me/ with an invalid token is counted per IP as anonymous", async () => {
    const client = workerWith({ RATE_LIMIT_ANONYMOUS: "2/60" });
    const headers = { "CF-Connecting-IP": randomIpAddress() };
    const get = () => client("GET", "/api/me/", { token: "not.a.token", headers });

    expect(await statusesOf(2, get)).toEqual([401, 401]);
    await expectRateLimited(await get(), 60);
  });
});

describe("client address", () => {
  it("answers 403 in staging for a request without CF-Connecting-IP", async () => {
    const client = workerWith({ ENVIRONMENT: "staging" });

    const response = await client("GET", "/api/no-such-route/", {
      headers: { "CF-Connecting-IP": "" },
    });

    expect(response.status).toBe(403);
    const body = await readJson(response);
    expect(body.code).toBe("permission_denied");
    expect(body.detail).toBe("Permintaan ditolak karena alamat IP klien tidak dapat ditentukan.");
  });

  it("never reads X-Forwarded-For", async () => {
    const client = workerWith({ RATE_LIMIT_LOGIN: "1/60" });
    const ip = randomIpAddress();
    const post = () =>
      client("POST", "/api/auth/token/", {
        json: {},
        headers: { "CF-Connecting-IP": ip, "X-Forwarded-For": randomIpAddress() },
      });

    expect((await post()).status).toBe(400);
    await expectRateLimited(await post(), 60);
  });
});

describe("counter storage", () => {
  it("POST /api/auth/token/ sees hits counted by another caller", async () => {
    const ip = randomIpAddress();
    const headers = { "CF-Connecting-IP": ip };
    const key = await rateLimitKey(loadConfig(bindings), "login", `ip:${ip}`);
    const counter = bindings.RATE_LIMITER.get(bindings.RATE_LIMITER.idFromName(key));

    // Two requests through two Worker clients with separate configurations, as in two isolates.
    expect((await api("POST", "/api/auth/token/", { json: {}, headers })).status).toBe(400);
    const secondIsolate = workerWith({ COMPANY_NAME: "Isolat Kedua" });
    expect((await secondIsolate("POST", "/api/auth/token/", { json: {}, headers })).status).toBe(
      400,
    );

    // The object counted both; eight more hits from here fill the default limit of ten.
    for (let hit = 3; hit <= 10; hit++) {
      const decision = await counter.hit(10, 60);
      expect(decision.allowed).toBe(true);
    }
    expect((await counter.hit(10, 60)).allowed).toBe(false);

    await expectRateLimited(await api("POST", "/api/auth/token/", { json: {}, headers }), 60);
  });

  it("names its Durable Objects without the client's IP", async () => {
    const key = await rateLimitKey(loadConfig(bindings), "anonymous", "ip:203.0.113.77");

    expect(key).toMatch(/^anonymous:[0-9a-f]{64}$/);
    expect(key).not.toContain("203.0.113.77");
  });
});

describe("rate limit configuration", () => {
  function issuesOf(overrides: Record<string, string>): string[] {
    try {
      loadConfig({ ...bindings, ...overrides } as Bindings);
      return [];
    } catch (error) {
      return (error as { issues: string[] }).issues;
    }
  }

  it("reads <requests>/<seconds> settings", () => {
    const config = loadConfig({ ...bindings, RATE_LIMIT_LOGIN: " 25/120 " } as Bindings);

    expect(config.RATE_LIMIT_LOGIN).toEqual({ limit: 25, windowSeconds: 120 });
    expect(config.RATE_LIMIT_FAILED_LOGIN).toEqual({ limit: 10, windowSeconds: 900 });
    expect(config.RATE_LIMIT_PER_EMAIL).toEqual({ limit: 3, windowSeconds: 3600 });
    expect(config.RATE_LIMITS_ENABLED).toBe(true);
  });

  it("rejects malformed settings by name", () => {
    for (const value of ["10", "0/60", "10/0", "ten/60", "10/60/2", "-1/60", "10/90000"]) {
      const issues = issuesOf({ RATE_LIMIT_REGISTER: value });
      expect(issues.some((issue) => issue.startsWith("RATE_LIMIT_REGISTER"))).toBe(true);
    }
  });

  it("rejects RATE_LIMITS_ENABLED=false in production only", () => {
    const production = issuesOf({ ENVIRONMENT: "production", RATE_LIMITS_ENABLED: "false" });
    expect(production.some((issue) => issue.startsWith("RATE_LIMITS_ENABLED"))).toBe(true);

    expect(issuesOf({ RATE_LIMITS_ENABLED: "false" })).toEqual([]);
  });

  it("POST /api/auth/token/ is never limited with RATE_LIMITS_ENABLED=false", async () => {
    const client = workerWith({ RATE_LIMITS_ENABLED: "false", RATE_LIMIT_LOGIN: "1/60" });
    const headers = { "CF-Connecting-IP": randomIpAddress() };

    const statuses = await statusesOf(3, () =>
      client("POST", "/api/auth/token/", { json: {}, headers }),
    );
    expect(statuses).toEqual([400, 400, 400]);
  });
});
