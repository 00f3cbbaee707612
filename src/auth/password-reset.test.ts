import { env } from "cloudflare:test";
import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { withDatabase } from "../../test/helpers/database";
import { linkFrom, resendMessages, waitForEmails } from "../../test/helpers/emails";
import { api, readJson, uniqueEmail } from "../../test/helpers/http";
import { createTestUser, loginAs } from "../../test/helpers/users";
import { auditEvents, oneTimeTokens, sessions, users } from "../db/schema";
import { type Bindings, loadConfig } from "../env";
import { encodeUid, issueOneTimeToken } from "./one-time-tokens.service";
import { verifyPassword } from "./passwords";

const config = loadConfig(env as unknown as Bindings);
const REQUEST = "/api/auth/request-password-reset/";
const CONFIRM = "/api/auth/confirm-reset-password/";
const NEW_PASSWORD = "Kopi-Tubruk-Pagi-2026";

async function userWithResetToken(overrides: Parameters<typeof createTestUser>[0] = {}) {
  const created = await createTestUser(overrides);
  const issued = await withDatabase(({ db }) =>
    issueOneTimeToken(db, created.user, "password_reset", 3600),
  );
  return { ...created, issued, uid: encodeUid(created.user.id) };
}

function confirm(body: unknown) {
  return api("POST", CONFIRM, { json: body });
}

function readUser(id: number) {
  return withDatabase(async ({ db }) => {
    const [row] = await db.select().from(users).where(eq(users.id, id));
    if (!row) throw new Error(`user ${id} not found`);
    return row;
  });
}

async function passwordIs(userId: number, password: string) {
  const user = await readUser(userId);
  return (await verifyPassword(password, user.passwordHash, config)).valid;
}

function resetTokenRows(userId: number) {
  return withDatabase(({ db }) =>
    db
      .select()
      .from(oneTimeTokens)
      .where(and(eq(oneTimeTokens.userId, userId), eq(oneTimeTokens.purpose, "password_reset"))),
  );
}

async function expectInvalidLink(response: Response) {
  expect(response.status).toBe(400);
  const body = await readJson(response);
  expect(body.code).toBe("permission_denied");
  expect(body.errors).toBeUndefined();
}

describe("POST /api/auth/request-password-reset/", () => {
  it("answers the same for active, inactive and unknown emails", async () => {
    const active = (await createTestUser()).user;
    const inactive = (await createTestUser({ isActive: false })).user;
    // Sequential: the embedded PGlite server mixes up statements of concurrent clients.
    const answers: { status: number; body: string }[] = [];
    for (const email of [active.email, inactive.email, uniqueEmail("nobody")]) {
      const response = await api("POST", REQUEST, { json: { email } });
      answers.push({ status: response.status, body: await response.text() });
    }

    expect(answers[0]?.status).toBe(200);
    expect(JSON.parse(answers[0]?.body ?? "{}")).toMatchObject({ code: "email_sent", data: null });
    expect(answers[1]).toEqual(answers[0]);
    expect(answers[2]).toEqual(answers[0]);

    await waitForEmails(active.email);
    expect(await resetTokenRows(inactive.id)).toEqual([]);
    expect(await resendMessages(inactive.email)).toEqual([]);
  });

  it("delivers a working reset link through the queue", async () => {
    const { user, password } = await createTestUser({ fullName: "Dewi Lestari" });
    const response = await api("POST", REQUEST, { json: { email: user.email.toUpperCase() } });
    expect(response.status).toBe(200);

    const [email] = await waitForEmails(user.email);
    expect(email?.subject).toBe("Atur ulang kata sandi KMS-Connect");
    expect(email?.text).toContain("Halo Dewi Lestari,");
    const link = linkFrom(email!, "http://app.test/reset-password?");
    expect(link.searchParams.get("uid")).toBe(encodeUid(user.id));

    const confirmed = await confirm({
      uid: link.searchParams.get("uid"),
      token: link.searchParams.get("token"),
      new_password: NEW_PASSWORD,
    });
    expect(confirmed.status).toBe(200);
    await loginAs(user.email, NEW_PASSWORD);
    const oldLogin = await api("POST", "/api/auth/token/", {
      json: { email: user.email, password },
    });
    expect(oldLogin.status).toBe(401);

    const emails = await waitForEmails(user.email, 2);
    expect(emails[1]?.subject).toBe("Kata sandi KMS-Connect Anda telah diubah");
  });

  it("answers 400 validation_error for a missing or malformed email", async () => {
    for (const json of [{}, { email: "" }, { email: "no-at-sign" }, { email: ["a@b.id"] }]) {
      const response = await api("POST", REQUEST, { json });
      expect(response.status).toBe(400);
      const body = await readJson(response);
      expect(body.code).toBe("validation_error");
      expect(body.errors.email).toHaveLength(1);
    }
  });
});

