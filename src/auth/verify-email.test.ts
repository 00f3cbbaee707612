import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { withDatabase } from "../../test/helpers/database";
import { linkFrom, waitForEmails } from "../../test/helpers/emails";
import { api, readJson, uniqueEmail } from "../../test/helpers/http";
import { createTestUser } from "../../test/helpers/users";
import { auditEvents, oneTimeTokens, users } from "../db/schema";
import { issueOneTimeToken } from "./one-time-tokens.service";

const VERIFY = "/api/auth/verify-email/";
const RESEND = "/api/auth/resend-verification/";

async function unverifiedUserWithToken() {
  const { user } = await createTestUser();
  const issued = await withDatabase(({ db }) =>
    issueOneTimeToken(db, user, "email_verification", 7 * 86_400),
  );
  return { user, issued };
}

function readUser(id: number) {
  return withDatabase(async ({ db }) => {
    const [row] = await db.select().from(users).where(eq(users.id, id));
    return row;
  });
}

function tokenRows(userId: number) {
  return withDatabase(({ db }) =>
    db.select().from(oneTimeTokens).where(eq(oneTimeTokens.userId, userId)),
  );
}

function verify(token: string) {
  return api("GET", `${VERIFY}?token=${encodeURIComponent(token)}`);
}

describe("GET /api/auth/verify-email/", () => {
  it("verifies the email, uses the token and records an audit event", async () => {
    const { user, issued } = await unverifiedUserWithToken();
    const response = await verify(issued.token);

    expect(response.status).toBe(200);
    expect(await readJson(response)).toEqual({
      code: "success",
      detail: "Email berhasil diverifikasi.",
      data: { email: user.email },
    });
    const stored = await readUser(user.id);
    expect(stored?.emailVerified).toBe(true);
    expect(stored?.emailVerifiedAt).toBeInstanceOf(Date);
    const [token] = await tokenRows(user.id);
    expect(token?.usedAt).toBeInstanceOf(Date);
    const events = await withDatabase(({ db }) =>
      db
        .select()
        .from(auditEvents)
        .where(
          and(eq(auditEvents.targetUserId, user.id), eq(auditEvents.action, "email_verified")),
        ),
    );
    expect(events).toHaveLength(1);
  });

  it("answers email_already_verified when the link is opened again", async () => {
    const { user, issued } = await unverifiedUserWithToken();
    await verify(issued.token);
    const response = await verify(issued.token);

    expect(response.status).toBe(200);
    const body = await readJson(response);
    expect(body.code).toBe("email_already_verified");
    expect(body.data).toEqual({ email: user.email });
  });

  it("matches the path without the trailing slash", async () => {
    const { issued } = await unverifiedUserWithToken();
    const response = await api("GET", `/api/auth/verify-email?token=${issued.token}`);
    expect(response.status).toBe(200);
  });

  it("answers 400 validation_error without a token", async () => {
    for (const path of [VERIFY, `${VERIFY}?token=`]) {
      const response = await api("GET", path);
      expect(response.status).toBe(400);
      const body = await readJson(response);
      expect(body.code).toBe("validation_error");
      expect(body.errors.token).toHaveLength(1);
    }
  });

  it("answers 400 validation_error for an oversized token", async () => {
    const response = await verify("a".repeat(300));
    expect(response.status).toBe(400);
    expect((await readJson(response)).code).toBe("validation_error");
  });

  it("answers 400 permission_denied for an unknown or tampered token", async () => {
    const { user, issued } = await unverifiedUserWithToken();
    const tampered = `${issued.token.slice(0, -1)}${issued.token.endsWith("A") ? "B" : "A"}`;
    for (const token of ["not-a-token", tampered]) {
      const response = await verify(token);
      expect(response.status).toBe(400);
      const body = await readJson(response);
      expect(body.code).toBe("permission_denied");
      expect(body.request_id).toEqual(expect.any(String));
    }
    expect((await readUser(user.id))?.emailVerified).toBe(false);
  });

  it("answers 400 permission_denied for an expired token", async () => {
    const { user, issued } = await unverifiedUserWithToken();
    await withDatabase(({ db }) =>
      db
        .update(oneTimeTokens)
        .set({ expiresAt: new Date(Date.now() - 1000) })
        .where(eq(oneTimeTokens.id, issued.id)),
    );
    const response = await verify(issued.token);

    expect(response.status).toBe(400);
    expect((await readJson(response)).code).toBe("permission_denied");
    expect((await readUser(user.id))?.emailVerified).toBe(false);
    expect((await tokenRows(user.id))[0]?.usedAt).toBeNull();
  });

  it("answers 400 permission_denied after the email changed", async () => {
    const { user, issued } = await unverifiedUserWithToken();
    await withDatabase(({ db }) =>
      db
        .update(users)
        .set({ email: uniqueEmail("moved") })
        .where(eq(users.id, user.id)),
    );
    const response = await verify(issued.token);

    expect(response.status).toBe(400);
    expect((await readJson(response)).code).toBe("permission_denied");
    expect((await readUser(user.id))?.emailVerified).toBe(false);
  });

  it("answers 400 permission_denied for a password reset token", async () => {
    const { user } = await createTestUser();
    const issued = await withDatabase(({ db }) =>
      issueOneTimeToken(db, user, "password_reset", 3600),
    );
    const response = await verify(issued.token);

    expect(response.status).toBe(400);
    expect((await readJson(response)).code).toBe("permission_denied");
  });
});

