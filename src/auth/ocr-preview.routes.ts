import { createRoute, z } from "@hono/zod-openapi";
import { bodyLimit } from "hono/body-limit";
import { createMiddleware } from "hono/factory";
import { type AppEnv, serviceContext } from "../context";
import { AppError } from "../lib/errors";
import {
  createRouter,
  envelopeSchema,
  errorResponse,
  jsonResponse,
  multipartBody,
  requireMultipart,
} from "../lib/openapi";
import { limitPerIp, rateLimitedResponse } from "../rate-limits/rate-limit.middleware";
import { previewKtp } from "./ocr-preview.service";

// The KTP document type allows 10 MB; the rest is room for the multipart framing.
const MAX_BODY_BYTES = 10 * 1024 * 1024 + 64 * 1024;

const OcrPreviewFormSchema = z
  .object({
    ktp: z
      .instanceof(File, { message: "Foto KTP wajib diunggah sebagai file (JPG atau PNG)." })
      .openapi({ type: "string", format: "binary" }),
  })
  .openapi("OcrPreviewForm");

const KtpPreviewSchema = z
  .object({
    nik: z.string().nullable(),
    full_name: z.string().nullable(),
    birth_place: z.string().nullable(),
    birth_date: z.string().nullable(),
    address: z.string().nullable(),
    gender: z.enum(["M", "F"]).nullable(),
  })
  .openapi("KtpPreview");

/**
 * Answers 404 `ocr_preview_disabled` unless OCR_PREVIEW_ENABLED is set: an anonymous endpoint
 * that spends Vision quota per call stays off unless a deployment chooses it.
 */
const requireEnabled = createMiddleware<AppEnv>(async (c, next) => {
  if (!c.get("config").OCR_PREVIEW_ENABLED) {
    throw new AppError(404, "ocr_preview_disabled", "Pratinjau OCR KTP tidak diaktifkan.");
  }
  await next();
});

const limitBody = bodyLimit({
  maxSize: MAX_BODY_BYTES,
  onError: () => {
    throw new AppError(
      413,
      "payload_too_large",
      "Ukuran data terlalu besar. Foto KTP maksimal 10 MB.",
    );
  },
});

const ocrPreviewRoute = createRoute({
  method: "post",
  path: "/api/auth/ocr-preview/",
  tags: ["auth"],
  summary: "Read a KTP photo with OCR to prefill registration; the file is not stored",
  middleware: [requireEnabled, limitPerIp("ocr_preview"), limitBody, requireMultipart] as const,
  request: multipartBody(OcrPreviewFormSchema),
  responses: {
    200: jsonResponse("Fields read from the KTP", envelopeSchema(KtpPreviewSchema)),
    400: errorResponse("Missing, unreadable or disallowed file (`errors.ktp`)"),
    404: errorResponse("OCR preview is turned off (`ocr_preview_disabled`)"),
    413: errorResponse("Body larger than 10 MB"),
    429: rateLimitedResponse,
    503: errorResponse("Vision is not configured or not reachable (`ocr_unavailable`)"),
  },
});

export const ocrPreviewRoutes = createRouter().openapi(ocrPreviewRoute, async (c) => {
  const { ktp } = c.req.valid("form");
  const data = await previewKtp(serviceContext(c), ktp);
  return c.json({ code: "ocr_preview", detail: "KTP berhasil dibaca.", data }, 200);
});
