import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { withDatabase } from "../../test/helpers/database";
import { api, readJson } from "../../test/helpers/http";
import { createTestUser, loginAs } from "../../test/helpers/users";
import { auditEvents, sessions, users } from "../db/schema";

const ORIGIN = { Origin: "http://app.test" };

async function twoSessions() {
  const { user, password } = await createTestUser();
  const first = await loginAs(user.email, password);
  const second = await loginAs(user.email, password);
  return { user, password, first, second };
}

async function status(method: string, path: string, options: Parameters<typeof api>[2]) {
  return (await api(method, path, options)).status;
}

async function auditCount(userId: number, action: string) {
  const rows = await withDatabase(({ db }) =>
    db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.targetUserId, userId), eq(auditEvents.action, action))),
  );
  return rows.length;
}

describe("POST /api/auth/token/verify/", () => {
  it("answers 200 {} for a valid access token and 401 otherwise", async () => {
    const { user, password } = await createTestUser();
    const session = await loginAs(user.email, password);
    const ok = await api("POST", "/api/auth/token/verify/", { json: { token: session.access } });
    expect(ok.status).toBe(200);
    expect(await readJson(ok)).toEqual({});

    for (const token of [session.refresh, "a.b.c", `${session.access}x`]) {
      const bad = await api("POST", "/api/auth/token/verify/", { json: { token } });
      expect(bad.status).toBe(401);
      expect((await readJson(bad)).code).toBe("token_not_valid");
    }
    const missing = await api("POST", "/api/auth/token/verify/", { json: {} });
    expect(missing.status).toBe(400);
  });
});

describe("POST /api/auth/logout/", () => {
  it("ends the session of the body token and clears cookies", async () => {
    const { user, first, second } = await twoSessions();
    const response = await api("POST", "/api/auth/logout/", { json: { refresh: first.refresh } });
    expect(response.status).toBe(200);
    expect((await readJson(response)).code).toBe("logout_success");
    const cookies = response.headers.getAll("Set-Cookie");
    expect(cookies.some((cookie) => /^kms_access=;.*Max-Age=0/.test(cookie))).toBe(true);
    expect(cookies.some((cookie) => /^kms_refresh=;.*Max-Age=0/.test(cookie))).toBe(true);

    expect(
      await status("POST", "/api/auth/token/refresh/", { json: { refresh: first.refresh } }),
    ).toBe(401);
    expect(await status("GET", "/api/auth/sessions/", { token: first.access })).toBe(401);
    expect(await status("GET", "/api/auth/sessions/", { token: second.access })).toBe(200);
    expect(await auditCount(user.id, "logout")).toBe(1);
  });

  it("ends the session of the cookie token when the Origin is allowed", async () => {
    const { first } = await twoSessions();
    const foreign = await api("POST", "/api/auth/logout/", {
      cookie: first.cookie,
      headers: { Origin: "http://evil.test" },
    });
    expect(foreign.status).toBe(403);
    expect(await status("GET", "/api/auth/sessions/", { token: first.access })).toBe(200);

    const allowed = await api("POST", "/api/auth/logout/", {
      cookie: first.cookie,
      headers: ORIGIN,
    });
    expect(allowed.status).toBe(200);
    expect(await status("GET", "/api/auth/sessions/", { token: first.access })).toBe(401);
  });

  it("answers 200 without a token or with an unknown one", async () => {
    expect(await status("POST", "/api/auth/logout/", {})).toBe(200);
    expect(await status("POST", "/api/auth/logout/", { json: { refresh: "unknown" } })).toBe(200);
  });
});

describe("POST /api/auth/logout-all/", () => {
  it("ends every session: refresh and access stop working", async () => {
    const { user, first, second } = await twoSessions();
    const response = await api("POST", "/api/auth/logout-all/", { token: first.access });
    expect(response.status).toBe(200);
    expect((await readJson(response)).code).toBe("logout_all_success");
    for (const session of [first, second]) {
      expect(await status("GET", "/api/auth/sessions/", { token: session.access })).toBe(401);
      const refresh = { json: { refresh: session.refresh } };
      expect(await status("POST", "/api/auth/token/refresh/", refresh)).toBe(401);
    }
    expect(await auditCount(user.id, "logout_all")).toBe(1);
  });

  it("answers 401 without credentials", async () => {
    expect(await status("POST", "/api/auth/logout-all/", {})).toBe(401);
  });
});

