import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { withDatabase } from "../../test/helpers/database";
import { api, readJson } from "../../test/helpers/http";
import { ensureRegionChain } from "../../test/helpers/regions";
import { createTestUser, loginAs } from "../../test/helpers/users";
import { applicantProfiles, auditEvents, users } from "../db/schema";

type ProfileRow = typeof applicantProfiles.$inferSelect;

async function signedIn(role: "APPLICANT" | "STAFF" | "ADMIN" | "COMPANY" = "APPLICANT") {
  const created = await createTestUser({ role });
  const { access } = await loginAs(created.user.email, created.password);
  return { ...created, access };
}

function randomNik(): string {
  const digits = crypto.getRandomValues(new Uint8Array(16));
  return [...digits].map((byte, index) => (index === 0 ? 1 + (byte % 9) : byte % 10)).join("");
}

async function storedProfile(userId: number): Promise<ProfileRow> {
  return withDatabase(async ({ db }) => {
    const [row] = await db
      .select()
      .from(applicantProfiles)
      .where(eq(applicantProfiles.userId, userId));
    return row!;
  });
}

async function setProfile(userId: number, values: Partial<ProfileRow>) {
  await withDatabase(({ db }) =>
    db.update(applicantProfiles).set(values).where(eq(applicantProfiles.userId, userId)),
  );
}

async function fillRequired(userId: number) {
  await setProfile(userId, {
    nik: randomNik(),
    address: "Jl. Kenanga 1",
    contactPhone: "0812345678",
  });
}

const submit = (token: string) =>
  api("POST", "/api/applicants/me/profile/submit_for_verification/", { token });

describe("GET /api/applicants/me/profile/", () => {
  it("GET /api/applicants/me/profile/ returns the own profile in an envelope", async () => {
    const { user, access } = await signedIn();
    const response = await api("GET", "/api/applicants/me/profile/", { token: access });
    expect(response.status).toBe(200);
    const body = await readJson(response);
    expect(body.code).toBe("success");
    expect(body.data.user).toBe(user.id);
    expect(body.data.full_name).toBe(user.fullName);
    expect(body.data.verification_status).toBe("DRAFT");
    // createTestUser inserts the rows directly, so the score is the one stored, not recomputed.
    expect(body.data.score).toBe(Number((await storedProfile(user.id)).score));
  });

  it("GET /api/applicants/me/profile/{id}/ ignores the id and returns the own profile", async () => {
    const other = await createTestUser();
    const { user, access } = await signedIn();
    const otherProfile = await storedProfile(other.user.id);
    const response = await api("GET", `/api/applicants/me/profile/${otherProfile.id}/`, {
      token: access,
    });
    expect(response.status).toBe(200);
    expect((await readJson(response)).data.user).toBe(user.id);
  });

  it("GET and PATCH /api/applicants/me/profile/{id}/ answer 404 for a malformed id", async () => {
    const { user, access } = await signedIn();
    for (const junk of ["abc", "0", "-1", "1e3", "01", "99999999999"]) {
      const read = await api("GET", `/api/applicants/me/profile/${junk}/`, { token: access });
      expect(read.status, junk).toBe(404);
      expect((await readJson(read)).code, junk).toBe("not_found");

      const path = `/api/applicants/me/profile/${junk}/`;
      const written = await api("PATCH", path, { token: access, json: { address: "Jl. X" } });
      expect(written.status, junk).toBe(404);
    }
    expect((await storedProfile(user.id)).address).not.toBe("Jl. X");
  });

  it("GET /api/applicants/me/profile/ answers 403 for staff, admins and companies", async () => {
    for (const role of ["STAFF", "ADMIN", "COMPANY"] as const) {
      const { access } = await signedIn(role);
      const response = await api("GET", "/api/applicants/me/profile/", { token: access });
      expect(response.status).toBe(403);
      expect((await readJson(response)).code).toBe("permission_denied");
    }
  });

  it("GET /api/applicants/me/profile/ answers 401 without or with a tampered token", async () => {
    const anonymous = await api("GET", "/api/applicants/me/profile/");
    expect(anonymous.status).toBe(401);
    expect((await readJson(anonymous)).code).toBe("not_authenticated");
    const { access } = await signedIn();
    const tampered = `${access.slice(0, -4)}AAAA`;
    const response = await api("GET", "/api/applicants/me/profile/", { token: tampered });
    expect(response.status).toBe(401);
    expect((await readJson(response)).code).toBe("token_not_valid");
  });
});

