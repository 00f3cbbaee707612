import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { withDatabase } from "../../test/helpers/database";
import {
  documentRows,
  form,
  keyOf,
  MINE,
  signIn,
  storedKeys,
  upload,
} from "../../test/helpers/documents";
import { api, readJson } from "../../test/helpers/http";
import { jpegImage, pdfDocument, pngHeaderOnly, pngImage } from "../../test/helpers/images";
import { applicantDocuments, documentTypes } from "../db/schema";

describe("POST /api/applicants/me/documents/", () => {
  it("POST /api/applicants/me/documents/ stores a KTP and answers 201", async () => {
    const me = await signIn("APPLICANT");
    const response = await upload(me.token, MINE, form("ktp", await pngImage(4, 3), "ktp.png"));
    expect(response.status).toBe(201);
    const body = await readJson(response);
    expect(body).toMatchObject({
      original_name: "ktp.png",
      processing_status: "pending",
      review_status: "PENDING",
      reviewed_by: null,
      reviewed_by_name: null,
      ocr_data: null,
      review_notes: "",
    });
    expect(body.file).toMatch(/^http:\/\/api\.test\/api\/files\/[\w-]+\.[\w-]+\/$/);

    const key = await keyOf(body.id);
    expect(key).toMatch(new RegExp(`^account/documents/${me.profileId}/ktp/[0-9a-f-]{36}\\.png$`));
    expect(await storedKeys(me.profileId)).toEqual([key]);

    const file = await api("GET", new URL(body.file).pathname);
    expect(file.status).toBe(200);
    expect(file.headers.get("Content-Type")).toBe("image/png");
    expect(file.headers.get("Cache-Control")).toMatch(/^private, max-age=\d+$/);
    expect(file.headers.get("Content-Disposition")).toContain('filename="ktp.png"');
    expect(new Uint8Array(await file.arrayBuffer())).toEqual(await pngImage(4, 3));
  });

  it("POST /api/applicants/me/documents/ strips paths and control characters from names", async () => {
    const me = await signIn("APPLICANT");
    const name = "C:\\Users\\budi\\fo\u0001to\u202e.png";
    const response = await upload(me.token, MINE, form("ktp", await pngImage(1, 1), name));
    expect(response.status).toBe(201);
    expect((await readJson(response)).original_name).toBe("foto.png");
  });

  it("POST /api/applicants/me/documents/ accepts a type id and a PDF", async () => {
    const me = await signIn("APPLICANT");
    const ijasah = await withDatabase(async ({ db }) => {
      const [row] = await db.select().from(documentTypes).where(eq(documentTypes.code, "ijasah"));
      return row!;
    });
    const response = await upload(
      me.token,
      MINE,
      form(String(ijasah.id), pdfDocument(), "ijasah.pdf"),
    );
    expect(response.status).toBe(201);
    expect((await readJson(response)).document_type).toBe(ijasah.id);
  });

  it("POST /api/applicants/me/documents/ replaces a type's file and resets its review", async () => {
    const me = await signIn("APPLICANT");
    const reviewer = await signIn("STAFF");
    const first = await readJson(
      await upload(me.token, MINE, form("photo-tki", jpegImage(60, 80), "foto.jpg")),
    );
    const oldKey = await keyOf(first.id);
    await withDatabase(({ db }) =>
      db
        .update(applicantDocuments)
        .set({
          reviewStatus: "REJECTED",
          reviewNotes: "buram",
          reviewedById: reviewer.user.id,
          reviewedAt: new Date(),
          processingStatus: "done",
          ocrText: "teks",
          ocrData: { nik: "1" },
          ocrProcessedAt: new Date(),
        })
        .where(eq(applicantDocuments.id, first.id)),
    );

    const response = await upload(
      me.token,
      MINE,
      form("photo-tki", await pngImage(2, 2), "baru.png"),
    );
    expect(response.status).toBe(200);
    const body = await readJson(response);
    expect(body).toMatchObject({
      id: first.id,
      original_name: "baru.png",
      processing_status: "pending",
      review_status: "PENDING",
      reviewed_by: null,
      reviewed_at: null,
      review_notes: "",
      ocr_text: null,
      ocr_data: null,
      ocr_processed_at: null,
    });

    const [row] = await documentRows(me.profileId);
    expect(row!.fileVersion).toBe(2);
    expect(row!.contentType).toBe("image/png");
    expect(row!.file).not.toBe(oldKey);
    expect(await storedKeys(me.profileId)).toEqual([row!.file]);

    const oldUrl = await api("GET", new URL(first.file).pathname);
    expect(oldUrl.status).toBe(404);
    await oldUrl.body?.cancel();
  });

  it("POST /api/applicants/me/documents/ answers 400 on file for bad files and stores nothing", async () => {
    const me = await signIn("APPLICANT");
    const png = await pngImage(4, 4);
    const cases: [string, Uint8Array, string][] = [
      ["ktp", pdfDocument(), "ktp.png"],
      ["ktp", png, "ktp.gif"],
      ["ktp", png.subarray(0, png.length - 20), "ktp.png"],
      ["ktp", pngHeaderOnly(20_000, 20_000), "ktp.png"],
      ["ktp", new Uint8Array(), "ktp.png"],
      ["ijasah", pdfDocument({ paddingBytes: 5 * 1024 * 1024 }), "ijasah.pdf"],
      ["ijasah", new TextEncoder().encode("%PDF-1.4\nsampah\n%%EOF\n"), "ijasah.pdf"],
      ["ijasah", png, "ijasah.pdf"],
    ];
    for (const [type, bytes, name] of cases) {
      const response = await upload(me.token, MINE, form(type, bytes, name));
      expect(response.status, `${type} ${name} ${bytes.length}`).toBe(400);
      const body = await readJson(response);
      expect(body.code).toBe("validation_error");
      expect(body.errors.file.length).toBeGreaterThan(0);
    }
    expect(await documentRows(me.profileId)).toEqual([]);
    expect(await storedKeys(me.profileId)).toEqual([]);
  });

  it("POST /api/applicants/me/documents/ answers 400 for a missing or unknown type", async () => {
    const me = await signIn("APPLICANT");
    const png = await pngImage(1, 1);

    const unknown = await upload(me.token, MINE, form("surat-cinta", png, "a.png"));
    expect(unknown.status).toBe(400);
    expect((await readJson(unknown)).errors.document_type).toBeDefined();

    const missingType = await upload(me.token, MINE, form(undefined, png, "a.png"));
    expect(missingType.status).toBe(400);
    expect((await readJson(missingType)).errors.document_type).toBeDefined();

    const missingFile = await upload(me.token, MINE, form("ktp"));
    expect(missingFile.status).toBe(400);
    expect((await readJson(missingFile)).errors.file).toBeDefined();

    expect(await documentRows(me.profileId)).toEqual([]);
    expect(await storedKeys(me.profileId)).toEqual([]);
  });

  it("POST /api/applicants/me/documents/ answers 413 past the largest upload limit", async () => {
    const me = await signIn("APPLICANT");
    const huge = new Uint8Array(21 * 1024 * 1024);
    const response = await upload(me.token, MINE, form("ktp", huge, "ktp.png"));
    expect(response.status).toBe(413);
    expect((await readJson(response)).code).toBe("payload_too_large");
    expect(await documentRows(me.profileId)).toEqual([]);
  });

  it("POST /api/applicants/me/documents/ answers 415 for JSON and 403 for other roles", async () => {
    const me = await signIn("APPLICANT");
    const json = await api("POST", MINE, { token: me.token, json: { document_type: "ktp" } });
    expect(json.status).toBe(415);

    for (const role of ["STAFF", "ADMIN", "COMPANY"] as const) {
      const other = await signIn(role);
      const response = await upload(other.token, MINE, form("ktp", await pngImage(1, 1), "k.png"));
      expect(response.status).toBe(403);
    }
    const anonymous = await api("POST", MINE, { form: form("ktp", await pngImage(1, 1), "k.png") });
    expect(anonymous.status).toBe(401);
  });
});

