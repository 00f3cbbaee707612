import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { users } from "../../src/db/schema";
import {
  type InsertedApplicant,
  insertApplicants,
  tokenFor,
  uniqueToken,
} from "../../test/helpers/applicant-fixtures";
import { withDatabase } from "../../test/helpers/database";
import { api, readJson } from "../../test/helpers/http";
import { ensureRegionChain } from "../../test/helpers/regions";

// A list reads `applicant_profiles` alone when no filter and no ordering field reads a `users`
// column, and joins `users` otherwise. Adding `is_active=true` to a query forces the join
// without changing which rows match (every applicant here is active), so the two shapes can be
// compared on the same data. Pages past the middle of a list are read in reverse order.

let admin: string;

beforeAll(async () => {
  admin = (await tokenFor("ADMIN")).token;
});

interface ListBody {
  count: number;
  next: string | null;
  results: { id: number }[];
}

async function list(path: string, token = admin): Promise<{ status: number; body: ListBody }> {
  const response = await api("GET", path, { token });
  return { status: response.status, body: (await readJson(response)) as ListBody };
}

const idsOf = (body: ListBody) => body.results.map((item) => item.id);

/**
 * Seven applicants of a new STAFF referrer with distinct creation times, scores with ties,
 * three names (indexes 0, 3 and 6) containing a shared word and two rows in a test regency.
 */
async function referredApplicants() {
  const staff = await tokenFor("STAFF");
  const region = await ensureRegionChain("98");
  const word = uniqueToken();
  const base = Date.parse("2025-03-01T00:00:00Z");
  const specs = [0, 1, 2, 3, 4, 5, 6].map((index) => ({
    fullName: index % 3 === 0 ? `Siti ${word} ${index}` : `Budi Lain ${index}`,
    profile: {
      referrerId: staff.user.id,
      verificationStatus: index % 2 === 0 ? ("SUBMITTED" as const) : ("DRAFT" as const),
      submittedAt: index % 2 === 0 ? new Date(base) : null,
      createdAt: new Date(base + index * 60_000),
      score: (index * 7) % 5,
      ...(index < 2
        ? {
            provinceId: region.provinceId,
            districtId: region.regencyId,
            villageId: region.villageId,
          }
        : {}),
    },
  }));
  const applicants = await insertApplicants(specs);
  return { staff, word, applicants, districtId: region.regencyId };
}

/** User ids of `applicants` at `indexes`, newest profile first (the default ordering). */
function newestFirst(applicants: InsertedApplicant[], indexes: number[]): number[] {
  return [...indexes].sort((a, b) => b - a).map((index) => applicants[index]?.userId as number);
}

