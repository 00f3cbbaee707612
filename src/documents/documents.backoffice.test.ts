import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { withDatabase } from "../../test/helpers/database";
import { documentRows, form, MINE, signIn, storedKeys, upload } from "../../test/helpers/documents";
import { api, readJson } from "../../test/helpers/http";
import { jpegImage, pngImage } from "../../test/helpers/images";
import { auditEvents } from "../db/schema";

describe("back-office document endpoints", () => {
  it("POST /api/applicants/{user_id}/documents/ lets staff upload for an applicant", async () => {
    const applicant = await signIn("APPLICANT");
    const staff = await signIn("STAFF");
    const path = `/api/applicants/${applicant.user.id}/documents/`;
    const response = await upload(staff.token, path, form("paspor", jpegImage(10, 10), "p.jpg"));
    expect(response.status).toBe(201);
    expect(await documentRows(applicant.profileId)).toHaveLength(1);

    const listed = await readJson(await api("GET", path, { token: staff.token }));
    expect(listed.count).toBe(1);
  });

  it("back-office document endpoints answer 403 to applicants and companies", async () => {
    const applicant = await signIn("APPLICANT");
    const path = `/api/applicants/${applicant.user.id}/documents/`;
    for (const role of ["APPLICANT", "COMPANY"] as const) {
      const other = await signIn(role);
      expect((await api("GET", path, { token: other.token })).status).toBe(403);
      const posted = await upload(other.token, path, form("ktp", await pngImage(1, 1), "k.png"));
      expect(posted.status).toBe(403);
    }
    const applicantOwn = await api("GET", path, { token: applicant.token });
    expect(applicantOwn.status).toBe(403);
    expect(await documentRows(applicant.profileId)).toEqual([]);
  });

  it("back-office document endpoints answer 404 for a user who is not an applicant", async () => {
    const admin = await signIn("ADMIN");
    const staff = await signIn("STAFF");
    const response = await api("GET", `/api/applicants/${staff.user.id}/documents/`, {
      token: admin.token,
    });
    expect(response.status).toBe(404);
  });

  it("PATCH /api/applicants/{user_id}/documents/{id}/ records a review and its audit event", async () => {
    const applicant = await signIn("APPLICANT");
    const staff = await signIn("STAFF");
    const doc = await readJson(
      await upload(applicant.token, MINE, form("ktp", await pngImage(1, 1), "ktp.png")),
    );
    const path = `/api/applicants/${applicant.user.id}/documents/${doc.id}/`;

    const approved = await api("PATCH", path, {
      token: staff.token,
      json: { review_status: "APPROVED" },
    });
    expect(approved.status).toBe(200);
    const body = await readJson(approved);
    expect(body).toMatchObject({
      review_status: "APPROVED",
      reviewed_by: staff.user.id,
      reviewed_by_name: staff.user.fullName,
    });
    expect(body.reviewed_at).toMatch(/\+07:00$/);

    const events = await withDatabase(({ db }) =>
      db
        .select()
        .from(auditEvents)
        .where(
          and(eq(auditEvents.action, "document_reviewed"), eq(auditEvents.actorId, staff.user.id)),
        ),
    );
    expect(events).toHaveLength(1);
    expect(events[0]!.targetUserId).toBe(applicant.user.id);

    const reset = await readJson(
      await api("PATCH", path, { token: staff.token, json: { review_status: "PENDING" } }),
    );
    expect(reset).toMatchObject({ review_status: "PENDING", reviewed_by: null, reviewed_at: null });
  });

  it("PATCH /api/applicants/{user_id}/documents/{id}/ needs notes to reject", async () => {
    const applicant = await signIn("APPLICANT");
    const admin = await signIn("ADMIN");
    const doc = await readJson(
      await upload(applicant.token, MINE, form("ktp", await pngImage(1, 1), "ktp.png")),
    );
    const path = `/api/applicants/${applicant.user.id}/documents/${doc.id}/`;

    const bare = await api("PATCH", path, {
      token: admin.token,
      json: { review_status: "REJECTED", review_notes: "  " },
    });
    expect(bare.status).toBe(400);
    expect((await readJson(bare)).errors.review_notes).toBeDefined();
    const wrong = await api("PATCH", path, { token: admin.token, json: { review_status: "OK" } });
    expect(wrong.status).toBe(400);
    expect((await documentRows(applicant.profileId))[0]!.reviewStatus).toBe("PENDING");

    const rejected = await api("PATCH", path, {
      token: admin.token,
      json: { review_status: "REJECTED", review_notes: "Foto buram" },
    });
    expect(rejected.status).toBe(200);
    expect(await readJson(rejected)).toMatchObject({
      review_status: "REJECTED",
      review_notes: "Foto buram",
    });
  });

  it("DELETE /api/applicants/{user_id}/documents/{id}/ is for admins only", async () => {
    const applicant = await signIn("APPLICANT");
    const staff = await signIn("STAFF");
    const admin = await signIn("ADMIN");
    const doc = await readJson(
      await upload(applicant.token, MINE, form("ktp", await pngImage(1, 1), "ktp.png")),
    );
    const path = `/api/applicants/${applicant.user.id}/documents/${doc.id}/`;

    expect((await api("DELETE", path, { token: staff.token })).status).toBe(403);
    expect(await documentRows(applicant.profileId)).toHaveLength(1);
    expect((await api("DELETE", path, { token: admin.token })).status).toBe(204);
    expect(await documentRows(applicant.profileId)).toEqual([]);
    expect(await storedKeys(applicant.profileId)).toEqual([]);
  });
});

describe("GET /api/files/{token}/", () => {
  it("GET /api/files/{token}/ answers 403 for a tampered token", async () => {
    const me = await signIn("APPLICANT");
    const doc = await readJson(
      await upload(me.token, MINE, form("ktp", await pngImage(1, 1), "ktp.png")),
    );
    const path = new URL(doc.file).pathname;
    // Change a character in the middle of the token: the last base64url character of a
    // signature also carries unused bits, so changing it may leave the decoded bytes unchanged.
    const token = path.split("/").at(-2)!;
    const middle = Math.floor(token.length / 2);
    const swapped = token[middle] === "A" ? "B" : "A";
    const tampered = path.replace(
      token,
      `${token.slice(0, middle)}${swapped}${token.slice(middle + 1)}`,
    );
    const response = await api("GET", tampered);
    expect(response.status).toBe(403);
    expect((await readJson(response)).code).toBe("permission_denied");
  });

  it("PATCH /api/applicants/{user_id}/documents/{id}/ answers 400 for a NUL in review_notes", async () => {
    const applicant = await signIn("APPLICANT");
    const admin = await signIn("ADMIN");
    const doc = await readJson(
      await upload(applicant.token, MINE, form("ktp", await pngImage(1, 1), "ktp.png")),
    );
    const path = `/api/applicants/${applicant.user.id}/documents/${doc.id}/`;
    const response = await api("PATCH", path, {
      token: admin.token,
      json: { review_status: "REJECTED", review_notes: "Foto\u0000buram" },
    });
    expect(response.status).toBe(400);
    expect(Object.keys((await readJson(response)).errors)).toEqual(["review_notes"]);
    const [row] = await documentRows(applicant.profileId);
    expect(row!.reviewStatus).toBe("PENDING");
    expect(row!.reviewNotes).toBe("");
  });
});
