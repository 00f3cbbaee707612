import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import {
  auditEventsFor,
  call,
  randomNik,
  signedIn,
  strongPassword,
  userById,
} from "../../test/helpers/accounts";
import { withDatabase } from "../../test/helpers/database";
import { api, uniqueEmail } from "../../test/helpers/http";
import { createTestUser } from "../../test/helpers/users";
import { issueOneTimeToken } from "../auth/one-time-tokens.service";
import { applicantProfiles, oneTimeTokens, staffProfiles } from "../db/schema";

describe("GET, PUT and PATCH account details", () => {
  it("GET /api/staff/{id}/ returns the StaffUser shape", async () => {
    const admin = await signedIn("ADMIN");
    const { user } = await createTestUser({ role: "STAFF" });
    const { response, body } = await call("GET", `/api/staff/${user.id}/`, admin.access);
    expect(response.status).toBe(200);
    expect(body.id).toBe(user.id);
    expect(body.staff_profile).not.toBeNull();
    expect(body.referral_code).toBe(user.referralCode);
  });

  it("PATCH /api/staff/{id}/ updates the name and phone", async () => {
    const admin = await signedIn("ADMIN");
    const { user } = await createTestUser({ role: "STAFF" });
    const { response, body } = await call("PATCH", `/api/staff/${user.id}/`, admin.access, {
      staff_profile: { full_name: "Nama Staf", contact_phone: "0811223344" },
    });
    expect(response.status).toBe(200);
    expect(body.full_name).toBe("Nama Staf");
    expect(body.staff_profile.contact_phone).toBe("0811223344");
    const [profile] = await withDatabase(({ db }) =>
      db.select().from(staffProfiles).where(eq(staffProfiles.userId, user.id)),
    );
    expect(profile!.contactPhone).toBe("0811223344");
  });

  it("PUT /api/companies/{id}/ is partial like PATCH", async () => {
    const admin = await signedIn("ADMIN");
    const { user } = await createTestUser({ role: "COMPANY" });
    const { response, body } = await call("PUT", `/api/companies/${user.id}/`, admin.access, {
      company_profile: { address: "Jl. Baru 1" },
    });
    expect(response.status).toBe(200);
    expect(body.company_profile.address).toBe("Jl. Baru 1");
    expect(body.company_profile.company_name).toBe("PT Uji");
    expect(body.email).toBe(user.email);
  });

  it("PATCH /api/admins/{id}/ changes the email, which is unverified again", async () => {
    const admin = await signedIn("ADMIN");
    const { user } = await createTestUser({ role: "ADMIN", emailVerified: true });
    const email = uniqueEmail("baru");
    const { response, body } = await call("PATCH", `/api/admins/${user.id}/`, admin.access, {
      email: email.toUpperCase(),
    });
    expect(response.status).toBe(200);
    expect(body.email).toBe(email);
    expect(body.email_verified).toBe(false);
    const actions = (await auditEventsFor(user.id)).map((event) => event.action);
    expect(actions).toContain("email_changed");
  });

  it("PATCH /api/admins/{id}/ rejects an email another user has", async () => {
    const admin = await signedIn("ADMIN");
    const { user } = await createTestUser({ role: "ADMIN" });
    const { response, body } = await call("PATCH", `/api/admins/${user.id}/`, admin.access, {
      email: admin.user.email.toUpperCase(),
      full_name: "Tidak Tersimpan",
    });
    expect(response.status).toBe(400);
    expect(body.errors.email).toHaveLength(1);
    const stored = await userById(user.id);
    expect(stored.email).toBe(user.email);
    expect(stored.fullName).toBe(user.fullName);
  });

  it("PATCH /api/staff/{id}/ with a new password ends the user's sessions", async () => {
    const admin = await signedIn("ADMIN");
    const staff = await signedIn("STAFF");
    const password = strongPassword();
    const { response } = await call("PATCH", `/api/staff/${staff.user.id}/`, admin.access, {
      password,
    });
    expect(response.status).toBe(200);
    const me = await call("GET", "/api/me/", staff.access);
    expect(me.response.status).toBe(401);
    const refresh = await call("POST", "/api/auth/token/refresh/", undefined, {
      refresh: staff.refresh,
    });
    expect(refresh.response.status).toBe(401);
    const login = await call("POST", "/api/auth/token/", undefined, {
      email: staff.user.email,
      password,
    });
    expect(login.response.status).toBe(200);
  });

  it("PATCH /api/staff/{id}/ rejects a weak password", async () => {
    const admin = await signedIn("ADMIN");
    const { user } = await createTestUser({ role: "STAFF" });
    const { response, body } = await call("PATCH", `/api/staff/${user.id}/`, admin.access, {
      password: "12345678",
    });
    expect(response.status).toBe(400);
    expect(body.errors.password.length).toBeGreaterThan(0);
    expect((await userById(user.id)).passwordHash).toBe(user.passwordHash);
  });

  it("PATCH /api/staff/{id}/ role ADMIN moves the user and ends sessions", async () => {
    const admin = await signedIn("ADMIN");
    const staff = await signedIn("STAFF");
    const { response, body } = await call("PATCH", `/api/staff/${staff.user.id}/`, admin.access, {
      role: "ADMIN",
    });
    expect(response.status).toBe(200);
    expect(body.role).toBe("ADMIN");
    expect(body.referral_code).toBe(staff.user.referralCode);

    expect((await call("GET", "/api/me/", staff.access)).response.status).toBe(401);
    const asStaff = await call("GET", `/api/staff/${staff.user.id}/`, admin.access);
    expect(asStaff.response.status).toBe(404);
    const asAdmin = await call("GET", `/api/admins/${staff.user.id}/`, admin.access);
    expect(asAdmin.response.status).toBe(200);
    const events = await auditEventsFor(staff.user.id);
    const roleChange = events.find((event) => event.action === "role_changed");
    expect(roleChange?.details).toEqual({ from: "STAFF", to: "ADMIN" });
  });

  it("PATCH /api/admins/{id}/ answers 400 for the admin's own role", async () => {
    const admin = await signedIn("ADMIN");
    const { response, body } = await call("PATCH", `/api/admins/${admin.user.id}/`, admin.access, {
      role: "STAFF",
    });
    expect(response.status).toBe(400);
    expect(body.code).toBe("cannot_change_own_role");
    expect((await userById(admin.user.id)).role).toBe("ADMIN");
  });

  it("PATCH /api/admins/{id}/ rejects a role outside the back office", async () => {
    const admin = await signedIn("ADMIN");
    const { user } = await createTestUser({ role: "ADMIN" });
    const { response, body } = await call("PATCH", `/api/admins/${user.id}/`, admin.access, {
      role: "APPLICANT",
    });
    expect(response.status).toBe(400);
    expect(body.errors.role).toHaveLength(1);
  });

  it("PATCH /api/applicants/{id}/ edits a SUBMITTED profile without moving its status", async () => {
    const admin = await signedIn("ADMIN");
    const { user } = await createTestUser({ role: "APPLICANT" });
    await withDatabase(({ db }) =>
      db
        .update(applicantProfiles)
        .set({ verificationStatus: "SUBMITTED", submittedAt: new Date() })
        .where(eq(applicantProfiles.userId, user.id)),
    );
    const nik = randomNik();
    const { response, body } = await call("PATCH", `/api/applicants/${user.id}/`, admin.access, {
      full_name: "Nama Pelamar",
      applicant_profile: { nik, religion: "ISLAM" },
    });
    expect(response.status).toBe(200);
    expect(body.full_name).toBe("Nama Pelamar");
    expect(body.applicant_profile.nik).toBe(nik);
    expect(body.applicant_profile.religion).toBe("ISLAM");
    expect(body.applicant_profile.verification_status).toBe("SUBMITTED");
  });

  it("PATCH /api/applicants/{id}/ rejects a NIK another applicant has", async () => {
    const admin = await signedIn("ADMIN");
    const nik = randomNik();
    const { user: first } = await createTestUser({ role: "APPLICANT" });
    await withDatabase(({ db }) =>
      db.update(applicantProfiles).set({ nik }).where(eq(applicantProfiles.userId, first.id)),
    );
    const { user } = await createTestUser({ role: "APPLICANT" });
    const { response, body } = await call("PATCH", `/api/applicants/${user.id}/`, admin.access, {
      applicant_profile: { nik, gender: "X" },
    });
    expect(response.status).toBe(400);
    expect(body.errors.applicant_profile.gender).toHaveLength(1);

    const second = await call("PATCH", `/api/applicants/${user.id}/`, admin.access, {
      applicant_profile: { nik },
    });
    expect(second.response.status).toBe(400);
    expect(second.body.errors.applicant_profile.nik).toHaveLength(1);
  });
});