describe("GET /api/auth/sessions/", () => {
  it("lists open sessions with the current flag and Jakarta datetimes", async () => {
    const { second } = await twoSessions();
    const response = await api("GET", "/api/auth/sessions/", {
      token: second.access,
      headers: { "User-Agent": "ignored-on-read" },
    });
    expect(response.status).toBe(200);
    const body = await readJson(response);
    expect(body.count).toBe(2);
    expect(body.next).toBeNull();
    expect(body.previous).toBeNull();
    expect(body.results).toHaveLength(2);
    expect(body.results.filter((row: { current: boolean }) => row.current)).toHaveLength(1);
    const row = body.results[0];
    expect(Object.keys(row).sort()).toEqual([
      "created_at",
      "current",
      "id",
      "last_used_at",
      "user_agent",
    ]);
    expect(row.created_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+07:00$/);
  });

  it("paginates with absolute links and answers 404 past the last page", async () => {
    const { second } = await twoSessions();
    const page1 = await readJson(
      await api("GET", "/api/auth/sessions/?page_size=1", { token: second.access }),
    );
    expect(page1.count).toBe(2);
    expect(page1.results).toHaveLength(1);
    expect(page1.next).toBe("http://api.test/api/auth/sessions/?page_size=1&page=2");
    expect(page1.previous).toBeNull();
    const page2 = await readJson(await api("GET", page1.next.slice(15), { token: second.access }));
    expect(page2.results).toHaveLength(1);
    expect(page2.previous).toContain("page=1");
    expect(page2.results[0].id).not.toBe(page1.results[0].id);

    expect(await status("GET", "/api/auth/sessions/?page=3", { token: second.access })).toBe(404);
    for (const query of ["page=0", "page=x", "page_size=101"]) {
      expect(await status("GET", `/api/auth/sessions/?${query}`, { token: second.access })).toBe(
        400,
      );
    }
  });
});

describe("DELETE /api/auth/sessions/{id}/", () => {
  it("revokes one of the user's own sessions", async () => {
    const { user, first, second } = await twoSessions();
    const list = await readJson(await api("GET", "/api/auth/sessions/", { token: second.access }));
    const other = list.results.find((row: { current: boolean }) => !row.current);
    const response = await api("DELETE", `/api/auth/sessions/${other.id}/`, {
      token: second.access,
    });
    expect(response.status).toBe(200);
    expect((await readJson(response)).code).toBe("session_revoked");
    expect(await status("GET", "/api/auth/sessions/", { token: first.access })).toBe(401);
    expect(await status("GET", "/api/auth/sessions/", { token: second.access })).toBe(200);
    expect(await auditCount(user.id, "session_revoked")).toBe(1);
    // Already ended: 404.
    expect(
      await status("DELETE", `/api/auth/sessions/${other.id}/`, { token: second.access }),
    ).toBe(404);
  });

  it("answers 404 for another user's session and leaves it open", async () => {
    const mine = await twoSessions();
    const theirs = await twoSessions();
    const [theirSession] = await withDatabase(({ db }) =>
      db.select().from(sessions).where(eq(sessions.userId, theirs.user.id)),
    );
    const path = `/api/auth/sessions/${theirSession?.id}/`;
    expect(await status("DELETE", path, { token: mine.first.access })).toBe(404);
    const [after] = await withDatabase(({ db }) =>
      db
        .select()
        .from(sessions)
        .where(eq(sessions.id, theirSession?.id ?? 0)),
    );
    expect(after?.revokedAt).toBeNull();
  });

  it("answers 404 for a malformed id and 401 without credentials", async () => {
    const { first } = await twoSessions();
    expect(await status("DELETE", "/api/auth/sessions/abc/", { token: first.access })).toBe(404);
    expect(await status("DELETE", "/api/auth/sessions/1/", {})).toBe(401);
  });
});

