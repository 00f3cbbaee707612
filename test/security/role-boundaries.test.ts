import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { applicantProfiles, users } from "../../src/db/schema";
import { withDatabase } from "../helpers/database";
import { api, readJson } from "../helpers/http";
import { snapshotRows } from "./row-snapshot";
import { expectError, type Session, signInAs } from "./security-helpers";

// Role boundaries: ADMIN-only back-office endpoints refuse STAFF, applicant data
// refuses COMPANY, and a deactivated staff member loses access at once.

type Request = [method: string, path: string, json?: unknown];

/** Back-office endpoints that only ADMIN may use, aimed at real rows of `target`. */
function adminOnlyRequests(target: { applicantId: number; staffId: number; adminId: number }) {
  const { applicantId, staffId, adminId } = target;
  const requests: Request[] = [
    ["GET", "/api/admins/"],
    ["POST", "/api/admins/", { email: "x@example.test", password: "Sandi-Kuat-Sekali-1" }],
    ["GET", `/api/admins/${adminId}/`],
    ["PATCH", `/api/admins/${adminId}/`, { full_name: "Diubah" }],
    ["POST", `/api/admins/${adminId}/deactivate/`],
    ["GET", "/api/staff/"],
    ["GET", `/api/staff/${staffId}/`],
    ["PATCH", `/api/staff/${staffId}/`, { role: "ADMIN" }],
    ["POST", `/api/staff/${staffId}/deactivate/`],
    ["GET", "/api/companies/"],
    ["POST", "/api/applicants/", { email: "y@example.test", password: "Sandi-Kuat-Sekali-1" }],
    ["PATCH", `/api/applicants/${applicantId}/`, { full_name: "Diubah" }],
    ["POST", `/api/applicants/${applicantId}/deactivate/`],
    ["POST", `/api/applicants/${applicantId}/send_password_reset_email/`],
    ["POST", "/api/admins/send-password-reset/", { user_id: applicantId }],
    ["GET", "/api/applicants/export/"],
    ["GET", "/api/referrers/"],
    ["GET", "/api/dashboard/applicants/summary/"],
    ["GET", "/api/reports/applicants/"],
    ["GET", "/api/document-types/"],
    ["PATCH", "/api/document-types/1/", { name: "Diubah" }],
  ];
  return requests;
}

/** Endpoints that read or change applicant data, all closed to COMPANY accounts. */
function applicantDataRequests(applicantId: number, profileId: number): Request[] {
  return [
    ["GET", "/api/applicants/"],
    ["GET", "/api/applicants/?pagination=cursor"],
    ["GET", `/api/applicants/${applicantId}/`],
    ["GET", "/api/applicants/export/"],
    ["GET", `/api/applicants/${applicantId}/work_experiences/`],
    ["GET", `/api/applicants/${applicantId}/documents/`],
    ["GET", "/api/applicant-profiles/"],
    ["GET", `/api/applicant-profiles/${profileId}/`],
    ["GET", `/api/applicant-profiles/${profileId}/history/`],
    ["POST", `/api/applicant-profiles/${profileId}/approve/`, {}],
    ["POST", "/api/applicant-profiles/bulk-approve/", { profile_ids: [profileId] }],
    ["GET", "/api/staff/me/applicants/"],
    ["GET", "/api/applicants/me/profile/"],
    ["GET", "/api/dashboard/applicants/latest/"],
  ];
}

async function expectForbidden(session: Session, requests: Request[]) {
  for (const [method, path, json] of requests) {
    const response = await api(method, path, { token: session.access, json });
    const body = await readJson(response);
    expect(response.status, `${method} ${path}: ${JSON.stringify(body)}`).toBe(403);
    expect(body.code, `${method} ${path}`).toBe("permission_denied");
  }
}

/** Reads the applicant profile id of a user straight from the database. */
async function applicantProfileId(userId: number): Promise<number> {
  const [row] = await withDatabase(({ db }) =>
    db.select().from(applicantProfiles).where(eq(applicantProfiles.userId, userId)),
  );
  return row!.id;
}

describe("role boundaries", () => {
  it("ADMIN-only endpoints answer 403 to STAFF and change nothing", async () => {
    const staff = await signInAs("STAFF");
    const otherStaff = await signInAs("STAFF");
    const admin = await signInAs("ADMIN");
    const applicant = await signInAs("APPLICANT");
    const ids = [staff.user.id, otherStaff.user.id, admin.user.id, applicant.user.id];
    const before = await withDatabase(({ db }) => snapshotRows(db, ids));

    const target = {
      applicantId: applicant.user.id,
      staffId: otherStaff.user.id,
      adminId: admin.user.id,
    };
    await expectForbidden(staff, adminOnlyRequests(target));
    // A staff member cannot edit their own account through the admin path either.
    await expectForbidden(staff, [["PATCH", `/api/staff/${staff.user.id}/`, { role: "ADMIN" }]]);

    expect(await withDatabase(({ db }) => snapshotRows(db, ids))).toEqual(before);
  });

  it("applicant endpoints answer 403 to a COMPANY account", async () => {
    const company = await signInAs("COMPANY");
    const applicant = await signInAs("APPLICANT");
    const profileId = await applicantProfileId(applicant.user.id);
    await expectForbidden(company, applicantDataRequests(applicant.user.id, profileId));
  });

  it("a deactivated STAFF member gets 401 on staff endpoints and cannot sign in", async () => {
    const staff = await signInAs("STAFF");
    await withDatabase(({ db }) =>
      db.update(users).set({ isActive: false }).where(eq(users.id, staff.user.id)),
    );
    for (const path of ["/api/applicants/", "/api/staff/me/dashboard-stats/", "/api/me/"]) {
      await expectError(await api("GET", path, { token: staff.access }), 401, "token_not_valid");
    }
    const login = await api("POST", "/api/auth/token/", {
      json: { email: staff.user.email, password: staff.password },
    });
    await expectError(login, 401, "permission_denied");
  });
});
