import { and, eq, isNull } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { withDatabase } from "../../test/helpers/database";
import { waitForEmails } from "../../test/helpers/emails";
import { api, readJson, uniqueEmail } from "../../test/helpers/http";
import { createTestUser, loginAs } from "../../test/helpers/users";
import {
  auditEvents,
  companyProfiles,
  oneTimeTokens,
  refreshTokens,
  sessions,
  staffProfiles,
  users,
} from "../db/schema";

type Role = "ADMIN" | "STAFF" | "COMPANY" | "APPLICANT";

async function signedIn(role: Role) {
  const created = await createTestUser({ role, emailVerified: true });
  const { access, refresh, cookie } = await loginAs(created.user.email, created.password);
  return { ...created, access, refresh, cookie };
}

async function patchMe(token: string, json: unknown, method = "PATCH") {
  const response = await api(method, "/api/me/", { token, json });
  return { response, body: await readJson(response) };
}

async function storedUser(id: number) {
  return withDatabase(async ({ db }) => {
    const [user] = await db.select().from(users).where(eq(users.id, id));
    return user!;
  });
}

async function auditActions(userId: number) {
  const rows = await withDatabase(({ db }) =>
    db
      .select({ action: auditEvents.action })
      .from(auditEvents)
      .where(eq(auditEvents.targetUserId, userId)),
  );
  return rows.map((row) => row.action);
}

async function refreshWith(refresh: string) {
  return api("POST", "/api/auth/token/refresh/", { json: { refresh } });
}

describe("PUT and PATCH /api/me/ for every role", () => {
  it.each(["ADMIN", "STAFF", "COMPANY", "APPLICANT"] as const)(
    "PATCH /api/me/ changes the full_name of %s",
    async (role) => {
      const { user, access } = await signedIn(role);
      const { response, body } = await patchMe(access, { full_name: "  Nama Baru  " });
      expect(response.status).toBe(200);
      expect(body.code).toBe("profile_updated");
      expect(body.data.full_name).toBe("Nama Baru");
      expect(body.data.role).toBe(role);
      expect((await storedUser(user.id)).fullName).toBe("Nama Baru");
    },
  );

  it("PUT /api/me/ is partial like PATCH", async () => {
    const { user, access } = await signedIn("ADMIN");
    const { response, body } = await patchMe(access, { full_name: "Lewat PUT" }, "PUT");
    expect(response.status).toBe(200);
    expect(body.data.full_name).toBe("Lewat PUT");
    expect((await storedUser(user.id)).email).toBe(user.email);
  });

  it("PATCH /api/me/ updates staff_profile contact_phone and full_name", async () => {
    const { user, access } = await signedIn("STAFF");
    const { response, body } = await patchMe(access, {
      staff_profile: { contact_phone: "+62 812-3456-7890", full_name: "Staf Baru" },
    });
    expect(response.status).toBe(200);
    expect(body.data.staff_profile.contact_phone).toBe("+62 812-3456-7890");
    expect(body.data.staff_profile.full_name).toBe("Staf Baru");
    expect(body.data.full_name).toBe("Staf Baru");
    const [profile] = await withDatabase(({ db }) =>
      db.select().from(staffProfiles).where(eq(staffProfiles.userId, user.id)),
    );
    expect(profile!.contactPhone).toBe("+62 812-3456-7890");
  });

  it("PATCH /api/me/ updates every company_profile field", async () => {
    const { user, access } = await signedIn("COMPANY");
    const { response, body } = await patchMe(access, {
      company_profile: { company_name: "PT Baru", contact_phone: "0211234567", address: "Jl. A" },
    });
    expect(response.status).toBe(200);
    expect(body.data.company_profile).toMatchObject({
      company_name: "PT Baru",
      contact_phone: "0211234567",
      address: "Jl. A",
    });
    const [profile] = await withDatabase(({ db }) =>
      db.select().from(companyProfiles).where(eq(companyProfiles.userId, user.id)),
    );
    expect(profile!.companyName).toBe("PT Baru");
  });

  it("PATCH /api/me/ ignores another role's nested profile", async () => {
    const { user, access } = await signedIn("ADMIN");
    const { response, body } = await patchMe(access, { company_profile: { company_name: "X" } });
    expect(response.status).toBe(200);
    expect(body.data).not.toHaveProperty("company_profile");
    expect((await storedUser(user.id)).updatedAt).toEqual(user.updatedAt);
  });

  it("PATCH /api/me/ leaves read-only fields unchanged", async () => {
    const { user, access } = await signedIn("STAFF");
    const { response, body } = await patchMe(access, {
      role: "ADMIN",
      is_active: false,
      email_verified: false,
      referral_code: "S-AAAAAA",
      google_id: "evil",
      id: 1,
    });
    expect(response.status).toBe(200);
    expect(body.data.role).toBe("STAFF");
    const stored = await storedUser(user.id);
    expect(stored.role).toBe("STAFF");
    expect(stored.isActive).toBe(true);
    expect(stored.emailVerified).toBe(true);
    expect(stored.referralCode).toBe(user.referralCode);
    expect(stored.googleId).toBeNull();
  });

  it("PATCH /api/me/ rejects wrong types and oversized values", async () => {
    const { user, access } = await signedIn("COMPANY");
    const { response, body } = await patchMe(access, {
      full_name: "x".repeat(151),
      company_profile: { company_name: 5, contact_phone: "abc" },
    });
    expect(response.status).toBe(400);
    expect(body.code).toBe("validation_error");
    expect(body.errors.full_name).toHaveLength(1);
    expect(body.errors.company_profile.company_name).toHaveLength(1);
    expect(body.errors.company_profile.contact_phone).toHaveLength(1);
    expect((await storedUser(user.id)).fullName).toBe(user.fullName);
  });

  it("PATCH /api/me/ answers 415 for a form body", async () => {
    const { access } = await signedIn("ADMIN");
    const response = await api("PATCH", "/api/me/", {
      token: access,
      body: "full_name=x",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
    });
    expect(response.status).toBe(415);
  });

  it("PATCH /api/me/ answers 401 without credentials", async () => {
    const response = await api("PATCH", "/api/me/", { json: { full_name: "x" } });
    expect(response.status).toBe(401);
  });

  it("PATCH /api/me/ by cookie needs an allowed Origin", async () => {
    const { cookie } = await signedIn("ADMIN");
    const denied = await api("PATCH", "/api/me/", { cookie, json: { full_name: "Lewat Cookie" } });
    expect(denied.status).toBe(403);
    const allowed = await api("PATCH", "/api/me/", {
      cookie,
      json: { full_name: "Lewat Cookie" },
      headers: { Origin: "http://app.test" },
    });
    expect(allowed.status).toBe(200);
  });
});

