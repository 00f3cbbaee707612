import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import {
  auditEventsFor,
  call,
  randomNik,
  signedIn,
  strongPassword,
  userByEmail,
} from "../../test/helpers/accounts";
import { withDatabase } from "../../test/helpers/database";
import { api, uniqueEmail } from "../../test/helpers/http";
import { ensureRegionChain } from "../../test/helpers/regions";
import { applicantProfiles, companyProfiles, staffProfiles } from "../db/schema";

describe("POST account collections", () => {
  it("POST /api/staff/ creates a staff member with profile and S- code", async () => {
    const admin = await signedIn("ADMIN");
    const email = uniqueEmail("staf");
    const { response, body } = await call("POST", "/api/staff/", admin.access, {
      email: email.toUpperCase(),
      password: strongPassword(),
      email_verified: true,
      staff_profile: { full_name: "Staf Baru", contact_phone: "+62 812 1111 2222" },
    });
    expect(response.status).toBe(201);
    expect(body.email).toBe(email);
    expect(body.role).toBe("STAFF");
    expect(body.full_name).toBe("Staf Baru");
    expect(body.is_active).toBe(true);
    expect(body.email_verified).toBe(true);
    expect(body.referral_code).toMatch(/^S-[A-Z0-9]{6}$/);
    expect(body.staff_profile.contact_phone).toBe("+62 812 1111 2222");
    expect(body).not.toHaveProperty("password");

    const [profile] = await withDatabase(({ db }) =>
      db.select().from(staffProfiles).where(eq(staffProfiles.userId, body.id)),
    );
    expect(profile!.contactPhone).toBe("+62 812 1111 2222");
    const events = await auditEventsFor(body.id);
    expect(events.map((event) => event.action)).toEqual(["user_created"]);
    expect(events[0]!.actorId).toBe(admin.user.id);
    expect(events[0]!.details).toEqual({ role: "STAFF" });
  });

  it("POST /api/admins/ creates an admin with an A- code who can sign in", async () => {
    const admin = await signedIn("ADMIN");
    const email = uniqueEmail("admin");
    const password = strongPassword();
    const { response, body } = await call("POST", "/api/admins/", admin.access, {
      email,
      password,
      full_name: "Admin Kedua",
      is_active: true,
    });
    expect(response.status).toBe(201);
    expect(body.role).toBe("ADMIN");
    expect(body.referral_code).toMatch(/^A-[A-Z0-9]{6}$/);
    expect(body.email_verified).toBe(false);
    const login = await call("POST", "/api/auth/token/", undefined, { email, password });
    expect(login.response.status).toBe(200);
  });

  it("POST /api/companies/ creates a company with its profile", async () => {
    const admin = await signedIn("ADMIN");
    const { response, body } = await call("POST", "/api/companies/", admin.access, {
      email: uniqueEmail("pt"),
      password: strongPassword(),
      company_profile: { company_name: "PT Maju", contact_phone: "021555", address: "Jl. B" },
    });
    expect(response.status).toBe(201);
    expect(body.role).toBe("COMPANY");
    expect(body.company_profile.company_name).toBe("PT Maju");
    expect(body).not.toHaveProperty("referral_code");
    const [profile] = await withDatabase(({ db }) =>
      db.select().from(companyProfiles).where(eq(companyProfiles.userId, body.id)),
    );
    expect(profile!.address).toBe("Jl. B");
  });

  it("POST /api/applicants/ creates an applicant with a DRAFT profile", async () => {
    const admin = await signedIn("ADMIN");
    const staff = await signedIn("STAFF");
    const region = await ensureRegionChain("98");
    const nik = randomNik();
    const { response, body } = await call("POST", "/api/applicants/", admin.access, {
      email: uniqueEmail("pelamar"),
      password: strongPassword(),
      full_name: "Siti Pelamar",
      applicant_profile: {
        nik,
        village: region.villageId,
        contact_phone: "08123456789",
        referrer: staff.user.id,
      },
    });
    expect(response.status).toBe(201);
    expect(body.role).toBe("APPLICANT");
    expect(body.full_name).toBe("Siti Pelamar");
    expect(body.applicant_profile.nik).toBe(nik);
    expect(body.applicant_profile.verification_status).toBe("DRAFT");
    expect(body.applicant_profile.referrer).toBe(staff.user.id);
    // An empty province and regency are filled from the village.
    expect(body.applicant_profile.province).toBe(region.provinceId);
    expect(body.applicant_profile.district).toBe(region.regencyId);
    expect(body.applicant_profile.village_display.village).toBe(region.names.village);
    // Name, NIK, phone, province, regency and village are 6 of the 11 scored fields.
    const [profile] = await withDatabase(({ db }) =>
      db.select().from(applicantProfiles).where(eq(applicantProfiles.userId, body.id)),
    );
    expect(Number(profile!.score)).toBe(32.7);
  });

  it("POST /api/applicants/ without applicant_profile still creates the profile", async () => {
    const admin = await signedIn("ADMIN");
    const { response, body } = await call("POST", "/api/applicants/", admin.access, {
      email: uniqueEmail("pelamar"),
      password: strongPassword(),
    });
    expect(response.status).toBe(201);
    expect(body.applicant_profile.nik).toBeNull();
    const rows = await withDatabase(({ db }) =>
      db.select().from(applicantProfiles).where(eq(applicantProfiles.userId, body.id)),
    );
    expect(rows).toHaveLength(1);
    expect(Number(rows[0]!.score)).toBe(0);
  });
});

