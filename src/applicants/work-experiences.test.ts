import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { withDatabase } from "../../test/helpers/database";
import { api, readJson } from "../../test/helpers/http";
import { createTestUser, loginAs } from "../../test/helpers/users";
import { applicantProfiles, workExperiences } from "../db/schema";

const OWN = "/api/applicants/me/work_experiences/";
const ofUser = (userId: number | string) => `/api/applicants/${userId}/work_experiences/`;

async function signedIn(role: "APPLICANT" | "STAFF" | "ADMIN" | "COMPANY" = "APPLICANT") {
  const created = await createTestUser({ role });
  const { access } = await loginAs(created.user.email, created.password);
  return { ...created, access };
}

async function storedEntries(userId: number) {
  return withDatabase(async ({ db }) => {
    const [profile] = await db
      .select({ id: applicantProfiles.id })
      .from(applicantProfiles)
      .where(eq(applicantProfiles.userId, userId));
    return db
      .select()
      .from(workExperiences)
      .where(eq(workExperiences.applicantProfileId, profile!.id));
  });
}

async function create(token: string, json: unknown, path = OWN) {
  const response = await api("POST", path, { token, json });
  return { response, body: await readJson(response) };
}

const valid = {
  company_name: "PT Sinar Elektronik",
  location: "Batam",
  country: "id",
  industry_type: "ELEKTRONIK",
  position: "Operator",
  start_date: "2019-02-01",
  end_date: "2021-06-30",
};

