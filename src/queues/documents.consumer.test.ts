import { eq, sql } from "drizzle-orm";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ktpText } from "../../test/fakes/ktp-text";
import { withDatabase } from "../../test/helpers/database";
import {
  fakeServiceAccount,
  loadDocumentRow,
  planVision,
  storedBytes,
  storedDocument,
  tokenExchanges,
  visionAccount,
  visionCalls,
} from "../../test/helpers/documents-queue";
import { pdfDocument, pngHeaderOnly } from "../../test/helpers/images";
import { containsExif, jpegPhoto, pngPhoto, withExif } from "../../test/helpers/photos";
import { consumeQueue } from "../../test/helpers/queues";
import { applicantDocuments } from "../db/schema";
import { readJpegSize } from "../documents/file-checks";
import { MAX_STORED_IMAGE_BYTES } from "../documents/image-optimiser";

const consume = (messages: Parameters<typeof consumeQueue>[1], overrides = {}) =>
  consumeQueue("kms-documents", messages, overrides);

const message = (id: number, fileVersion = 1) => ({ document_id: id, file_version: fileVersion });

function randomNik(): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (byte) => byte % 10).join("");
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("documents consumer: images", () => {
  it("optimises a KTP photo above 500 KB and fills ocr_data", async () => {
    const nik = randomNik();
    const vision = visionAccount();
    await planVision(vision.key, [], ktpText({ nik }));
    const photo = withExif(jpegPhoto(1800, 1200, 98, { noise: 0.6 }), 6);
    expect(photo.length).toBeGreaterThan(MAX_STORED_IMAGE_BYTES);
    const document = await storedDocument("ktp", photo, "image/jpeg");

    const { result } = await consume([{ body: message(document.id) }], vision.overrides);

    expect(result.explicitAcks).toHaveLength(1);
    const row = await loadDocumentRow(document.id);
    expect(row.processingStatus).toBe("done");
    expect(row.processingError).toBeNull();
    expect(row.contentType).toBe("image/jpeg");
    expect(row.fileVersion).toBe(1);
    expect(row.file).not.toBe(document.key);
    expect(row.file).toMatch(/^account\/documents\/\d+\/ktp\/[0-9a-f-]{36}\.jpg$/);
    expect(await storedBytes(document.key)).toBeNull();

    const stored = await storedBytes(row.file);
    expect(stored!.length).toBe(row.sizeBytes);
    expect(stored!.length).toBeLessThanOrEqual(MAX_STORED_IMAGE_BYTES);
    expect(containsExif(stored!)).toBe(false);
    // Orientation 6 turned the 1800 × 1200 landscape scan upright (3:2 became 2:3).
    const size = readJpegSize(stored!)!;
    expect(size.height / size.width).toBeCloseTo(1.5, 2);

    expect(row.ocrData).toEqual({
      nik,
      name: "BUDI SANTOSO",
      birth_place: "BOGOR",
      birth_date: "1990-08-17",
      address: "JL. MAWAR NO. 12, RT 003/RW 005, KEL. SUKAMAJU, KEC. CIBINONG",
      gender: "M",
      religion: "ISLAM",
      marital_status: "BELUM MENIKAH",
    });
    expect(row.ocrText).toContain(`NIK : ${nik}`);
    expect(row.ocrProcessedAt).toBeInstanceOf(Date);
    expect(await visionCalls(vision.key)).toEqual([{ imageBytes: stored!.length, jpeg: true }]);
  });

  it("converts a PNG above 2048 px to a JPEG of 2048 px without OCR", async () => {
    const vision = visionAccount();
    const document = await storedDocument("photo-tki", pngPhoto(2600, 1300), "image/png");

    await consume([{ body: message(document.id) }], vision.overrides);

    const row = await loadDocumentRow(document.id);
    expect(row.processingStatus).toBe("done");
    expect(row.contentType).toBe("image/jpeg");
    expect(readJpegSize((await storedBytes(row.file))!)).toEqual({ width: 2048, height: 1024 });
    expect(row.ocrData).toBeNull();
    expect(await visionCalls(vision.key)).toEqual([]);
  });

  it("keeps a small JPEG without metadata as uploaded", async () => {
    const photo = jpegPhoto(800, 600, 80);
    const document = await storedDocument("kartu-bpjs", photo, "image/jpeg");

    await consume([{ body: message(document.id) }]);

    const row = await loadDocumentRow(document.id);
    expect(row.processingStatus).toBe("done");
    expect(row.file).toBe(document.key);
    expect(await storedBytes(document.key)).toEqual(photo);
  });

  it("marks a PDF done and leaves its file alone", async () => {
    const document = await storedDocument("ijasah", pdfDocument(), "application/pdf");

    await consume([{ body: message(document.id) }]);

    const row = await loadDocumentRow(document.id);
    expect(row.processingStatus).toBe("done");
    expect(row.file).toBe(document.key);
  });

  it("marks a truncated JPEG failed and keeps the original", async () => {
    const photo = jpegPhoto(2400, 1600, 90, { noise: 0.4 });
    const truncated = photo.subarray(0, Math.floor(photo.length / 3));
    const document = await storedDocument("paspor", truncated, "image/jpeg");

    const { result } = await consume([{ body: message(document.id) }]);

    expect(result.explicitAcks).toHaveLength(1);
    expect(result.retryMessages).toEqual([]);
    const row = await loadDocumentRow(document.id);
    expect(row.processingStatus).toBe("failed");
    expect(row.processingError).toBe("image data could not be decoded");
    expect(row.file).toBe(document.key);
    expect(await storedBytes(document.key)).not.toBeNull();
  });

  it("rejects a pixel flood from its header", async () => {
    const document = await storedDocument("kartu-keluarga", pngHeaderOnly(9000, 9000), "image/png");

    await consume([{ body: message(document.id) }]);

    const row = await loadDocumentRow(document.id);
    expect(row.processingStatus).toBe("failed");
    expect(row.processingError).toBe("image has more than 40000000 pixels");
  });
});