describe("applicant document reads and deletes", () => {
  it("GET /api/applicants/me/documents/ lists only the applicant's own documents", async () => {
    const me = await signIn("APPLICANT");
    const other = await signIn("APPLICANT");
    await upload(me.token, MINE, form("ktp", await pngImage(1, 1), "ktp.png"));
    await upload(me.token, MINE, form("ijasah", pdfDocument(), "ijasah.pdf"));
    await upload(other.token, MINE, form("ktp", await pngImage(1, 1), "ktp.png"));

    const response = await api("GET", MINE, { token: me.token });
    expect(response.status).toBe(200);
    const body = await readJson(response);
    expect(body.count).toBe(2);
    expect(body.results.map((doc: { original_name: string }) => doc.original_name)).toEqual([
      "ijasah.pdf",
      "ktp.png",
    ]);
  });

  it("GET and DELETE /api/applicants/me/documents/{id}/ answer 404 for another applicant's or a junk id", async () => {
    const me = await signIn("APPLICANT");
    const other = await signIn("APPLICANT");
    const theirs = await readJson(
      await upload(other.token, MINE, form("ktp", await pngImage(1, 1), "ktp.png")),
    );

    const read = await api("GET", `${MINE}${theirs.id}/`, { token: me.token });
    expect(read.status).toBe(404);
    const removed = await api("DELETE", `${MINE}${theirs.id}/`, { token: me.token });
    expect(removed.status).toBe(404);
    expect(await documentRows(other.profileId)).toHaveLength(1);

    const junk = await api("GET", `${MINE}abc/`, { token: me.token });
    expect(junk.status).toBe(404);
  });

  it("DELETE /api/applicants/me/documents/{id}/ removes the row and the object", async () => {
    const me = await signIn("APPLICANT");
    const doc = await readJson(
      await upload(me.token, MINE, form("ktp", await pngImage(1, 1), "ktp.png")),
    );
    const own = await api("GET", `${MINE}${doc.id}/`, { token: me.token });
    expect(own.status).toBe(200);
    expect((await readJson(own)).id).toBe(doc.id);

    const response = await api("DELETE", `${MINE}${doc.id}/`, { token: me.token });
    expect(response.status).toBe(204);
    expect(await documentRows(me.profileId)).toEqual([]);
    expect(await storedKeys(me.profileId)).toEqual([]);
  });

  it("PATCH /api/applicants/me/documents/{id}/ never lets an applicant review", async () => {
    const me = await signIn("APPLICANT");
    const doc = await readJson(
      await upload(me.token, MINE, form("ktp", await pngImage(1, 1), "ktp.png")),
    );
    const response = await api("PATCH", `${MINE}${doc.id}/`, {
      token: me.token,
      json: { review_status: "APPROVED" },
    });
    expect([403, 405]).toContain(response.status);
    const own = await api("PATCH", `/api/applicants/${me.user.id}/documents/${doc.id}/`, {
      token: me.token,
      json: { review_status: "APPROVED" },
    });
    expect(own.status).toBe(403);
    const [row] = await documentRows(me.profileId);
    expect(row!.reviewStatus).toBe("PENDING");
  });
});

