import { createApp } from "./app";
import type { Bindings } from "./env";
import { runMaintenance } from "./maintenance/maintenance.scheduled";
import { handleQueueBatch } from "./queues/dispatch";

// The Durable Object class behind the RATE_LIMITER binding; wrangler finds it by this export.
export { RateLimiter } from "./rate-limits/rate-limiter.object";

const app = createApp();

export default {
  fetch: app.fetch,
  queue: (batch, env, ctx) => handleQueueBatch(batch, env, ctx),
  scheduled: (controller, env) => runMaintenance(controller, env),
} satisfies ExportedHandler<Bindings>;