describe("documents consumer: delivery", () => {
  it("processes a message delivered twice only once", async () => {
    const vision = visionAccount();
    const document = await storedDocument("ktp", jpegPhoto(600, 400), "image/jpeg");
    const id = crypto.randomUUID();

    await consume([{ id, body: message(document.id) }], vision.overrides);
    const first = await loadDocumentRow(document.id);
    const { result } = await consume([{ id, body: message(document.id) }], vision.overrides);

    expect(result.explicitAcks).toHaveLength(1);
    expect(await visionCalls(vision.key)).toHaveLength(1);
    const second = await loadDocumentRow(document.id);
    expect(second.processingStatus).toBe("done");
    expect(second.ocrProcessedAt).toEqual(first.ocrProcessedAt);
  });

  it("skips a message for an older file version", async () => {
    const vision = visionAccount();
    const document = await storedDocument("ktp", jpegPhoto(600, 400), "image/jpeg");
    await withDatabase(({ db }) =>
      db
        .update(applicantDocuments)
        .set({ fileVersion: 2 })
        .where(eq(applicantDocuments.id, document.id)),
    );

    const { result } = await consume([{ body: message(document.id, 1) }], vision.overrides);

    expect(result.explicitAcks).toHaveLength(1);
    expect((await loadDocumentRow(document.id)).processingStatus).toBe("pending");
    expect(await visionCalls(vision.key)).toEqual([]);
  });

  it("acks a message for a document that no longer exists", async () => {
    const { result } = await consume([{ body: message(2_000_000_000) }]);

    expect(result.explicitAcks).toHaveLength(1);
    expect(result.retryMessages).toEqual([]);
  });

  it("dead-letters an invalid message without retrying it", async () => {
    const deadLetters: unknown[] = [];
    const recorder = { send: async (body: unknown) => void deadLetters.push(body) };
    const bodies = [{ document_id: "7", file_version: 1 }, { document_id: 7 }, "garbage"];

    const { result } = await consume(
      bodies.map((body) => ({ body })),
      { DOCUMENTS_DLQ: recorder },
    );

    expect(result.explicitAcks).toHaveLength(3);
    expect(result.retryMessages).toEqual([]);
    expect(deadLetters).toEqual(bodies);
  });

  it("waits while another consumer holds a fresh claim", async () => {
    const document = await storedDocument("kartu-bpjs", jpegPhoto(400, 300), "image/jpeg");
    await setProcessingSince(document.id, "1 minute");

    const { result, delays } = await consume([{ body: message(document.id) }]);

    expect(result.retryMessages).toHaveLength(1);
    expect(delays).toEqual([300]);
    expect((await loadDocumentRow(document.id)).processingStatus).toBe("processing");
  });

  it("reclaims a document a crashed consumer left processing", async () => {
    const document = await storedDocument("kartu-bpjs", jpegPhoto(400, 300), "image/jpeg");
    await setProcessingSince(document.id, "10 minutes");

    const { result } = await consume([{ body: message(document.id), attempts: 2 }]);

    expect(result.explicitAcks).toHaveLength(1);
    expect((await loadDocumentRow(document.id)).processingStatus).toBe("done");
  });
});