describe("account details: permissions and ids", () => {
  it("GET /api/applicants/{id}/ is open to STAFF, PATCH is not", async () => {
    const staff = await signedIn("STAFF");
    const { user } = await createTestUser({ role: "APPLICANT" });
    const read = await call("GET", `/api/applicants/${user.id}/`, staff.access);
    expect(read.response.status).toBe(200);
    expect(read.body.applicant_profile.user).toBe(user.id);
    const write = await call("PATCH", `/api/applicants/${user.id}/`, staff.access, {
      full_name: "X",
    });
    expect(write.response.status).toBe(403);
    expect((await userById(user.id)).fullName).toBe(user.fullName);
  });

  it.each(["COMPANY", "APPLICANT"] as const)(
    "GET /api/applicants/{id}/ answers 403 for %s",
    async (role) => {
      const caller = await signedIn(role);
      const { user } = await createTestUser({ role: "APPLICANT" });
      const { response, body } = await call("GET", `/api/applicants/${user.id}/`, caller.access);
      expect(response.status).toBe(403);
      expect(body.code).toBe("permission_denied");
    },
  );

  it("GET /api/staff/{id}/ answers 403 for STAFF", async () => {
    const staff = await signedIn("STAFF");
    const { response } = await call("GET", `/api/staff/${staff.user.id}/`, staff.access);
    expect(response.status).toBe(403);
  });

  it("GET /api/admins/{id}/ answers 404 for an id of another role", async () => {
    const admin = await signedIn("ADMIN");
    const { user } = await createTestUser({ role: "STAFF" });
    const { response, body } = await call("GET", `/api/admins/${user.id}/`, admin.access);
    expect(response.status).toBe(404);
    expect(body.code).toBe("not_found");
    const patch = await call("PATCH", `/api/companies/${user.id}/`, admin.access, {
      full_name: "X",
    });
    expect(patch.response.status).toBe(404);
  });

  it.each(["abc", "0", "-3", "1.5", "99999999999"])(
    "GET /api/companies/%s/ answers 404 for a junk id",
    async (id) => {
      const admin = await signedIn("ADMIN");
      const { response, body } = await call("GET", `/api/companies/${id}/`, admin.access);
      expect(response.status).toBe(404);
      expect(body.code).toBe("not_found");
    },
  );

  it("GET /api/staff/{id} without the final slash works too", async () => {
    const admin = await signedIn("ADMIN");
    const { user } = await createTestUser({ role: "STAFF" });
    const { response } = await call("GET", `/api/staff/${user.id}`, admin.access);
    expect(response.status).toBe(200);
  });

  it.each(["admins", "staff", "companies", "applicants"])(
    "DELETE /api/%s/{id}/ answers 405 with Allow",
    async (collection) => {
      const admin = await signedIn("ADMIN");
      const { user } = await createTestUser({ role: "APPLICANT" });
      const response = await api("DELETE", `/api/${collection}/${user.id}/`, {
        token: admin.access,
      });
      const body = await response.json<{ code: string }>();
      expect(response.status).toBe(405);
      expect(body.code).toBe("method_not_allowed");
      expect(response.headers.get("Allow")).toContain("PATCH");
      expect((await userById(user.id)).isActive).toBe(true);
    },
  );
});

