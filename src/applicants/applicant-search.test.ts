import { beforeAll, describe, expect, it, vi } from "vitest";
import {
  insertApplicants,
  randomNik,
  tokenFor,
  uniqueToken,
} from "../../test/helpers/applicant-fixtures";
import { api, readJson } from "../../test/helpers/http";
import { ensureRegionChain } from "../../test/helpers/regions";
import { createTestUser } from "../../test/helpers/users";
import { todayInJakarta } from "../lib/time";
import { yearsBefore } from "./applicant-filters";

// Every SQL statement the Worker sends, recorded through postgres.js's `debug` hook, so a test
// can count the statements of one request.
const statements: string[] = [];
vi.mock("postgres", async (importOriginal) => {
  const real = (await importOriginal()) as { default: (...args: unknown[]) => unknown };
  const withDebug = (url: string, options: Record<string, unknown>) =>
    real.default(url, { ...options, debug: (_: unknown, query: string) => statements.push(query) });
  return { ...real, default: withDebug };
});

let admin: string;

beforeAll(async () => {
  admin = (await tokenFor("ADMIN")).token;
});

async function listIds(query: string, token = admin): Promise<number[]> {
  const response = await api("GET", `/api/applicants/?page_size=100&${query}`, { token });
  const body = await readJson(response);
  expect(response.status, JSON.stringify(body)).toBe(200);
  return body.results.map((item: { id: number }) => item.id).sort((a: number, b: number) => a - b);
}

const sorted = (ids: number[]) => [...ids].sort((a, b) => a - b);

describe("GET /api/applicants/ filters", () => {
  it("filters by each profile column", async () => {
    const staff = await createTestUser({ role: "STAFF" });
    const region = await ensureRegionChain("97");
    const referrerId = staff.user.id;
    const [plain, matching] = await insertApplicants([
      { profile: { referrerId } },
      {
        profile: {
          referrerId,
          verificationStatus: "SUBMITTED",
          submittedAt: new Date(),
          gender: "F",
          religion: "HINDU",
          educationLevel: "D3",
          maritalStatus: "MENIKAH",
          provinceId: region.provinceId,
          districtId: region.regencyId,
        },
      },
    ]);
    const scope = `referrer=${referrerId}`;
    expect(await listIds(scope)).toEqual(sorted([plain!.userId, matching!.userId]));
    for (const filter of [
      "verification_status=SUBMITTED",
      "gender=F",
      "religion=HINDU",
      "education_level=D3",
      "marital_status=MENIKAH",
      `province=${region.provinceId}`,
      `district=${region.regencyId}`,
    ]) {
      expect(await listIds(`${scope}&${filter}`), filter).toEqual([matching!.userId]);
    }
  });

  it("filters by referrer_isnull, is_active and email_verified", async () => {
    const token = uniqueToken();
    const staff = await createTestUser({ role: "STAFF" });
    const [withReferrer, inactive, verified] = await insertApplicants([
      { fullName: `Ani ${token}`, profile: { referrerId: staff.user.id } },
      { fullName: `Budi ${token}`, isActive: false },
      { fullName: `Citra ${token}`, emailVerified: true },
    ]);
    expect(await listIds(`search=${token}&referrer_isnull=false`)).toEqual([withReferrer!.userId]);
    expect(await listIds(`search=${token}&referrer_isnull=true`)).toEqual(
      sorted([inactive!.userId, verified!.userId]),
    );
    expect(await listIds(`search=${token}&is_active=false`)).toEqual([inactive!.userId]);
    expect(await listIds(`search=${token}&email_verified=true`)).toEqual([verified!.userId]);
  });

  it("filters by age from the birth date on today's Jakarta date", async () => {
    const staff = await createTestUser({ role: "STAFF" });
    const today = todayInJakarta();
    const dayAfter = (date: string) => {
      const next = new Date(`${date}T00:00:00Z`);
      next.setUTCDate(next.getUTCDate() + 1);
      return next.toISOString().slice(0, 10);
    };
    const referrerId = staff.user.id;
    // Turned 20 today; turns 20 tomorrow (still 19); turned 30 today.
    const [twenty, nineteen, thirty] = await insertApplicants([
      { profile: { referrerId, birthDate: yearsBefore(today, 20) } },
      { profile: { referrerId, birthDate: dayAfter(yearsBefore(today, 20)) } },
      { profile: { referrerId, birthDate: yearsBefore(today, 30) } },
    ]);
    const scope = `referrer=${referrerId}`;
    expect(await listIds(`${scope}&age_min=20`)).toEqual(sorted([twenty!.userId, thirty!.userId]));
    expect(await listIds(`${scope}&age_max=19`)).toEqual([nineteen!.userId]);
    expect(await listIds(`${scope}&age_min=20&age_max=29`)).toEqual([twenty!.userId]);
    expect(await listIds(`${scope}&age_min=30&age_max=30`)).toEqual([thirty!.userId]);
  });

  it("filters created_at by inclusive Jakarta days", async () => {
    const staff = await createTestUser({ role: "STAFF" });
    const referrerId = staff.user.id;
    // 2025-03-10 in Jakarta runs from 2025-03-09T17:00Z to 2025-03-10T17:00Z.
    const [beforeStart, atStart, atEnd, afterEnd] = await insertApplicants([
      { profile: { referrerId, createdAt: new Date("2025-03-09T16:59:59.999Z") } },
      { profile: { referrerId, createdAt: new Date("2025-03-09T17:00:00.000Z") } },
      { profile: { referrerId, createdAt: new Date("2025-03-10T16:59:59.999Z") } },
      { profile: { referrerId, createdAt: new Date("2025-03-10T17:00:00.000Z") } },
    ]);
    const scope = `referrer=${referrerId}`;
    expect(
      await listIds(`${scope}&created_at_after=2025-03-10&created_at_before=2025-03-10`),
    ).toEqual(sorted([atStart!.userId, atEnd!.userId]));
    expect(await listIds(`${scope}&created_at_before=2025-03-09`)).toEqual([beforeStart!.userId]);
    expect(await listIds(`${scope}&created_at_after=2025-03-11`)).toEqual([afterEnd!.userId]);
  });

  it("leaves out users of other roles", async () => {
    const staff = await createTestUser({ role: "STAFF", fullName: `Staf ${uniqueToken()}` });
    const response = await api(
      "GET",
      `/api/applicants/?search=${staff.user.fullName.split(" ")[1]}`,
      {
        token: admin,
      },
    );
    const body = await readJson(response);
    expect(response.status).toBe(200);
    expect(body.count).toBe(0);
  });
});