describe("PATCH /api/applicants/me/profile/", () => {
  it("PATCH /api/applicants/me/profile/ saves fields and the name", async () => {
    const { user, access } = await signedIn();
    const response = await api("PATCH", "/api/applicants/me/profile/", {
      token: access,
      json: { full_name: "Rina Wati", address: "Jl. Mawar 2", education_level: "SMK" },
    });
    expect(response.status).toBe(200);
    const body = await readJson(response);
    expect(body.code).toBe("profile_updated");
    expect(body.data.full_name).toBe("Rina Wati");
    expect(body.data.education_level).toBe("SMK");
    const stored = await storedProfile(user.id);
    expect(stored.address).toBe("Jl. Mawar 2");
    const [storedUser] = await withDatabase(({ db }) =>
      db.select().from(users).where(eq(users.id, user.id)),
    );
    expect(storedUser!.fullName).toBe("Rina Wati");
  });

  it("PATCH /api/applicants/me/profile/{id}/ updates the own profile whatever the id", async () => {
    const other = await createTestUser();
    const { user, access } = await signedIn();
    const otherProfile = await storedProfile(other.user.id);
    const response = await api("PATCH", `/api/applicants/me/profile/${otherProfile.id}/`, {
      token: access,
      json: { address: "Jl. Sendiri" },
    });
    expect(response.status).toBe(200);
    expect((await storedProfile(user.id)).address).toBe("Jl. Sendiri");
    expect((await storedProfile(other.user.id)).address).toBe("");
  });

  it("PATCH /api/applicants/me/profile/ answers 400 with field errors for bad input", async () => {
    const { user, access } = await signedIn();
    const response = await api("PATCH", "/api/applicants/me/profile/", {
      token: access,
      json: {
        nik: "123",
        gender: "X",
        height_cm: "tall",
        address: "a".repeat(1001),
        province: 999_999_999,
      },
    });
    expect(response.status).toBe(400);
    const body = await readJson(response);
    expect(body.code).toBe("validation_error");
    expect(Object.keys(body.errors).sort()).toEqual(["address", "gender", "height_cm", "nik"]);
    const stored = await storedProfile(user.id);
    expect(stored.nik).toBeNull();
    expect(stored.address).toBe("");
  });

  it("PATCH /api/applicants/me/profile/ reports unknown regions and a taken NIK at the top level", async () => {
    const other = await createTestUser();
    const nik = randomNik();
    await setProfile(other.user.id, { nik });
    const { user, access } = await signedIn();
    const response = await api("PATCH", "/api/applicants/me/profile/", {
      token: access,
      json: { nik, province: 2_000_000_000 },
    });
    expect(response.status).toBe(400);
    const body = await readJson(response);
    expect(body.errors.nik).toHaveLength(1);
    expect(body.errors.province).toHaveLength(1);
    expect((await storedProfile(user.id)).nik).toBeNull();
  });

  it("PATCH /api/applicants/me/profile/ answers 415 for a body that is not JSON", async () => {
    const { access } = await signedIn();
    const response = await api("PATCH", "/api/applicants/me/profile/", {
      token: access,
      body: "address=x",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
    });
    expect(response.status).toBe(415);
  });

  it("PATCH /api/applicants/me/profile/ answers invalid_transition once SUBMITTED or ACCEPTED", async () => {
    for (const status of ["SUBMITTED", "ACCEPTED"] as const) {
      const { user, access } = await signedIn();
      const now = new Date();
      await setProfile(user.id, { verificationStatus: status, submittedAt: now, verifiedAt: now });
      const response = await api("PATCH", "/api/applicants/me/profile/", {
        token: access,
        json: { address: "Jl. Baru" },
      });
      expect(response.status).toBe(400);
      expect((await readJson(response)).code).toBe("invalid_transition");
      expect((await storedProfile(user.id)).address).not.toBe("Jl. X");
    }
  });

  it("PATCH /api/applicants/me/profile/ moves a REJECTED profile back to DRAFT", async () => {
    const { user, access } = await signedIn();
    const now = new Date();
    await setProfile(user.id, {
      verificationStatus: "REJECTED",
      submittedAt: now,
      verifiedAt: now,
    });
    const response = await api("PATCH", "/api/applicants/me/profile/", {
      token: access,
      json: { address: "Jl. Perbaikan" },
    });
    expect(response.status).toBe(200);
    expect((await readJson(response)).data.verification_status).toBe("DRAFT");
    expect((await storedProfile(user.id)).verificationStatus).toBe("DRAFT");
  });

  it("PATCH /api/applicants/me/profile/ answers 403 for staff", async () => {
    const { access } = await signedIn("STAFF");
    const response = await api("PATCH", "/api/applicants/me/profile/", {
      token: access,
      json: { address: "x" },
    });
    expect(response.status).toBe(403);
  });
});

