import { expect } from "vitest";
import type { UserRole } from "../../src/db/schema";
import { api, readJson } from "../helpers/http";
import { createTestUser, loginAs, type TestUserOverrides } from "../helpers/users";

/** A signed-in test user: the row, its password and both tokens. */
export type Session = Awaited<ReturnType<typeof signInAs>>;

/** Creates a user of `role` (verified email unless overridden) and signs it in. */
export async function signInAs(role: UserRole, overrides: TestUserOverrides = {}) {
  const created = await createTestUser({ role, emailVerified: true, ...overrides });
  const tokens = await loginAs(created.user.email, created.password);
  return { ...created, ...tokens };
}

/**
 * Asserts the error body of every failure: status, code, a non-empty Indonesian `detail`
 * and a `request_id`. Returns the parsed body for further checks.
 */
export async function expectError(response: Response, status: number, code: string) {
  const body = await readJson(response);
  expect(response.status, JSON.stringify(body)).toBe(status);
  expect(body.code).toBe(code);
  expect(typeof body.detail).toBe("string");
  expect(body.detail.length).toBeGreaterThan(0);
  expect(typeof body.request_id).toBe("string");
  return body;
}

/** Returns the status of GET /api/me/ with this Bearer token: 200 while the token is usable. */
export async function meStatus(access: string): Promise<number> {
  const response = await api("GET", "/api/me/", { token: access });
  await response.arrayBuffer();
  return response.status;
}

/** POST /api/auth/token/refresh/ with this refresh token in the body. */
export function refreshWith(refresh: string) {
  return api("POST", "/api/auth/token/refresh/", { json: { refresh } });
}

/** Decodes the payload of a JWT without checking it. */
export function jwtPayload(token: string): Record<string, unknown> {
  const part = (token.split(".")[1] ?? "").replaceAll("-", "+").replaceAll("_", "/");
  return JSON.parse(atob(part));
}

/** Encodes JSON as unpadded base64url, the encoding of JWT segments. */
export function base64url(value: unknown): string {
  const bytes = new TextEncoder().encode(JSON.stringify(value));
  const binary = String.fromCharCode(...bytes);
  return btoa(binary).replaceAll("+", "-").replaceAll("/", "_").replaceAll("=", "");
}

/** Returns the median of a non-empty list of numbers. */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  if (sorted.length % 2 === 1) return sorted[middle] as number;
  return ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}
