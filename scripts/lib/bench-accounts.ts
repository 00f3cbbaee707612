// Accounts for the HTTP benchmark and the load test: an ADMIN written straight to the database
// (as `npm run create-admin` does), and STAFF and APPLICANT accounts created through the API.
import { randomBytes, randomInt } from "node:crypto";
import { PhotonImage } from "@cf-wasm/photon/node";
import { drizzle } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import type { Database } from "../../src/db/client";
import * as schema from "../../src/db/schema";
import { createAdminAccount } from "../../src/users/admin-accounts";
import { readDevVars } from "./dev-settings";

export interface Credentials {
  email: string;
  password: string;
}

export interface TokenPair {
  access: string;
  refresh: string;
}

export interface JsonResponse {
  status: number;
  headers: Headers;
  body: unknown;
}

/** Sends a request and parses the body as JSON; a body that is not JSON is returned as null. */
export async function requestJson(url: string, init: RequestInit = {}): Promise<JsonResponse> {
  const response = await fetch(url, init);
  const text = await response.text();
  let body: unknown = null;
  try {
    body = text === "" ? null : JSON.parse(text);
  } catch {
    body = null;
  }
  return { status: response.status, headers: response.headers, body };
}

/** Generates a password that passes the password rules: random, long, not all digits. */
export function randomPassword(): string {
  return `Bench-${randomBytes(12).toString("base64url")}`;
}

/** Generates a random 16-digit NIK under the made-up province 99, apart from real data. */
export function randomNik(): string {
  return `99${Array.from({ length: 14 }, () => randomInt(10)).join("")}`;
}

export function uniqueEmail(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(4).toString("hex")}@bench.kms.test`;
}

/** Creates an ADMIN in the database with the pepper of `.dev.vars`, as `npm run dev` uses. */
export async function createBenchAdmin(databaseUrl: string): Promise<Credentials> {
  const settings = { ...readDevVars(), ...process.env };
  const pepper = settings.PASSWORD_PEPPER;
  if (!pepper) throw new Error("PASSWORD_PEPPER is missing from .dev.vars and the environment");
  const config = {
    PASSWORD_PEPPER: pepper,
    PASSWORD_ITERATIONS: Number(settings.PASSWORD_ITERATIONS || 100_000),
  };
  const credentials = { email: uniqueEmail("bench-admin"), password: randomPassword() };

  // max 1 and unnamed statements, for the single shared backend of the embedded server.
  const client = postgres(databaseUrl, { max: 1, prepare: false, onnotice: () => {} });
  try {
    const db = drizzle(client, { schema }) as unknown as Database;
    await createAdminAccount(db, { ...credentials, fullName: "Bench Admin", config });
    return credentials;
  } finally {
    await client.end({ timeout: 5 });
  }
}

/** Signs in through POST /api/auth/token/ and returns the tokens; throws on any other status. */
export async function login(baseUrl: string, credentials: Credentials): Promise<TokenPair> {
  const response = await requestJson(`${baseUrl}/api/auth/token/`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(credentials),
  });
  return tokensOf(response, "login");
}

/** Creates a STAFF account through POST /api/staff/ as `adminAccess`. */
export async function createStaff(baseUrl: string, adminAccess: string): Promise<Credentials> {
  const credentials = { email: uniqueEmail("bench-staff"), password: randomPassword() };
  const response = await requestJson(`${baseUrl}/api/staff/`, {
    method: "POST",
    headers: { "Content-Type": "application/json", Authorization: `Bearer ${adminAccess}` },
    body: JSON.stringify({ ...credentials, staff_profile: { full_name: "Bench Staff" } }),
  });
  if (response.status !== 201) {
    throw new Error(
      `POST /api/staff/ returned ${response.status}: ${JSON.stringify(response.body)}`,
    );
  }
  return credentials;
}

/** Builds the multipart registration form with a generated KTP photo. */
export function registrationForm(credentials: Credentials, nik = randomNik()): FormData {
  const form = new FormData();
  form.append("email", credentials.email);
  form.append("password", credentials.password);
  form.append("nik", nik);
  form.append("full_name", "Pelamar Uji Beban");
  form.append("ktp", new Blob([photoJpeg(320, 200)], { type: "image/jpeg" }), "ktp.jpg");
  return form;
}

/** Registers an APPLICANT through POST /api/auth/register/ and returns its credentials. */
export async function registerApplicant(
  baseUrl: string,
): Promise<Credentials & { tokens: TokenPair }> {
  const credentials = { email: uniqueEmail("bench-applicant"), password: randomPassword() };
  const response = await requestJson(`${baseUrl}/api/auth/register/`, {
    method: "POST",
    body: registrationForm(credentials),
  });
  return { ...credentials, tokens: tokensOf(response, "registration", 201) };
}

/** Encodes a JPEG with a gradient and noise, so it compresses like a photo, not a flat block. */
export function photoJpeg(width: number, height: number): Uint8Array {
  const pixels = new Uint8Array(width * height * 4);
  for (let index = 0; index < width * height; index++) {
    const noise = randomInt(40);
    pixels[index * 4] = ((index % width) * 200) / width + noise;
    pixels[index * 4 + 1] = (Math.floor(index / width) * 200) / height + noise;
    pixels[index * 4 + 2] = 120 + noise;
    pixels[index * 4 + 3] = 255;
  }
  const image = new PhotonImage(pixels, width, height);
  try {
    return image.get_bytes_jpeg(85);
  } finally {
    image.free();
  }
}

function tokensOf(response: JsonResponse, action: string, expected = 200): TokenPair {
  const data = (response.body as { data?: Partial<TokenPair> } | null)?.data;
  if (response.status !== expected || !data?.access || !data.refresh) {
    throw new Error(`${action} returned ${response.status}: ${JSON.stringify(response.body)}`);
  }
  return { access: data.access, refresh: data.refresh };
}