describe("POST /api/applicants/me/profile/submit_for_verification/", () => {
  it("POST /api/applicants/me/profile/submit_for_verification/ moves DRAFT to SUBMITTED and records an audit event", async () => {
    const { user, access } = await signedIn();
    await fillRequired(user.id);
    const response = await submit(access);
    expect(response.status).toBe(200);
    const body = await readJson(response);
    expect(body.code).toBe("profile_submitted");
    expect(body.data.verification_status).toBe("SUBMITTED");
    expect(body.data.submitted_at).toMatch(/\+07:00$/);
    const stored = await storedProfile(user.id);
    expect(stored.verificationStatus).toBe("SUBMITTED");
    expect(stored.submittedAt).not.toBeNull();

    const events = await withDatabase(({ db }) =>
      db
        .select()
        .from(auditEvents)
        .where(
          and(
            eq(auditEvents.applicantProfileId, stored.id),
            eq(auditEvents.action, "profile_submitted"),
          ),
        ),
    );
    expect(events).toHaveLength(1);
    expect(events[0]!.actorId).toBe(user.id);
    expect(events[0]!.targetUserId).toBe(user.id);
    expect(events[0]!.details).toEqual({ from: "DRAFT", to: "SUBMITTED" });
  });

  it("POST /api/applicants/me/profile/submit_for_verification/ resubmits a REJECTED profile and clears the old decision", async () => {
    const reviewer = await createTestUser({ role: "STAFF" });
    const { user, access } = await signedIn();
    await fillRequired(user.id);
    const past = new Date("2026-01-01T00:00:00Z");
    await setProfile(user.id, {
      verificationStatus: "REJECTED",
      submittedAt: past,
      verifiedAt: past,
      verifiedById: reviewer.user.id,
      verificationNotes: "Foto buram",
    });
    const response = await submit(access);
    expect(response.status).toBe(200);
    const stored = await storedProfile(user.id);
    expect(stored.verificationStatus).toBe("SUBMITTED");
    expect(stored.submittedAt!.getTime()).toBeGreaterThan(past.getTime());
    expect(stored.verifiedAt).toBeNull();
    expect(stored.verifiedById).toBeNull();
  });

  it("POST /api/applicants/me/profile/submit_for_verification/ lists every missing required field", async () => {
    const { user, access } = await signedIn();
    await withDatabase(({ db }) =>
      db.update(users).set({ fullName: "" }).where(eq(users.id, user.id)),
    );
    const response = await submit(access);
    expect(response.status).toBe(400);
    const body = await readJson(response);
    expect(body.code).toBe("validation_error");
    expect(Object.keys(body.errors).sort()).toEqual([
      "address",
      "contact_phone",
      "full_name",
      "nik",
    ]);
    expect((await storedProfile(user.id)).verificationStatus).toBe("DRAFT");
  });

  it("POST /api/applicants/me/profile/submit_for_verification/ treats a blank address as missing", async () => {
    const { user, access } = await signedIn();
    await fillRequired(user.id);
    await setProfile(user.id, { address: "   " });
    const response = await submit(access);
    expect(response.status).toBe(400);
    expect(Object.keys((await readJson(response)).errors)).toEqual(["address"]);
  });

  it("POST /api/applicants/me/profile/submit_for_verification/ answers invalid_transition from SUBMITTED or ACCEPTED", async () => {
    for (const status of ["SUBMITTED", "ACCEPTED"] as const) {
      const { user, access } = await signedIn();
      await fillRequired(user.id);
      const submittedAt = new Date("2026-01-01T00:00:00Z");
      await setProfile(user.id, {
        verificationStatus: status,
        submittedAt,
        verifiedAt: submittedAt,
      });
      const response = await submit(access);
      expect(response.status).toBe(400);
      expect((await readJson(response)).code).toBe("invalid_transition");
      const stored = await storedProfile(user.id);
      expect(stored.verificationStatus).toBe(status);
      expect(stored.submittedAt!.getTime()).toBe(submittedAt.getTime());
    }
  });

  it("POST /api/applicants/me/profile/submit_for_verification/ answers 403 for back-office users", async () => {
    const { access } = await signedIn("ADMIN");
    const response = await submit(access);
    expect(response.status).toBe(403);
    expect((await readJson(response)).code).toBe("permission_denied");
  });
});

