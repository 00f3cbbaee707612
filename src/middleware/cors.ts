import { cors } from "hono/cors";
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../context";

/**
 * CORS with credentials for the origins in `CORS_ALLOWED_ORIGINS` only. Other origins get no
 * `Access-Control-Allow-Origin`, so browsers block them; `*` is never sent with cookies.
 */
export const corsFromConfig = createMiddleware<AppEnv>(async (c, next) => {
  const allowed = c.get("config").CORS_ALLOWED_ORIGINS;
  const handler = cors({
    origin: (origin) => (allowed.includes(origin) ? origin : null),
    credentials: true,
    allowMethods: ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
    allowHeaders: ["Content-Type", "Authorization", "X-Request-ID"],
    exposeHeaders: ["X-Request-ID", "Retry-After"],
    maxAge: 600,
  });
  return handler(c, next);
});
