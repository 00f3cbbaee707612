import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import { routePath } from "hono/route";
import type { AppEnv, LazyDatabase } from "../context";
import { type DatabaseHandle, openDatabase } from "../db/client";
import { type Config, loadConfig } from "../env";
import { createLogger } from "../lib/logger";

const REQUEST_ID_PATTERN = /^[A-Za-z0-9._-]{8,128}$/;

/**
 * Sets the request id, logger and lazy database for every request, and writes one JSON log
 * line when the response is ready. An incoming `X-Request-ID` is kept only when it looks like
 * an id, so clients cannot inject text into logs.
 */
export const requestContext = createMiddleware<AppEnv>(async (c, next) => {
  const started = Date.now();
  const incoming = c.req.header("X-Request-ID");
  const requestId = incoming && REQUEST_ID_PATTERN.test(incoming) ? incoming : crypto.randomUUID();
  const logger = createLogger({ request_id: requestId });
  const database = createLazyDatabase(() => c.get("config"));
  c.set("requestId", requestId);
  c.set("logger", logger);
  c.set("auth", undefined);
  c.set("database", database);

  await next();

  c.header("X-Request-ID", requestId);
  closeInBackground(c, database);
  const status = c.res.status;
  const level = status >= 500 ? "error" : status >= 400 ? "warn" : "info";
  logger[level]("request", {
    method: c.req.method,
    route: routePath(c),
    status,
    duration_ms: Date.now() - started,
    user_id: c.get("auth")?.userId,
  });
});

/** Validates the Worker's variables; a ConfigError reaches `onError` and answers 500. */
export const configuration = createMiddleware<AppEnv>(async (c, next) => {
  c.set("config", loadConfig(c.env));
  await next();
});

function createLazyDatabase(getConfig: () => Config | undefined): LazyDatabase {
  let handle: DatabaseHandle | undefined;
  return {
    get() {
      const config = getConfig();
      if (!config) throw new Error("database requested before configuration was loaded");
      handle ??= openDatabase(config);
      return handle;
    },
    async closeIfOpened() {
      await handle?.close();
    },
  };
}

function closeInBackground(c: Context<AppEnv>, database: LazyDatabase) {
  const closing = database.closeIfOpened().catch(() => {});
  try {
    c.executionCtx.waitUntil(closing);
  } catch {
    // Requests made with app.request() have no execution context; the promise settles anyway.
  }
}