describe("GET /api/applicants/ query shapes", () => {
  it("returns the same count and rows with and without the users join", async () => {
    const { staff, word, applicants, districtId } = await referredApplicants();
    const referrer = `referrer=${staff.user.id}`;
    const cases: [string, number[]][] = [
      [referrer, [0, 1, 2, 3, 4, 5, 6]],
      [`${referrer}&verification_status=SUBMITTED`, [0, 2, 4, 6]],
      [`${referrer}&search=${word}`, [0, 3, 6]],
      [`${referrer}&search=siti%20${word}&verification_status=SUBMITTED`, [0, 6]],
      [`${referrer}&district=${districtId}`, [0, 1]],
      [`${referrer}&district=${districtId}&search=${word}`, [0]],
    ];
    for (const [query, indexes] of cases) {
      const expected = newestFirst(applicants, indexes);
      const alone = await list(`/api/applicants/?${query}`);
      const joined = await list(`/api/applicants/?${query}&is_active=true`);
      expect(alone.status, query).toBe(200);
      expect(joined.status, query).toBe(200);
      expect(alone.body.count, query).toBe(indexes.length);
      expect(joined.body.count, query).toBe(indexes.length);
      expect(idsOf(alone.body), query).toEqual(expected);
      expect(idsOf(joined.body), query).toEqual(expected);
    }
  });

  it("leaves out a profile whose user's role changed", async () => {
    const { staff, applicants } = await referredApplicants();
    const moved = applicants[3] as InsertedApplicant;
    await withDatabase(({ db }) =>
      db.update(users).set({ role: "COMPANY" }).where(eq(users.id, moved.userId)),
    );
    const expected = newestFirst(applicants, [0, 1, 2, 4, 5, 6]);
    for (const suffix of ["", "&is_active=true", "&verification_status=DRAFT"]) {
      const { status, body } = await list(`/api/applicants/?referrer=${staff.user.id}${suffix}`);
      expect(status, suffix).toBe(200);
      expect(idsOf(body), suffix).not.toContain(moved.userId);
      const remaining = suffix.includes("DRAFT") ? newestFirst(applicants, [1, 5]) : expected;
      expect(body.count, suffix).toBe(remaining.length);
      expect(idsOf(body), suffix).toEqual(remaining);
    }
    const own = await list("/api/staff/me/applicants/", staff.token);
    expect(own.body.count).toBe(6);
    expect(idsOf(own.body)).toEqual(expected);
  });

  it("returns pages past the middle in the same order as a single page", async () => {
    const { staff } = await referredApplicants();
    const orderings = ["-applicant_profile__created_at", "applicant_profile__score", "full_name"];
    for (const ordering of orderings) {
      const base = `/api/applicants/?referrer=${staff.user.id}&ordering=${ordering}`;
      const whole = await list(`${base}&page_size=100`);
      expect(whole.body.count, ordering).toBe(7);
      const paged: number[] = [];
      for (const page of [1, 2, 3, 4]) {
        const { status, body } = await list(`${base}&page_size=2&page=${page}`);
        expect(status, `${ordering} page ${page}`).toBe(200);
        expect(body.count, `${ordering} page ${page}`).toBe(7);
        paged.push(...idsOf(body));
      }
      expect(paged, ordering).toEqual(idsOf(whole.body));
      const past = await list(`${base}&page_size=2&page=5`);
      expect(past.status, ordering).toBe(404);
    }
  });

  it("GET /api/applicant-profiles/ pages past the middle match a single page", async () => {
    const { staff, applicants } = await referredApplicants();
    const base = `/api/applicant-profiles/?referrer=${staff.user.id}`;
    const whole = await list(`${base}&page_size=100`);
    const paged: number[] = [];
    for (const page of [1, 2, 3]) {
      const { status, body } = await list(`${base}&page_size=3&page=${page}`);
      expect(status, `page ${page}`).toBe(200);
      paged.push(...idsOf(body));
    }
    const profileIds = [...applicants].reverse().map((applicant) => applicant.profileId);
    expect(idsOf(whole.body)).toEqual(profileIds);
    expect(paged).toEqual(profileIds);
  });
});

describe("GET /api/staff/me/applicants/ query shape", () => {
  it("lists the same rows as GET /api/applicants/ filtered by referrer", async () => {
    const { staff, word } = await referredApplicants();
    for (const query of ["", `search=${word}`, "verification_status=DRAFT", "is_active=true"]) {
      const own = await list(`/api/staff/me/applicants/?${query}`, staff.token);
      const all = await list(`/api/applicants/?referrer=${staff.user.id}&${query}`);
      expect(own.status, query).toBe(200);
      expect(own.body.count, query).toBe(all.body.count);
      expect(idsOf(own.body), query).toEqual(idsOf(all.body));
    }
    const paged: number[] = [];
    for (const page of [1, 2, 3, 4]) {
      const { body } = await list(
        `/api/staff/me/applicants/?page_size=2&page=${page}`,
        staff.token,
      );
      paged.push(...idsOf(body));
    }
    const whole = await list(`/api/applicants/?referrer=${staff.user.id}&page_size=100`);
    expect(paged).toEqual(idsOf(whole.body));
  });

  it("keeps a client's referrer filter inside the caller's referrals", async () => {
    const { staff } = await referredApplicants();
    const other = await referredApplicants();
    const query = `referrer=${other.staff.user.id}`;
    const { status, body } = await list(`/api/staff/me/applicants/?${query}`, staff.token);
    expect(status).toBe(200);
    expect(body.count).toBe(0);
    expect(body.results).toEqual([]);
  });
});
