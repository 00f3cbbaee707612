import { env } from "cloudflare:test";
import { eq } from "drizzle-orm";
import { SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { withDatabase } from "../../test/helpers/database";
import { api, readJson } from "../../test/helpers/http";
import { createTestUser, loginAs } from "../../test/helpers/users";
import { users } from "../db/schema";
import { type Bindings, loadConfig } from "../env";
import { handleError } from "../lib/error-handler";
import { createRouter } from "../lib/openapi";
import { configuration, requestContext } from "../middleware/request-context";
import { requireAuth, requireRoles } from "./auth.middleware";
import { newSecurityStamp } from "./sessions.service";

const config = loadConfig(env as unknown as Bindings);
const SESSIONS = "/api/auth/sessions/";
const LOGOUT_ALL = "/api/auth/logout-all/";

async function signedIn() {
  const { user, password } = await createTestUser();
  return { user, ...(await loginAs(user.email, password)) };
}

function payloadOf(token: string) {
  const part = (token.split(".")[1] ?? "").replaceAll("-", "+").replaceAll("_", "/");
  return JSON.parse(atob(part));
}

async function resign(token: string, changes: Record<string, unknown>, secret = config.JWT_SECRET) {
  const { iat: _iat, exp, ...claims } = payloadOf(token);
  return new SignJWT({ ...claims, ...changes })
    .setProtectedHeader({ alg: "HS256" })
    .setIssuedAt()
    .setExpirationTime((changes.exp as number | undefined) ?? exp)
    .sign(new TextEncoder().encode(secret));
}

async function expectRejected(response: Response, status: number, code: string) {
  expect(response.status).toBe(status);
  expect((await readJson(response)).code).toBe(code);
}

describe("requireAuth", () => {
  it("GET /api/auth/sessions/ answers 401 not_authenticated without credentials", async () => {
    await expectRejected(await api("GET", SESSIONS), 401, "not_authenticated");
    const basic = await api("GET", SESSIONS, { headers: { Authorization: "Basic abc" } });
    await expectRejected(basic, 401, "not_authenticated");
  });

  it("GET /api/auth/sessions/ accepts the access cookie", async () => {
    const session = await signedIn();
    expect((await api("GET", SESSIONS, { cookie: session.cookie })).status).toBe(200);
  });

  it("GET /api/auth/sessions/ prefers the Bearer header over the cookie", async () => {
    const first = await signedIn();
    const second = await signedIn();
    const response = await api("GET", SESSIONS, { token: first.access, cookie: second.cookie });
    expect(response.status).toBe(200);
    const body = await readJson(response);
    expect(body.results).toHaveLength(1);
    expect(payloadOf(first.access).sid).toBe(body.results[0].id);

    const badBearer = await api("GET", SESSIONS, { token: "nope", cookie: second.cookie });
    await expectRejected(badBearer, 401, "token_not_valid");
  });

  it("GET /api/auth/sessions/ answers 401 token_not_valid for bad tokens", async () => {
    const session = await signedIn();
    const [header, payload, signature] = session.access.split(".");
    const flipped = `${signature?.[0] === "A" ? "B" : "A"}${signature?.slice(1)}`;
    const none = btoa(JSON.stringify({ alg: "none", typ: "JWT" })).replaceAll("=", "");
    const badTokens = [
      `${header}.${payload}.${flipped}`,
      await resign(session.access, { exp: Math.floor(Date.now() / 1000) - 10 }),
      await resign(session.access, {}, "another-secret-that-is-long-enough-000000"),
      `${none}.${payload}.`,
      session.refresh,
      await resign(session.access, { stamp: "forged-stamp" }),
      await resign(session.access, { sid: payloadOf(session.access).sid + 100_000 }),
    ];
    for (const token of badTokens) {
      await expectRejected(await api("GET", SESSIONS, { token }), 401, "token_not_valid");
    }
  });

  it("GET /api/auth/sessions/ refuses the token of a deactivated user at once", async () => {
    const session = await signedIn();
    await withDatabase(({ db }) =>
      db.update(users).set({ isActive: false }).where(eq(users.id, session.user.id)),
    );
    await expectRejected(
      await api("GET", SESSIONS, { token: session.access }),
      401,
      "token_not_valid",
    );
  });

  it("GET /api/auth/sessions/ refuses tokens once the security stamp changes", async () => {
    const session = await signedIn();
    await withDatabase(({ db }) =>
      db
        .update(users)
        .set({ securityStamp: newSecurityStamp() })
        .where(eq(users.id, session.user.id)),
    );
    await expectRejected(
      await api("GET", SESSIONS, { token: session.access }),
      401,
      "token_not_valid",
    );
  });
});

describe("CSRF check on cookie-authenticated unsafe requests", () => {
  it("POST /api/auth/logout-all/ with the cookie from an allowed Origin succeeds", async () => {
    const session = await signedIn();
    const response = await api("POST", LOGOUT_ALL, {
      cookie: session.cookie,
      headers: { Origin: "http://admin.test" },
    });
    expect(response.status).toBe(200);
  });

  it("POST /api/auth/logout-all/ with the cookie from a foreign Origin answers 403", async () => {
    const session = await signedIn();
    const response = await api("POST", LOGOUT_ALL, {
      cookie: session.cookie,
      headers: { Origin: "http://evil.test", Referer: "http://app.test/" },
    });
    await expectRejected(response, 403, "permission_denied");
    // Nothing happened: the session still works.
    expect((await api("GET", SESSIONS, { token: session.access })).status).toBe(200);
  });

  it("POST /api/auth/logout-all/ with the cookie and no Origin or Referer answers 403", async () => {
    const session = await signedIn();
    await expectRejected(
      await api("POST", LOGOUT_ALL, { cookie: session.cookie }),
      403,
      "permission_denied",
    );
    const foreignReferer = await api("POST", LOGOUT_ALL, {
      cookie: session.cookie,
      headers: { Referer: "http://evil.test/page" },
    });
    await expectRejected(foreignReferer, 403, "permission_denied");
    const allowedReferer = await api("POST", LOGOUT_ALL, {
      cookie: session.cookie,
      headers: { Referer: "http://app.test/settings" },
    });
    expect(allowedReferer.status).toBe(200);
  });

  it("POST /api/auth/logout-all/ with a Bearer token needs no Origin", async () => {
    const session = await signedIn();
    expect((await api("POST", LOGOUT_ALL, { token: session.access })).status).toBe(200);
  });
});

describe("requireRoles", () => {
  const app = createRouter();
  app.use("*", requestContext, configuration);
  app.get("/admin-only/", requireAuth, requireRoles("ADMIN"), (c) => c.json({ ok: true }));
  app.onError(handleError);
  const call = (token: string) =>
    app.request("/admin-only/", { headers: { Authorization: `Bearer ${token}` } }, env);

  it("answers 403 permission_denied for other roles and passes the allowed one", async () => {
    const applicant = await signedIn();
    await expectRejected(await call(applicant.access), 403, "permission_denied");

    const admin = await createTestUser({ role: "ADMIN" });
    const adminSession = await loginAs(admin.user.email, admin.password);
    const allowed = await call(adminSession.access);
    expect(allowed.status).toBe(200);
    expect(await allowed.json()).toEqual({ ok: true });
  });

  it("uses the role stored now, not the one in the token", async () => {
    const staff = await createTestUser({ role: "STAFF" });
    const session = await loginAs(staff.user.email, staff.password);
    await withDatabase(({ db }) =>
      db.update(users).set({ role: "ADMIN" }).where(eq(users.id, staff.user.id)),
    );
    expect((await call(session.access)).status).toBe(200);
  });
});
