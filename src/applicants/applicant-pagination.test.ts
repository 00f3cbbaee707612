import { beforeAll, describe, expect, it } from "vitest";
import { insertApplicants, tokenFor, uniqueToken } from "../../test/helpers/applicant-fixtures";
import { api, BASE_URL, readJson } from "../../test/helpers/http";
import { createTestUser } from "../../test/helpers/users";

let admin: string;

beforeAll(async () => {
  admin = (await tokenFor("ADMIN")).token;
});

async function getJson(pathOrUrl: string) {
  const path = pathOrUrl.startsWith(BASE_URL) ? pathOrUrl.slice(BASE_URL.length) : pathOrUrl;
  const response = await api("GET", path, { token: admin });
  return { status: response.status, body: await readJson(response) };
}

/**
 * Six applicants of one new referrer, in pairs that tie on every ordering field, so ordering
 * by any field must fall back to the id to be stable.
 */
async function tiedApplicants() {
  const staff = await createTestUser({ role: "STAFF" });
  const token = uniqueToken();
  const base = new Date("2025-01-01T00:00:00Z").getTime();
  const pairs = [0, 1, 2];
  const specs = pairs.flatMap((pair) =>
    [0, 1].map((member) => ({
      email: `${token}-${pair}${member === 0 ? "" : "b"}@example.test`,
      fullName: `Nama ${pair}`,
      dateJoined: new Date(base + pair * 1000),
      profile: {
        referrerId: staff.user.id,
        verificationStatus: (["DRAFT", "REJECTED", "SUBMITTED"] as const)[pair],
        submittedAt: pair === 0 ? null : new Date(base),
        verifiedAt: pair === 1 ? new Date(base) : null,
        createdAt: new Date(base + pair * 1000),
        updatedAt: new Date(base),
        score: pair * 10.5,
      },
    })),
  );
  const inserted = await insertApplicants(specs);
  return { referrerId: staff.user.id, ids: inserted.map((row) => row.userId) };
}

describe("GET /api/applicants/ ordering", () => {
  it("orders by each field in both directions with ties broken by id", async () => {
    const { referrerId, ids } = await tiedApplicants();
    // ids come in pairs: [pair 0: a, b], [pair 1: a, b], [pair 2: a, b]; within a pair the
    // first id is smaller. Email differs inside a pair ("-0@" before "-0b@").
    const ascending = ids;
    const descending = [ids[5], ids[4], ids[3], ids[2], ids[1], ids[0]];
    const cases: [string, (number | undefined)[]][] = [
      ["email", ascending],
      ["-email", descending],
      ["full_name", ascending],
      ["-full_name", descending],
      ["date_joined", ascending],
      ["-date_joined", descending],
      ["applicant_profile__created_at", ascending],
      ["-applicant_profile__created_at", descending],
      ["applicant_profile__score", ascending],
      ["-applicant_profile__score", descending],
      // Alphabetical: DRAFT (pair 0), REJECTED (pair 1), SUBMITTED (pair 2).
      ["applicant_profile__verification_status", ascending],
      ["-applicant_profile__verification_status", descending],
      // Equal everywhere: the id decides, in the direction of the field.
      ["updated_at", ascending],
      ["-updated_at", descending],
      // Mixed directions: name descending, then email ascending inside each pair.
      ["-full_name,email", [ids[4], ids[5], ids[2], ids[3], ids[0], ids[1]]],
    ];
    for (const [ordering, expected] of cases) {
      const { status, body } = await getJson(
        `/api/applicants/?referrer=${referrerId}&ordering=${ordering}`,
      );
      expect(status, ordering).toBe(200);
      expect(
        body.results.map((item: { id: number }) => item.id),
        ordering,
      ).toEqual(expected);
    }
  });

  it("defaults to the newest profile first", async () => {
    const { referrerId, ids } = await tiedApplicants();
    const { body } = await getJson(`/api/applicants/?referrer=${referrerId}`);
    expect(body.results.map((item: { id: number }) => item.id)).toEqual([...ids].reverse());
  });
});

describe("GET /api/applicants/ page pagination", () => {
  it("walks forwards and back through next and previous links", async () => {
    const { referrerId, ids } = await tiedApplicants();
    const first = await getJson(
      `/api/applicants/?referrer=${referrerId}&ordering=email&page_size=4`,
    );
    expect(first.body.count).toBe(6);
    expect(first.body.previous).toBeNull();
    expect(first.body.results.map((item: { id: number }) => item.id)).toEqual(ids.slice(0, 4));
    expect(first.body.next).toMatch(/^http:\/\/api\.test\/api\/applicants\/\?.*page=2/);

    const second = await getJson(first.body.next);
    expect(second.body.results.map((item: { id: number }) => item.id)).toEqual(ids.slice(4));
    expect(second.body.next).toBeNull();
    const back = await getJson(second.body.previous);
    expect(back.body.results.map((item: { id: number }) => item.id)).toEqual(ids.slice(0, 4));
  });
});

