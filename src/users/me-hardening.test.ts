import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { withDatabase } from "../../test/helpers/database";
import { api, readJson, uniqueEmail } from "../../test/helpers/http";
import { workerWith } from "../../test/helpers/rate-limits";
import { createTestUser, loginAs } from "../../test/helpers/users";
import { issueOneTimeToken } from "../auth/one-time-tokens.service";
import { applicantProfiles, oneTimeTokens, users } from "../db/schema";

async function signedIn(role: "APPLICANT" | "STAFF" = "APPLICANT") {
  const { user, password } = await createTestUser({ role });
  const { access } = await loginAs(user.email, password);
  return { user, password, access };
}

function patchMe(access: string, json: unknown) {
  return api("PATCH", "/api/me/", { token: access, json });
}

async function readUser(id: number) {
  return withDatabase(async ({ db }) => {
    const [row] = await db.select().from(users).where(eq(users.id, id));
    return row;
  });
}

// Checking which of 20 candidate passwords works makes 19 failed logins, more than the
// failed-login lock allows, so these checks run with a higher lock threshold.
const lenientLogin = workerWith({ RATE_LIMIT_FAILED_LOGIN: "100/900" });

async function loginStatus(email: string, password: string) {
  const response = await lenientLogin("POST", "/api/auth/token/", { json: { email, password } });
  await response.body?.cancel();
  return response.status;
}

describe("PATCH /api/me/ text checks", () => {
  it("answers 400 for a NUL in full_name and keeps the name", async () => {
    const { user, access } = await signedIn();
    const response = await patchMe(access, { full_name: "a\u0000b" });
    expect(response.status).toBe(400);
    expect((await readJson(response)).errors.full_name).toHaveLength(1);
    expect((await readUser(user.id))?.fullName).toBe(user.fullName);
  });

  it("answers 400 for a NUL in applicant_profile.address and a bidi override in a name", async () => {
    const { user, access } = await signedIn();
    const address = await patchMe(access, { applicant_profile: { address: "a\u0000" } });
    expect(address.status).toBe(400);
    expect((await readJson(address)).errors.applicant_profile.address).toHaveLength(1);

    const name = await patchMe(access, { applicant_profile: { father_name: "abc\u202Efed" } });
    expect(name.status).toBe(400);
    expect((await readJson(name)).errors.applicant_profile.father_name).toHaveLength(1);

    const [profile] = await withDatabase(({ db }) =>
      db.select().from(applicantProfiles).where(eq(applicantProfiles.userId, user.id)),
    );
    expect(profile?.address).toBe("");
    expect(profile?.fatherName).toBe("");
  });

  it("keeps line breaks in a multi-line address", async () => {
    const { access } = await signedIn();
    const response = await patchMe(access, { applicant_profile: { address: "Jl. Mawar 1\nRT 2" } });
    expect(response.status).toBe(200);
    expect((await readJson(response)).data.applicant_profile.address).toBe("Jl. Mawar 1\nRT 2");
  });

  it("answers 400 for a NUL in a staff or company field", async () => {
    const { access } = await signedIn("STAFF");
    const response = await patchMe(access, { staff_profile: { full_name: "x\u0000" } });
    expect(response.status).toBe(400);
  });
});

describe("PATCH /api/me/ region ids", () => {
  const fields = [
    "province",
    "district",
    "village",
    "birth_place",
    "family_province",
    "family_district",
    "family_village",
  ];

  it("answers 400 for ids past the integer range on every region field", async () => {
    const { access } = await signedIn();
    for (const field of fields) {
      const response = await patchMe(access, { applicant_profile: { [field]: 2_147_483_648 } });
      expect(response.status, field).toBe(400);
      const body = await readJson(response);
      expect(body.code).toBe("validation_error");
      expect(body.errors.applicant_profile[field], field).toHaveLength(1);
    }
  });
});

describe("PATCH /api/me/ credential changes", () => {
  it("lets exactly one of 20 parallel password changes with the same current_password win", async () => {
    const { user, password, access } = await signedIn();
    const candidates = Array.from({ length: 20 }, (_, index) => `Ganti-${index}-Sandi-Kuat!`);
    const responses = await Promise.all(
      candidates.map((candidate) =>
        patchMe(access, { password: candidate, current_password: password }),
      ),
    );
    const statuses = responses.map((response) => response.status);
    expect(statuses.filter((status) => status === 200)).toHaveLength(1);
    const winner = candidates[statuses.indexOf(200)] ?? "";
    const working = [];
    for (const candidate of candidates) {
      if ((await loginStatus(user.email, candidate)) === 200) working.push(candidate);
    }
    expect(working).toEqual([winner]);
  });

  it("answers 400 errors.password when the new password equals current_password", async () => {
    const { user, password, access } = await signedIn();
    const response = await patchMe(access, { password, current_password: password });
    expect(response.status).toBe(400);
    expect((await readJson(response)).errors.password).toEqual([
      "Kata sandi baru harus berbeda dari kata sandi lama.",
    ]);
    expect((await readUser(user.id))?.passwordHash).toBe(user.passwordHash);
  });

  it("kills verification and reset links for good when the email changes, even back", async () => {
    const { user, password, access } = await signedIn();
    const [verification, reset] = await withDatabase(async ({ db }) => [
      await issueOneTimeToken(db, user, "email_verification", 86_400),
      await issueOneTimeToken(db, user, "password_reset", 3600),
    ]);

    const changed = await patchMe(access, {
      email: uniqueEmail("baru"),
      current_password: password,
    });
    expect(changed.status).toBe(200);
    const rows = await withDatabase(({ db }) =>
      db.select().from(oneTimeTokens).where(eq(oneTimeTokens.userId, user.id)),
    );
    for (const id of [verification.id, reset.id]) {
      expect(rows.find((row) => row.id === id)?.usedAt).not.toBeNull();
    }

    // The access token still works: an email change keeps the security stamp.
    const back = await patchMe(access, { email: user.email, current_password: password });
    expect(back.status).toBe(200);
    const link = await api(
      "GET",
      `/api/auth/verify-email/?token=${encodeURIComponent(verification.token)}`,
    );
    expect(link.status).toBe(400);
    expect((await readJson(link)).code).toBe("permission_denied");
    expect((await readUser(user.id))?.emailVerified).toBe(false);
  });
});
