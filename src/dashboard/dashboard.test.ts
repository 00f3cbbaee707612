import { describe, expect, it } from "vitest";
import { insertApplicants, tokenFor } from "../../test/helpers/applicant-fixtures";
import { api, readJson } from "../../test/helpers/http";
import { ensureRegionChain } from "../../test/helpers/regions";
import { createTestUser } from "../../test/helpers/users";
import { todayInJakarta } from "../lib/time";

const DAY_MS = 24 * 60 * 60 * 1000;

async function adminGet(path: string) {
  const { token } = await tokenFor("ADMIN");
  const response = await api("GET", path, { token });
  return { status: response.status, body: await readJson(response) };
}

const decided = (status: "ACCEPTED" | "REJECTED") => ({
  verificationStatus: status,
  submittedAt: new Date(),
  verifiedAt: new Date(),
});

describe("GET /api/dashboard/applicants/", () => {
  it("summary counts one referrer's applicants and their 30-day growth", async () => {
    const staff = await createTestUser({ role: "STAFF" });
    const referrerId = staff.user.id;
    const old = new Date(Date.now() - 40 * DAY_MS);
    await insertApplicants([
      { profile: { referrerId, createdAt: old } },
      { profile: { referrerId, createdAt: old, ...decided("ACCEPTED") } },
      { profile: { referrerId, ...decided("ACCEPTED") } },
      { profile: { referrerId, ...decided("REJECTED") } },
      { profile: { referrerId } },
    ]);
    const { status, body } = await adminGet(
      `/api/dashboard/applicants/summary/?referrer=${referrerId}`,
    );
    expect(status).toBe(200);
    // Three new in the window on a base of two before it: +150 %.
    expect(body).toEqual({
      total_applicants: 5,
      total_active_workers: 2,
      total_inactive_workers: 3,
      growth_rate_30d: 150,
    });
  });

  it("timeseries groups by Jakarta day over the last 90 days", async () => {
    const staff = await createTestUser({ role: "STAFF" });
    const referrerId = staff.user.id;
    const today = todayInJakarta();
    // 17:00 UTC is midnight in Jakarta: these two fall on consecutive Jakarta days.
    const todayStart = new Date(`${today}T00:00:00+07:00`);
    const lastMinuteYesterday = new Date(todayStart.getTime() - 60_000);
    await insertApplicants([
      { profile: { referrerId, createdAt: todayStart } },
      { profile: { referrerId, createdAt: todayStart } },
      { profile: { referrerId, createdAt: lastMinuteYesterday } },
      { profile: { referrerId, createdAt: new Date(todayStart.getTime() - 89 * DAY_MS) } },
      { profile: { referrerId, createdAt: new Date(todayStart.getTime() - 90 * DAY_MS) } },
    ]);
    const { status, body } = await adminGet(
      `/api/dashboard/applicants/timeseries/?referrer=${referrerId}`,
    );
    expect(status).toBe(200);
    const dayOf = (date: Date) => todayInJakarta(date);
    expect(body).toEqual([
      { date: dayOf(new Date(todayStart.getTime() - 89 * DAY_MS)), count: 1 },
      { date: dayOf(lastMinuteYesterday), count: 1 },
      { date: today, count: 2 },
    ]);
  });

  it("latest lists the ten newest with user ids", async () => {
    const staff = await createTestUser({ role: "STAFF" });
    const base = Date.now() - 60_000;
    const inserted = await insertApplicants(
      Array.from({ length: 12 }, (_, index) => ({
        fullName: `Pelamar ${index}`,
        profile: { referrerId: staff.user.id, createdAt: new Date(base + index * 1000) },
      })),
    );
    const { status, body } = await adminGet(
      `/api/dashboard/applicants/latest/?referrer=${staff.user.id}`,
    );
    expect(status).toBe(200);
    expect(body).toHaveLength(10);
    expect(body.map((row: { id: number }) => row.id)).toEqual(
      inserted
        .slice(2)
        .reverse()
        .map((row) => row.userId),
    );
    expect(body[0]).toEqual({
      id: inserted[11]!.userId,
      full_name: "Pelamar 11",
      email: inserted[11]!.email,
      verification_status: "DRAFT",
      created_at: expect.stringMatching(/\+07:00$/),
    });
  });

  it("is for ADMIN only", async () => {
    for (const path of [
      "/api/dashboard/applicants/summary/",
      "/api/dashboard/applicants/timeseries/",
      "/api/dashboard/applicants/latest/",
      "/api/reports/applicants/",
    ]) {
      const { token } = await tokenFor("STAFF");
      const response = await api("GET", path, { token });
      expect(response.status, path).toBe(403);
    }
  });
});

