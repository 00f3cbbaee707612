import { describe, expect, it } from "vitest";
import { insertApplicants, tokenFor } from "../../test/helpers/applicant-fixtures";
import { api, readJson } from "../../test/helpers/http";
import { ensureRegionChain } from "../../test/helpers/regions";
import { createTestUser } from "../../test/helpers/users";

describe("GET /api/applicant-profiles/", () => {
  it("lists raw profiles with the applicant filters", async () => {
    const { token } = await tokenFor("STAFF");
    const staff = await createTestUser({ role: "STAFF" });
    const [draft, accepted] = await insertApplicants([
      { fullName: "Rina Wati", profile: { referrerId: staff.user.id } },
      {
        profile: {
          referrerId: staff.user.id,
          verificationStatus: "ACCEPTED",
          submittedAt: new Date(),
          verifiedAt: new Date(),
        },
      },
    ]);
    const response = await api(
      "GET",
      `/api/applicant-profiles/?referrer=${staff.user.id}&ordering=applicant_profile__created_at`,
      { token },
    );
    const body = await readJson(response);
    expect(response.status).toBe(200);
    expect(body.count).toBe(2);
    expect(body.results.map((profile: { id: number }) => profile.id)).toEqual([
      draft!.profileId,
      accepted!.profileId,
    ]);
    const first = body.results[0];
    expect(first.user).toBe(draft!.userId);
    expect(first.full_name).toBe("Rina Wati");
    expect(first).not.toHaveProperty("documents");
    expect(first).not.toHaveProperty("work_experiences");

    const filtered = await readJson(
      await api(
        "GET",
        `/api/applicant-profiles/?referrer=${staff.user.id}&verification_status=ACCEPTED`,
        { token },
      ),
    );
    expect(filtered.results.map((profile: { id: number }) => profile.id)).toEqual([
      accepted!.profileId,
    ]);
  });

  it("answers 403 to COMPANY and APPLICANT and 400 to a bad filter", async () => {
    for (const role of ["COMPANY", "APPLICANT"] as const) {
      const { token } = await tokenFor(role);
      const response = await api("GET", "/api/applicant-profiles/", { token });
      expect(response.status, role).toBe(403);
    }
    const { token } = await tokenFor("ADMIN");
    const response = await api("GET", "/api/applicant-profiles/?gender=male", { token });
    expect(response.status).toBe(400);
    expect(Object.keys((await readJson(response)).errors)).toEqual(["gender"]);
  });
});

describe("GET /api/applicant-profiles/{id}/", () => {
  it("returns the full profile with region names", async () => {
    const { token } = await tokenFor("ADMIN");
    const region = await ensureRegionChain("98");
    const [applicant] = await insertApplicants([
      { profile: { villageId: region.villageId, provinceId: region.provinceId } },
    ]);
    const response = await api("GET", `/api/applicant-profiles/${applicant!.profileId}/`, {
      token,
    });
    const body = await readJson(response);
    expect(response.status).toBe(200);
    expect(body.id).toBe(applicant!.profileId);
    expect(body.user).toBe(applicant!.userId);
    expect(body.village_display).toEqual(region.names);
    expect(body.nik_warnings).toEqual([]);
  });

  it("GET /api/applicant-profiles/{id}/ answers 404 for an unknown id and for junk", async () => {
    const { token } = await tokenFor("STAFF");
    const missing = await api("GET", "/api/applicant-profiles/2147483000/", { token });
    expect(missing.status).toBe(404);
    expect((await readJson(missing)).code).toBe("not_found");
    for (const junk of ["abc", "0", "-1", "99999999999"]) {
      const response = await api("GET", `/api/applicant-profiles/${junk}/`, { token });
      expect(response.status, junk).toBe(404);
      expect((await readJson(response)).code, junk).toBe("not_found");
    }
  });

  it("answers 403 to an applicant, even for their own profile", async () => {
    const applicant = await tokenFor("APPLICANT");
    const response = await api("GET", "/api/applicant-profiles/1/", { token: applicant.token });
    expect(response.status).toBe(403);
  });
});

describe("nik_warnings region check", () => {
  it("GET /api/applicant-profiles/{id}/ warns about an unknown NIK region code", async () => {
    const { token } = await tokenFor("ADMIN");
    const serial = String(Math.floor(Math.random() * 10_000)).padStart(4, "0");
    const [known, unknown] = await insertApplicants([
      { profile: { nik: `317301150695${serial}`, birthDate: "1995-06-15", gender: "M" } },
      { profile: { nik: `999999150695${serial}`, birthDate: "1995-06-15", gender: "M" } },
    ]);

    const knownBody = await readJson(
      await api("GET", `/api/applicant-profiles/${known!.profileId}/`, { token }),
    );
    const unknownBody = await readJson(
      await api("GET", `/api/applicant-profiles/${unknown!.profileId}/`, { token }),
    );

    expect(knownBody.nik_warnings).toEqual([]);
    expect(unknownBody.nik_warnings).toEqual([
      "Kode wilayah pada NIK (999999) bukan kode kecamatan yang dikenal.",
    ]);
  });
});
