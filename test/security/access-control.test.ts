import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { applicantProfiles } from "../../src/db/schema";
import { withDatabase } from "../helpers/database";
import { documentRows, form, MINE, upload } from "../helpers/documents";
import { api, readJson } from "../helpers/http";
import { pngImage } from "../helpers/images";
import { snapshotRows } from "./row-snapshot";
import { expectError, type Session, signInAs } from "./security-helpers";

// Privilege escalation and IDOR through the HTTP surface. Cases already proven beside the
// features are listed in test/security/README.md and not repeated here.

/** An applicant with one work experience and one uploaded KTP. */
async function applicantWithData() {
  const session = await signInAs("APPLICANT");
  const experience = await api("POST", "/api/applicants/me/work_experiences/", {
    token: session.access,
    json: { company_name: "PT Rahasia", industry_type: "JASA", country: "MY" },
  });
  expect(experience.status).toBe(201);
  const document = await upload(session.access, MINE, form("ktp", await pngImage(2, 2), "k.png"));
  expect(document.status).toBe(201);
  const [profile] = await withDatabase(({ db }) =>
    db.select().from(applicantProfiles).where(eq(applicantProfiles.userId, session.user.id)),
  );
  return {
    ...session,
    profileId: profile!.id,
    experienceId: (await readJson(experience)).id as number,
    document: await readJson(document),
  };
}

type Victim = Awaited<ReturnType<typeof applicantWithData>>;

/** The victim's rows that an attacker's request must never change. */
function victimRows(victim: Victim) {
  return withDatabase(({ db }) => snapshotRows(db, [victim.user.id]));
}

/** Requests against the victim's data that no other applicant or company may make. */
function foreignRequests(victim: Victim): [string, string, unknown?][] {
  const id = victim.user.id;
  const change = { company_name: "PT Penyusup" };
  return [
    ["GET", `/api/applicants/${id}/`],
    ["PATCH", `/api/applicants/${id}/`, { full_name: "Diubah Penyusup" }],
    ["GET", `/api/applicants/${id}/work_experiences/`],
    ["GET", `/api/applicants/${id}/work_experiences/${victim.experienceId}/`],
    ["PATCH", `/api/applicants/${id}/work_experiences/${victim.experienceId}/`, change],
    ["DELETE", `/api/applicants/${id}/work_experiences/${victim.experienceId}/`],
    ["GET", `/api/applicants/${id}/documents/`],
    ["GET", `/api/applicants/${id}/documents/${victim.document.id}/`],
    ["PATCH", `/api/applicants/${id}/documents/${victim.document.id}/`, { review_notes: "x" }],
    ["DELETE", `/api/applicants/${id}/documents/${victim.document.id}/`],
    ["GET", `/api/applicant-profiles/${victim.profileId}/`],
    ["GET", `/api/applicant-profiles/${victim.profileId}/history/`],
    ["POST", `/api/applicant-profiles/${victim.profileId}/approve/`, {}],
    ["POST", `/api/applicants/${id}/send_password_reset_email/`],
  ];
}

async function expectAllDenied(attacker: Session, requests: [string, string, unknown?][]) {
  for (const [method, path, json] of requests) {
    const response = await api(method, path, { token: attacker.access, json });
    const body = await readJson(response);
    expect(response.status, `${method} ${path}`).toBe(403);
    expect(body.code, `${method} ${path}`).toBe("permission_denied");
  }
}

describe("IDOR between applicants", () => {
  it("back-office paths answer 403 to another applicant and change nothing", async () => {
    const victim = await applicantWithData();
    const attacker = await signInAs("APPLICANT");
    const before = await victimRows(victim);
    await expectAllDenied(attacker, foreignRequests(victim));
    expect(await victimRows(victim)).toEqual(before);
  });

  it("/api/applicants/me/… paths answer 404 for another applicant's ids", async () => {
    const victim = await applicantWithData();
    const attacker = await signInAs("APPLICANT");
    const before = await victimRows(victim);
    const experience = `/api/applicants/me/work_experiences/${victim.experienceId}/`;
    const document = `/api/applicants/me/documents/${victim.document.id}/`;
    const requests: [string, string, unknown?][] = [
      ["GET", experience],
      ["PUT", experience, { company_name: "PT Penyusup", industry_type: "JASA" }],
      ["PATCH", experience, { company_name: "PT Penyusup" }],
      ["DELETE", experience],
      ["GET", document],
      ["DELETE", document],
      ["GET", `${document}ocr_prefill/`],
    ];
    for (const [method, path, json] of requests) {
      const response = await api(method, path, { token: attacker.access, json });
      await expectError(response, 404, "not_found");
    }
    expect(await victimRows(victim)).toEqual(before);
  });

  it("GET /api/applicants/me/profile/{id}/ returns the caller's profile for a foreign id", async () => {
    const victim = await applicantWithData();
    const attacker = await signInAs("APPLICANT");
    const path = `/api/applicants/me/profile/${victim.profileId}/`;
    const read = await readJson(await api("GET", path, { token: attacker.access }));
    expect(read.data.id).not.toBe(victim.profileId);
    const before = await victimRows(victim);
    const write = await api("PATCH", path, { token: attacker.access, json: { notes: "x" } });
    expect(write.status).toBe(200);
    expect(await victimRows(victim)).toEqual(before);
  });

  it("GET /api/files/{token}/ answers 403 for a file token re-pointed at another profile", async () => {
    const victim = await applicantWithData();
    const attacker = await applicantWithData();
    const token = new URL(attacker.document.file).pathname.split("/").at(-2)!;
    const [payload, signature] = token.split(".") as [string, string];
    const [victimDocument] = await documentRows(victim.profileId);
    const victimKey = victimDocument!.file;
    const claims = JSON.parse(atob(payload.replaceAll("-", "+").replaceAll("_", "/")));
    const forgedPayload = btoa(JSON.stringify({ ...claims, k: victimKey }))
      .replaceAll("+", "-")
      .replaceAll("/", "_")
      .replaceAll("=", "");
    const forged = await api("GET", `/api/files/${forgedPayload}.${signature}/`);
    await expectError(forged, 403, "permission_denied");
    // The attacker's own, untouched URL still works, so the 403 is due to the change.
    expect((await api("GET", new URL(attacker.document.file).pathname)).status).toBe(200);
  });
});