describe("POST account collections: permissions", () => {
  it.each(["STAFF", "COMPANY", "APPLICANT"] as const)(
    "POST /api/staff/ answers 403 for %s",
    async (role) => {
      const caller = await signedIn(role);
      const email = uniqueEmail("staf");
      const { response, body } = await call("POST", "/api/staff/", caller.access, {
        email,
        password: strongPassword(),
      });
      expect(response.status).toBe(403);
      expect(body.code).toBe("permission_denied");
      expect(await userByEmail(email)).toBeUndefined();
    },
  );

  it("POST /api/admins/ answers 401 without credentials", async () => {
    const { response, body } = await call("POST", "/api/admins/", undefined, {
      email: uniqueEmail(),
      password: strongPassword(),
    });
    expect(response.status).toBe(401);
    expect(body.code).toBe("not_authenticated");
  });
});

describe("POST account collections: bad input", () => {
  it("POST /api/admins/ rejects wrong types and missing fields", async () => {
    const admin = await signedIn("ADMIN");
    const { response, body } = await call("POST", "/api/admins/", admin.access, {
      email: 5,
      is_active: "yes",
    });
    expect(response.status).toBe(400);
    expect(body.code).toBe("validation_error");
    expect(body.errors.email).toHaveLength(1);
    expect(body.errors.password).toHaveLength(1);
    expect(body.errors.is_active).toHaveLength(1);
  });

  it("POST /api/staff/ rejects oversized values", async () => {
    const admin = await signedIn("ADMIN");
    const email = uniqueEmail("staf");
    const { response, body } = await call("POST", "/api/staff/", admin.access, {
      email,
      password: "x".repeat(129),
      full_name: "n".repeat(151),
      staff_profile: { contact_phone: "1".repeat(21) },
    });
    expect(response.status).toBe(400);
    expect(body.errors.password).toHaveLength(1);
    expect(body.errors.full_name).toHaveLength(1);
    expect(body.errors.staff_profile.contact_phone.length).toBeGreaterThan(0);
    expect(await userByEmail(email)).toBeUndefined();
  });

  it("POST /api/staff/ rejects a weak password", async () => {
    const admin = await signedIn("ADMIN");
    const email = uniqueEmail("staf");
    const { response, body } = await call("POST", "/api/staff/", admin.access, {
      email,
      password: "12345678",
    });
    expect(response.status).toBe(400);
    expect(body.errors.password.length).toBeGreaterThan(0);
    expect(await userByEmail(email)).toBeUndefined();
  });

  it("POST /api/admins/ rejects an email taken in another letter case", async () => {
    const admin = await signedIn("ADMIN");
    const { response, body } = await call("POST", "/api/admins/", admin.access, {
      email: admin.user.email.toUpperCase(),
      password: strongPassword(),
    });
    expect(response.status).toBe(400);
    expect(body.errors.email).toHaveLength(1);
  });

  it("POST /api/companies/ requires company_profile.company_name", async () => {
    const admin = await signedIn("ADMIN");
    const email = uniqueEmail("pt");
    const { response, body } = await call("POST", "/api/companies/", admin.access, {
      email,
      password: strongPassword(),
      company_profile: { company_name: "   " },
    });
    expect(response.status).toBe(400);
    expect(body.errors.company_profile.company_name).toHaveLength(1);
    expect(await userByEmail(email)).toBeUndefined();
  });

  it("POST /api/applicants/ rejects a taken NIK and writes nothing", async () => {
    const admin = await signedIn("ADMIN");
    const nik = randomNik();
    const first = await call("POST", "/api/applicants/", admin.access, {
      email: uniqueEmail("pelamar"),
      password: strongPassword(),
      applicant_profile: { nik },
    });
    expect(first.response.status).toBe(201);

    const email = uniqueEmail("pelamar");
    const { response, body } = await call("POST", "/api/applicants/", admin.access, {
      email,
      password: strongPassword(),
      applicant_profile: { nik },
    });
    expect(response.status).toBe(400);
    expect(body.errors.applicant_profile.nik).toHaveLength(1);
    expect(await userByEmail(email)).toBeUndefined();
  });

  it("POST /api/applicants/ reports every bad profile field with the account fields", async () => {
    const admin = await signedIn("ADMIN");
    const email = uniqueEmail("pelamar");
    const { response, body } = await call("POST", "/api/applicants/", admin.access, {
      email,
      password: "password",
      applicant_profile: {
        nik: "123",
        village: 2_000_000_000,
        has_passport: true,
        referrer: admin.user.id + 1_000_000,
      },
    });
    expect(response.status).toBe(400);
    expect(body.errors.applicant_profile.nik).toHaveLength(1);
    expect(await userByEmail(email)).toBeUndefined();

    const second = await call("POST", "/api/applicants/", admin.access, {
      email,
      password: "password",
      applicant_profile: {
        village: 2_000_000_000,
        has_passport: true,
        referrer: admin.user.id + 1_000_000,
      },
    });
    expect(second.response.status).toBe(400);
    expect(second.body.errors.password.length).toBeGreaterThan(0);
    expect(second.body.errors.applicant_profile.village).toHaveLength(1);
    expect(second.body.errors.applicant_profile.passport_number).toHaveLength(1);
    expect(second.body.errors.applicant_profile.referrer).toHaveLength(1);
    expect(await userByEmail(email)).toBeUndefined();
  });

  it("POST /api/applicants/ rejects an applicant as referrer", async () => {
    const admin = await signedIn("ADMIN");
    const other = await signedIn("APPLICANT");
    const email = uniqueEmail("pelamar");
    const { response, body } = await call("POST", "/api/applicants/", admin.access, {
      email,
      password: strongPassword(),
      applicant_profile: { referrer: other.user.id },
    });
    expect(response.status).toBe(400);
    expect(body.errors.applicant_profile.referrer).toHaveLength(1);
    expect(await userByEmail(email)).toBeUndefined();
  });

  it("POST /api/staff/ answers 415 for a form body", async () => {
    const admin = await signedIn("ADMIN");
    const response = await api("POST", "/api/staff/", {
      token: admin.access,
      body: "email=a@b.test",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
    });
    expect(response.status).toBe(415);
  });
});

