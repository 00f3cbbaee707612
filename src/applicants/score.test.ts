import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { withDatabase } from "../../test/helpers/database";
import { insertDocuments } from "../../test/helpers/document-rows";
import { api, readJson } from "../../test/helpers/http";
import { ensureRegionChain } from "../../test/helpers/regions";
import { createTestUser, loginAs } from "../../test/helpers/users";
import { applicantProfiles, users } from "../db/schema";
import { todayInJakarta } from "../lib/time";
import { isFilled, recomputeScoreStatement } from "./score";

async function signedInApplicant(fullName?: string) {
  const created = await createTestUser({ fullName });
  const { access } = await loginAs(created.user.email, created.password);
  const profileId = await withDatabase(async ({ db }) => {
    const [row] = await db
      .select({ id: applicantProfiles.id })
      .from(applicantProfiles)
      .where(eq(applicantProfiles.userId, created.user.id));
    return row!.id;
  });
  return { ...created, access, profileId };
}

async function patchProfile(token: string, json: unknown) {
  const response = await api("PATCH", "/api/applicants/me/profile/", { token, json });
  expect(response.status).toBe(200);
  return (await readJson(response)).data;
}

async function storedScore(profileId: number): Promise<number> {
  return withDatabase(async ({ db }) => {
    const [row] = await db
      .select({ score: applicantProfiles.score })
      .from(applicantProfiles)
      .where(eq(applicantProfiles.id, profileId));
    return row!.score;
  });
}

async function recompute(profileId: number) {
  await withDatabase(({ db }) => recomputeScoreStatement(db, profileId));
}

function randomNik(): string {
  const digits = crypto.getRandomValues(new Uint8Array(16));
  return [...digits].map((byte, index) => (index === 0 ? 1 + (byte % 9) : byte % 10)).join("");
}

function birthDateAged(years: number): string {
  const [year, month, day] = todayInJakarta().split("-").map(Number) as [number, number, number];
  return new Date(Date.UTC(year - years, month - 1, Math.min(day, 28))).toISOString().slice(0, 10);
}

describe("applicant profile score", () => {
  it("isFilled treats null, undefined and blank strings as empty", () => {
    expect(isFilled(null)).toBe(false);
    expect(isFilled(undefined)).toBe(false);
    expect(isFilled("  ")).toBe(false);
    expect(isFilled("x")).toBe(true);
    expect(isFilled(0)).toBe(true);
  });

  it("PATCH /api/applicants/me/profile/ scores 60.0 for all 11 fields and no documents", async () => {
    const region = await ensureRegionChain("98");
    const { access, profileId } = await signedInApplicant("Ani Lestari");
    const data = await patchProfile(access, {
      nik: randomNik(),
      birth_date: birthDateAged(25),
      gender: "F",
      address: "Jl. Anggrek 5",
      contact_phone: "081234567890",
      province: region.provinceId,
      district: region.regencyId,
      village: region.villageId,
      education_level: "SMA",
      marital_status: "MENIKAH",
    });
    expect(data.score).toBe(60);
    expect(await storedScore(profileId)).toBe(60);
  });

  it("PATCH /api/applicants/me/profile/ scores the filled share with one decimal", async () => {
    const { access, profileId } = await signedInApplicant("Budi");
    // full_name plus three fields: 60 × 4 / 11 = 21.818…
    const data = await patchProfile(access, {
      gender: "M",
      address: "Jl. A",
      contact_phone: "08123456",
    });
    expect(data.score).toBe(21.8);

    // Clearing one of them lowers it: 60 × 3 / 11 = 16.363…
    expect((await patchProfile(access, { address: "" })).score).toBe(16.4);
    expect(await storedScore(profileId)).toBe(16.4);
  });

  it("PATCH /api/applicants/me/profile/ adds 40 × the share of approved documents", async () => {
    const { access, profileId } = await signedInApplicant("Citra");
    await insertDocuments(profileId, {
      ijasah: "APPROVED",
      ktp: "APPROVED",
      paspor: "PENDING",
    });
    // 60 × 2 / 11 + 40 × 2 / 3 = 10.909… + 26.666… = 37.575…
    const data = await patchProfile(access, { gender: "F" });
    expect(data.score).toBe(37.6);
  });

  it("recomputeScoreStatement counts rejected documents as not approved", async () => {
    const { profileId } = await signedInApplicant("Dewi");
    await insertDocuments(profileId, { ijasah: "REJECTED", ktp: "APPROVED" });
    await recompute(profileId);
    // 60 × 1 / 11 + 40 × 1 / 2 = 5.454… + 20 = 25.454…
    expect(await storedScore(profileId)).toBe(25.5);
  });

  it("recomputeScoreStatement gives 100.0 for a complete profile with all documents approved", async () => {
    const region = await ensureRegionChain("98");
    const { user, profileId } = await signedInApplicant("Eka");
    await withDatabase(({ db }) =>
      db
        .update(applicantProfiles)
        .set({
          nik: randomNik(),
          birthDate: birthDateAged(30),
          gender: "M",
          address: "Jl. B",
          contactPhone: "0811111111",
          provinceId: region.provinceId,
          districtId: region.regencyId,
          villageId: region.villageId,
          educationLevel: "S1",
          maritalStatus: "BELUM MENIKAH",
        })
        .where(eq(applicantProfiles.userId, user.id)),
    );
    await insertDocuments(profileId, { ijasah: "APPROVED", "kartu-bpjs": "APPROVED" });
    await recompute(profileId);
    expect(await storedScore(profileId)).toBe(100);
  });

  it("PATCH /api/me/ recomputes the score when only full_name changes", async () => {
    const { user, access, profileId } = await signedInApplicant("");
    await withDatabase(({ db }) =>
      db.update(users).set({ fullName: "" }).where(eq(users.id, user.id)),
    );
    await recompute(profileId);
    expect(await storedScore(profileId)).toBe(0);

    const response = await api("PATCH", "/api/me/", {
      token: access,
      json: { full_name: "Fajar" },
    });
    expect(response.status).toBe(200);
    // 60 × 1 / 11 = 5.454…
    expect(await storedScore(profileId)).toBe(5.5);
  });

  it("PATCH /api/applicants/me/profile/ recomputes the score when only full_name changes", async () => {
    const { user, access, profileId } = await signedInApplicant("Gita");
    await withDatabase(({ db }) =>
      db.update(users).set({ fullName: "" }).where(eq(users.id, user.id)),
    );
    const data = await patchProfile(access, { full_name: "Gita Sari" });
    expect(data.score).toBe(5.5);
    expect(await storedScore(profileId)).toBe(5.5);
  });
});