describe("one-time links after an admin edit", () => {
  async function issueLinks(user: { id: number; email: string }) {
    return withDatabase(async ({ db }) => ({
      verification: await issueOneTimeToken(db, user, "email_verification", 3600),
      reset: await issueOneTimeToken(db, user, "password_reset", 3600),
    }));
  }

  async function isUsed(tokenId: number) {
    const [row] = await withDatabase(({ db }) =>
      db.select().from(oneTimeTokens).where(eq(oneTimeTokens.id, tokenId)),
    );
    return row!.usedAt !== null;
  }

  it("PATCH /api/staff/{id}/ with a new email ends every verification and reset link", async () => {
    const admin = await signedIn("ADMIN");
    const { user } = await createTestUser({ role: "STAFF" });
    const links = await issueLinks(user);
    const { response } = await call("PATCH", `/api/staff/${user.id}/`, admin.access, {
      email: uniqueEmail("baru"),
    });
    expect(response.status).toBe(200);
    expect(await isUsed(links.verification.id)).toBe(true);
    expect(await isUsed(links.reset.id)).toBe(true);
  });

  it("PATCH /api/staff/{id}/ with a new password ends reset links and keeps verification links", async () => {
    const admin = await signedIn("ADMIN");
    const { user } = await createTestUser({ role: "STAFF" });
    const links = await issueLinks(user);
    const { response } = await call("PATCH", `/api/staff/${user.id}/`, admin.access, {
      password: strongPassword(),
    });
    expect(response.status).toBe(200);
    expect(await isUsed(links.verification.id)).toBe(false);
    expect(await isUsed(links.reset.id)).toBe(true);
  });

  it("PATCH /api/staff/{id}/ with a taken email leaves every link usable", async () => {
    const admin = await signedIn("ADMIN");
    const { user } = await createTestUser({ role: "STAFF" });
    const links = await issueLinks(user);
    const { response } = await call("PATCH", `/api/staff/${user.id}/`, admin.access, {
      email: admin.user.email,
    });
    expect(response.status).toBe(400);
    expect(await isUsed(links.verification.id)).toBe(false);
    expect(await isUsed(links.reset.id)).toBe(false);
  });
});
