import { env as testEnv } from "cloudflare:test";
import { and, eq } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it, type MockInstance, vi } from "vitest";
import { withDatabase } from "../../test/helpers/database";
import { api, readJson, uniqueEmail } from "../../test/helpers/http";
import { jpegImage, pdfDocument, pngHeaderOnly, pngImage } from "../../test/helpers/images";
import { createTestUser } from "../../test/helpers/users";
import {
  applicantDocuments,
  applicantProfiles,
  auditEvents,
  oneTimeTokens,
  users,
} from "../db/schema";
import type { Bindings } from "../env";

const env = testEnv as unknown as Bindings;
const PATH = "/api/auth/register/";
const PASSWORD = "Pelamar-Kuat-2024!";
const MIB = 1024 * 1024;

/** Returns a random 16-digit NIK, unique enough for a shared test database. */
function uniqueNik(): string {
  const digits = crypto.getRandomValues(new Uint8Array(12));
  return `3201${[...digits].map((digit) => digit % 10).join("")}`;
}

type FormValue = string | File | null;

/** Builds a valid registration form. `overrides` replace fields, and null removes one. */
async function registrationForm(overrides: Record<string, FormValue> = {}) {
  const values: Record<string, FormValue> = {
    email: uniqueEmail("pelamar"),
    password: PASSWORD,
    nik: uniqueNik(),
    ktp: new File([await pngImage(4, 3)], "ktp.png", { type: "image/png" }),
    ...overrides,
  };
  const form = new FormData();
  for (const [name, value] of Object.entries(values)) {
    if (value !== null) form.append(name, value);
  }
  return { form, email: values.email as string, nik: values.nik as string };
}

async function findUser(email: string) {
  return withDatabase(async ({ db }) => {
    const [user] = await db.select().from(users).where(eq(users.email, email.toLowerCase()));
    return user;
  });
}

let putSpy: MockInstance;
let sendSpy: MockInstance;
let originalPut: R2Bucket["put"];

beforeEach(() => {
  originalPut = env.FILES.put.bind(env.FILES);
  // The spies call through: objects really land in the miniflare R2 bucket.
  putSpy = vi.spyOn(env.FILES, "put");
  sendSpy = vi.spyOn(env.DOCUMENTS_QUEUE, "send");
});

afterEach(() => {
  vi.restoreAllMocks();
});

/** Asserts a rejected registration left no user and stored no file. */
async function expectNothingWritten(email: string | null) {
  if (email) expect(await findUser(email)).toBeUndefined();
  expect(putSpy).not.toHaveBeenCalled();
  expect(sendSpy).not.toHaveBeenCalled();
}