describe("GET /api/reports/applicants/", () => {
  it("reports a date range by status, province, gender, education and referrer", async () => {
    const staff = await createTestUser({ role: "STAFF", fullName: "Staf Pelapor" });
    const referrerId = staff.user.id;
    const region = await ensureRegionChain("99");
    const inRange = new Date("2025-06-15T03:00:00Z");
    await insertApplicants([
      {
        profile: {
          referrerId,
          createdAt: inRange,
          gender: "F",
          educationLevel: "SMA",
          provinceId: region.provinceId,
          ...decided("ACCEPTED"),
        },
      },
      {
        profile: {
          referrerId,
          createdAt: inRange,
          gender: "F",
          provinceId: region.provinceId,
          ...decided("REJECTED"),
        },
      },
      {
        profile: {
          referrerId,
          createdAt: new Date("2025-06-20T16:59:00Z"),
          gender: "M",
          verificationStatus: "SUBMITTED",
          submittedAt: new Date(),
        },
      },
      { profile: { referrerId, createdAt: new Date("2025-06-20T16:59:00Z") } },
      // 2025-06-21 in Jakarta: outside the range.
      { profile: { referrerId, createdAt: new Date("2025-06-20T17:00:00Z") } },
    ]);
    const { status, body } = await adminGet(
      `/api/reports/applicants/?referrer=${referrerId}&start_date=2025-06-01&end_date=2025-06-20`,
    );
    expect(status).toBe(200);
    expect(body.date_range).toEqual({ start_date: "2025-06-01", end_date: "2025-06-20" });
    expect(body.summary).toEqual({
      total_applicants: 4,
      total_accepted: 1,
      total_rejected: 1,
      total_submitted: 1,
      total_draft: 1,
      completion_rate: 75,
    });
    expect(body.by_status).toEqual([
      { verification_status: "DRAFT", count: 1 },
      { verification_status: "SUBMITTED", count: 1 },
      { verification_status: "ACCEPTED", count: 1 },
      { verification_status: "REJECTED", count: 1 },
    ]);
    expect(body.by_province).toEqual([
      { province_id: region.provinceId, province: region.names.province, count: 2 },
      { province_id: null, province: null, count: 2 },
    ]);
    expect(body.by_gender).toEqual([
      { gender: "F", count: 2 },
      { gender: "M", count: 1 },
      { gender: null, count: 1 },
    ]);
    expect(body.by_education).toEqual([
      { education_level: null, count: 3 },
      { education_level: "SMA", count: 1 },
    ]);
    expect(body.by_destination).toEqual([{ destination_country: "MALAYSIA", count: 4 }]);
    expect(body.by_referrer).toEqual([
      { referrer_id: referrerId, full_name: "Staf Pelapor", email: staff.user.email, count: 4 },
    ]);
    expect(body.timeline).toEqual([
      { date: "2025-06-15", count: 2 },
      { date: "2025-06-20", count: 2 },
    ]);
  });

  it("answers 400 for bad dates, a reversed range or a range over a year", async () => {
    for (const [query, field] of [
      ["start_date=2025-02-30", "start_date"],
      ["end_date=20250101", "end_date"],
      ["start_date=2025-06-10&end_date=2025-06-09", "end_date"],
      ["start_date=2024-01-01&end_date=2025-06-01", "end_date"],
    ] as const) {
      const { status, body } = await adminGet(`/api/reports/applicants/?${query}`);
      expect(status, query).toBe(400);
      expect(Object.keys(body.errors), query).toEqual([field]);
    }
  });
});
