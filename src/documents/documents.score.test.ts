import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { withDatabase } from "../../test/helpers/database";
import { form, MINE, signIn, upload } from "../../test/helpers/documents";
import { api, readJson } from "../../test/helpers/http";
import { jpegImage, pngImage } from "../../test/helpers/images";
import { applicantProfiles } from "../db/schema";

// A test applicant has only full_name filled, 1 of the 11 scored fields: 60 × 1 / 11 = 5.45…
// Each document then adds 40 × (approved / uploaded), rounded to one decimal with the total.
const NAME_ONLY = 5.5;

async function storedScore(profileId: number): Promise<number> {
  return withDatabase(async ({ db }) => {
    const [row] = await db
      .select({ score: applicantProfiles.score })
      .from(applicantProfiles)
      .where(eq(applicantProfiles.id, profileId));
    return row!.score;
  });
}

/** Creates an applicant who has uploaded a KTP and a photo, and a STAFF reviewer. */
async function applicantWithTwoDocuments() {
  const applicant = await signIn("APPLICANT");
  const staff = await signIn("STAFF");
  const ktp = await readJson(
    await upload(applicant.token, MINE, form("ktp", await pngImage(2, 2), "ktp.png")),
  );
  const photo = await readJson(
    await upload(applicant.token, MINE, form("photo-tki", jpegImage(20, 30), "foto.jpg")),
  );
  const pathOf = (id: number) => `/api/applicants/${applicant.user.id}/documents/${id}/`;
  return { applicant, staff, ktp, photo, pathOf };
}

async function review(token: string, path: string, json: Record<string, string>) {
  const response = await api("PATCH", path, { token, json });
  expect(response.status).toBe(200);
}

describe("applicant score after document changes", () => {
  it("PATCH /api/applicants/{user_id}/documents/{id}/ raises the score on approval", async () => {
    const { applicant, staff, ktp, photo, pathOf } = await applicantWithTwoDocuments();
    expect(await storedScore(applicant.profileId)).toBe(NAME_ONLY);

    await review(staff.token, pathOf(ktp.id), { review_status: "APPROVED" });
    // 5.45… + 40 × 1 / 2 = 25.45…
    expect(await storedScore(applicant.profileId)).toBe(25.5);

    await review(staff.token, pathOf(photo.id), { review_status: "APPROVED" });
    // 5.45… + 40 = 45.45…
    expect(await storedScore(applicant.profileId)).toBe(45.5);

    const profile = await readJson(
      await api("GET", "/api/applicants/me/profile/", { token: applicant.token }),
    );
    expect(profile.data.score).toBe(45.5);
  });

  it("PATCH /api/applicants/{user_id}/documents/{id}/ lowers the score on rejection or reset", async () => {
    const { applicant, staff, ktp, photo, pathOf } = await applicantWithTwoDocuments();
    await review(staff.token, pathOf(ktp.id), { review_status: "APPROVED" });
    await review(staff.token, pathOf(photo.id), { review_status: "APPROVED" });

    await review(staff.token, pathOf(photo.id), {
      review_status: "REJECTED",
      review_notes: "Foto buram",
    });
    expect(await storedScore(applicant.profileId)).toBe(25.5);

    await review(staff.token, pathOf(ktp.id), { review_status: "PENDING" });
    expect(await storedScore(applicant.profileId)).toBe(NAME_ONLY);
  });

  it("PATCH /api/applicants/{user_id}/documents/{id}/ keeps the score when the review is invalid", async () => {
    const { applicant, staff, ktp, pathOf } = await applicantWithTwoDocuments();
    await review(staff.token, pathOf(ktp.id), { review_status: "APPROVED" });

    const response = await api("PATCH", pathOf(ktp.id), {
      token: staff.token,
      json: { review_status: "REJECTED" },
    });
    expect(response.status).toBe(400);
    expect(await storedScore(applicant.profileId)).toBe(25.5);
  });

  it("POST /api/applicants/me/documents/ counts a new upload as not approved", async () => {
    const { applicant, staff, ktp, pathOf } = await applicantWithTwoDocuments();
    await review(staff.token, pathOf(ktp.id), { review_status: "APPROVED" });
    expect(await storedScore(applicant.profileId)).toBe(25.5);

    const third = await upload(
      applicant.token,
      MINE,
      form("kartu-keluarga", await pngImage(3, 3), "kk.png"),
    );
    expect(third.status).toBe(201);
    // 5.45… + 40 × 1 / 3 = 18.78…
    expect(await storedScore(applicant.profileId)).toBe(18.8);
  });

  it("POST /api/applicants/me/documents/ lowers the score when an approved file is replaced", async () => {
    const { applicant, staff, ktp, photo, pathOf } = await applicantWithTwoDocuments();
    await review(staff.token, pathOf(ktp.id), { review_status: "APPROVED" });
    await review(staff.token, pathOf(photo.id), { review_status: "APPROVED" });

    const replaced = await upload(
      applicant.token,
      MINE,
      form("ktp", await pngImage(5, 5), "ktp-baru.png"),
    );
    expect(replaced.status).toBe(200);
    expect(await storedScore(applicant.profileId)).toBe(25.5);
  });

  it("DELETE /api/applicants/me/documents/{id}/ recomputes the approved share", async () => {
    const { applicant, staff, ktp, photo, pathOf } = await applicantWithTwoDocuments();
    await review(staff.token, pathOf(ktp.id), { review_status: "APPROVED" });

    // Without the pending photo, the one remaining document is approved: 5.45… + 40.
    const deleted = await api("DELETE", `${MINE}${photo.id}/`, { token: applicant.token });
    expect(deleted.status).toBe(204);
    expect(await storedScore(applicant.profileId)).toBe(45.5);
  });

  it("DELETE /api/applicants/{user_id}/documents/{id}/ drops an approved document from the score", async () => {
    const { applicant, ktp, pathOf } = await applicantWithTwoDocuments();
    const admin = await signIn("ADMIN");
    await review(admin.token, pathOf(ktp.id), { review_status: "APPROVED" });
    expect(await storedScore(applicant.profileId)).toBe(25.5);

    const deleted = await api("DELETE", pathOf(ktp.id), { token: admin.token });
    expect(deleted.status).toBe(204);
    // Only the pending photo is left: 5.45… + 40 × 0 / 1.
    expect(await storedScore(applicant.profileId)).toBe(NAME_ONLY);
  });
});