describe("GET /api/applicants/ search", () => {
  it("matches part of a name, email, NIK or phone, case-insensitively", async () => {
    const token = uniqueToken();
    const nik = randomNik();
    const phone = `0812${nik.slice(0, 8)}`;
    const [named, other] = await insertApplicants([
      {
        fullName: `Siti ${token} Rahayu`,
        email: `${token}-siti@example.test`,
        profile: { nik, contactPhone: phone },
      },
      { fullName: `Dewi ${token}`, email: `${token}-dewi@example.test` },
    ]);
    const search = (term: string) => listIds(`search=${encodeURIComponent(term)}`);
    expect(await search(`${token.toUpperCase()} rahay`)).toEqual([named!.userId]);
    expect(await search(`${token}-SITI@`)).toEqual([named!.userId]);
    expect(await search(nik.slice(3, 13))).toEqual([named!.userId]);
    expect(await search(phone.slice(2))).toEqual([named!.userId]);
    expect(await search(token)).toEqual(sorted([named!.userId, other!.userId]));
    expect(await search(`${token} tidakada`)).toEqual([]);
  });

  it("GET /api/applicants/ matches terms found in different tables", async () => {
    const token = uniqueToken();
    const nik = randomNik();
    const [named] = await insertApplicants([
      { fullName: `Ayu ${token}`, profile: { nik } },
      { fullName: `Ayu ${token}`, profile: { nik: randomNik() } },
    ]);
    // The name term matches users, the NIK term applicant_profiles: both must hold.
    const found = await listIds(`search=${encodeURIComponent(`${token} ${nik.slice(4, 14)}`)}`);
    expect(found).toEqual([named!.userId]);
  });

  it("treats % and _ in a term as plain characters", async () => {
    const token = uniqueToken();
    const [literal] = await insertApplicants([
      { fullName: `Nama ${token}%_x` },
      { fullName: `Nama ${token}abx` },
    ]);
    expect(await listIds(`search=${encodeURIComponent(`${token}%_`)}`)).toEqual([literal!.userId]);
    expect(await listIds(`search=${encodeURIComponent(`${token}_`)}`)).toEqual([]);
  });
});

