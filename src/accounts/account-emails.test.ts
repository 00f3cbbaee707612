import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { auditEventsFor, call, signedIn } from "../../test/helpers/accounts";
import { withDatabase } from "../../test/helpers/database";
import { linkFrom, waitForEmails } from "../../test/helpers/emails";
import { createTestUser } from "../../test/helpers/users";
import { oneTimeTokens } from "../db/schema";

async function tokenCount(userId: number, purpose: "email_verification" | "password_reset") {
  const rows = await withDatabase(({ db }) =>
    db
      .select({ id: oneTimeTokens.id })
      .from(oneTimeTokens)
      .where(and(eq(oneTimeTokens.userId, userId), eq(oneTimeTokens.purpose, purpose))),
  );
  return rows.length;
}

describe("emails sent by an admin", () => {
  it("POST /api/applicants/{id}/send_verification_email/ queues the link", async () => {
    const admin = await signedIn("ADMIN");
    const { user } = await createTestUser({ role: "APPLICANT" });
    const { response, body } = await call(
      "POST",
      `/api/applicants/${user.id}/send_verification_email/`,
      admin.access,
    );
    expect(response.status).toBe(200);
    expect(body.code).toBe("email_sent");
    const [email] = await waitForEmails(user.email);
    expect(linkFrom(email!, "http://app.test/verify-email").searchParams.get("token")).toBeTruthy();
  });

  it("POST /api/applicants/{id}/send_verification_email/ sends nothing when verified", async () => {
    const admin = await signedIn("ADMIN");
    const { user } = await createTestUser({ role: "APPLICANT", emailVerified: true });
    const { response, body } = await call(
      "POST",
      `/api/applicants/${user.id}/send_verification_email/`,
      admin.access,
    );
    expect(response.status).toBe(200);
    expect(body.code).toBe("email_already_verified");
    expect(await tokenCount(user.id, "email_verification")).toBe(0);
  });

  it("POST /api/applicants/{id}/send_password_reset_email/ queues the reset link", async () => {
    const admin = await signedIn("ADMIN");
    const { user } = await createTestUser({ role: "APPLICANT" });
    const { response, body } = await call(
      "POST",
      `/api/applicants/${user.id}/send_password_reset_email/`,
      admin.access,
    );
    expect(response.status).toBe(200);
    expect(body.code).toBe("email_sent");
    const [email] = await waitForEmails(user.email);
    expect(linkFrom(email!, "http://app.test/reset-password").searchParams.get("uid")).toBeTruthy();
    const request = (await auditEventsFor(user.id)).find(
      (event) => event.action === "password_reset_requested",
    );
    expect(request?.actorId).toBe(admin.user.id);
  });

  it("POST /api/applicants/{id}/send_password_reset_email/ answers 404 for a staff id", async () => {
    const admin = await signedIn("ADMIN");
    const { user } = await createTestUser({ role: "STAFF" });
    const { response, body } = await call(
      "POST",
      `/api/applicants/${user.id}/send_password_reset_email/`,
      admin.access,
    );
    expect(response.status).toBe(404);
    expect(body.code).toBe("not_found");
    expect(await tokenCount(user.id, "password_reset")).toBe(0);
  });

  it("POST /api/admins/send-password-reset/ emails a staff member", async () => {
    const admin = await signedIn("ADMIN");
    const { user } = await createTestUser({ role: "STAFF" });
    const { response, body } = await call(
      "POST",
      "/api/admins/send-password-reset/",
      admin.access,
      {
        user_id: user.id,
      },
    );
    expect(response.status).toBe(200);
    expect(body.code).toBe("email_sent");
    expect(await tokenCount(user.id, "password_reset")).toBe(1);
  });

  it("POST /api/admins/send-password-reset/ answers 400 for a deactivated user", async () => {
    const admin = await signedIn("ADMIN");
    const { user } = await createTestUser({ role: "COMPANY", isActive: false });
    const { response, body } = await call(
      "POST",
      "/api/admins/send-password-reset/",
      admin.access,
      {
        user_id: user.id,
      },
    );
    expect(response.status).toBe(400);
    expect(body.code).toBe("account_inactive");
    expect(await tokenCount(user.id, "password_reset")).toBe(0);
  });

  it("POST /api/admins/send-verification-email/ queues for any role", async () => {
    const admin = await signedIn("ADMIN");
    const { user } = await createTestUser({ role: "COMPANY" });
    const { response, body } = await call(
      "POST",
      "/api/admins/send-verification-email/",
      admin.access,
      { user_id: user.id },
    );
    expect(response.status).toBe(200);
    expect(body.code).toBe("email_sent");
    expect(await tokenCount(user.id, "email_verification")).toBe(1);
  });

  it.each([{}, { user_id: "1" }, { user_id: -1 }, { user_id: 2 ** 40 }])(
    "POST /api/admins/send-verification-email/ answers 400 for %j",
    async (json) => {
      const admin = await signedIn("ADMIN");
      const { response, body } = await call(
        "POST",
        "/api/admins/send-verification-email/",
        admin.access,
        json,
      );
      expect(response.status).toBe(400);
      expect(body.errors.user_id).toHaveLength(1);
    },
  );

  it("POST /api/admins/send-verification-email/ answers 404 for an unknown user", async () => {
    const admin = await signedIn("ADMIN");
    const { response } = await call("POST", "/api/admins/send-verification-email/", admin.access, {
      user_id: 2_000_000_000,
    });
    expect(response.status).toBe(404);
  });

  it.each(["STAFF", "COMPANY", "APPLICANT"] as const)(
    "POST /api/applicants/{id}/send_verification_email/ answers 403 for %s",
    async (role) => {
      const caller = await signedIn(role);
      const { user } = await createTestUser({ role: "APPLICANT" });
      const { response } = await call(
        "POST",
        `/api/applicants/${user.id}/send_verification_email/`,
        caller.access,
      );
      expect(response.status).toBe(403);
      expect(await tokenCount(user.id, "email_verification")).toBe(0);
    },
  );
});
