import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { withDatabase } from "../../test/helpers/database";
import { api, readJson } from "../../test/helpers/http";
import { workerWith } from "../../test/helpers/rate-limits";
import { createTestUser, loginAs } from "../../test/helpers/users";
import { oneTimeTokens, users } from "../db/schema";
import { issueOneTimeToken } from "./one-time-tokens.service";

const PARALLEL = 20;

// Checking which of 20 candidate passwords works makes 19 failed logins, more than the
// failed-login lock allows, so these checks run with a higher lock threshold.
const lenientLogin = workerWith({ RATE_LIMIT_FAILED_LOGIN: "100/900" });

async function loginStatus(email: string, password: string) {
  const response = await lenientLogin("POST", "/api/auth/token/", { json: { email, password } });
  await response.body?.cancel();
  return response.status;
}

describe("POST /api/auth/change-password/ under concurrency", () => {
  it("lets exactly one of 20 parallel changes with the same old password win", async () => {
    const { user, password } = await createTestUser();
    const { access } = await loginAs(user.email, password);
    const candidates = Array.from({ length: PARALLEL }, (_, index) => `Baru-${index}-Sandi-Kuat!`);

    const responses = await Promise.all(
      candidates.map((newPassword) =>
        api("POST", "/api/auth/change-password/", {
          token: access,
          json: { old_password: password, new_password: newPassword },
        }),
      ),
    );
    const statuses = responses.map((response) => response.status);
    expect(statuses.filter((status) => status === 200)).toHaveLength(1);
    expect(statuses.filter((status) => status === 400 || status === 401)).toHaveLength(
      PARALLEL - 1,
    );
    for (const response of responses) {
      if (response.status !== 400) continue;
      expect((await readJson(response)).errors.old_password).toHaveLength(1);
    }

    const winner = candidates[statuses.indexOf(200)] ?? "";
    expect(await loginStatus(user.email, winner)).toBe(200);
    const working = [];
    for (const candidate of candidates) {
      if ((await loginStatus(user.email, candidate)) === 200) working.push(candidate);
    }
    expect(working).toEqual([winner]);
  });

  it("answers 400 errors.new_password when the new password equals the old one", async () => {
    const { user, password } = await createTestUser();
    const { access } = await loginAs(user.email, password);
    const response = await api("POST", "/api/auth/change-password/", {
      token: access,
      json: { old_password: password, new_password: password },
    });
    expect(response.status).toBe(400);
    const body = await readJson(response);
    expect(body.errors.new_password).toEqual([
      "Kata sandi baru harus berbeda dari kata sandi lama.",
    ]);
    expect(await loginStatus(user.email, password)).toBe(200);
  });

  it("answers 400 errors.new_password for a control character", async () => {
    const { user, password } = await createTestUser();
    const { access } = await loginAs(user.email, password);
    const response = await api("POST", "/api/auth/change-password/", {
      token: access,
      json: { old_password: password, new_password: "Baru\u0000Sandi-Kuat!" },
    });
    expect(response.status).toBe(400);
    expect((await readJson(response)).errors.new_password.join(" ")).toContain("karakter kontrol");
  });
});

describe("GET /api/auth/verify-email/ under concurrency", () => {
  it("answers success once and email_already_verified to every other parallel visit", async () => {
    const { user } = await createTestUser();
    const issued = await withDatabase(({ db }) =>
      issueOneTimeToken(db, user, "email_verification", 7 * 86_400),
    );
    const responses = await Promise.all(
      Array.from({ length: PARALLEL }, () =>
        api("GET", `/api/auth/verify-email/?token=${encodeURIComponent(issued.token)}`),
      ),
    );
    const codes = await Promise.all(
      responses.map(async (response) => `${response.status} ${(await readJson(response)).code}`),
    );
    expect(codes.filter((code) => code === "200 success")).toHaveLength(1);
    expect(codes.filter((code) => code === "200 email_already_verified")).toHaveLength(
      PARALLEL - 1,
    );
    const [stored] = await withDatabase(({ db }) =>
      db.select().from(users).where(eq(users.id, user.id)),
    );
    expect(stored?.emailVerified).toBe(true);
  });
});

describe("POST /api/auth/confirm-reset-password/ input checks", () => {
  it("answers 400 errors.new_password for a control character and keeps the token", async () => {
    const { user, password } = await createTestUser();
    const issued = await withDatabase(({ db }) =>
      issueOneTimeToken(db, user, "password_reset", 3600),
    );
    const uid = btoa(String(user.id)).replace(/=+$/, "");
    const response = await api("POST", "/api/auth/confirm-reset-password/", {
      json: { uid, token: issued.token, new_password: "Baru\u0001Sandi-Kuat!" },
    });
    expect(response.status).toBe(400);
    expect((await readJson(response)).errors.new_password.join(" ")).toContain("karakter kontrol");
    const [token] = await withDatabase(({ db }) =>
      db.select().from(oneTimeTokens).where(eq(oneTimeTokens.id, issued.id)),
    );
    expect(token?.usedAt).toBeNull();
    expect(await loginStatus(user.email, password)).toBe(200);
  });
});
