import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { expect } from "vitest";
import type { Bindings } from "../../src/env";
import worker from "../../src/index";
import { type RequestOptions, readJson, testRequest } from "./http";

export type TestClient = (
  method: string,
  path: string,
  options?: RequestOptions,
) => Promise<Response>;

/**
 * Returns a client for the Worker with `settings` added to its variables, for example a limit
 * with a one-second window. Its configuration is its own, like that of another isolate, but it
 * shares the RATE_LIMITER binding with every other client.
 */
export function workerWith(settings: Record<string, string>): TestClient {
  const bindings = { ...env, ...settings } as unknown as Bindings;
  return async (method, path, options = {}) => {
    const ctx = createExecutionContext();
    const response = await worker.fetch(testRequest(method, path, options), bindings, ctx);
    await waitOnExecutionContext(ctx);
    return response;
  };
}

/** Sends `count` requests one after another and returns their statuses. */
export async function statusesOf(count: number, send: () => Promise<Response>) {
  const statuses: number[] = [];
  for (let index = 0; index < count; index++) {
    const response = await send();
    await response.body?.cancel();
    statuses.push(response.status);
  }
  return statuses;
}

/**
 * Asserts a 429 error body with code `rate_limited`, an Indonesian detail, a
 * request id, and `Retry-After` in whole seconds between 1 and `maxSeconds`. Returns the body.
 */
export async function expectRateLimited(response: Response, maxSeconds: number) {
  expect(response.status).toBe(429);
  const body = await readJson(response);
  expect(body.code).toBe("rate_limited");
  expect(body.detail).toMatch(/^Terlalu banyak .+ Coba lagi dalam \d+ detik\.$/);
  expect(body.request_id).toEqual(expect.any(String));
  const retryAfter = Number(response.headers.get("Retry-After"));
  expect(Number.isInteger(retryAfter)).toBe(true);
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(maxSeconds);
  return body;
}

/** Waits until a window of `seconds` that began before the call has closed. */
export function waitForWindow(seconds: number) {
  return new Promise((resolve) => setTimeout(resolve, seconds * 1000 + 150));
}