describe("email change through PATCH /api/me/", () => {
  it("PATCH /api/me/ needs current_password to change email", async () => {
    const { user, access } = await signedIn("APPLICANT");
    const { response, body } = await patchMe(access, { email: uniqueEmail() });
    expect(response.status).toBe(400);
    expect(body.errors.current_password).toHaveLength(1);
    expect((await storedUser(user.id)).email).toBe(user.email);
  });

  it("PATCH /api/me/ rejects a wrong current_password", async () => {
    const { user, access } = await signedIn("APPLICANT");
    const { response, body } = await patchMe(access, {
      email: uniqueEmail(),
      current_password: "bukan-sandi-ini",
    });
    expect(response.status).toBe(400);
    expect(body.errors.current_password).toEqual(["Kata sandi saat ini salah."]);
    expect((await storedUser(user.id)).email).toBe(user.email);
  });

  it("PATCH /api/me/ rejects an email another account has", async () => {
    const other = await createTestUser();
    const { user, password, access } = await signedIn("APPLICANT");
    const { response, body } = await patchMe(access, {
      email: other.user.email.toUpperCase(),
      current_password: password,
      full_name: "Tidak Disimpan",
    });
    expect(response.status).toBe(400);
    expect(body.errors.email).toHaveLength(1);
    const stored = await storedUser(user.id);
    expect(stored.email).toBe(user.email);
    expect(stored.fullName).toBe(user.fullName);
  });

  it("PATCH /api/me/ rejects a malformed email", async () => {
    const { access, password } = await signedIn("ADMIN");
    const { response, body } = await patchMe(access, {
      email: "bukan-email",
      current_password: password,
    });
    expect(response.status).toBe(400);
    expect(body.errors.email).toHaveLength(1);
  });

  it("PATCH /api/me/ changes email, resets verification and sends a new link", async () => {
    const { user, password, access } = await signedIn("APPLICANT");
    const newEmail = uniqueEmail("moved");
    const { response, body } = await patchMe(access, {
      email: `  ${newEmail.toUpperCase()} `,
      current_password: password,
    });
    expect(response.status).toBe(200);
    expect(body.data.email).toBe(newEmail);
    expect(body.data.email_verified).toBe(false);
    expect(body.data.email_verified_at).toBeNull();

    const stored = await storedUser(user.id);
    expect(stored.email).toBe(newEmail);
    expect(stored.emailVerified).toBe(false);
    const tokens = await withDatabase(({ db }) =>
      db
        .select()
        .from(oneTimeTokens)
        .where(
          and(eq(oneTimeTokens.userId, user.id), eq(oneTimeTokens.purpose, "email_verification")),
        ),
    );
    expect(tokens.map((token) => token.email)).toEqual([newEmail]);
    expect(await auditActions(user.id)).toContain("email_changed");
    const emails = await waitForEmails(newEmail);
    expect(emails[0]!.to).toEqual([newEmail]);
  });

  it("PATCH /api/me/ with the same email changes nothing and needs no password", async () => {
    const { user, access } = await signedIn("ADMIN");
    const { response, body } = await patchMe(access, { email: user.email });
    expect(response.status).toBe(200);
    expect(body.data.email_verified).toBe(true);
  });
});

