import { SELF } from "cloudflare:test";

export const BASE_URL = "http://api.test";

export interface RequestOptions {
  json?: unknown;
  form?: FormData;
  body?: BodyInit;
  headers?: Record<string, string>;
  /** Bearer access token. */
  token?: string;
  /** Cookie header value, for example from `cookieHeader()`. */
  cookie?: string;
}

/** Sends a request to the Worker under test through its real `fetch` handler. */
export function api(method: string, path: string, options: RequestOptions = {}) {
  return SELF.fetch(testRequest(method, path, options));
}

/** Builds the request that `api` sends. */
export function testRequest(method: string, path: string, options: RequestOptions = {}) {
  const headers = new Headers(options.headers);
  let body: BodyInit | undefined = options.body;
  if (options.json !== undefined) {
    headers.set("Content-Type", "application/json");
    body = JSON.stringify(options.json);
  } else if (options.form) {
    body = options.form;
  }
  if (options.token) headers.set("Authorization", `Bearer ${options.token}`);
  if (options.cookie) headers.set("Cookie", options.cookie);
  // Unless the test sets one, each call gets its own client address, so no two tests share a
  // per-IP rate limit.
  if (!headers.has("CF-Connecting-IP")) headers.set("CF-Connecting-IP", randomIpAddress());
  return new Request(`${BASE_URL}${path}`, { method, headers, body });
}

/** Returns a random IPv6 address under the 2001:db8::/32 documentation prefix. */
export function randomIpAddress(): string {
  const groups = [...crypto.getRandomValues(new Uint16Array(6))].map((group) => group.toString(16));
  return `2001:db8:${groups.join(":")}`;
}

/** Turns the Set-Cookie headers of a response into a Cookie header for the next request. */
export function cookieHeader(response: Response): string {
  return response.headers
    .getAll("Set-Cookie")
    .map((cookie) => cookie.split(";")[0])
    .filter((pair): pair is string => pair !== undefined && !pair.endsWith("="))
    .join("; ");
}

/** A unique lower-case email address, so tests never collide on the shared database. */
export function uniqueEmail(prefix = "user"): string {
  return `${prefix}-${crypto.randomUUID().slice(0, 12)}@example.test`;
}

/** Parses a JSON response body, typed loosely for assertions. */
export async function readJson(response: Response): Promise<any> {
  return response.json();
}