describe("PATCH /api/applicants/me/profile/ region chains", () => {
  it("rejects a village outside the chosen regency and writes nothing", async () => {
    const { user, access } = await signedIn();
    const home = await ensureRegionChain("97");
    const elsewhere = await ensureRegionChain("98");
    const first = await api("PATCH", "/api/applicants/me/profile/", {
      token: access,
      json: { province: home.provinceId, district: home.regencyId, village: home.villageId },
    });
    expect(first.status).toBe(200);

    const response = await api("PATCH", "/api/applicants/me/profile/", {
      token: access,
      json: { village: elsewhere.villageId },
    });

    expect(response.status).toBe(400);
    const body = await readJson(response);
    expect(body.code).toBe("validation_error");
    expect(Object.keys(body.errors)).toEqual(["village"]);
    expect((await storedProfile(user.id)).villageId).toBe(home.villageId);
  });

  it("rejects a province that does not contain the regency", async () => {
    const { access } = await signedIn();
    const home = await ensureRegionChain("97");
    const elsewhere = await ensureRegionChain("98");

    const response = await api("PATCH", "/api/applicants/me/profile/", {
      token: access,
      json: { family_province: elsewhere.provinceId, family_district: home.regencyId },
    });

    expect(response.status).toBe(400);
    expect(Object.keys((await readJson(response)).errors)).toEqual(["family_district"]);
  });

  it("accepts a whole chain that belongs together", async () => {
    const { user, access } = await signedIn();
    const home = await ensureRegionChain("99");

    const response = await api("PATCH", "/api/applicants/me/profile/", {
      token: access,
      json: { village: home.villageId, district: home.regencyId, province: home.provinceId },
    });

    expect(response.status).toBe(200);
    const stored = await storedProfile(user.id);
    expect(stored.villageId).toBe(home.villageId);
    expect(stored.districtId).toBe(home.regencyId);
    expect(stored.provinceId).toBe(home.provinceId);
  });
});
