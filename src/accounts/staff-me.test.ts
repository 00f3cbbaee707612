import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { call, signedIn } from "../../test/helpers/accounts";
import { withDatabase } from "../../test/helpers/database";
import { createTestUser } from "../../test/helpers/users";
import { applicantProfiles, type VerificationStatus } from "../db/schema";

async function referredApplicant(
  referrerId: number,
  status: VerificationStatus,
  options: { isActive?: boolean; fullName?: string } = {},
) {
  const { user } = await createTestUser({ role: "APPLICANT", ...options });
  const now = new Date();
  await withDatabase(({ db }) =>
    db
      .update(applicantProfiles)
      .set({
        referrerId,
        verificationStatus: status,
        submittedAt: status === "DRAFT" ? null : now,
        verifiedAt: status === "ACCEPTED" || status === "REJECTED" ? now : null,
      })
      .where(eq(applicantProfiles.userId, user.id)),
  );
  return user;
}

describe("staff self-service", () => {
  it("GET /api/staff/me/dashboard-stats/ counts the caller's referred applicants", async () => {
    const staff = await signedIn("STAFF");
    const other = await createTestUser({ role: "STAFF" });
    await referredApplicant(staff.user.id, "DRAFT");
    await referredApplicant(staff.user.id, "SUBMITTED");
    await referredApplicant(staff.user.id, "ACCEPTED", { isActive: false });
    const newest = await referredApplicant(staff.user.id, "ACCEPTED");
    await referredApplicant(other.user.id, "ACCEPTED");

    const { response, body } = await call("GET", "/api/staff/me/dashboard-stats/", staff.access);
    expect(response.status).toBe(200);
    expect(body.code).toBe("success");
    expect(body.data).toMatchObject({
      total_referred_applicants: 4,
      total_active: 3,
      total_accepted: 2,
      total_submitted: 1,
      verification_breakdown: { DRAFT: 1, SUBMITTED: 1, ACCEPTED: 2, REJECTED: 0 },
    });
    expect(body.data.recent_applicants).toHaveLength(4);
    expect(body.data.recent_applicants[0]).toMatchObject({
      id: newest.id,
      email: newest.email,
      verification_status: "ACCEPTED",
    });
    expect(body.data.recent_applicants[0].created_at).toMatch(/\+07:00$/);
  });

  it("GET /api/staff/me/dashboard-stats/ answers zeros for a new staff member", async () => {
    const staff = await signedIn("STAFF");
    const { body } = await call("GET", "/api/staff/me/dashboard-stats/", staff.access);
    expect(body.data.total_referred_applicants).toBe(0);
    expect(body.data.verification_breakdown).toEqual({
      DRAFT: 0,
      SUBMITTED: 0,
      ACCEPTED: 0,
      REJECTED: 0,
    });
    expect(body.data.recent_applicants).toEqual([]);
  });

  it("GET /api/staff/me/applicants/ lists only the caller's applicants", async () => {
    const staff = await signedIn("STAFF");
    const other = await createTestUser({ role: "STAFF" });
    const mine = await referredApplicant(staff.user.id, "SUBMITTED", { fullName: "Dewi Sari" });
    const draft = await referredApplicant(staff.user.id, "DRAFT", { fullName: "Rina" });
    await referredApplicant(other.user.id, "SUBMITTED");

    const all = await call("GET", "/api/staff/me/applicants/", staff.access);
    expect(all.response.status).toBe(200);
    expect(all.body.count).toBe(2);
    expect(all.body.results.map((row: { id: number }) => row.id)).toEqual([draft.id, mine.id]);
    expect(all.body.results[0].applicant_profile.referrer).toBe(staff.user.id);

    const submitted = await call(
      "GET",
      "/api/staff/me/applicants/?verification_status=SUBMITTED",
      staff.access,
    );
    expect(submitted.body.results.map((row: { id: number }) => row.id)).toEqual([mine.id]);
    const searched = await call("GET", "/api/staff/me/applicants/?search=dewi", staff.access);
    expect(searched.body.results.map((row: { id: number }) => row.id)).toEqual([mine.id]);
  });

  it("GET /api/staff/me/applicants/ paginates and answers 404 past the end", async () => {
    const staff = await signedIn("STAFF");
    await referredApplicant(staff.user.id, "DRAFT");
    await referredApplicant(staff.user.id, "DRAFT");
    const first = await call("GET", "/api/staff/me/applicants/?page_size=1", staff.access);
    expect(first.body.count).toBe(2);
    expect(first.body.next).toContain("page=2");
    const past = await call("GET", "/api/staff/me/applicants/?page=3&page_size=1", staff.access);
    expect(past.response.status).toBe(404);
  });

  it("GET /api/staff/me/applicants/ takes the filters of GET /api/applicants/ within the caller's referrals", async () => {
    const staff = await signedIn("STAFF");
    const other = await createTestUser({ role: "STAFF" });
    const active = await referredApplicant(staff.user.id, "DRAFT");
    const inactive = await referredApplicant(staff.user.id, "DRAFT", { isActive: false });
    await referredApplicant(other.user.id, "DRAFT", { isActive: false });
    await withDatabase(({ db }) =>
      db
        .update(applicantProfiles)
        .set({ gender: "F" })
        .where(eq(applicantProfiles.userId, active.id)),
    );
    const ids = (body: { results: { id: number }[] }) => body.results.map((row) => row.id);

    const byStatus = await call("GET", "/api/staff/me/applicants/?is_active=false", staff.access);
    expect(byStatus.response.status).toBe(200);
    expect(ids(byStatus.body)).toEqual([inactive.id]);
    const byGender = await call("GET", "/api/staff/me/applicants/?gender=F", staff.access);
    expect(ids(byGender.body)).toEqual([active.id]);
    const foreign = `/api/staff/me/applicants/?referrer=${other.user.id}`;
    expect((await call("GET", foreign, staff.access)).body.count).toBe(0);
    const junk = await call("GET", "/api/staff/me/applicants/?age_min=abc", staff.access);
    expect(junk.response.status).toBe(400);
    expect(Object.keys(junk.body.errors)).toEqual(["age_min"]);
  });

  it("GET /api/staff/me/applicants/ rejects an unknown verification_status", async () => {
    const staff = await signedIn("STAFF");
    const { response, body } = await call(
      "GET",
      "/api/staff/me/applicants/?verification_status=DONE",
      staff.access,
    );
    expect(response.status).toBe(400);
    expect(body.errors.verification_status).toHaveLength(1);
  });

  it.each(["ADMIN", "COMPANY", "APPLICANT"] as const)(
    "GET /api/staff/me/dashboard-stats/ answers 403 for %s",
    async (role) => {
      const caller = await signedIn(role);
      const stats = await call("GET", "/api/staff/me/dashboard-stats/", caller.access);
      expect(stats.response.status).toBe(403);
      const list = await call("GET", "/api/staff/me/applicants/", caller.access);
      expect(list.response.status).toBe(403);
    },
  );

  it("GET /api/staff/me/applicants/ answers 401 without credentials", async () => {
    const { response } = await call("GET", "/api/staff/me/applicants/", undefined);
    expect(response.status).toBe(401);
  });
});
