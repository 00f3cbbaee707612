import { createRoute, z } from "@hono/zod-openapi";
import { AppError, notFound, permissionDenied } from "../lib/errors";
import { verifyFileToken } from "../lib/file-tokens";
import { createRouter, errorResponse } from "../lib/openapi";
import { contentDisposition, createStorage, fileUrlSecret } from "../lib/storage";

const fileRoute = createRoute({
  method: "get",
  path: "/api/files/{token}/",
  tags: ["Files"],
  summary: "Serves a private file through a signed, expiring token",
  description:
    "The `file` URLs of documents point here when files are in R2. No credentials are needed: " +
    "the token is the permission, and it expires 15 minutes after it was issued.",
  request: { params: z.object({ token: z.string().min(1).max(4096) }) },
  responses: {
    200: {
      description: "The file",
      content: { "application/octet-stream": { schema: z.string().openapi({ format: "binary" }) } },
    },
    403: errorResponse("Invalid, tampered or expired token"),
    404: errorResponse("The file no longer exists (deleted or replaced)"),
  },
});

/** Serves R2 objects to holders of a signed token. */
export const fileRoutes = createRouter().openapi(fileRoute, async (c) => {
  const config = c.get("config");
  const now = Math.floor(Date.now() / 1000);
  const checked = await verifyFileToken(fileUrlSecret(config), c.req.valid("param").token, now);
  if (!checked.ok) {
    c.get("logger").warn("file token rejected", { reason: checked.reason });
    if (checked.reason === "expired") {
      throw new AppError(403, "permission_denied", "Tautan file sudah kedaluwarsa. Muat ulang.");
    }
    throw permissionDenied("Tautan file tidak valid.");
  }

  const { grant } = checked;
  const object = await createStorage(c.env, config).get(grant.key);
  if (!object) throw notFound("File tidak ditemukan.");

  const response = c.body(object.body, 200, {
    "Content-Type": grant.contentType,
    "Content-Disposition": contentDisposition(grant.fileName),
    "Content-Length": String(object.size),
    // Only the holder of the link may keep the file, and no longer than the link is valid.
    "Cache-Control": `private, max-age=${grant.expiresAt - now}`,
  });
  // A streamed binary body has no typed-response form in @hono/zod-openapi.
  return response as never;
});
