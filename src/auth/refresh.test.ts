import { and, eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { withDatabase } from "../../test/helpers/database";
import { api, readJson } from "../../test/helpers/http";
import { createTestUser, loginAs } from "../../test/helpers/users";
import { auditEvents, refreshTokens, sessions, users } from "../db/schema";
import { hashRefreshToken } from "./sessions.service";

const REFRESH = "/api/auth/token/refresh/";
const ALLOWED_ORIGIN = "http://app.test";

async function refreshWith(refresh: string) {
  return api("POST", REFRESH, { json: { refresh } });
}

/** Moves a token's replacement time into the past, beyond the reuse grace period. */
async function ageReplacement(token: string, seconds: number) {
  const hash = await hashRefreshToken(token);
  await withDatabase(({ db }) =>
    db
      .update(refreshTokens)
      .set({ replacedAt: sql`now() - ${seconds}::int * interval '1 second'` })
      .where(eq(refreshTokens.tokenHash, hash)),
  );
}

async function sessionOf(userId: number) {
  const [row] = await withDatabase(({ db }) =>
    db.select().from(sessions).where(eq(sessions.userId, userId)),
  );
  return row;
}

describe("POST /api/auth/token/refresh/", () => {
  it("rotates the refresh token and returns new tokens and cookies", async () => {
    const { user, password } = await createTestUser();
    const first = await loginAs(user.email, password);
    const response = await refreshWith(first.refresh);
    expect(response.status).toBe(200);
    const body = await readJson(response);
    expect(body.code).toBe("token_refreshed");
    expect(body.data.user.id).toBe(user.id);
    expect(body.data.refresh).not.toBe(first.refresh);
    expect(body.data.access).not.toBe(first.access);
    const cookies = response.headers.getAll("Set-Cookie").join("\n");
    expect(cookies).toContain(`kms_refresh=${body.data.refresh}`);
    expect(cookies).toContain(`kms_access=${body.data.access}`);

    const withNewAccess = await api("GET", "/api/auth/sessions/", { token: body.data.access });
    expect(withNewAccess.status).toBe(200);
    expect((await refreshWith(body.data.refresh)).status).toBe(200);
  });

  it("stores only the SHA-256 hash of refresh tokens", async () => {
    const { user, password } = await createTestUser();
    const { refresh } = await loginAs(user.email, password);
    const session = await sessionOf(user.id);
    const rows = await withDatabase(({ db }) =>
      db
        .select()
        .from(refreshTokens)
        .where(eq(refreshTokens.sessionId, session?.id ?? 0)),
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]?.tokenHash).toBe(await hashRefreshToken(refresh));
    expect(rows[0]?.tokenHash).not.toContain(refresh);
  });

  it("accepts a replaced token again within the grace period", async () => {
    const { user, password } = await createTestUser();
    const { refresh } = await loginAs(user.email, password);
    // Sequential on purpose: the embedded PGlite server interleaves the protocol messages of
    // concurrent clients ("bind message supplies 3 parameters"), so a parallel pair cannot run
    // here. The rotation's conditional UPDATE sends the loser of a real race down this path.
    const tabA = await refreshWith(refresh);
    const tabB = await refreshWith(refresh);
    expect(tabA.status).toBe(200);
    expect(tabB.status).toBe(200);
    const tokenA = (await readJson(tabA)).data.refresh;
    const tokenB = (await readJson(tabB)).data.refresh;
    expect(tokenA).not.toBe(tokenB);

    // Whichever response the browser kept, the next refresh works.
    expect((await refreshWith(tokenA)).status).toBe(200);
    expect((await sessionOf(user.id))?.revokedAt).toBeNull();
  });

  it("answers 401 token_reused and revokes the session for a later reuse", async () => {
    const { user, password } = await createTestUser();
    const { refresh } = await loginAs(user.email, password);
    const rotated = await readJson(await refreshWith(refresh));
    await ageReplacement(refresh, 60);

    const reuse = await refreshWith(refresh);
    expect(reuse.status).toBe(401);
    expect((await readJson(reuse)).code).toBe("token_reused");

    const session = await sessionOf(user.id);
    expect(session?.revokedAt).toBeInstanceOf(Date);
    expect(session?.revokedReason).toBe("token_reused");
    const after = await refreshWith(rotated.data.refresh);
    expect(after.status).toBe(401);
    expect((await readJson(after)).code).toBe("token_not_valid");
    const access = await api("GET", "/api/auth/sessions/", { token: rotated.data.access });
    expect(access.status).toBe(401);

    const events = await withDatabase(({ db }) =>
      db
        .select()
        .from(auditEvents)
        .where(
          and(
            eq(auditEvents.targetUserId, user.id),
            eq(auditEvents.action, "refresh_token_reused"),
          ),
        ),
    );
    expect(events).toHaveLength(1);
  });

  it("answers 401 token_not_valid for missing, unknown and malformed tokens", async () => {
    const missing = await api("POST", REFRESH, { json: {} });
    expect(missing.status).toBe(401);
    expect((await readJson(missing)).code).toBe("token_not_valid");
    const noBody = await api("POST", REFRESH);
    expect(noBody.status).toBe(401);
    const unknown = await refreshWith("A".repeat(43));
    expect(unknown.status).toBe(401);
    expect((await readJson(unknown)).code).toBe("token_not_valid");
  });

  it("answers 401 token_not_valid for a refresh of the wrong type or size", async () => {
    const wrongType = await api("POST", REFRESH, { json: { refresh: 42 } });
    expect(wrongType.status).toBe(401);
    expect((await readJson(wrongType)).code).toBe("token_not_valid");
    const oversized = await api("POST", REFRESH, { json: { refresh: "x".repeat(300) } });
    expect(oversized.status).toBe(401);
    expect((await readJson(oversized)).code).toBe("token_not_valid");
  });

  it("refuses tokens of expired sessions and deactivated users", async () => {
    const expired = await createTestUser();
    const expiredLogin = await loginAs(expired.user.email, expired.password);
    await withDatabase(({ db }) =>
      db
        .update(sessions)
        .set({ expiresAt: sql`now() - interval '1 minute'` })
        .where(eq(sessions.userId, expired.user.id)),
    );
    expect((await refreshWith(expiredLogin.refresh)).status).toBe(401);

    const absolute = await createTestUser();
    const absoluteLogin = await loginAs(absolute.user.email, absolute.password);
    await withDatabase(({ db }) =>
      db
        .update(sessions)
        .set({ absoluteExpiresAt: sql`now() - interval '1 minute'` })
        .where(eq(sessions.userId, absolute.user.id)),
    );
    expect((await refreshWith(absoluteLogin.refresh)).status).toBe(401);

    const inactive = await createTestUser();
    const inactiveLogin = await loginAs(inactive.user.email, inactive.password);
    await withDatabase(({ db }) =>
      db.update(users).set({ isActive: false }).where(eq(users.id, inactive.user.id)),
    );
    const response = await refreshWith(inactiveLogin.refresh);
    expect(response.status).toBe(401);
    expect((await readJson(response)).code).toBe("token_not_valid");
  });

  it("slides the expiry but never past the absolute expiry", async () => {
    const { user, password } = await createTestUser();
    const { refresh } = await loginAs(user.email, password);
    await withDatabase(({ db }) =>
      db
        .update(sessions)
        .set({ absoluteExpiresAt: sql`now() + interval '2 days'` })
        .where(eq(sessions.userId, user.id)),
    );
    expect((await refreshWith(refresh)).status).toBe(200);
    const session = await sessionOf(user.id);
    expect(session?.expiresAt.getTime()).toBe(session?.absoluteExpiresAt.getTime());
  });

  it("reads the cookie before the body and checks its Origin", async () => {
    const { user, password } = await createTestUser();
    const login = await loginAs(user.email, password);

    const foreign = await api("POST", REFRESH, {
      cookie: login.cookie,
      headers: { Origin: "http://evil.test" },
    });
    expect(foreign.status).toBe(403);
    expect((await readJson(foreign)).code).toBe("permission_denied");
    const noOrigin = await api("POST", REFRESH, { cookie: login.cookie });
    expect(noOrigin.status).toBe(403);

    const allowed = await api("POST", REFRESH, {
      cookie: login.cookie,
      headers: { Origin: ALLOWED_ORIGIN },
      json: { refresh: "ignored-because-the-cookie-wins" },
    });
    expect(allowed.status).toBe(200);
    const byReferer = await api("POST", REFRESH, {
      cookie: `kms_refresh=${(await readJson(allowed)).data.refresh}`,
      headers: { Referer: `${ALLOWED_ORIGIN}/dashboard?x=1` },
    });
    expect(byReferer.status).toBe(200);
  });
});
