import { and, eq, isNull } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { withDatabase } from "../../test/helpers/database";
import { api, readJson } from "../../test/helpers/http";
import { createTestUser, loginAs } from "../../test/helpers/users";
import { refreshTokens, sessions } from "../db/schema";

// These races deadlocked on PostgreSQL 15 (SQLSTATE 40P01, returned as 500) before the rotation
// locked the session row first. The embedded PGlite server runs one statement at a time, so
// here they check the outcome only. Run them with TEST_DATABASE_URL set to a real PostgreSQL
// server to exercise the locking.

const REFRESH = "/api/auth/token/refresh/";
const SESSIONS = 8;
const ROUNDS = 4;
const LIVE_TOKENS = 6;

async function refreshWith(refresh: string) {
  return api("POST", REFRESH, { json: { refresh } });
}

/** Refreshes every token at once and returns the statuses and the new tokens, in order. */
async function refreshAll(tokens: string[]) {
  const responses = await Promise.all(tokens.map(refreshWith));
  const bodies = await Promise.all(responses.map((response) => readJson(response)));
  return {
    statuses: responses.map((response) => response.status),
    tokens: bodies.map((body) => body.data?.refresh as string),
  };
}

async function liveTokenCount(sessionId: number) {
  const rows = await withDatabase(({ db }) =>
    db
      .select({ hash: refreshTokens.tokenHash })
      .from(refreshTokens)
      .where(and(eq(refreshTokens.sessionId, sessionId), isNull(refreshTokens.replacedAt))),
  );
  return rows.length;
}

describe("POST /api/auth/token/refresh/ under concurrency", () => {
  it("rotates the tokens of many sessions refreshed in parallel", async () => {
    const { user, password } = await createTestUser();
    const logins = [];
    for (let index = 0; index < SESSIONS; index++) logins.push(await loginAs(user.email, password));
    let tokens = logins.map((login) => login.refresh);

    for (let round = 0; round < ROUNDS; round++) {
      const result = await refreshAll(tokens);
      expect(result.statuses).toEqual(tokens.map(() => 200));
      tokens = result.tokens;
    }

    const rows = await withDatabase(({ db }) =>
      db.select().from(sessions).where(eq(sessions.userId, user.id)),
    );
    expect(rows).toHaveLength(SESSIONS);
    for (const row of rows) {
      expect(row.revokedAt).toBeNull();
      expect(await liveTokenCount(row.id)).toBe(1);
    }
  });

  it("rotates live tokens of one session refreshed in parallel", async () => {
    const { user, password } = await createTestUser();
    const { refresh } = await loginAs(user.email, password);
    // Refreshing the same token again within the grace period gives the session another live
    // token each time, as when several browser tabs refresh at once.
    let tokens: string[] = [];
    for (let index = 0; index < LIVE_TOKENS; index++) {
      tokens.push((await readJson(await refreshWith(refresh))).data.refresh);
    }

    for (let round = 0; round < ROUNDS; round++) {
      const result = await refreshAll(tokens);
      expect(result.statuses).toEqual(tokens.map(() => 200));
      tokens = result.tokens;
    }

    const [session] = await withDatabase(({ db }) =>
      db.select().from(sessions).where(eq(sessions.userId, user.id)),
    );
    expect(session?.revokedAt).toBeNull();
    const followUp = await refreshWith(tokens[0] ?? "");
    expect(followUp.status).toBe(200);
  });

  it("gives every parallel refresh of the same token its own new token", async () => {
    const { user, password } = await createTestUser();
    const { refresh } = await loginAs(user.email, password);

    const result = await refreshAll(Array.from({ length: SESSIONS }, () => refresh));
    expect(result.statuses).toEqual(result.statuses.map(() => 200));
    expect(new Set(result.tokens).size).toBe(SESSIONS);

    // One rotation replaced the presented token, and the others only added grace siblings.
    const [session] = await withDatabase(({ db }) =>
      db.select().from(sessions).where(eq(sessions.userId, user.id)),
    );
    expect(session?.revokedAt).toBeNull();
    const hashes = await withDatabase(({ db }) =>
      db
        .select({ hash: refreshTokens.tokenHash })
        .from(refreshTokens)
        .where(eq(refreshTokens.sessionId, session?.id ?? 0)),
    );
    expect(hashes).toHaveLength(SESSIONS + 1);
  });
});