describe("page and page_size parameters", () => {
  it("GET /api/applicants/ lowers a page_size above 100 to 100", async () => {
    const staff = await createTestUser({ role: "STAFF" });
    await insertApplicants(
      Array.from({ length: 101 }, () => ({ profile: { referrerId: staff.user.id } })),
    );
    for (const size of ["101", "500", "9".repeat(400)]) {
      const { status, body } = await getJson(
        `/api/applicants/?referrer=${staff.user.id}&page_size=${size}`,
      );
      expect(status, size).toBe(200);
      expect(body.count, size).toBe(101);
      expect(body.results, size).toHaveLength(100);
      expect(body.next, size).toMatch(/[?&]page=2(&|$)/);
    }
  });

  it("GET /api/applicants/ answers 400 naming page or page_size for a non-canonical value", async () => {
    for (const [query, parameter] of [
      ["page=1e3", "page"],
      ["page=Infinity", "page"],
      ["page=01", "page"],
      ["page=%201", "page"],
      ["page=1.0", "page"],
      ["page=0x2", "page"],
      ["page=1000001", "page"],
      ["page=1&page=2", "page"],
      ["page_size=1e3", "page_size"],
      ["page_size=Infinity", "page_size"],
      ["page_size=-5", "page_size"],
      ["page_size=", "page_size"],
      ["page_size=10&page_size=10", "page_size"],
    ] as const) {
      const { status, body } = await getJson(`/api/applicants/?${query}`);
      expect(status, query).toBe(400);
      expect(body.code, query).toBe("validation_error");
      expect(Object.keys(body.errors), query).toEqual([parameter]);
      expect(body.errors[parameter][0], query).toContain(`Parameter ${parameter} `);
    }
  });

  it("GET /api/applicants/ says a repeated page parameter may be sent only once", async () => {
    const { body } = await getJson("/api/applicants/?page=1&page=2");
    expect(body.errors.page).toEqual(["Parameter page hanya boleh dikirim satu kali."]);
  });

  it("page-paginated lists share the page rules", async () => {
    const applicant = await tokenFor("APPLICANT");
    const staffToken = (await tokenFor("STAFF")).token;
    const paths: [string, string][] = [
      ["/api/applicant-profiles/", staffToken],
      ["/api/document-types/", admin],
      ["/api/applicants/me/documents/", applicant.token],
      ["/api/applicants/me/work_experiences/", applicant.token],
    ];
    for (const [path, token] of paths) {
      for (const query of ["page=1e3", "page=1&page=2", "page_size=Infinity"]) {
        const response = await api("GET", `${path}?${query}`, { token });
        expect(response.status, `${path}?${query}`).toBe(400);
        expect((await readJson(response)).code, `${path}?${query}`).toBe("validation_error");
      }
      const clamped = await api("GET", `${path}?page_size=1000`, { token });
      expect(clamped.status, path).toBe(200);
    }
  });
});

describe("GET /api/applicants/ cursor pagination", () => {
  it("walks to the end and back with opaque cursors", async () => {
    const { referrerId, ids } = await tiedApplicants();
    const start = `/api/applicants/?referrer=${referrerId}&ordering=-full_name,email&pagination=cursor&page_size=4`;
    const expected = [ids[4], ids[5], ids[2], ids[3], ids[0], ids[1]];
    const first = await getJson(start);
    expect(first.status).toBe(200);
    expect(first.body).not.toHaveProperty("count");
    expect(first.body.previous).toBeNull();
    expect(first.body.results.map((item: { id: number }) => item.id)).toEqual(expected.slice(0, 4));

    const cursor = new URL(first.body.next).searchParams.get("cursor") ?? "";
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    const last = await getJson(first.body.next);
    expect(last.body.results.map((item: { id: number }) => item.id)).toEqual(expected.slice(4));
    expect(last.body.next).toBeNull();
    expect(last.body.previous).not.toBeNull();

    const back = await getJson(last.body.previous);
    expect(back.body.results.map((item: { id: number }) => item.id)).toEqual(expected.slice(0, 4));
    expect(back.body.previous).toBeNull();
    expect(back.body.next).not.toBeNull();
  });

  it("keeps microsecond timestamps apart across pages", async () => {
    const staff = await createTestUser({ role: "STAFF" });
    // One insert per row gives each profile its own now(), with microseconds that a cursor
    // rounded to milliseconds would lose, repeating or skipping rows.
    const inserted = [];
    for (let index = 0; index < 5; index++) {
      inserted.push(...(await insertApplicants([{ profile: { referrerId: staff.user.id } }])));
    }
    const seen: number[] = [];
    let next: string | null =
      `/api/applicants/?referrer=${staff.user.id}&pagination=cursor&page_size=2`;
    while (next) {
      const page = await getJson(next);
      expect(page.status).toBe(200);
      seen.push(...page.body.results.map((item: { id: number }) => item.id));
      next = page.body.next;
    }
    expect([...seen].sort((a, b) => a - b)).toEqual(
      inserted.map((row) => row.userId).sort((a, b) => a - b),
    );
  });

  it("answers 400 for a tampered, malformed or foreign cursor", async () => {
    const { referrerId } = await tiedApplicants();
    const first = await getJson(
      `/api/applicants/?referrer=${referrerId}&pagination=cursor&page_size=2&ordering=email`,
    );
    const cursor = new URL(first.body.next).searchParams.get("cursor") as string;
    const [payload, signature] = cursor.split(".") as [string, string];
    const forged = btoa(JSON.stringify({ o: "email", d: "n", v: ["a@example.test", "1"] }))
      .replace(/\+/g, "-")
      .replace(/\//g, "_")
      .replace(/=+$/, "");
    const flipped = `${payload.slice(0, -1)}${payload.endsWith("A") ? "B" : "A"}.${signature}`;
    for (const bad of [
      flipped,
      `${forged}.${signature}`,
      "not-a-cursor",
      `${payload}.`,
      `${cursor}.extra`,
    ]) {
      const response = await getJson(
        `/api/applicants/?referrer=${referrerId}&ordering=email&cursor=${encodeURIComponent(bad)}`,
      );
      expect(response.status, bad).toBe(400);
      expect(response.body.code).toBe("validation_error");
      expect(Object.keys(response.body.errors)).toEqual(["cursor"]);
    }
    const otherOrdering = await getJson(
      `/api/applicants/?referrer=${referrerId}&ordering=-email&cursor=${cursor}`,
    );
    expect(otherOrdering.status).toBe(400);
  });
});
