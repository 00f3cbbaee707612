import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { call, signedIn } from "../../test/helpers/accounts";
import { withDatabase } from "../../test/helpers/database";
import { createTestUser } from "../../test/helpers/users";
import { companyProfiles, staffProfiles, users } from "../db/schema";

/** A word no other test uses, to find this test's rows in the shared database. */
const marker = () => `penanda${crypto.randomUUID().slice(0, 8)}`;

async function staffNamed(fullName: string, options: { phone?: string; isActive?: boolean } = {}) {
  const { user } = await createTestUser({ role: "STAFF", fullName, isActive: options.isActive });
  if (options.phone) {
    await withDatabase(({ db }) =>
      db
        .update(staffProfiles)
        .set({ contactPhone: options.phone })
        .where(eq(staffProfiles.userId, user.id)),
    );
  }
  return user;
}

describe("GET account lists", () => {
  it("GET /api/staff/ searches names, ANDs terms and filters is_active", async () => {
    const admin = await signedIn("ADMIN");
    const word = marker();
    const active = await staffNamed(`Budi ${word}`);
    const inactive = await staffNamed(`Budi ${word}`, { isActive: false });
    await staffNamed(`Ani ${word}`);

    const both = await call("GET", `/api/staff/?search=budi%20${word.toUpperCase()}`, admin.access);
    expect(both.response.status).toBe(200);
    expect(both.body.count).toBe(2);
    expect(both.body.results.map((row: { id: number }) => row.id).sort()).toEqual(
      [active.id, inactive.id].sort(),
    );
    expect(both.body.results[0].staff_profile).not.toBeNull();

    const onlyActive = await call(
      "GET",
      `/api/staff/?search=budi+${word}&is_active=true`,
      admin.access,
    );
    expect(onlyActive.body.results.map((row: { id: number }) => row.id)).toEqual([active.id]);
  });

  it("GET /api/staff/ searches the contact phone", async () => {
    const admin = await signedIn("ADMIN");
    const digits = String(Date.now()).slice(-9);
    const user = await staffNamed("Telepon", { phone: `08${digits}` });
    const { body } = await call("GET", `/api/staff/?search=${digits}`, admin.access);
    expect(body.results.map((row: { id: number }) => row.id)).toEqual([user.id]);
  });

  it("GET /api/companies/ searches the company name", async () => {
    const admin = await signedIn("ADMIN");
    const word = marker();
    const { user } = await createTestUser({ role: "COMPANY" });
    await withDatabase(({ db }) =>
      db
        .update(companyProfiles)
        .set({ companyName: `PT ${word}` })
        .where(eq(companyProfiles.userId, user.id)),
    );
    const { response, body } = await call("GET", `/api/companies/?search=${word}`, admin.access);
    expect(response.status).toBe(200);
    expect(body.results).toHaveLength(1);
    expect(body.results[0].company_profile.company_name).toBe(`PT ${word}`);
  });

  it("GET /api/admins/ filters email_verified and orders by full_name", async () => {
    const admin = await signedIn("ADMIN");
    const word = marker();
    const b = await createTestUser({ role: "ADMIN", fullName: `B ${word}`, emailVerified: true });
    const a = await createTestUser({ role: "ADMIN", fullName: `A ${word}`, emailVerified: true });
    await createTestUser({ role: "ADMIN", fullName: `C ${word}`, emailVerified: false });

    const query = `search=${word}&email_verified=true&ordering=full_name`;
    const { body } = await call("GET", `/api/admins/?${query}`, admin.access);
    expect(body.results.map((row: { id: number }) => row.id)).toEqual([a.user.id, b.user.id]);
    const reversed = await call(
      "GET",
      `/api/admins/?${query.replace("full_name", "-full_name")}`,
      admin.access,
    );
    expect(reversed.body.results.map((row: { id: number }) => row.id)).toEqual([
      b.user.id,
      a.user.id,
    ]);
  });

  it("GET /api/staff/ paginates with absolute next and previous links", async () => {
    const admin = await signedIn("ADMIN");
    const word = marker();
    for (let index = 0; index < 3; index++) await staffNamed(`Halaman ${word}`);

    const first = await call("GET", `/api/staff/?search=${word}&page_size=2`, admin.access);
    expect(first.body.count).toBe(3);
    expect(first.body.results).toHaveLength(2);
    expect(first.body.previous).toBeNull();
    const next = new URL(first.body.next);
    expect(next.searchParams.get("page")).toBe("2");
    expect(next.searchParams.get("search")).toBe(word);

    const second = await call("GET", `${next.pathname}${next.search}`, admin.access);
    expect(second.body.results).toHaveLength(1);
    expect(second.body.next).toBeNull();
    expect(second.body.previous).not.toBeNull();
    const ids = [...first.body.results, ...second.body.results].map((row) => row.id);
    expect(new Set(ids).size).toBe(3);
  });

  it("GET /api/staff/ answers 404 past the last page", async () => {
    const admin = await signedIn("ADMIN");
    const word = marker();
    const empty = await call("GET", `/api/staff/?search=${word}`, admin.access);
    expect(empty.response.status).toBe(200);
    expect(empty.body).toMatchObject({ count: 0, next: null, previous: null, results: [] });
    const past = await call("GET", `/api/staff/?search=${word}&page=2`, admin.access);
    expect(past.response.status).toBe(404);
    expect(past.body.code).toBe("not_found");
  });

  it.each([
    ["ordering=password_hash", "ordering"],
    ["is_active=yes", "is_active"],
    ["page=0", "page"],
    ["page_size=1e3", "page_size"],
    ["page=abc", "page"],
  ])("GET /api/admins/?%s answers 400", async (query, field) => {
    const admin = await signedIn("ADMIN");
    const { response, body } = await call("GET", `/api/admins/?${query}`, admin.access);
    expect(response.status).toBe(400);
    expect(body.code).toBe("validation_error");
    expect(body.errors[field]).toHaveLength(1);
  });

  it("GET /api/staff/ and GET /api/admins/ lower a page_size above 100 to 100", async () => {
    const admin = await signedIn("ADMIN");
    const word = marker();
    await staffNamed(`Batas ${word}`);
    const staff = await call("GET", `/api/staff/?search=${word}&page_size=101`, admin.access);
    expect(staff.response.status).toBe(200);
    expect(staff.body.count).toBe(1);
    expect(staff.body.results).toHaveLength(1);
    const admins = await call("GET", "/api/admins/?page_size=100000", admin.access);
    expect(admins.response.status).toBe(200);
    expect(admins.body.results.length).toBe(Math.min(admins.body.count, 100));
  });

  it("GET /api/staff/ treats % and _ in search as plain characters", async () => {
    const admin = await signedIn("ADMIN");
    const word = marker();
    await staffNamed(`Persen ${word}`);
    const { body } = await call("GET", `/api/staff/?search=${word}%25`, admin.access);
    expect(body.count).toBe(0);
  });

  it.each(["STAFF", "COMPANY", "APPLICANT"] as const)(
    "GET /api/companies/ answers 403 for %s",
    async (role) => {
      const caller = await signedIn(role);
      const { response } = await call("GET", "/api/companies/", caller.access);
      expect(response.status).toBe(403);
    },
  );

  it("GET /api/admins/ lists only admins", async () => {
    const admin = await signedIn("ADMIN");
    const word = marker();
    await createTestUser({ role: "STAFF", fullName: word });
    const { user } = await createTestUser({ role: "ADMIN", fullName: word });
    const { body } = await call("GET", `/api/admins/?search=${word}`, admin.access);
    expect(body.results.map((row: { id: number }) => row.id)).toEqual([user.id]);
    const stored = await withDatabase(({ db }) =>
      db.select().from(users).where(eq(users.id, user.id)),
    );
    expect(body.results[0].referral_code).toBe(stored[0]!.referralCode);
  });
});
