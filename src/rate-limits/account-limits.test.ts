import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { withDatabase } from "../../test/helpers/database";
import { api, randomIpAddress, readJson, uniqueEmail } from "../../test/helpers/http";
import {
  expectRateLimited,
  statusesOf,
  type TestClient,
  waitForWindow,
  workerWith,
} from "../../test/helpers/rate-limits";
import { createTestUser } from "../../test/helpers/users";
import { oneTimeTokens, sessions } from "../db/schema";

const LOGIN = "/api/auth/token/";
const RESET = "/api/auth/request-password-reset/";
const RESEND = "/api/auth/resend-verification/";
const FAILED_LOGIN_WINDOW = 900;
const EMAIL_WINDOW = 3600;

/** Sends a login from a new IP on each call, so only the per-account count applies. */
function logIn(email: string, password: string, client: TestClient = api) {
  return client("POST", LOGIN, { json: { email, password } });
}

function countSessions(userId: number) {
  return withDatabase(async ({ db }) => {
    return (await db.select().from(sessions).where(eq(sessions.userId, userId))).length;
  });
}

function countTokens(userId: number, purpose: "password_reset" | "email_verification") {
  return withDatabase(async ({ db }) => {
    const rows = await db
      .select()
      .from(oneTimeTokens)
      .where(and(eq(oneTimeTokens.userId, userId), eq(oneTimeTokens.purpose, purpose)));
    return rows.length;
  });
}

/** Replaces the seconds, which differ between two responses sent a moment apart. */
function withoutSeconds(detail: string) {
  return detail.replace(/\d+ detik/, "N detik");
}

describe("failed-login lock", () => {
  it("POST /api/auth/token/ answers 429 to the right password after 10 failures", async () => {
    const { user, password } = await createTestUser();

    const failures = await statusesOf(10, () => logIn(user.email, "salah-sandi-123"));
    expect(failures).toEqual(Array(10).fill(401));

    const locked = await logIn(user.email, password);
    const body = await expectRateLimited(locked, FAILED_LOGIN_WINDOW);
    expect(body.detail).toContain("percobaan masuk yang gagal untuk akun ini");
    expect(await countSessions(user.id)).toBe(0);
  });

  it("POST /api/auth/token/ locks only the account, not the IP or other accounts", async () => {
    const target = await createTestUser();
    const other = await createTestUser();
    const ip = randomIpAddress();
    const client = workerWith({ RATE_LIMIT_FAILED_LOGIN: "3/60" });
    const fromIp = (email: string, password: string) =>
      client("POST", LOGIN, { json: { email, password }, headers: { "CF-Connecting-IP": ip } });

    expect(await statusesOf(3, () => fromIp(target.user.email, "salah-sandi-123"))).toEqual([
      401, 401, 401,
    ]);
    await expectRateLimited(await fromIp(target.user.email, target.password), 60);

    expect((await fromIp(other.user.email, other.password)).status).toBe(200);
  });

  it("POST /api/auth/token/ counts only failures towards the lock", async () => {
    const { user, password } = await createTestUser();
    const client = workerWith({ RATE_LIMIT_FAILED_LOGIN: "3/60" });

    const successes = await statusesOf(4, () => logIn(user.email, password, client));
    expect(successes).toEqual([200, 200, 200, 200]);
    const failures = await statusesOf(3, () => logIn(user.email, "salah-sandi-123", client));
    expect(failures).toEqual([401, 401, 401]);

    await expectRateLimited(await logIn(user.email, password, client), 60);
  });

  it("POST /api/auth/token/ answers an unknown email's lock like a real account's", async () => {
    const { user } = await createTestUser();
    const unknown = uniqueEmail("nobody");
    const client = workerWith({ RATE_LIMIT_FAILED_LOGIN: "2/60" });

    await statusesOf(2, () => logIn(user.email, "salah-sandi-123", client));
    await statusesOf(2, () => logIn(unknown, "salah-sandi-123", client));
    const known = await expectRateLimited(await logIn(user.email, "x", client), 60);
    const missing = await expectRateLimited(await logIn(unknown, "x", client), 60);

    expect(withoutSeconds(missing.detail)).toBe(withoutSeconds(known.detail));
    expect(Object.keys(missing).sort()).toEqual(Object.keys(known).sort());
  });

  it("POST /api/auth/token/ accepts the right password once the lock has passed", async () => {
    const { user, password } = await createTestUser();
    const client = workerWith({ RATE_LIMIT_FAILED_LOGIN: "2/1" });

    await statusesOf(2, () => logIn(user.email, "salah-sandi-123", client));
    await expectRateLimited(await logIn(user.email, password, client), 1);

    await waitForWindow(1);
    expect((await logIn(user.email, password, client)).status).toBe(200);
  });

  it("POST /api/auth/token/ lets no more than 10 parallel guesses through", async () => {
    const { user } = await createTestUser();

    const guesses = await Promise.all(
      Array.from({ length: 14 }, () => logIn(user.email, "salah-sandi-123")),
    );
    const statuses = guesses.map((response) => response.status);

    // Sorted, so a failure lists every status, including any unexpected one.
    const sorted = [...statuses].sort((left, right) => left - right);
    expect(sorted).toEqual([...Array(10).fill(401), ...Array(4).fill(429)]);
  });
});