describe("password change through PATCH /api/me/", () => {
  it("PATCH /api/me/ needs current_password to change password", async () => {
    const { user, access } = await signedIn("STAFF");
    const { response, body } = await patchMe(access, { password: "Sandi-Baru-Yang-Kuat-91" });
    expect(response.status).toBe(400);
    expect(body.errors.current_password).toHaveLength(1);
    expect((await storedUser(user.id)).passwordHash).toBe(user.passwordHash);
  });

  it("PATCH /api/me/ rejects a weak password", async () => {
    const { user, password, access } = await signedIn("STAFF");
    const { response, body } = await patchMe(access, {
      password: "12345678",
      current_password: password,
    });
    expect(response.status).toBe(400);
    expect(body.errors.password.length).toBeGreaterThan(0);
    expect((await storedUser(user.id)).passwordHash).toBe(user.passwordHash);
  });

  it("PATCH /api/me/ never returns the password", async () => {
    const { password, access } = await signedIn("STAFF");
    const { body } = await patchMe(access, {
      password: "Sandi-Baru-Yang-Kuat-92",
      current_password: password,
    });
    expect(JSON.stringify(body)).not.toContain("Sandi-Baru-Yang-Kuat-92");
    expect(JSON.stringify(body)).not.toContain("pbkdf2");
  });

  it("PATCH /api/me/ changes password and ends the other sessions", async () => {
    const { user, password, access, refresh } = await signedIn("COMPANY");
    const other = await loginAs(user.email, password);
    const newPassword = "Sandi-Baru-Yang-Kuat-93";

    const { response } = await patchMe(access, {
      password: newPassword,
      current_password: password,
    });
    expect(response.status).toBe(200);

    expect((await refreshWith(other.refresh)).status).toBe(401);
    const otherAccess = await api("GET", "/api/me/", { token: other.access });
    expect(otherAccess.status).toBe(401);
    // The caller's old refresh token was replaced by the one in the response's cookie.
    expect((await refreshWith(refresh)).status).toBe(401);

    const oldLogin = await api("POST", "/api/auth/token/", {
      json: { email: user.email, password },
    });
    expect(oldLogin.status).toBe(401);
    await loginAs(user.email, newPassword);

    expect(await auditActions(user.id)).toContain("password_changed");
    const stored = await storedUser(user.id);
    expect(stored.securityStamp).not.toBe(user.securityStamp);
    await waitForEmails(user.email);
  });

  it("PATCH /api/me/ replaces the caller's refresh tokens on a password change", async () => {
    const { user, password, refresh } = await signedIn("APPLICANT");
    // After a rotation the first token still works for the reuse grace period, like a copy
    // that a thief took just before the change.
    const rotated = (await readJson(await refreshWith(refresh))).data;

    const { response } = await patchMe(rotated.access, {
      password: "Sandi-Baru-Yang-Kuat-94",
      current_password: password,
    });
    expect(response.status).toBe(200);
    const cookies = setCookies(response);
    expect(cookies.kms_access).toEqual(expect.any(String));
    expect(cookies.kms_refresh).toEqual(expect.any(String));

    expect((await refreshWith(refresh)).status).toBe(401);
    expect((await refreshWith(rotated.refresh)).status).toBe(401);
    expect((await sessionTokenCount(user.id)).open).toBe(1);
    expect((await sessionTokenCount(user.id)).tokens).toBe(1);

    const me = await api("GET", "/api/me/", { token: cookies.kms_access ?? "" });
    expect(me.status).toBe(200);
    expect((await refreshWith(cookies.kms_refresh ?? "")).status).toBe(200);
  });

  it("PATCH /api/me/ keeps the refresh token when the password change fails", async () => {
    const { password, access, refresh } = await signedIn("STAFF");

    const { response } = await patchMe(access, {
      password: "12345678",
      current_password: password,
    });
    expect(response.status).toBe(400);
    expect(setCookies(response)).toEqual({});
    expect((await refreshWith(refresh)).status).toBe(200);
  });
});

/** Parses the name and value of every cookie the response sets. */
function setCookies(response: Response): Record<string, string> {
  const pairs = response.headers
    .getAll("Set-Cookie")
    .map((cookie) => cookie.split(";")[0]?.split("=") ?? []);
  return Object.fromEntries(pairs.map(([name, ...value]) => [name, value.join("=")]));
}

/** Counts the user's open sessions and the refresh tokens of all its sessions. */
async function sessionTokenCount(userId: number) {
  return withDatabase(async ({ db }) => {
    const open = await db
      .select({ id: sessions.id })
      .from(sessions)
      .where(and(eq(sessions.userId, userId), isNull(sessions.revokedAt)));
    const tokens = await db
      .select({ hash: refreshTokens.tokenHash })
      .from(refreshTokens)
      .innerJoin(sessions, eq(sessions.id, refreshTokens.sessionId))
      .where(eq(sessions.userId, userId));
    return { open: open.length, tokens: tokens.length };
  });
}
