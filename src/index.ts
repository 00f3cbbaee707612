import { createApp } from "./app";
import type { Bindings } from "./env";
import { handleQueueBatch } from "./queues/dispatch";

const app = createApp();

export default {
  fetch: app.fetch,
  queue: (batch, env, ctx) => handleQueueBatch(batch, env, ctx),
} satisfies ExportedHandler<Bindings>;
