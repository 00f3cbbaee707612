import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { withDatabase } from "../../test/helpers/database";
import { api, readJson } from "../../test/helpers/http";
import { ensureRegionChain } from "../../test/helpers/regions";
import { createTestUser, loginAs } from "../../test/helpers/users";
import { applicantProfiles, companyProfiles, staffProfiles, users } from "../db/schema";
import { formatDateTime } from "../lib/time";

const JAKARTA_DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+07:00$/;

async function signedIn(role: "ADMIN" | "STAFF" | "COMPANY" | "APPLICANT") {
  const created = await createTestUser({ role, emailVerified: true });
  const { access, cookie } = await loginAs(created.user.email, created.password);
  return { ...created, access, cookie };
}

async function getMe(token: string) {
  const response = await api("GET", "/api/me/", { token });
  return { response, body: await readJson(response) };
}

async function reloadUser(id: number) {
  return withDatabase(async ({ db }) => {
    const [user] = await db.select().from(users).where(eq(users.id, id));
    return user!;
  });
}

describe("GET /api/me/", () => {
  it("answers 401 without credentials", async () => {
    const response = await api("GET", "/api/me/");
    expect(response.status).toBe(401);
    expect((await readJson(response)).code).toBe("not_authenticated");
  });

  it("answers 401 token_not_valid for a tampered token", async () => {
    const { access } = await signedIn("ADMIN");
    const tampered = `${access.slice(0, -4)}AAAA`;
    const response = await api("GET", "/api/me/", { token: tampered });
    expect(response.status).toBe(401);
    expect((await readJson(response)).code).toBe("token_not_valid");
  });

  it("answers without the trailing slash", async () => {
    const { access } = await signedIn("ADMIN");
    const response = await api("GET", "/api/me", { token: access });
    expect(response.status).toBe(200);
  });

  it("returns the AdminUser shape", async () => {
    const { user, access } = await signedIn("ADMIN");
    const { response, body } = await getMe(access);
    expect(response.status).toBe(200);
    expect(body.code).toBe("success");
    const stored = await reloadUser(user.id);
    expect(body.data).toEqual({
      id: user.id,
      email: user.email,
      full_name: user.fullName,
      role: "ADMIN",
      is_active: true,
      email_verified: true,
      email_verified_at: formatDateTime(stored.emailVerifiedAt),
      date_joined: formatDateTime(stored.dateJoined),
      last_login: formatDateTime(stored.lastLogin),
      updated_at: formatDateTime(stored.updatedAt),
      referral_code: user.referralCode,
    });
    expect(body.data.date_joined).toMatch(JAKARTA_DATETIME);
    expect(body.data.referral_code).toMatch(/^A-[A-Z0-9]{6}$/);
  });

  it("returns the StaffUser shape with staff_profile and google_id", async () => {
    const { user, access } = await signedIn("STAFF");
    await withDatabase(({ db }) =>
      db
        .update(staffProfiles)
        .set({ contactPhone: "081234567890" })
        .where(eq(staffProfiles.userId, user.id)),
    );
    const { body } = await getMe(access);
    const [profile] = await withDatabase(({ db }) =>
      db.select().from(staffProfiles).where(eq(staffProfiles.userId, user.id)),
    );
    expect(body.data.role).toBe("STAFF");
    expect(body.data.google_id).toBeNull();
    expect(body.data.referral_code).toMatch(/^S-[A-Z0-9]{6}$/);
    expect(body.data.last_login).toMatch(JAKARTA_DATETIME);
    expect(body.data.staff_profile).toEqual({
      id: profile!.id,
      full_name: user.fullName,
      contact_phone: "081234567890",
      photo: null,
      created_at: formatDateTime(profile!.createdAt),
      updated_at: formatDateTime(profile!.updatedAt),
    });
    expect(body.data).not.toHaveProperty("password_hash");
    expect(body.data).not.toHaveProperty("password");
  });

  it("returns the CompanyUser shape with company_profile", async () => {
    const { user, access } = await signedIn("COMPANY");
    const { body } = await getMe(access);
    const [profile] = await withDatabase(({ db }) =>
      db.select().from(companyProfiles).where(eq(companyProfiles.userId, user.id)),
    );
    expect(Object.keys(body.data).sort()).toEqual(
      [
        "id",
        "email",
        "full_name",
        "role",
        "is_active",
        "email_verified",
        "email_verified_at",
        "date_joined",
        "last_login",
        "updated_at",
        "company_profile",
      ].sort(),
    );
    expect(body.data.company_profile).toEqual({
      id: profile!.id,
      company_name: "PT Uji",
      contact_phone: "",
      address: "",
      created_at: formatDateTime(profile!.createdAt),
      updated_at: formatDateTime(profile!.updatedAt),
    });
  });

  it("returns the ApplicantUser shape with every profile field", async () => {
    const home = await ensureRegionChain("98");
    const family = await ensureRegionChain("99");
    const staff = await createTestUser({ role: "STAFF" });
    const { user, access } = await signedIn("APPLICANT");
    const submittedAt = new Date("2026-01-02T03:04:05.678Z");
    await withDatabase(({ db }) =>
      db
        .update(applicantProfiles)
        .set({
          referrerId: staff.user.id,
          nik: "3173011506950001",
          birthPlaceId: home.regencyId,
          birthDate: "1995-06-15",
          gender: "F",
          religion: "ISLAM",
          maritalStatus: "MENIKAH",
          address: "Jl. Uji 1",
          provinceId: home.provinceId,
          districtId: home.regencyId,
          villageId: home.villageId,
          contactPhone: "081200000001",
          siblingCount: 3,
          birthOrder: 2,
          fatherName: "Ayah",
          fatherAge: 60,
          fatherOccupation: "Petani",
          motherName: "Ibu",
          motherAge: 55,
          motherOccupation: "Pedagang",
          spouseName: "Pasangan",
          spouseAge: 30,
          spouseOccupation: "Buruh",
          familyAddress: "Jl. Keluarga 2",
          familyProvinceId: family.provinceId,
          familyDistrictId: family.regencyId,
          familyVillageId: family.villageId,
          familyContactPhone: "081200000002",
          dataDeclarationConfirmed: true,
          zeroCostUnderstood: true,
          educationLevel: "SMK",
          educationMajor: "Elektronika",
          heightCm: 160,
          weightKg: 55,
          wearsGlasses: false,
          writingHand: "KANAN",
          hasPassport: true,
          passportNumber: "C1234567",
          passportIssueDate: "2024-01-10",
          passportExpiryDate: "2034-01-10",
          passportIssuePlace: "Jakarta",
          familyCardNumber: "3173010101010001",
          diplomaNumber: "DN-1",
          bpjsNumber: "0001234567890",
          shoeSize: "39",
          shirtSize: "M",
          notes: "catatan",
          verificationStatus: "SUBMITTED",
          submittedAt,
          verificationNotes: "",
          score: 42.5,
        })
        .where(eq(applicantProfiles.userId, user.id)),
    );
    const [profile] = await withDatabase(({ db }) =>
      db.select().from(applicantProfiles).where(eq(applicantProfiles.userId, user.id)),
    );
    const stored = await reloadUser(user.id);

    const { response, body } = await getMe(access);
    expect(response.status).toBe(200);
    expect(Object.keys(body.data).sort()).toEqual(
      [
        "id",
        "email",
        "full_name",
        "role",
        "is_active",
        "email_verified",
        "email_verified_at",
        "date_joined",
        "updated_at",
        "applicant_profile",
      ].sort(),
    );
    expect(body.data.updated_at).toBe(formatDateTime(stored.updatedAt));
    expect(body.data.applicant_profile).toEqual({
      id: profile!.id,
      user: user.id,
      full_name: user.fullName,
      referrer: staff.user.id,
      registration_date: profile!.registrationDate,
      destination_country: "MALAYSIA",
      nik: "3173011506950001",
      nik_warnings: [
        "NIK menunjukkan jenis kelamin laki-laki, tetapi jenis kelamin diisi perempuan.",
      ],
      birth_place: home.regencyId,
      birth_date: "1995-06-15",
      gender: "F",
      religion: "ISLAM",
      marital_status: "MENIKAH",
      address: "Jl. Uji 1",
      province: home.provinceId,
      district: home.regencyId,
      village: home.villageId,
      village_display: home.names,
      contact_phone: "081200000001",
      sibling_count: 3,
      birth_order: 2,
      father_name: "Ayah",
      father_age: 60,
      father_occupation: "Petani",
      mother_name: "Ibu",
      mother_age: 55,
      mother_occupation: "Pedagang",
      spouse_name: "Pasangan",
      spouse_age: 30,
      spouse_occupation: "Buruh",
      family_address: "Jl. Keluarga 2",
      family_province: family.provinceId,
      family_district: family.regencyId,
      family_village: family.villageId,
      family_village_display: family.names,
      family_contact_phone: "081200000002",
      data_declaration_confirmed: true,
      zero_cost_understood: true,
      education_level: "SMK",
      education_major: "Elektronika",
      height_cm: 160,
      weight_kg: 55,
      wears_glasses: false,
      writing_hand: "KANAN",
      has_passport: true,
      passport_number: "C1234567",
      passport_issue_date: "2024-01-10",
      passport_expiry_date: "2034-01-10",
      passport_issue_place: "Jakarta",
      family_card_number: "3173010101010001",
      diploma_number: "DN-1",
      bpjs_number: "0001234567890",
      shoe_size: "39",
      shirt_size: "M",
      photo: null,
      notes: "catatan",
      verification_status: "SUBMITTED",
      submitted_at: "2026-01-02T10:04:05.678+07:00",
      verified_at: null,
      verified_by: null,
      verification_notes: "",
      score: 42.5,
      created_at: formatDateTime(profile!.createdAt),
      updated_at: formatDateTime(profile!.updatedAt),
    });
    expect(body.data.applicant_profile.created_at).toMatch(JAKARTA_DATETIME);
  });

  it("returns null displays and no warnings for a new applicant", async () => {
    const { access } = await signedIn("APPLICANT");
    const { body } = await getMe(access);
    const profile = body.data.applicant_profile;
    expect(profile.village_display).toBeNull();
    expect(profile.family_village_display).toBeNull();
    expect(profile.nik_warnings).toEqual([]);
    expect(profile.verification_status).toBe("DRAFT");
    expect(profile.registration_date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });
  it("is documented in GET /api/schema/", async () => {
    const response = await api("GET", "/api/schema/");
    expect(response.status).toBe(200);
    const document = await readJson(response);
    expect(Object.keys(document.paths["/api/me/"]).sort()).toEqual(["get", "patch", "put"]);
    expect(document.components.schemas.ApplicantProfile.properties.nik_warnings).toBeDefined();
    expect(document.components.schemas.MeUpdate.properties.password.writeOnly).toBe(true);
  });
});