describe("POST /api/auth/resend-verification/", () => {
  it("answers the same for unverified, verified, inactive and unknown emails", async () => {
    const unverified = (await createTestUser()).user;
    const verified = (await createTestUser({ emailVerified: true })).user;
    const inactive = (await createTestUser({ isActive: false })).user;
    const emails = [unverified.email, verified.email, inactive.email, uniqueEmail("nobody")];

    // Sequential: the embedded PGlite server mixes up statements of concurrent clients.
    const answers: { status: number; body: string }[] = [];
    for (const email of emails) {
      const response = await api("POST", RESEND, { json: { email } });
      answers.push({ status: response.status, body: await response.text() });
    }

    for (const answer of answers) expect(answer).toEqual(answers[0]);
    expect(answers[0]?.status).toBe(200);
    expect(JSON.parse(answers[0]?.body ?? "{}")).toMatchObject({ code: "email_sent", data: null });

    // The email arrives through the real queue; by then the other lookups have finished.
    await waitForEmails(unverified.email);
    expect(await tokenRows(verified.id)).toEqual([]);
    expect(await tokenRows(inactive.id)).toEqual([]);
  });

  it("sends a link that verifies the email", async () => {
    const { user } = await createTestUser();
    await api("POST", RESEND, { json: { email: user.email.toUpperCase() } });

    const [email] = await waitForEmails(user.email);
    const link = linkFrom(email!, "http://app.test/verify-email?");
    const response = await verify(link.searchParams.get("token") ?? "");

    expect(response.status).toBe(200);
    expect((await readJson(response)).code).toBe("success");
  });

  it("answers 400 validation_error for a missing or malformed email", async () => {
    for (const json of [
      {},
      { email: "not-an-email" },
      { email: 42 },
      { email: `${"a".repeat(250)}@x.id` },
    ]) {
      const response = await api("POST", RESEND, { json });
      expect(response.status).toBe(400);
      const body = await readJson(response);
      expect(body.code).toBe("validation_error");
      expect(body.errors.email).toHaveLength(1);
    }
  });

  it("answers 415 for a body that is not JSON", async () => {
    const response = await api("POST", RESEND, {
      body: "email=a@b.id",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
    });
    expect(response.status).toBe(415);
    expect((await readJson(response)).code).toBe("unsupported_media_type");
  });
});
