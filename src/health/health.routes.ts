import { createRoute, z } from "@hono/zod-openapi";
import { sql } from "drizzle-orm";
import { describeError } from "../lib/logger";
import { createRouter, jsonResponse } from "../lib/openapi";

const CheckSchema = z.enum(["ok", "error"]);
const HealthSchema = z
  .object({
    status: z.enum(["ok", "degraded"]),
    checks: z.object({
      database: CheckSchema,
      cache: CheckSchema,
      storage: CheckSchema,
      queues: CheckSchema,
    }),
  })
  .openapi("Health");

const healthRoute = createRoute({
  method: "get",
  path: "/health/",
  tags: ["operations"],
  summary: "Checks the database, KV, storage and queue bindings",
  responses: {
    200: jsonResponse("Every dependency answered", HealthSchema),
    503: jsonResponse("The database is unreachable", HealthSchema),
  },
});

const LiveSchema = z.object({ status: z.literal("ok") }).openapi("Liveness");

const liveRoute = createRoute({
  method: "get",
  path: "/health/live/",
  tags: ["operations"],
  summary: "Reports that the Worker runs, without checking any dependency",
  description:
    "For liveness probes and as the baseline route of the HTTP benchmark: it passes through " +
    "the same middleware as every route and touches no binding.",
  responses: {
    200: jsonResponse("The Worker is running", LiveSchema),
  },
});

export const healthRoutes = createRouter();

healthRoutes.openapi(liveRoute, (c) => c.json({ status: "ok" as const }, 200));

healthRoutes.openapi(healthRoute, async (c) => {
  const [database, cache, storage] = await Promise.all([
    check(c, async () => {
      await c.get("database").get().db.execute(sql`select 1`);
    }),
    check(c, async () => {
      await c.env.CACHE.get("health-check");
    }),
    check(c, async () => {
      await c.env.FILES.head("health-check");
    }),
  ]);
  // Queue bindings have no read call; a missing binding is the failure we can see.
  const queues = c.env.DOCUMENTS_QUEUE && c.env.EMAILS_QUEUE ? "ok" : "error";
  const checks = { database, cache, storage, queues } as const;
  const healthy = Object.values(checks).every((value) => value === "ok");
  const body = { status: healthy ? ("ok" as const) : ("degraded" as const), checks };
  return c.json(body, database === "ok" ? 200 : 503);
});

async function check(
  c: { get(key: "logger"): { warn(message: string, fields: object): void } },
  probe: () => Promise<void>,
): Promise<"ok" | "error"> {
  try {
    await probe();
    return "ok";
  } catch (error) {
    c.get("logger").warn("health check failed", describeError(error));
    return "error";
  }
}