describe("POST /api/auth/register/", () => {
  it("POST /api/auth/register/ creates the applicant, profile, KTP document and session", async () => {
    const { user: staff } = await createTestUser({ role: "STAFF" });
    const { form, email, nik } = await registrationForm({
      email: uniqueEmail("Pelamar").toUpperCase(),
      referral_code: staff.referralCode!.toLowerCase(),
      full_name: "Siti Aminah",
      phone_number: "+62 812-3456-7890",
      birth_date: "2000-02-29",
    });

    const response = await api("POST", PATH, { form });
    const body = await readJson(response);

    expect(response.status).toBe(201);
    expect(body.code).toBe("registered");
    expect(body.data.user).toMatchObject({
      email: email.toLowerCase(),
      full_name: "Siti Aminah",
      role: "APPLICANT",
      is_active: true,
      email_verified: false,
    });
    expect(body.data.access).toEqual(expect.any(String));
    expect(body.data.refresh).toEqual(expect.any(String));
    const cookies = response.headers.getAll("Set-Cookie").join("\n");
    expect(cookies).toContain("kms_access=");
    expect(cookies).toContain("kms_refresh=");

    const rows = await withDatabase(async ({ db }) => {
      const [profile] = await db
        .select()
        .from(applicantProfiles)
        .where(eq(applicantProfiles.userId, body.data.user.id));
      const documents = await db
        .select()
        .from(applicantDocuments)
        .where(eq(applicantDocuments.applicantProfileId, profile!.id));
      const audits = await db
        .select()
        .from(auditEvents)
        .where(
          and(eq(auditEvents.targetUserId, body.data.user.id), eq(auditEvents.action, "register")),
        );
      const tokens = await db
        .select()
        .from(oneTimeTokens)
        .where(eq(oneTimeTokens.userId, body.data.user.id));
      return { profile: profile!, documents, audits, tokens };
    });
    // Name, NIK, phone and birth date are 4 of the 11 scored fields: 60 × 4 / 11.
    expect(Number(rows.profile.score)).toBe(21.8);

    expect(rows.profile).toMatchObject({
      nik,
      referrerId: staff.id,
      birthDate: "2000-02-29",
      contactPhone: "+62 812-3456-7890",
      verificationStatus: "DRAFT",
    });
    expect(rows.documents).toHaveLength(1);
    const [document] = rows.documents;
    expect(document).toMatchObject({
      originalName: "ktp.png",
      contentType: "image/png",
      processingStatus: "pending",
      fileVersion: 1,
      reviewStatus: "PENDING",
    });
    expect(document!.file).toMatch(
      new RegExp(`^account/documents/${rows.profile.id}/ktp/[0-9a-f-]{36}\\.png$`),
    );
    const stored = await env.FILES.get(document!.file);
    expect(stored?.httpMetadata?.contentType).toBe("image/png");
    expect(new Uint8Array(await stored!.arrayBuffer())).toEqual(await pngImage(4, 3));

    expect(putSpy).toHaveBeenCalledTimes(1);
    expect(sendSpy).toHaveBeenCalledWith({ document_id: document!.id, file_version: 1 });
    expect(rows.audits).toHaveLength(1);
    expect(rows.tokens.map((token) => token.purpose)).toEqual(["email_verification"]);
  });

  it("POST /api/auth/register/ accepts a JPEG KTP without optional fields", async () => {
    const ktp = new File([jpegImage(1200, 800)], "foto ktp.JPG", { type: "image/jpeg" });
    const { form, email } = await registrationForm({ ktp });

    const response = await api("POST", "/api/auth/register", { form });

    expect(response.status).toBe(201);
    const user = await findUser(email);
    expect(user?.fullName).toBe("");
    const [document] = await withDatabase(({ db }) =>
      db
        .select()
        .from(applicantDocuments)
        .innerJoin(
          applicantProfiles,
          eq(applicantProfiles.id, applicantDocuments.applicantProfileId),
        )
        .where(eq(applicantProfiles.userId, user!.id)),
    );
    expect(document?.applicant_documents.contentType).toBe("image/jpeg");
    expect(document?.applicant_documents.file).toMatch(/\.jpg$/);
    expect(document?.applicant_profiles.referrerId).toBeNull();
  });

  it("POST /api/auth/register/ reports every missing field at once", async () => {
    const response = await api("POST", PATH, { form: new FormData() });
    const body = await readJson(response);

    expect(response.status).toBe(400);
    expect(body.code).toBe("validation_error");
    expect(Object.keys(body.errors).sort()).toEqual(["email", "ktp", "nik", "password"]);
    expect(putSpy).not.toHaveBeenCalled();
  });

  it("POST /api/auth/register/ reports schema and database errors together", async () => {
    const { user: taken } = await createTestUser();
    const { form } = await registrationForm({
      email: taken.email.toUpperCase(),
      nik: "12345",
      password: "12345678",
      referral_code: "S-NOPE00",
    });

    const response = await api("POST", PATH, { form });
    const body = await readJson(response);

    expect(response.status).toBe(400);
    expect(body.errors.email).toEqual(["Email ini sudah terdaftar."]);
    expect(body.errors.nik).toEqual(["NIK harus 16 digit angka."]);
    expect(body.errors.password).toContain("Kata sandi tidak boleh hanya berisi angka.");
    expect(body.errors.referral_code).toEqual(["Kode referral tidak valid atau tidak aktif."]);
    await expectNothingWritten(null);
  });

  it("POST /api/auth/register/ answers 400 for a malformed email", async () => {
    const { form } = await registrationForm({ email: "bukan-email" });

    const body = await readJson(await api("POST", PATH, { form }));

    expect(body.code).toBe("validation_error");
    expect(body.errors.email).toEqual(["Masukkan alamat email yang valid."]);
    await expectNothingWritten("bukan-email");
  });

  it("POST /api/auth/register/ answers 400 for an email taken in another letter case", async () => {
    const { user: taken } = await createTestUser();
    const { form } = await registrationForm({ email: taken.email.toUpperCase() });

    const response = await api("POST", PATH, { form });
    const body = await readJson(response);

    expect(response.status).toBe(400);
    expect(body.errors).toEqual({ email: ["Email ini sudah terdaftar."] });
    await expectNothingWritten(null);
  });

  it("POST /api/auth/register/ answers 400 for a NIK already registered", async () => {
    const { user: owner } = await createTestUser();
    const nik = uniqueNik();
    await withDatabase(({ db }) =>
      db.update(applicantProfiles).set({ nik }).where(eq(applicantProfiles.userId, owner.id)),
    );
    const { form, email } = await registrationForm({ nik });

    const response = await api("POST", PATH, { form });
    const body = await readJson(response);

    expect(response.status).toBe(400);
    expect(body.errors).toEqual({ nik: ["NIK ini sudah terdaftar."] });
    await expectNothingWritten(email);
  });

  it("POST /api/auth/register/ answers 400 for a malformed NIK", async () => {
    for (const nik of ["320112345678901", "32011234567890123", "3201abcd56789012"]) {
      const { form, email } = await registrationForm({ nik });

      const body = await readJson(await api("POST", PATH, { form }));

      expect(body.errors).toEqual({ nik: ["NIK harus 16 digit angka."] });
      await expectNothingWritten(email);
    }
  });

  it("POST /api/auth/register/ answers 400 for a weak password", async () => {
    const { form, email } = await registrationForm({ password: "pendek" });

    const body = await readJson(await api("POST", PATH, { form }));

    expect(body.errors.password).toContain("Kata sandi terlalu pendek. Minimal 8 karakter.");
    await expectNothingWritten(email);
  });

  it("POST /api/auth/register/ answers 400 for an inactive referrer's code", async () => {
    const { user: staff } = await createTestUser({ role: "STAFF", isActive: false });
    const { form, email } = await registrationForm({ referral_code: staff.referralCode! });

    const body = await readJson(await api("POST", PATH, { form }));

    expect(body.errors).toEqual({ referral_code: ["Kode referral tidak valid atau tidak aktif."] });
    await expectNothingWritten(email);
  });

  it("POST /api/auth/register/ answers 400 for an unknown referral code", async () => {
    const { form, email } = await registrationForm({ referral_code: "A-ZZZZZZ" });

    const body = await readJson(await api("POST", PATH, { form }));

    expect(body.errors).toEqual({ referral_code: ["Kode referral tidak valid atau tidak aktif."] });
    await expectNothingWritten(email);
  });

  it("POST /api/auth/register/ answers 400 for an impossible or too recent birth date", async () => {
    for (const birthDate of ["2001-02-29", "1999-13-01", "tanggal", "2999-01-01"]) {
      const { form, email } = await registrationForm({ birth_date: birthDate });

      const body = await readJson(await api("POST", PATH, { form }));

      expect(Object.keys(body.errors)).toEqual(["birth_date"]);
      await expectNothingWritten(email);
    }
  });

  it("POST /api/auth/register/ answers 400 for fields over their length limits", async () => {
    const { form, email } = await registrationForm({
      full_name: "A".repeat(151),
      phone_number: "0".repeat(21),
      password: "Kata-Sandi-".repeat(20),
    });

    const body = await readJson(await api("POST", PATH, { form }));

    expect(Object.keys(body.errors).sort()).toEqual(["full_name", "password", "phone_number"]);
    await expectNothingWritten(email);
  });

  it("POST /api/auth/register/ answers 400 when the KTP is text, not a file", async () => {
    const { form, email } = await registrationForm({ ktp: "bukan-file" });

    const body = await readJson(await api("POST", PATH, { form }));

    expect(Object.keys(body.errors)).toEqual(["ktp"]);
    await expectNothingWritten(email);
  });

  it("POST /api/auth/register/ answers 400 when the email is sent as a file", async () => {
    const { form } = await registrationForm({ email: new File(["a@b.test"], "email.txt") });

    const body = await readJson(await api("POST", PATH, { form }));

    expect(Object.keys(body.errors)).toEqual(["email"]);
    await expectNothingWritten(null);
  });

  const badFiles: [string, () => Promise<File>, string][] = [
    [
      "a PDF named .jpg",
      async () => new File([pdfDocument()], "ktp.jpg"),
      "Isi file bukan JPG yang valid.",
    ],
    [
      "a non-image extension",
      async () => new File([pdfDocument()], "ktp.pdf"),
      "Jenis file tidak diizinkan. Gunakan jpg, jpeg, png.",
    ],
    [
      "a truncated PNG",
      async () => new File([(await pngImage(8, 8)).subarray(0, 40)], "ktp.png"),
      "File gambar rusak atau tidak lengkap.",
    ],
    [
      "a 20000x20000 PNG header",
      async () => new File([pngHeaderOnly(20_000, 20_000)], "ktp.png"),
      "Resolusi gambar terlalu besar (maksimal 40 megapiksel).",
    ],
    ["an empty file", async () => new File([], "ktp.png"), "File kosong."],
  ];

  for (const [name, makeFile, message] of badFiles) {
    it(`POST /api/auth/register/ answers 400 for ${name}`, async () => {
      const { form, email } = await registrationForm({ ktp: await makeFile() });

      const response = await api("POST", PATH, { form });
      const body = await readJson(response);

      expect(response.status).toBe(400);
      expect(body.errors).toEqual({ ktp: [message] });
      await expectNothingWritten(email);
    });
  }

  it("POST /api/auth/register/ answers 400 for a KTP just over 10 MiB", async () => {
    const png = await pngImage(4, 3);
    const padded = new Uint8Array(10 * MIB + 1);
    padded.set(png);
    const { form, email } = await registrationForm({ ktp: new File([padded], "ktp.png") });

    const body = await readJson(await api("POST", PATH, { form }));

    expect(body.errors).toEqual({ ktp: ["Ukuran file melebihi batas 10 MB."] });
    await expectNothingWritten(email);
  });

  it("POST /api/auth/register/ answers 413 for a body far over the KTP limit", async () => {
    const { form, email } = await registrationForm({
      ktp: new File([new Uint8Array(11 * MIB)], "ktp.png"),
    });

    const response = await api("POST", PATH, { form });
    const body = await readJson(response);

    expect(response.status).toBe(413);
    expect(body.code).toBe("payload_too_large");
    await expectNothingWritten(email);
  });

  it("POST /api/auth/register/ deletes the KTP when the NIK insert collides", async () => {
    const { user: rival } = await createTestUser();
    const { form, email, nik } = await registrationForm();
    // After the checks pass and the file is stored, another applicant claims the same NIK:
    // the insert then fails on the unique index, as in a concurrent registration.
    putSpy.mockImplementation(async (...args: Parameters<R2Bucket["put"]>) => {
      const stored = await originalPut(...args);
      await withDatabase(({ db }) =>
        db.update(applicantProfiles).set({ nik }).where(eq(applicantProfiles.userId, rival.id)),
      );
      return stored;
    });

    const response = await api("POST", PATH, { form });
    const body = await readJson(response);

    expect(response.status).toBe(400);
    expect(body.errors).toEqual({ nik: ["NIK ini sudah terdaftar."] });
    expect(await findUser(email)).toBeUndefined();
    expect(putSpy).toHaveBeenCalledTimes(1);
    const key = putSpy.mock.calls[0]![0] as string;
    expect(key).toMatch(/^account\/documents\/\d+\/ktp\//);
    expect(await env.FILES.head(key)).toBeNull();
    expect(sendSpy).not.toHaveBeenCalled();
  });

  it("POST /api/auth/register/ deletes the KTP when the email insert collides", async () => {
    const { form, email } = await registrationForm();
    putSpy.mockImplementation(async (...args: Parameters<R2Bucket["put"]>) => {
      const stored = await originalPut(...args);
      await createTestUser({ email: email.toUpperCase() });
      return stored;
    });

    const response = await api("POST", PATH, { form });
    const body = await readJson(response);

    expect(response.status).toBe(400);
    expect(body.errors).toEqual({ email: ["Email ini sudah terdaftar."] });
    const key = putSpy.mock.calls[0]![0] as string;
    expect(await env.FILES.head(key)).toBeNull();
    const owner = await findUser(email);
    const profiles = await withDatabase(({ db }) =>
      db.select().from(applicantProfiles).where(eq(applicantProfiles.userId, owner!.id)),
    );
    expect(profiles).toHaveLength(1); // only the profile createTestUser made
  });

  it("POST /api/auth/register/ answers 415 for a JSON body", async () => {
    const response = await api("POST", PATH, {
      json: { email: uniqueEmail(), password: PASSWORD, nik: uniqueNik() },
    });

    expect(response.status).toBe(415);
    expect((await readJson(response)).code).toBe("unsupported_media_type");
  });
});

describe("GET /api/schema/", () => {
  it("GET /api/schema/ documents the KTP as a binary file", async () => {
    const response = await api("GET", "/api/schema/");
    const document = await readJson(response);
    const form =
      document.paths["/api/auth/register/"].post.requestBody.content["multipart/form-data"].schema;
    const schema = form.$ref ? document.components.schemas.RegisterForm : form;

    expect(schema.required.sort()).toEqual(["email", "ktp", "nik", "password"]);
    expect(schema.properties.ktp).toMatchObject({ type: "string", format: "binary" });
    expect(Object.keys(schema.properties)).toContain("referral_code");
  });
});