describe("GET /api/applicants/me/documents/{id}/ocr_prefill/", () => {
  it("GET /api/applicants/me/documents/{id}/ocr_prefill/ maps the KTP's OCR data", async () => {
    const me = await signIn("APPLICANT");
    const doc = await readJson(
      await upload(me.token, MINE, form("ktp", await pngImage(1, 1), "ktp.png")),
    );
    const path = `${MINE}${doc.id}/ocr_prefill/`;

    const early = await api("GET", path, { token: me.token });
    expect(early.status).toBe(400);

    const ocrData = {
      nik: "3201010101900001",
      name: "BUDI SANTOSO",
      birth_place: "BANDUNG",
      birth_date: "1990-01-01",
      address: "JL. MERDEKA 1",
      gender: "M",
      religion: "ISLAM",
      marital_status: "BELUM KAWIN",
    };
    await withDatabase(({ db }) =>
      db.update(applicantDocuments).set({ ocrData }).where(eq(applicantDocuments.id, doc.id)),
    );
    const response = await api("GET", path, { token: me.token });
    expect(response.status).toBe(200);
    expect((await readJson(response)).data).toEqual({
      full_name: "BUDI SANTOSO",
      nik: "3201010101900001",
      birth_place: "BANDUNG",
      birth_date: "1990-01-01",
      address: "JL. MERDEKA 1",
      gender: "M",
    });
  });

  it("GET /api/applicants/me/documents/{id}/ocr_prefill/ answers 400 for another type", async () => {
    const me = await signIn("APPLICANT");
    const doc = await readJson(
      await upload(me.token, MINE, form("ijasah", pdfDocument(), "ijasah.pdf")),
    );
    const response = await api("GET", `${MINE}${doc.id}/ocr_prefill/`, { token: me.token });
    expect(response.status).toBe(400);
  });
});