describe("work experiences of the signed-in applicant", () => {
  it("POST /api/applicants/me/work_experiences/ creates an entry and returns it raw", async () => {
    const { user, access } = await signedIn();
    const { response, body } = await create(access, valid);
    expect(response.status).toBe(201);
    expect(body.company_name).toBe("PT Sinar Elektronik");
    expect(body.country).toBe("ID");
    expect(body.still_employed).toBe(false);
    expect(body.created_at).toMatch(/\+07:00$/);
    const stored = await storedEntries(user.id);
    expect(stored).toHaveLength(1);
    expect(stored[0]!.industryType).toBe("ELEKTRONIK");
  });

  it("GET /api/applicants/me/work_experiences/ lists in sort_order, -end_date, -start_date", async () => {
    const { access } = await signedIn();
    await create(access, { company_name: "A", start_date: "2015-01-01", end_date: "2016-01-01" });
    await create(access, { company_name: "B", start_date: "2017-01-01", end_date: "2018-01-01" });
    await create(access, { company_name: "C", start_date: "2019-01-01", still_employed: true });
    await create(access, { company_name: "D", sort_order: 1 });
    await create(access, { company_name: "E", start_date: "2016-06-01", end_date: "2018-01-01" });
    const response = await api("GET", OWN, { token: access });
    expect(response.status).toBe(200);
    const body = await readJson(response);
    expect(body.count).toBe(5);
    expect(body.next).toBeNull();
    expect(body.previous).toBeNull();
    expect(body.results.map((entry: { company_name: string }) => entry.company_name)).toEqual([
      "C",
      "B",
      "E",
      "A",
      "D",
    ]);
  });

  it("GET /api/applicants/me/work_experiences/ paginates with absolute links", async () => {
    const { access } = await signedIn();
    for (const name of ["A", "B", "C"]) await create(access, { company_name: name });
    const first = await readJson(await api("GET", `${OWN}?page_size=2`, { token: access }));
    expect(first.count).toBe(3);
    expect(first.results).toHaveLength(2);
    expect(first.next).toBe(
      "http://api.test/api/applicants/me/work_experiences/?page_size=2&page=2",
    );
    expect(first.previous).toBeNull();
    const second = await readJson(
      await api("GET", first.next.replace("http://api.test", ""), { token: access }),
    );
    expect(second.results).toHaveLength(1);
    expect(second.next).toBeNull();
    expect(second.previous).toBe("http://api.test/api/applicants/me/work_experiences/?page_size=2");

    const past = await api("GET", `${OWN}?page=3&page_size=2`, { token: access });
    expect(past.status).toBe(404);
    expect((await readJson(past)).code).toBe("not_found");
    const junk = await api("GET", `${OWN}?page=abc`, { token: access });
    expect(junk.status).toBe(400);
    const capped = await readJson(await api("GET", `${OWN}?page_size=1000`, { token: access }));
    expect(capped.results).toHaveLength(3);
  });

  it("GET /api/applicants/me/work_experiences/ returns an empty first page", async () => {
    const { access } = await signedIn();
    const body = await readJson(await api("GET", OWN, { token: access }));
    expect(body).toEqual({ count: 0, next: null, previous: null, results: [] });
  });

  it("GET, PUT, PATCH and DELETE /api/applicants/me/work_experiences/{id}/ act on the own entry", async () => {
    const { user, access } = await signedIn();
    const { body: created } = await create(access, valid);
    const path = `${OWN}${created.id}/`;

    const shown = await api("GET", path, { token: access });
    expect(shown.status).toBe(200);
    expect((await readJson(shown)).position).toBe("Operator");

    const patched = await api("PATCH", path, { token: access, json: { position: "Leader" } });
    expect(patched.status).toBe(200);
    const patchedBody = await readJson(patched);
    expect(patchedBody.position).toBe("Leader");
    expect(patchedBody.location).toBe("Batam");

    // PUT replaces: the fields it leaves out go back to their defaults.
    const put = await api("PUT", path, { token: access, json: { company_name: "PT Baru" } });
    expect(put.status).toBe(200);
    const putBody = await readJson(put);
    expect(putBody.company_name).toBe("PT Baru");
    expect(putBody.location).toBe("");
    expect(putBody.start_date).toBeNull();

    const deleted = await api("DELETE", path, { token: access });
    expect(deleted.status).toBe(204);
    expect(await storedEntries(user.id)).toHaveLength(0);
    expect((await api("GET", path, { token: access })).status).toBe(404);
  });

  it("/api/applicants/me/work_experiences/{id}/ answers 404 for another applicant's entry and changes nothing", async () => {
    const owner = await signedIn();
    const { body: created } = await create(owner.access, valid);
    const intruder = await signedIn();
    const path = `${OWN}${created.id}/`;
    for (const [method, json] of [
      ["GET", undefined],
      ["PATCH", { position: "Hacked" }],
      ["PUT", { company_name: "Hacked" }],
      ["DELETE", undefined],
    ] as const) {
      const response = await api(method, path, { token: intruder.access, json });
      expect(response.status).toBe(404);
      expect((await readJson(response)).code).toBe("not_found");
    }
    const [stored] = await storedEntries(owner.user.id);
    expect(stored!.companyName).toBe("PT Sinar Elektronik");
    expect(stored!.position).toBe("Operator");
  });

  it("/api/applicants/me/work_experiences/{id}/ answers 404 for junk and unknown ids", async () => {
    const { access } = await signedIn();
    for (const junk of ["abc", "-1", "0", "1.5", "99999999999"]) {
      const response = await api("GET", `${OWN}${junk}/`, { token: access });
      expect(response.status).toBe(404);
      expect((await readJson(response)).code).toBe("not_found");
    }
    const unknown = await api("GET", `${OWN}2147483647/`, { token: access });
    expect(unknown.status).toBe(404);
  });

  it("POST /api/applicants/me/work_experiences/ rejects bad input and stores nothing", async () => {
    const { user, access } = await signedIn();
    const cases: [unknown, string][] = [
      [{ location: "Batam" }, "company_name"],
      [{ company_name: "   " }, "company_name"],
      [{ company_name: "x".repeat(256) }, "company_name"],
      [{ company_name: 42 }, "company_name"],
      [{ ...valid, country: "XX" }, "country"],
      [{ ...valid, country: "IDN" }, "country"],
      [{ ...valid, industry_type: "PERTANIAN" }, "industry_type"],
      [{ ...valid, start_date: "01-02-2019" }, "start_date"],
      [{ ...valid, end_date: "2018-01-01" }, "end_date"],
      [{ ...valid, still_employed: true }, "end_date"],
      [{ ...valid, still_employed: "yes" }, "still_employed"],
      [{ ...valid, sort_order: -1 }, "sort_order"],
      [{ ...valid, description: "x".repeat(5001) }, "description"],
    ];
    for (const [json, field] of cases) {
      const { response, body } = await create(access, json);
      expect(response.status, JSON.stringify(json).slice(0, 80)).toBe(400);
      expect(body.code).toBe("validation_error");
      expect(Object.keys(body.errors)).toContain(field);
    }
    expect(await storedEntries(user.id)).toHaveLength(0);
  });

  it("POST /api/applicants/me/work_experiences/ accepts a current job without an end date", async () => {
    const { access } = await signedIn();
    const { response, body } = await create(access, {
      company_name: "PT Kini",
      start_date: "2022-01-01",
      still_employed: true,
      country: "MY",
    });
    expect(response.status).toBe(201);
    expect(body.end_date).toBeNull();
    expect(body.still_employed).toBe(true);
  });

  it("PATCH /api/applicants/me/work_experiences/{id}/ checks the rules on the merged entry", async () => {
    const { user, access } = await signedIn();
    const { body: created } = await create(access, valid);
    const response = await api("PATCH", `${OWN}${created.id}/`, {
      token: access,
      json: { start_date: "2022-01-01" },
    });
    expect(response.status).toBe(400);
    expect(Object.keys((await readJson(response)).errors)).toEqual(["end_date"]);
    const [stored] = await storedEntries(user.id);
    expect(stored!.startDate).toBe("2019-02-01");
  });

  it("/api/applicants/me/work_experiences/ answers 403 for staff and 401 without a token", async () => {
    const { access } = await signedIn("STAFF");
    expect((await api("GET", OWN, { token: access })).status).toBe(403);
    expect((await api("GET", OWN)).status).toBe(401);
  });

  it("POST /api/applicants/me/work_experiences/ answers 415 for a form body", async () => {
    const { access } = await signedIn();
    const response = await api("POST", OWN, {
      token: access,
      body: "company_name=x",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
    });
    expect(response.status).toBe(415);
  });
});

