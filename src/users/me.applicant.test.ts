import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { withDatabase } from "../../test/helpers/database";
import { api, readJson } from "../../test/helpers/http";
import { ensureRegionChain } from "../../test/helpers/regions";
import { createTestUser, loginAs } from "../../test/helpers/users";
import { applicantProfiles, users } from "../db/schema";
import { todayInJakarta } from "../lib/time";

type ProfileRow = typeof applicantProfiles.$inferSelect;

async function signedInApplicant() {
  const created = await createTestUser({ role: "APPLICANT" });
  const { access } = await loginAs(created.user.email, created.password);
  return { ...created, access };
}

async function patchProfile(token: string, applicantProfile: unknown, extra = {}) {
  const response = await api("PATCH", "/api/me/", {
    token,
    json: { applicant_profile: applicantProfile, ...extra },
  });
  return { response, body: await readJson(response) };
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

/** Returns the date `years` years before today in Jakarta, moved forward by `days`. */
function yearsAgo(years: number, days = 0): string {
  const [year, month, day] = todayInJakarta().split("-").map(Number) as [number, number, number];
  const date = new Date(Date.UTC(year - years, month - 1, day + days));
  return date.toISOString().slice(0, 10);
}

function uniqueNik(): string {
  const serial = String(crypto.getRandomValues(new Uint32Array(1))[0]! % 10_000).padStart(4, "0");
  const region = String(100_000 + (crypto.getRandomValues(new Uint32Array(1))[0]! % 900_000));
  return `${region}150695${serial}`;
}

describe("applicant_profile through PATCH /api/me/", () => {
  it("PATCH /api/me/ saves writable profile fields", async () => {
    const { user, access } = await signedInApplicant();
    const nik = uniqueNik();
    const birthDate = yearsAgo(25);
    const { response, body } = await patchProfile(access, {
      full_name: "Siti Pelamar",
      nik,
      birth_date: birthDate,
      gender: "F",
      religion: "ISLAM",
      marital_status: "BELUM MENIKAH",
      address: "Jl. Melati 3",
      contact_phone: "081299990000",
      education_level: "SMA",
      height_cm: 158,
      weight_kg: 50,
      wears_glasses: null,
      writing_hand: "KIRI",
      has_passport: true,
      passport_number: "c7654321",
      passport_issue_date: "2023-05-01",
      passport_expiry_date: "2033-05-01",
      data_declaration_confirmed: true,
    });
    expect(response.status).toBe(200);
    expect(body.code).toBe("profile_updated");
    const profile = body.data.applicant_profile;
    expect(body.data.full_name).toBe("Siti Pelamar");
    expect(profile.full_name).toBe("Siti Pelamar");
    expect(profile.nik).toBe(nik);
    expect(profile.passport_number).toBe("C7654321");
    expect(profile.writing_hand).toBe("KIRI");
    // The NIK encodes 15-06-95 for a man, which matches neither the date nor the gender. Its
    // random region code may or may not be a real kecamatan, so that warning is not counted.
    const dateAndGender = profile.nik_warnings.filter(
      (warning: string) => !warning.startsWith("Kode wilayah"),
    );
    expect(dateAndGender).toHaveLength(2);

    const stored = await storedProfile(user.id);
    expect(stored.birthDate).toBe(birthDate);
    expect(stored.heightCm).toBe(158);
    expect(stored.hasPassport).toBe(true);
  });

  it("PATCH /api/me/ ignores the read-only verification fields", async () => {
    const staff = await createTestUser({ role: "STAFF" });
    const { user, access } = await signedInApplicant();
    const { response, body } = await patchProfile(access, {
      referrer: staff.user.id,
      verified_by: staff.user.id,
      verification_status: "ACCEPTED",
      submitted_at: "2026-01-01T00:00:00+07:00",
      verified_at: "2026-01-01T00:00:00+07:00",
      verification_notes: "ok",
      score: 100,
      registration_date: "2000-01-01",
      photo: "account/x.jpg",
    });
    expect(response.status).toBe(200);
    expect(body.data.applicant_profile.verification_status).toBe("DRAFT");
    const stored = await storedProfile(user.id);
    expect(stored.referrerId).toBeNull();
    expect(stored.verifiedById).toBeNull();
    expect(stored.verificationStatus).toBe("DRAFT");
    expect(stored.submittedAt).toBeNull();
    expect(stored.verifiedAt).toBeNull();
    expect(stored.verificationNotes).toBe("");
    expect(stored.score).toBe(0);
    expect(stored.photo).toBeNull();
    expect(stored.registrationDate).not.toBe("2000-01-01");
  });

  it("PATCH /api/me/ answers invalid_transition for a SUBMITTED profile", async () => {
    const { user, access } = await signedInApplicant();
    await setProfile(user.id, { verificationStatus: "SUBMITTED", submittedAt: new Date() });
    const { response, body } = await patchProfile(access, { address: "Jl. Baru" });
    expect(response.status).toBe(400);
    expect(body.code).toBe("invalid_transition");
    expect((await storedProfile(user.id)).address).toBe("");
  });

  it("PATCH /api/me/ answers invalid_transition for a name change on an ACCEPTED profile", async () => {
    const { user, access } = await signedInApplicant();
    const now = new Date();
    await setProfile(user.id, {
      verificationStatus: "ACCEPTED",
      submittedAt: now,
      verifiedAt: now,
    });
    const response = await api("PATCH", "/api/me/", { token: access, json: { full_name: "Lain" } });
    expect(response.status).toBe(400);
    expect((await readJson(response)).code).toBe("invalid_transition");
    const [stored] = await withDatabase(({ db }) =>
      db.select().from(users).where(eq(users.id, user.id)),
    );
    expect(stored!.fullName).toBe(user.fullName);
  });

  it("PATCH /api/me/ moves a REJECTED profile back to DRAFT", async () => {
    const { user, access } = await signedInApplicant();
    const now = new Date();
    await setProfile(user.id, {
      verificationStatus: "REJECTED",
      submittedAt: now,
      verifiedAt: now,
    });
    const { response, body } = await patchProfile(access, { address: "Jl. Diperbaiki" });
    expect(response.status).toBe(200);
    expect(body.data.applicant_profile.verification_status).toBe("DRAFT");
    const stored = await storedProfile(user.id);
    expect(stored.verificationStatus).toBe("DRAFT");
    expect(stored.address).toBe("Jl. Diperbaiki");
  });

  it("PATCH /api/me/ fills province and regency from the village", async () => {
    const chain = await ensureRegionChain("97");
    const { user, access } = await signedInApplicant();
    const { response, body } = await patchProfile(access, {
      village: chain.villageId,
      family_village: chain.villageId,
    });
    expect(response.status).toBe(200);
    const profile = body.data.applicant_profile;
    expect(profile.province).toBe(chain.provinceId);
    expect(profile.district).toBe(chain.regencyId);
    expect(profile.family_province).toBe(chain.provinceId);
    expect(profile.family_district).toBe(chain.regencyId);
    expect(profile.village_display).toEqual(chain.names);
    expect((await storedProfile(user.id)).provinceId).toBe(chain.provinceId);
  });

  it("PATCH /api/me/ rejects unknown region ids field by field", async () => {
    const { user, access } = await signedInApplicant();
    const { response, body } = await patchProfile(access, {
      province: 999_999,
      district: 999_999,
      village: 999_999,
      birth_place: 999_999,
      family_village: 999_998,
      address: "Tidak disimpan",
    });
    expect(response.status).toBe(400);
    for (const field of ["province", "district", "village", "birth_place", "family_village"]) {
      expect(body.errors.applicant_profile[field]).toHaveLength(1);
    }
    expect((await storedProfile(user.id)).address).toBe("");
  });

  it("PATCH /api/me/ rejects a NIK another profile has", async () => {
    const nik = uniqueNik();
    const owner = await createTestUser({ role: "APPLICANT" });
    await setProfile(owner.user.id, { nik });
    const { user, access } = await signedInApplicant();
    const { response, body } = await patchProfile(access, { nik, address: "Tidak disimpan" });
    expect(response.status).toBe(400);
    expect(body.errors.applicant_profile.nik).toEqual(["NIK ini sudah terdaftar."]);
    const stored = await storedProfile(user.id);
    expect(stored.nik).toBeNull();
    expect(stored.address).toBe("");
  });

  it("PATCH /api/me/ keeps the applicant's own NIK without a conflict", async () => {
    const nik = uniqueNik();
    const { user, access } = await signedInApplicant();
    await setProfile(user.id, { nik });
    const { response } = await patchProfile(access, { nik, address: "Jl. Sama" });
    expect(response.status).toBe(200);
  });

  it.each([
    ["a NIK with letters", { nik: "31730115069500AB" }, "nik"],
    ["a short NIK", { nik: "317301150695" }, "nik"],
    ["a bad gender", { gender: "X" }, "gender"],
    ["a bad religion", { religion: "ATHEIS" }, "religion"],
    ["a bad education level", { education_level: "S3" }, "education_level"],
    ["a string height", { height_cm: "160" }, "height_cm"],
    ["a fractional weight", { weight_kg: 50.5 }, "weight_kg"],
    ["a too long address", { address: "x".repeat(1001) }, "address"],
    ["a too long father name", { father_name: "x".repeat(151) }, "father_name"],
    ["a malformed date", { birth_date: "15-06-1995" }, "birth_date"],
    ["a future birth date", { birth_date: "2999-01-01" }, "birth_date"],
    ["an age of 17", { birth_date: yearsAgo(18, 1) }, "birth_date"],
    ["an age of 46", { birth_date: yearsAgo(46) }, "birth_date"],
    ["a string boolean", { has_passport: "true" }, "has_passport"],
    ["a bad family card number", { family_card_number: "123" }, "family_card_number"],
    ["a negative region id", { province: -1 }, "province"],
  ])("PATCH /api/me/ rejects %s", async (_, input, field) => {
    const { user, access } = await signedInApplicant();
    const { response, body } = await patchProfile(access, { ...input, notes: "tidak disimpan" });
    expect(response.status).toBe(400);
    expect(body.code).toBe("validation_error");
    expect(body.errors.applicant_profile[field]).toHaveLength(1);
    expect((await storedProfile(user.id)).notes).toBe("");
  });

  it("PATCH /api/me/ accepts ages 18 and 45", async () => {
    const { access } = await signedInApplicant();
    expect((await patchProfile(access, { birth_date: yearsAgo(18) })).response.status).toBe(200);
    expect((await patchProfile(access, { birth_date: yearsAgo(46, 1) })).response.status).toBe(200);
  });

  it("PATCH /api/me/ needs a passport number when has_passport", async () => {
    const { user, access } = await signedInApplicant();
    const { response, body } = await patchProfile(access, { has_passport: true });
    expect(response.status).toBe(400);
    expect(body.errors.applicant_profile.passport_number).toHaveLength(1);
    expect((await storedProfile(user.id)).hasPassport).toBe(false);
  });

  it("PATCH /api/me/ checks the passport number against the stored has_passport", async () => {
    const { user, access } = await signedInApplicant();
    await setProfile(user.id, { hasPassport: true, passportNumber: "C1111111" });
    const { response, body } = await patchProfile(access, { passport_number: "" });
    expect(response.status).toBe(400);
    expect(body.errors.applicant_profile.passport_number).toHaveLength(1);
  });

  it("PATCH /api/me/ needs the passport expiry after the issue date", async () => {
    const { user, access } = await signedInApplicant();
    await setProfile(user.id, { passportIssueDate: "2024-01-01" });
    const { response, body } = await patchProfile(access, { passport_expiry_date: "2024-01-01" });
    expect(response.status).toBe(400);
    expect(body.errors.applicant_profile.passport_expiry_date).toHaveLength(1);
    expect((await storedProfile(user.id)).passportExpiryDate).toBeNull();
  });

  it("PATCH /api/me/ with a failed profile check leaves the user row alone", async () => {
    const { user, access } = await signedInApplicant();
    const { response } = await patchProfile(
      access,
      { has_passport: true },
      { full_name: "Tidak Disimpan" },
    );
    expect(response.status).toBe(400);
    const [stored] = await withDatabase(({ db }) =>
      db.select().from(users).where(eq(users.id, user.id)),
    );
    expect(stored!.fullName).toBe(user.fullName);
    expect(stored!.updatedAt).toEqual(user.updatedAt);
  });
  it("PATCH /api/me/ without a profile row changes only the name", async () => {
    const { user, access } = await signedInApplicant();
    await withDatabase(({ db }) =>
      db.delete(applicantProfiles).where(eq(applicantProfiles.userId, user.id)),
    );
    const renamed = await api("PATCH", "/api/me/", { token: access, json: { full_name: "Baru" } });
    expect(renamed.status).toBe(200);
    expect((await readJson(renamed)).data.applicant_profile).toBeNull();
    const { response, body } = await patchProfile(access, { address: "Jl. Tanpa Profil" });
    expect(response.status).toBe(404);
    expect(body.code).toBe("not_found");
  });
});
