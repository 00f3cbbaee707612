import { swaggerUI } from "@hono/swagger-ui";
import { z } from "@hono/zod-openapi";
import { bodyLimit } from "hono/body-limit";
import { createMiddleware } from "hono/factory";
import { secureHeaders } from "hono/secure-headers";
import { accountRoutes } from "./accounts/accounts.routes";
import { verificationRoutes } from "./applicant-profiles/verification.routes";
import { applicantSearchRoutes } from "./applicants/applicant-search.routes";
import { applicantProfileRoutes } from "./applicants/profile.routes";
import { workExperienceRoutes } from "./applicants/work-experiences.routes";
import { authRoutes } from "./auth/auth.routes";
import { ocrPreviewRoutes } from "./auth/ocr-preview.routes";
import type { AppEnv } from "./context";
import { dashboardRoutes } from "./dashboard/dashboard.routes";
import { documentTypeRoutes } from "./documents/document-types.routes";
import { documentRoutes } from "./documents/documents.routes";
import { healthRoutes } from "./health/health.routes";
import { handleError, renderStatus } from "./lib/error-handler";
import { AppError } from "./lib/errors";
import { createRouter, pathWithTrailingSlash, type Router } from "./lib/openapi";
import { allowedMethods } from "./lib/routes";
import { corsFromConfig } from "./middleware/cors";
import { configuration, requestContext } from "./middleware/request-context";
import { buildOpenApiDocument } from "./openapi-document";
import { limitRequests } from "./rate-limits/rate-limit.middleware";
import { referrerRoutes } from "./referrers/referrers.routes";
import { regionRoutes } from "./regions/regions.routes";
import { meRoutes } from "./users/me.routes";

// Messages from zod reach people, so they are Indonesian.
z.config(z.locales.id());

const JSON_BODY_LIMIT_BYTES = 1024 * 1024;

/** Builds the Hono app: middleware, every feature's routes, the OpenAPI document and errors. */
export function createApp(): Router {
  const app = createRouter();

  app.use("*", requestContext);
  app.use("*", secureHeaders());
  app.use("*", configuration);
  app.use("*", corsFromConfig);
  // After CORS, which ends preflight requests itself, so they are not counted.
  app.use("*", limitRequests);
  app.use("*", limitJsonBodies);

  app.route("/", healthRoutes);
  app.route("/", authRoutes);
  app.route("/", ocrPreviewRoutes);
  app.route("/", meRoutes);
  app.route("/", regionRoutes);
  app.route("/", documentTypeRoutes);
  // Routers with `/api/applicants/me/…` paths come before those with `/api/applicants/{id}/…`,
  // because Hono tries routes in the order they were added and `me` would match `{id}`.
  app.route("/", applicantProfileRoutes);
  app.route("/", workExperienceRoutes);
  app.route("/", documentRoutes);
  app.route("/", applicantSearchRoutes);
  app.route("/", accountRoutes);
  app.route("/", verificationRoutes);
  app.route("/", referrerRoutes);
  app.route("/", dashboardRoutes);

  app.get("/api/schema/", (c) => c.json(buildOpenApiDocument(app)));
  // Swagger UI's page loads its script and styles from a CDN in the reader's browser.
  app.get("/api/docs/", swaggerUI({ url: "/api/schema/", title: "KMS-Connect Account API" }));

  app.notFound((c) => {
    const allow = allowedMethods(app, pathWithTrailingSlash(c.req.raw));
    if (allow.length === 0) return renderStatus(c, 404);
    c.header("Allow", allow.join(", "));
    return renderStatus(c, 405);
  });
  app.onError(handleError);
  return app;
}

const jsonBodyLimit = bodyLimit({
  maxSize: JSON_BODY_LIMIT_BYTES,
  onError: () => {
    throw new AppError(413, "payload_too_large", "Ukuran data yang dikirim melebihi 1 MB.");
  },
});

/** Non-multipart bodies stop at 1 MiB; multipart routes set their own limit per file type. */
const limitJsonBodies = createMiddleware<AppEnv>(async (c, next) => {
  const contentType = c.req.header("Content-Type") ?? "";
  if (/^multipart\/form-data/i.test(contentType)) return next();
  return jsonBodyLimit(c, next);
});