describe("POST /api/auth/change-password/", () => {
  const PATH = "/api/auth/change-password/";

  it("changes the password, ends other sessions and renews the current one", async () => {
    const { user, password, first, second } = await twoSessions();
    const response = await api("POST", PATH, {
      token: second.access,
      json: { old_password: password, new_password: "Teh-Manis-Dingin-77" },
    });
    expect(response.status).toBe(200);
    const body = await readJson(response);
    expect(body.code).toBe("password_changed");
    expect(response.headers.getAll("Set-Cookie").join("\n")).toContain(body.data.access);

    // Other session: refresh and access dead. Old access of this session: dead (new stamp).
    expect(await status("GET", "/api/auth/sessions/", { token: first.access })).toBe(401);
    const oldRefresh = { json: { refresh: first.refresh } };
    expect(await status("POST", "/api/auth/token/refresh/", oldRefresh)).toBe(401);
    expect(await status("GET", "/api/auth/sessions/", { token: second.access })).toBe(401);
    // This session goes on with the new tokens.
    expect(await status("GET", "/api/auth/sessions/", { token: body.data.access })).toBe(200);
    const newRefresh = { json: { refresh: body.data.refresh } };
    expect(await status("POST", "/api/auth/token/refresh/", newRefresh)).toBe(200);

    await loginAs(user.email, "Teh-Manis-Dingin-77");
    const oldLogin = { json: { email: user.email, password } };
    expect(await status("POST", "/api/auth/token/", oldLogin)).toBe(401);
    expect(await auditCount(user.id, "password_changed")).toBe(1);
  });

  it("works under /api/applicants/me/change-password/ too", async () => {
    const { user, password } = await createTestUser();
    const session = await loginAs(user.email, password);
    const response = await api("POST", "/api/applicants/me/change-password/", {
      token: session.access,
      json: { old_password: password, new_password: "Teh-Manis-Dingin-77" },
    });
    expect(response.status).toBe(200);
  });

  it("answers 400 for a wrong old password or a weak new one and changes nothing", async () => {
    const { user, password } = await createTestUser({ email: "rina.wati.test@example.test" });
    const session = await loginAs(user.email, password);
    const cases = [
      {
        json: { old_password: "Salah-Sekali-1", new_password: "Teh-Manis-Dingin-77" },
        field: "old_password",
      },
      { json: { old_password: password, new_password: "password" }, field: "new_password" },
      { json: { old_password: password, new_password: "123456789012" }, field: "new_password" },
      { json: { old_password: password, new_password: "rinawatitest" }, field: "new_password" },
      { json: { old_password: password, new_password: "x".repeat(129) }, field: "new_password" },
      { json: { old_password: password }, field: "new_password" },
      { json: { new_password: "Teh-Manis-Dingin-77" }, field: "old_password" },
      { json: { old_password: password, new_password: 12345678 }, field: "new_password" },
    ];
    for (const { json, field } of cases) {
      const response = await api("POST", "/api/auth/change-password/", {
        token: session.access,
        json,
      });
      expect(response.status).toBe(400);
      const body = await readJson(response);
      expect(body.code).toBe("validation_error");
      expect(body.errors[field]).toBeDefined();
    }

    const [row] = await withDatabase(({ db }) =>
      db.select().from(users).where(eq(users.id, user.id)),
    );
    expect(row?.passwordHash).toBe(user.passwordHash);
    expect(row?.securityStamp).toBe(user.securityStamp);
    expect(await status("GET", "/api/auth/sessions/", { token: session.access })).toBe(200);
  });

  it("answers 401 without credentials and 403 for a cookie from a foreign Origin", async () => {
    const { user, password } = await createTestUser();
    const session = await loginAs(user.email, password);
    const json = { old_password: password, new_password: "Teh-Manis-Dingin-77" };
    expect(await status("POST", PATH, { json })).toBe(401);
    const foreign = { json, cookie: session.cookie, headers: { Origin: "http://evil.test" } };
    expect(await status("POST", PATH, foreign)).toBe(403);
    const [row] = await withDatabase(({ db }) =>
      db.select().from(users).where(eq(users.id, user.id)),
    );
    expect(row?.passwordHash).toBe(user.passwordHash);
  });
});