describe("documents consumer: OCR", () => {
  it("skips OCR when no Vision credentials are configured", async () => {
    const photo = jpegPhoto(2400, 1600, 85);
    const document = await storedDocument("ktp", photo, "image/jpeg");

    await consume([{ body: message(document.id) }], { GOOGLE_VISION_API_KEY: "" });

    const row = await loadDocumentRow(document.id);
    expect(row.processingStatus).toBe("skipped");
    expect(row.processingError).toBe("ocr skipped: no Vision credentials configured");
    expect(row.ocrData).toBeNull();
    // The image is still optimised.
    expect(readJpegSize((await storedBytes(row.file))!)).toEqual({ width: 2048, height: 1365 });
  });

  it("retries a 429 with growing delays, then succeeds", async () => {
    const vision = visionAccount();
    await planVision(vision.key, [429, 429, 429]);
    const document = await storedDocument("ktp", jpegPhoto(600, 400), "image/jpeg");

    const delays: (number | undefined)[] = [];
    for (const attempts of [1, 2, 3]) {
      const outcome = await consume([{ body: message(document.id), attempts }], vision.overrides);
      expect(outcome.result.retryMessages).toHaveLength(1);
      expect(outcome.result.explicitAcks).toEqual([]);
      delays.push(...outcome.delays);
      const row = await loadDocumentRow(document.id);
      expect(row.processingStatus).toBe("pending");
      expect(row.processingError).toBe("vision answered 429");
    }
    expect(delays).toEqual([30, 60, 120]);

    const { result } = await consume(
      [{ body: message(document.id), attempts: 4 }],
      vision.overrides,
    );
    expect(result.explicitAcks).toHaveLength(1);
    const row = await loadDocumentRow(document.id);
    expect(row.processingStatus).toBe("done");
    expect(row.processingError).toBeNull();
  });

  it("retries a 500 and a per-image UNAVAILABLE, then succeeds", async () => {
    const vision = visionAccount();
    await planVision(vision.key, [500, "image_unavailable"]);
    const document = await storedDocument("ktp", jpegPhoto(600, 400), "image/jpeg");

    const first = await consume([{ body: message(document.id) }], vision.overrides);
    const second = await consume([{ body: message(document.id), attempts: 2 }], vision.overrides);
    const third = await consume([{ body: message(document.id), attempts: 3 }], vision.overrides);

    expect(first.delays).toEqual([30]);
    expect(second.delays).toEqual([60]);
    expect(third.result.explicitAcks).toHaveLength(1);
    expect((await loadDocumentRow(document.id)).processingStatus).toBe("done");
    expect(await visionCalls(vision.key)).toHaveLength(3);
  });

  it("marks the document failed when Vision rejects the image", async () => {
    const vision = visionAccount();
    await planVision(vision.key, ["image_error"]);
    const document = await storedDocument("ktp", jpegPhoto(600, 400), "image/jpeg");

    const { result } = await consume([{ body: message(document.id) }], vision.overrides);

    expect(result.explicitAcks).toHaveLength(1);
    const row = await loadDocumentRow(document.id);
    expect(row.processingStatus).toBe("failed");
    expect(row.processingError).toBe("vision rejected the image with code 3");
  });

  it("retries when Vision cannot be reached", async () => {
    const document = await storedDocument("ktp", jpegPhoto(600, 400), "image/jpeg");

    // Port 9 (discard) on loopback has no listener, so the connection is refused.
    const { result, delays } = await consume([{ body: message(document.id) }], {
      GOOGLE_VISION_ENDPOINT: "http://127.0.0.1:9",
    });

    expect(result.retryMessages).toHaveLength(1);
    expect(delays).toEqual([30]);
    expect((await loadDocumentRow(document.id)).processingError).toBe(
      "vision could not be reached",
    );
  });

  it("authenticates with a service account and caches its token", async () => {
    const account = await fakeServiceAccount();
    const overrides = { GOOGLE_VISION_API_KEY: "", GOOGLE_SERVICE_ACCOUNT_JSON: account.json };
    const first = await storedDocument("ktp", jpegPhoto(600, 400), "image/jpeg");
    const second = await storedDocument("ktp", jpegPhoto(600, 400), "image/jpeg");

    await consume([{ body: message(first.id) }], overrides);
    await consume([{ body: message(second.id) }], overrides);

    expect((await loadDocumentRow(first.id)).processingStatus).toBe("done");
    expect((await loadDocumentRow(second.id)).processingStatus).toBe("done");
    expect(await visionCalls(account.clientEmail)).toHaveLength(2);
    expect(await tokenExchanges(account.clientEmail)).toBe(1);
  });

  it("fails permanently when the service account key is unknown to Google", async () => {
    const account = await fakeServiceAccount();
    const stranger = await fakeServiceAccount();
    // The key file of one account with the email of another: the signature cannot verify.
    const json = JSON.stringify({
      ...JSON.parse(account.json),
      client_email: `x${stranger.clientEmail}`,
    });
    const document = await storedDocument("ktp", jpegPhoto(600, 400), "image/jpeg");

    await consume([{ body: message(document.id) }], {
      GOOGLE_VISION_API_KEY: "",
      GOOGLE_SERVICE_ACCOUNT_JSON: json,
    });

    const row = await loadDocumentRow(document.id);
    expect(row.processingStatus).toBe("failed");
    expect(row.processingError).toBe("token endpoint returned status 400");
  });

  it("writes one log line per message without the NIK", async () => {
    const nik = randomNik();
    const vision = visionAccount();
    await planVision(vision.key, [], ktpText({ nik }));
    const document = await storedDocument("ktp", jpegPhoto(600, 400), "image/jpeg");
    const lines: string[] = [];
    for (const method of ["log", "warn", "error"] as const) {
      vi.spyOn(console, method).mockImplementation((line: string) => void lines.push(line));
    }

    await consume([{ body: message(document.id) }], vision.overrides);

    const records = lines.map((line) => JSON.parse(line));
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      queue: "kms-documents",
      document_id: document.id,
      outcome: "done",
    });
    expect(lines.join("\n")).not.toContain(nik);
    expect(lines.join("\n")).not.toContain(vision.key);
  });
});

describe("documents dead-letter consumer", () => {
  it("marks a pending document failed and leaves a finished one alone", async () => {
    const pending = await storedDocument("ktp", jpegPhoto(300, 200), "image/jpeg");
    const finished = await storedDocument("kartu-bpjs", jpegPhoto(300, 200), "image/jpeg");
    await consume([{ body: message(finished.id) }]);

    const { result } = await consumeQueue("kms-documents-dlq", [
      { body: message(pending.id) },
      { body: message(finished.id) },
      { body: { document_id: "nope" } },
    ]);

    expect(result.explicitAcks).toHaveLength(3);
    const row = await loadDocumentRow(pending.id);
    expect(row.processingStatus).toBe("failed");
    expect(row.processingError).toBe("gave up after 6 attempts");
    expect((await loadDocumentRow(finished.id)).processingStatus).toBe("done");
  });
});

async function setProcessingSince(id: number, age: string) {
  await withDatabase(({ db }) =>
    db
      .update(applicantDocuments)
      .set({ processingStatus: "processing", updatedAt: sql`now() - ${age}::interval` })
      .where(eq(applicantDocuments.id, id)),
  );
}
