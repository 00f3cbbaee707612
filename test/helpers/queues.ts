import { createExecutionContext, createMessageBatch, env, getQueueResult } from "cloudflare:test";
import { vi } from "vitest";
import type { Bindings } from "../../src/env";
import worker from "../../src/index";

const bindings = env as unknown as Bindings;

/** One message to deliver. `attempts` and `id` default to a first delivery with a fresh id. */
export interface Delivery {
  body: unknown;
  attempts?: number;
  id?: string;
}

/**
 * Runs the Worker's queue handler on one batch of `queue` and returns the ack/retry result,
 * plus the delays passed to `retry()`, which `getQueueResult` does not report.
 */
export async function consumeQueue(
  queue: string,
  messages: Delivery[],
  overrides: Record<string, unknown> = {},
) {
  const batch = createMessageBatch(
    queue,
    messages.map((message) => ({
      id: message.id ?? crypto.randomUUID(),
      timestamp: new Date(),
      attempts: message.attempts ?? 1,
      body: message.body,
    })),
  );
  const delays: (number | undefined)[] = [];
  for (const message of batch.messages) {
    const retry = message.retry.bind(message);
    vi.spyOn(message, "retry").mockImplementation((options) => {
      delays.push(options?.delaySeconds);
      retry(options);
    });
  }
  const ctx = createExecutionContext();
  await worker.queue(batch, { ...bindings, ...overrides } as Bindings, ctx);
  return { batch, delays, result: await getQueueResult(batch, ctx) };
}
