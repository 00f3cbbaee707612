import { env } from "cloudflare:test";
import { uniqueEmail } from "./http";

/** The client id the test bindings list in GOOGLE_CLIENT_IDS. */
export const GOOGLE_CLIENT_ID = "test-client-id.apps.googleusercontent.com";

/** Returns the URL of the fakes server that replaces Google, Vision, Resend and S3 in tests. */
export const fakesUrl = () => (env as unknown as { TEST_FAKES_URL: string }).TEST_FAKES_URL;

/** Builds valid Google ID-token claims for a new account, with `overrides` applied last. */
export function googleClaims(overrides: Record<string, unknown> = {}) {
  const now = Math.floor(Date.now() / 1000);
  return {
    iss: "https://accounts.google.com",
    aud: GOOGLE_CLIENT_ID,
    sub: String(100_000_000 + Math.floor(Math.random() * 900_000_000)),
    email: uniqueEmail("google"),
    email_verified: true,
    name: "Budi Santoso",
    iat: now,
    exp: now + 3600,
    ...overrides,
  };
}

/** Signs `claims` exactly as given with the fake Google key that the Worker trusts (RS256). */
export async function signGoogleToken(claims: Record<string, unknown>): Promise<string> {
  const response = await fetch(`${fakesUrl()}/google/__sign`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(claims),
  });
  return ((await response.json()) as { token: string }).token;
}
