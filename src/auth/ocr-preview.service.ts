import type { ServiceContext } from "../context";
import { checkDocumentFile } from "../documents/file-checks";
import { ImageRejectedError, optimiseImage } from "../documents/image-optimiser";
import { parseKtpText } from "../documents/ocr/ktp-parser";
import { OcrError } from "../documents/ocr/ocr-error";
import { createVisionClient } from "../documents/ocr/vision.client";
import { AppError, fieldError } from "../lib/errors";
import { findDocumentType, KTP_DOCUMENT_CODE } from "./register.service";

/** The fields the registration form can be prefilled with. */
export interface KtpPreview {
  nik: string | null;
  full_name: string | null;
  birth_place: string | null;
  birth_date: string | null;
  address: string | null;
  gender: "M" | "F" | null;
}

const unavailable = () =>
  new AppError(503, "ocr_unavailable", "Layanan OCR sedang tidak tersedia. Coba lagi nanti.");

/**
 * Reads a KTP photo with Vision and returns its fields, without storing the file. The photo
 * passes the same checks as a KTP upload and is optimised first, so Vision never receives
 * more than 500 KB or the photo's EXIF and GPS metadata.
 */
export async function previewKtp(services: ServiceContext, file: File): Promise<KtpPreview> {
  const ktpType = await findDocumentType(services.db, KTP_DOCUMENT_CODE);
  const checked = await checkDocumentFile(file, ktpType);
  if (!checked.ok) throw fieldError("ktp", checked.errors[0]!);

  const vision = createVisionClient(services.config, services.env.CACHE);
  if (!vision) throw unavailable();

  const text = await readText(services, vision, new Uint8Array(checked.bytes));
  const data = parseKtpText(text);
  return {
    nik: data.nik,
    full_name: data.name,
    birth_place: data.birth_place,
    birth_date: data.birth_date,
    address: data.address,
    gender: data.gender,
  };
}

async function readText(
  services: ServiceContext,
  vision: NonNullable<ReturnType<typeof createVisionClient>>,
  bytes: Uint8Array,
): Promise<string> {
  try {
    const optimised = optimiseImage(bytes);
    return await vision.readText(optimised.changed ? optimised.bytes : bytes);
  } catch (error) {
    if (error instanceof ImageRejectedError) {
      throw fieldError("ktp", "File gambar rusak atau tidak dapat dibaca.");
    }
    if (error instanceof OcrError && !error.transient) {
      services.logger.warn("ocr preview rejected", { reason: error.message });
      throw fieldError("ktp", "Foto KTP tidak dapat dibaca. Gunakan foto yang lebih jelas.");
    }
    if (error instanceof OcrError) {
      services.logger.warn("ocr preview unavailable", { reason: error.message });
      throw unavailable();
    }
    throw error;
  }
}