describe("POST /api/auth/confirm-reset-password/", () => {
  it("sets the password, verifies the email and ends every session", async () => {
    const { user, password, issued, uid } = await userWithResetToken();
    const session = await loginAs(user.email, password);
    const response = await confirm({ uid, token: issued.token, new_password: NEW_PASSWORD });

    expect(response.status).toBe(200);
    expect(await readJson(response)).toEqual({
      code: "reset_password_success",
      detail: "Kata sandi berhasil diatur ulang. Silakan masuk dengan kata sandi baru.",
      data: null,
    });
    expect(await passwordIs(user.id, NEW_PASSWORD)).toBe(true);
    const stored = await readUser(user.id);
    expect(stored.securityStamp).not.toBe(user.securityStamp);
    expect(stored.emailVerified).toBe(true);
    expect(stored.emailVerifiedAt).toBeInstanceOf(Date);

    const open = await withDatabase(({ db }) =>
      db.select().from(sessions).where(eq(sessions.userId, user.id)),
    );
    expect(open.map((row) => row.revokedReason)).toEqual(["password_reset"]);
    const refreshed = await api("POST", "/api/auth/token/refresh/", {
      json: { refresh: session.refresh },
    });
    expect(refreshed.status).toBe(401);

    const events = await withDatabase(({ db }) =>
      db
        .select()
        .from(auditEvents)
        .where(
          and(eq(auditEvents.targetUserId, user.id), eq(auditEvents.action, "password_reset")),
        ),
    );
    expect(events).toHaveLength(1);
  });

  it("accepts a token only once, and kills the user's other reset links", async () => {
    const { user, issued, uid } = await userWithResetToken();
    const other = await withDatabase(({ db }) =>
      issueOneTimeToken(db, user, "password_reset", 3600),
    );
    expect((await confirm({ uid, token: issued.token, new_password: NEW_PASSWORD })).status).toBe(
      200,
    );

    await expectInvalidLink(
      await confirm({ uid, token: issued.token, new_password: "Lain-Lagi-2026!" }),
    );
    await expectInvalidLink(
      await confirm({ uid, token: other.token, new_password: "Lain-Lagi-2026!" }),
    );
    expect(await passwordIs(user.id, NEW_PASSWORD)).toBe(true);
  });

  it("answers 400 permission_denied for an expired token and changes nothing", async () => {
    const { user, password, issued, uid } = await userWithResetToken();
    await withDatabase(({ db }) =>
      db
        .update(oneTimeTokens)
        .set({ expiresAt: new Date(Date.now() - 1000) })
        .where(eq(oneTimeTokens.id, issued.id)),
    );

    await expectInvalidLink(
      await confirm({ uid, token: issued.token, new_password: NEW_PASSWORD }),
    );
    expect(await passwordIs(user.id, password)).toBe(true);
    expect((await resetTokenRows(user.id))[0]?.usedAt).toBeNull();
  });

  it("answers 400 permission_denied for a wrong, malformed or tampered link", async () => {
    const { user, password, issued, uid } = await userWithResetToken();
    const stranger = await createTestUser();
    const cases = [
      { uid: encodeUid(stranger.user.id), token: issued.token },
      { uid: "!!", token: issued.token },
      { uid: btoa("abc"), token: issued.token },
      { uid: encodeUid(999_999_999), token: issued.token },
      { uid, token: `${issued.token}x` },
      { uid, token: "unknown-token" },
    ];
    for (const link of cases) {
      await expectInvalidLink(await confirm({ ...link, new_password: NEW_PASSWORD }));
    }
    expect(await passwordIs(user.id, password)).toBe(true);
  });

  it("answers 400 permission_denied after the email changed or the user was deactivated", async () => {
    const moved = await userWithResetToken();
    const deactivated = await userWithResetToken();
    await withDatabase(async ({ db }) => {
      await db
        .update(users)
        .set({ email: uniqueEmail("moved") })
        .where(eq(users.id, moved.user.id));
      await db.update(users).set({ isActive: false }).where(eq(users.id, deactivated.user.id));
    });

    for (const { uid, issued } of [moved, deactivated]) {
      await expectInvalidLink(
        await confirm({ uid, token: issued.token, new_password: NEW_PASSWORD }),
      );
    }
  });

  it("answers 400 permission_denied for an email verification token", async () => {
    const { user } = await createTestUser();
    const issued = await withDatabase(({ db }) =>
      issueOneTimeToken(db, user, "email_verification", 3600),
    );
    const response = await confirm({
      uid: encodeUid(user.id),
      token: issued.token,
      new_password: NEW_PASSWORD,
    });
    await expectInvalidLink(response);
  });

  it("answers 400 with errors.new_password for a weak password and keeps the token", async () => {
    const { user, password, issued, uid } = await userWithResetToken();
    for (const weak of ["12345678", "pendek", user.email]) {
      const response = await confirm({ uid, token: issued.token, new_password: weak });
      expect(response.status).toBe(400);
      const body = await readJson(response);
      expect(body.code).toBe("validation_error");
      expect(body.errors.new_password.length).toBeGreaterThan(0);
    }

    expect(await passwordIs(user.id, password)).toBe(true);
    expect((await resetTokenRows(user.id))[0]?.usedAt).toBeNull();
  });

  it("answers 400 validation_error for missing, mistyped or oversized fields", async () => {
    const response = await confirm({});
    expect(response.status).toBe(400);
    const body = await readJson(response);
    expect(body.code).toBe("validation_error");
    expect(Object.keys(body.errors).sort()).toEqual(["new_password", "token", "uid"]);

    const mistyped = await confirm({ uid: 1, token: true, new_password: ["x"] });
    expect(Object.keys((await readJson(mistyped)).errors).sort()).toEqual([
      "new_password",
      "token",
      "uid",
    ]);

    const oversized = await confirm({ uid: "MQ", token: "t", new_password: "a".repeat(129) });
    expect(oversized.status).toBe(400);
    expect((await readJson(oversized)).errors.new_password).toHaveLength(1);
  });
});