describe("account input hygiene", () => {
  it("POST /api/staff/ answers 400 for a NUL in full_name and creates nothing", async () => {
    const admin = await signedIn("ADMIN");
    const email = uniqueEmail("nul");
    const { response, body } = await call("POST", "/api/staff/", admin.access, {
      email,
      password: strongPassword(),
      staff_profile: { full_name: "Staf\u0000Baru" },
    });
    expect(response.status).toBe(400);
    expect(body.code).toBe("validation_error");
    expect(await userByEmail(email)).toBeUndefined();
  });

  it("PATCH /api/companies/{id}/ answers 400 for a NUL in the address and keeps it", async () => {
    const admin = await signedIn("ADMIN");
    const company = await signedIn("COMPANY");
    const path = `/api/companies/${company.user.id}/`;
    const { response } = await call("PATCH", path, admin.access, {
      company_profile: { address: "Jl.\u0000Merdeka" },
    });
    expect(response.status).toBe(400);
    const [profile] = await withDatabase(({ db }) =>
      db.select().from(companyProfiles).where(eq(companyProfiles.userId, company.user.id)),
    );
    expect(profile?.address ?? "").not.toContain("Merdeka");
  });

  it("GET /api/staff/ answers 400 for a NUL in search", async () => {
    const admin = await signedIn("ADMIN");
    const { response, body } = await call("GET", "/api/staff/?search=a%00b", admin.access);
    expect(response.status).toBe(400);
    expect(Object.keys(body.errors)).toEqual(["search"]);
  });
});