describe("per-email limits", () => {
  for (const [path, purpose] of [
    [RESET, "password_reset"],
    [RESEND, "email_verification"],
  ] as const) {
    it(`POST ${path} answers 429 to the 4th request for one email, known or not`, async () => {
      const { user } = await createTestUser();
      const unknown = uniqueEmail("nobody");
      // This client waits for the background work, so the token rows are final on return.
      const client = workerWith({});
      const post = (email: string) => client("POST", path, { json: { email } });
      const tokensOfUser = () => countTokens(user.id, purpose);

      expect(await statusesOf(3, () => post(user.email))).toEqual([200, 200, 200]);
      expect(await statusesOf(3, () => post(unknown))).toEqual([200, 200, 200]);
      const tokensBefore = await tokensOfUser();
      const known = await expectRateLimited(await post(user.email), EMAIL_WINDOW);
      const missing = await expectRateLimited(await post(unknown), EMAIL_WINDOW);

      expect(withoutSeconds(missing.detail)).toBe(withoutSeconds(known.detail));
      expect(Object.keys(missing).sort()).toEqual(Object.keys(known).sort());
      expect(tokensBefore).toBeGreaterThan(0);
      expect(await tokensOfUser()).toBe(tokensBefore);
    });
  }

  it("POST /api/auth/request-password-reset/ counts apart from resend-verification", async () => {
    const email = uniqueEmail("reset");

    await statusesOf(3, () => api("POST", RESET, { json: { email } }));
    await expectRateLimited(await api("POST", RESET, { json: { email } }), EMAIL_WINDOW);

    const resend = await api("POST", RESEND, { json: { email } });
    expect(resend.status).toBe(200);
    expect((await readJson(resend)).code).toBe("email_sent");
  });

  it("POST /api/auth/request-password-reset/ counts an address in any letter case", async () => {
    const email = uniqueEmail("case");
    const client = workerWith({ RATE_LIMIT_PER_EMAIL: "1/60" });

    expect((await client("POST", RESET, { json: { email } })).status).toBe(200);
    const upper = await client("POST", RESET, { json: { email: email.toUpperCase() } });
    await expectRateLimited(upper, 60);
  });

  it("POST /api/auth/resend-verification/ accepts an email again after the window", async () => {
    const email = uniqueEmail("window");
    const client = workerWith({ RATE_LIMIT_PER_EMAIL: "1/1" });
    const post = () => client("POST", RESEND, { json: { email } });

    expect((await post()).status).toBe(200);
    await expectRateLimited(await post(), 1);

    await waitForWindow(1);
    expect((await post()).status).toBe(200);
  });
});