describe("work experiences of an applicant, for the back-office", () => {
  it("/api/applicants/{user_id}/work_experiences/ gives admins and staff full CRUD", async () => {
    const applicant = await signedIn();
    for (const role of ["ADMIN", "STAFF"] as const) {
      const { access } = await signedIn(role);
      const created = await create(access, valid, ofUser(applicant.user.id));
      expect(created.response.status).toBe(201);
      const path = `${ofUser(applicant.user.id)}${created.body.id}/`;
      expect((await api("GET", path, { token: access })).status).toBe(200);
      const patched = await api("PATCH", path, { token: access, json: { department: "QC" } });
      expect((await readJson(patched)).department).toBe("QC");
      const list = await readJson(await api("GET", ofUser(applicant.user.id), { token: access }));
      expect(list.count).toBe(1);
      expect((await api("DELETE", path, { token: access })).status).toBe(204);
    }
    expect(await storedEntries(applicant.user.id)).toHaveLength(0);
  });

  it("/api/applicants/{user_id}/work_experiences/ answers 403 for applicants and companies", async () => {
    const target = await signedIn();
    for (const role of ["APPLICANT", "COMPANY"] as const) {
      const { access } = await signedIn(role);
      const response = await api("GET", ofUser(target.user.id), { token: access });
      expect(response.status).toBe(403);
      const created = await create(access, valid, ofUser(target.user.id));
      expect(created.response.status).toBe(403);
    }
    expect(await storedEntries(target.user.id)).toHaveLength(0);
  });

  it("/api/applicants/{user_id}/work_experiences/ answers 404 for a non-applicant, unknown or malformed user id", async () => {
    const { user: staff, access } = await signedIn("ADMIN");
    expect((await api("GET", ofUser(staff.id), { token: access })).status).toBe(404);
    expect((await api("GET", ofUser(2_147_483_647), { token: access })).status).toBe(404);
    expect((await api("GET", ofUser("abc"), { token: access })).status).toBe(404);
  });

  it("/api/applicants/{user_id}/work_experiences/{id}/ answers 404 for an entry of another applicant", async () => {
    const owner = await signedIn();
    const other = await signedIn();
    const { body: created } = await create(owner.access, valid);
    const { access } = await signedIn("ADMIN");
    const response = await api("GET", `${ofUser(other.user.id)}${created.id}/`, { token: access });
    expect(response.status).toBe(404);
  });

  it("POST /api/applicants/me/work_experiences/ answers 400 for a NUL in a text field and stores nothing", async () => {
    const { user, access } = await signedIn();
    for (const json of [
      { company_name: "PT\u0000Maju" },
      { company_name: "PT Maju", description: "a\u0000b" },
    ]) {
      const response = await api("POST", OWN, { token: access, json });
      expect(response.status, JSON.stringify(json)).toBe(400);
      expect((await readJson(response)).code).toBe("validation_error");
    }
    expect(await storedEntries(user.id)).toHaveLength(0);
  });
});
