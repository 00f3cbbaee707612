import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { ktpText } from "../../test/fakes/ktp-text";
import {
  bindings,
  planVision,
  visionAccount,
  visionCalls,
} from "../../test/helpers/documents-queue";
import { api, BASE_URL, randomIpAddress, readJson } from "../../test/helpers/http";
import { pdfDocument } from "../../test/helpers/images";
import { containsExif, jpegPhoto, withExif } from "../../test/helpers/photos";
import type { Bindings } from "../env";
import worker from "../index";

const PATH = "/api/auth/ocr-preview/";

function ktpForm(bytes: Uint8Array, name = "ktp.jpg", type = "image/jpeg") {
  const form = new FormData();
  form.set("ktp", new File([bytes], name, { type }));
  return form;
}

/** Sends the request to the Worker with extra variables, as a deployment would set them. */
async function postWith(overrides: Record<string, string>, body: BodyInit) {
  const ctx = createExecutionContext();
  // A client address of its own, so the per-IP limit of 5 a minute spans this request only.
  const headers = { "CF-Connecting-IP": randomIpAddress() };
  const request = new Request(`${BASE_URL}${PATH}`, { method: "POST", headers, body });
  const response = await worker.fetch(request, { ...bindings, ...overrides } as Bindings, ctx);
  await waitOnExecutionContext(ctx);
  return response;
}

function enabled(key: string) {
  return { OCR_PREVIEW_ENABLED: "true", GOOGLE_VISION_API_KEY: key };
}

describe("POST /api/auth/ocr-preview/", () => {
  it("answers 404 ocr_preview_disabled when the feature is off", async () => {
    const response = await api("POST", PATH, { form: ktpForm(jpegPhoto(400, 250)) });

    expect(response.status).toBe(404);
    const body = await readJson(response);
    expect(body.code).toBe("ocr_preview_disabled");
    expect(body.detail).toBe("Pratinjau OCR KTP tidak diaktifkan.");
    expect(body.request_id).toEqual(expect.any(String));
  });

  it("reads the KTP fields when the feature is on", async () => {
    const vision = visionAccount();
    await planVision(vision.key, [], ktpText({ nik: "3201234567890001", name: "SITI RAHMA" }));
    const photo = withExif(jpegPhoto(1200, 760), 1);

    const response = await postWith(enabled(vision.key), ktpForm(photo));

    expect(response.status).toBe(200);
    const body = await readJson(response);
    expect(body.code).toBe("ocr_preview");
    expect(body.data).toEqual({
      nik: "3201234567890001",
      full_name: "SITI RAHMA",
      birth_place: "BOGOR",
      birth_date: "1990-08-17",
      address: "JL. MAWAR NO. 12, RT 003/RW 005, KEL. SUKAMAJU, KEC. CIBINONG",
      gender: "M",
    });
    const calls = await visionCalls(vision.key);
    expect(calls).toHaveLength(1);
    // Vision got the re-encoded photo, without the GPS block of the upload.
    expect(calls[0]!.jpeg).toBe(true);
    expect(calls[0]!.imageBytes).not.toBe(photo.length);
    expect(containsExif(photo)).toBe(true);
  });

  it("answers 400 with errors.ktp for a PDF sent as a KTP", async () => {
    const vision = visionAccount();

    const response = await postWith(enabled(vision.key), ktpForm(pdfDocument(), "ktp.pdf"));

    expect(response.status).toBe(400);
    const body = await readJson(response);
    expect(body.code).toBe("validation_error");
    expect(body.errors.ktp).toHaveLength(1);
    expect(await visionCalls(vision.key)).toEqual([]);
  });

  it("answers 400 when the ktp field is missing or not a file", async () => {
    const form = new FormData();
    form.set("ktp", "not a file");

    const response = await postWith(enabled(visionAccount().key), form);

    expect(response.status).toBe(400);
    expect((await readJson(response)).errors.ktp).toEqual([
      "Foto KTP wajib diunggah sebagai file (JPG atau PNG).",
    ]);
  });

  it("answers 415 for a JSON body", async () => {
    const ctx = createExecutionContext();
    const request = new Request(`${BASE_URL}${PATH}`, {
      method: "POST",
      headers: { "Content-Type": "application/json", "CF-Connecting-IP": randomIpAddress() },
      body: "{}",
    });
    const overrides = enabled(visionAccount().key);
    const response = await worker.fetch(request, { ...bindings, ...overrides } as Bindings, ctx);

    expect(response.status).toBe(415);
  });

  it("answers 400 when Vision rejects the image", async () => {
    const vision = visionAccount();
    await planVision(vision.key, ["image_error"]);

    const response = await postWith(enabled(vision.key), ktpForm(jpegPhoto(400, 250)));

    expect(response.status).toBe(400);
    expect((await readJson(response)).errors.ktp).toEqual([
      "Foto KTP tidak dapat dibaca. Gunakan foto yang lebih jelas.",
    ]);
  });

  it("answers 503 ocr_unavailable when Vision answers 500", async () => {
    const vision = visionAccount();
    await planVision(vision.key, [500]);

    const response = await postWith(enabled(vision.key), ktpForm(jpegPhoto(400, 250)));

    expect(response.status).toBe(503);
    expect((await readJson(response)).code).toBe("ocr_unavailable");
  });

  it("answers 503 ocr_unavailable when no Vision key is configured", async () => {
    const response = await postWith(
      { OCR_PREVIEW_ENABLED: "true", GOOGLE_VISION_API_KEY: "" },
      ktpForm(jpegPhoto(400, 250)),
    );

    expect(response.status).toBe(503);
    expect((await readJson(response)).code).toBe("ocr_unavailable");
  });
});
