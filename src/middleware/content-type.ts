import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../context";
import { AppError } from "../lib/errors";

const MEDIA_TYPES = {
  json: /^application\/([\w.-]+\+)?json$/i,
  multipart: /^multipart\/form-data$/i,
} as const;

/** Answers 415 `unsupported_media_type` when a body arrives in another format than `kind`. */
export const requireContentType = (kind: keyof typeof MEDIA_TYPES) =>
  createMiddleware<AppEnv>(async (c, next) => {
    const mediaType = (c.req.header("Content-Type") ?? "").split(";")[0]?.trim() ?? "";
    if (!MEDIA_TYPES[kind].test(mediaType)) {
      const expected = kind === "json" ? "application/json" : "multipart/form-data";
      throw new AppError(
        415,
        "unsupported_media_type",
        `Tipe konten "${mediaType.slice(0, 100) || "(kosong)"}" tidak didukung. Gunakan ${expected}.`,
      );
    }
    await next();
  });