describe("GET /api/applicants/ items and statement count", () => {
  it("returns list-weight ApplicantUser items without nested documents", async () => {
    const staff = await createTestUser({ role: "STAFF" });
    const [applicant] = await insertApplicants([{ profile: { referrerId: staff.user.id } }]);
    const response = await api("GET", `/api/applicants/?referrer=${staff.user.id}`, {
      token: admin,
    });
    const body = await readJson(response);
    expect(response.status).toBe(200);
    const item = body.results[0];
    expect(item.id).toBe(applicant!.userId);
    expect(item.role).toBe("APPLICANT");
    expect(item.applicant_profile.id).toBe(applicant!.profileId);
    expect(item.applicant_profile.referrer).toBe(staff.user.id);
    expect(item).not.toHaveProperty("password");
    expect(item).not.toHaveProperty("password_hash");
    expect(item.applicant_profile).not.toHaveProperty("documents");
    expect(item.applicant_profile).not.toHaveProperty("work_experiences");
  });

  it("sends the same statements for a page of 1 row and of 50", async () => {
    const staff = await createTestUser({ role: "STAFF" });
    await insertApplicants(
      Array.from({ length: 50 }, () => ({ profile: { referrerId: staff.user.id } })),
    );
    const countFor = async (path: string) => {
      statements.length = 0;
      const response = await api("GET", path, { token: admin });
      const body = await readJson(response);
      expect(response.status).toBe(200);
      return { statements: statements.length, results: body.results.length };
    };
    const base = `/api/applicants/?referrer=${staff.user.id}`;
    const small = await countFor(`${base}&page_size=1`);
    const large = await countFor(`${base}&page_size=50`);
    expect(small.results).toBe(1);
    expect(large.results).toBe(50);
    // The session check of requireAuth, the COUNT and the page.
    expect(small.statements).toBe(3);
    expect(large.statements).toBe(3);

    const cursorSmall = await countFor(`${base}&pagination=cursor&page_size=1`);
    const cursorLarge = await countFor(`${base}&pagination=cursor&page_size=50`);
    // The session check and the page: cursor mode has no COUNT.
    expect(cursorSmall.statements).toBe(2);
    expect(cursorLarge.statements).toBe(2);
  });
});

describe("GET /api/applicants/ permissions and bad input", () => {
  it("lets ADMIN and STAFF in and answers 403 to COMPANY and APPLICANT", async () => {
    for (const [role, status] of [
      ["ADMIN", 200],
      ["STAFF", 200],
      ["COMPANY", 403],
      ["APPLICANT", 403],
    ] as const) {
      const { token } = await tokenFor(role);
      const response = await api("GET", "/api/applicants/?page_size=1", { token });
      const body = await readJson(response);
      expect(response.status, role).toBe(status);
      if (status === 403) expect(body.code).toBe("permission_denied");
    }
  });

  it("answers 401 without credentials", async () => {
    const response = await api("GET", "/api/applicants/");
    expect(response.status).toBe(401);
    expect((await readJson(response)).code).toBe("not_authenticated");
  });

  it("answers 400 naming the parameter for a bad value", async () => {
    for (const [query, parameter] of [
      ["verification_status=DONE", "verification_status"],
      ["referrer=abc", "referrer"],
      ["referrer=0", "referrer"],
      ["referrer_isnull=yes", "referrer_isnull"],
      ["gender=X", "gender"],
      ["religion=islam", "religion"],
      ["education_level=SD", "education_level"],
      ["marital_status=SINGLE", "marital_status"],
      ["province=-1", "province"],
      ["district=1.5", "district"],
      ["age_min=abc", "age_min"],
      ["age_max=999", "age_max"],
      ["created_at_after=2025-13-01", "created_at_after"],
      ["created_at_before=yesterday", "created_at_before"],
      ["is_active=1", "is_active"],
      ["email_verified=ya", "email_verified"],
      ["ordering=password_hash", "ordering"],
      ["ordering=email,-email", "ordering"],
      ["page=0", "page"],
      ["page_size=0", "page_size"],
      ["pagination=offset", "pagination"],
      [`search=${"a ".repeat(11)}`, "search"],
      [`search=${"a".repeat(201)}`, "search"],
    ] as const) {
      const response = await api("GET", `/api/applicants/?${query}`, { token: admin });
      const body = await readJson(response);
      expect(response.status, query).toBe(400);
      expect(body.code, query).toBe("validation_error");
      expect(Object.keys(body.errors), query).toEqual([parameter]);
    }
  });

  it("answers 404 for a page past the last one", async () => {
    const staff = await createTestUser({ role: "STAFF" });
    await insertApplicants([{ profile: { referrerId: staff.user.id } }]);
    const response = await api("GET", `/api/applicants/?referrer=${staff.user.id}&page=2`, {
      token: admin,
    });
    expect(response.status).toBe(404);
    expect((await readJson(response)).code).toBe("not_found");
  });
});