describe("privilege escalation by an applicant", () => {
  it("PATCH /api/applicants/me/profile/ ignores or rejects verification and referrer fields", async () => {
    const applicant = await applicantWithData();
    const staff = await signInAs("STAFF");
    const before = await victimRows(applicant);
    const response = await api("PATCH", "/api/applicants/me/profile/", {
      token: applicant.access,
      json: {
        verification_status: "ACCEPTED",
        verified_by: staff.user.id,
        verified_at: "2026-01-01T00:00:00+07:00",
        submitted_at: "2026-01-01T00:00:00+07:00",
        verification_notes: "disetujui sendiri",
        referrer: staff.user.id,
        score: 100,
        user_id: staff.user.id,
        role: "ADMIN",
        is_active: false,
      },
    });
    expect([200, 400]).toContain(response.status);
    const after = await victimRows(applicant);
    expect(after.profiles[0]!.verificationStatus).toBe("DRAFT");
    expect(after.profiles[0]!.verifiedById).toBeNull();
    expect(after.profiles[0]!.referrerId).toBe(before.profiles[0]!.referrerId);
    expect(after.profiles[0]!.userId).toBe(applicant.user.id);
    expect(after.profiles[0]!.score).toBe(before.profiles[0]!.score);
    expect(after.users).toEqual(before.users);
  });

  it("PATCH /api/me/ never changes role, is_active, email_verified or referrer", async () => {
    const applicant = await applicantWithData();
    const admin = await signInAs("ADMIN");
    const before = await victimRows(applicant);
    const response = await api("PATCH", "/api/me/", {
      token: applicant.access,
      json: {
        role: "ADMIN",
        is_active: false,
        email_verified: false,
        referral_code: "A-SENDIR",
        applicant_profile: { referrer: admin.user.id, verification_status: "ACCEPTED" },
      },
    });
    expect([200, 400]).toContain(response.status);
    const after = await victimRows(applicant);
    expect(after.users[0]!.role).toBe("APPLICANT");
    expect(after.users[0]!.isActive).toBe(true);
    expect(after.users[0]!.emailVerified).toBe(true);
    expect(after.users[0]!.referralCode).toBeNull();
    expect(after.profiles[0]!.referrerId).toBe(before.profiles[0]!.referrerId);
    expect(after.profiles[0]!.verificationStatus).toBe("DRAFT");
    // The role in the database decides, so admin paths stay closed.
    await expectError(
      await api("GET", "/api/admins/", { token: applicant.access }),
      403,
      "permission_denied",
    );
  });

  it("POST /api/applicants/me/documents/ ignores review fields sent with the upload", async () => {
    const applicant = await signInAs("APPLICANT");
    const admin = await signInAs("ADMIN");
    const body = form("ktp", await pngImage(2, 2), "k.png");
    body.set("review_status", "APPROVED");
    body.set("reviewed_by", String(admin.user.id));
    body.set("review_notes", "disetujui sendiri");
    const response = await upload(applicant.access, MINE, body);
    expect([201, 400]).toContain(response.status);
    const [profile] = await withDatabase(({ db }) =>
      db.select().from(applicantProfiles).where(eq(applicantProfiles.userId, applicant.user.id)),
    );
    for (const row of await documentRows(profile!.id)) {
      expect(row.reviewStatus).toBe("PENDING");
      expect(row.reviewedById).toBeNull();
      expect(row.reviewNotes).toBe("");
    }
  });
});
