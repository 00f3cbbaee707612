import { env } from "cloudflare:test";
import { eq } from "drizzle-orm";
import { exportJWK, exportPKCS8, generateKeyPair } from "jose";
import { findDocumentType } from "../../src/auth/register.service";
import { applicantDocuments, applicantProfiles } from "../../src/db/schema";
import type { Bindings } from "../../src/env";
import type { VisionFailure } from "../fakes/vision";
import { withDatabase } from "./database";
import { createTestUser } from "./users";

export const bindings = env as unknown as Bindings;
const fakesUrl = () => bindings.TEST_FAKES_URL as string;

export interface StoredDocument {
  id: number;
  key: string;
  userId: number;
}

/** Stores `bytes` in R2 and inserts an applicant document of type `code` pointing at it. */
export async function storedDocument(
  code: string,
  bytes: Uint8Array,
  contentType: string,
): Promise<StoredDocument> {
  const { user } = await createTestUser();
  return withDatabase(async ({ db }) => {
    const type = await findDocumentType(db, code);
    const [profile] = await db
      .select({ id: applicantProfiles.id })
      .from(applicantProfiles)
      .where(eq(applicantProfiles.userId, user.id));
    const extension = contentType === "application/pdf" ? "pdf" : contentType.split("/")[1];
    const key = `account/documents/${profile!.id}/${code}/${crypto.randomUUID()}.${extension}`;
    await bindings.FILES.put(key, bytes, { httpMetadata: { contentType } });
    const [row] = await db
      .insert(applicantDocuments)
      .values({
        applicantProfileId: profile!.id,
        documentTypeId: type.id,
        file: key,
        originalName: `scan.${extension}`,
        contentType,
        sizeBytes: bytes.length,
      })
      .returning({ id: applicantDocuments.id });
    return { id: row!.id, key, userId: user.id };
  });
}

/** Loads the document row as the consumer left it. */
export async function loadDocumentRow(id: number) {
  const [row] = await withDatabase(({ db }) =>
    db.select().from(applicantDocuments).where(eq(applicantDocuments.id, id)),
  );
  if (!row) throw new Error(`document ${id} not found`);
  return row;
}

/** Reads a stored object's bytes, or null when it does not exist. */
export async function storedBytes(key: string): Promise<Uint8Array | null> {
  const object = await bindings.FILES.get(key);
  return object ? new Uint8Array(await object.arrayBuffer()) : null;
}

/** A Vision API key of its own, so the fake's plans and counters belong to one test. */
export function visionAccount() {
  const key = `vision-key-${crypto.randomUUID()}`;
  return { key, overrides: { GOOGLE_VISION_API_KEY: key } };
}

/** Plans the fake's next responses for `account`, and optionally the text it returns. */
export async function planVision(account: string, failures: VisionFailure[], text?: string) {
  await fetch(`${fakesUrl()}/vision/__plan`, {
    method: "POST",
    body: JSON.stringify({ account, failures, text }),
  });
}

/** The annotate calls the fake received for `account`. */
export async function visionCalls(
  account: string,
): Promise<{ imageBytes: number; jpeg: boolean }[]> {
  const response = await fetch(
    `${fakesUrl()}/vision/__calls?account=${encodeURIComponent(account)}`,
  );
  return ((await response.json()) as { calls: { imageBytes: number; jpeg: boolean }[] }).calls;
}

/**
 * Generates a service account key pair, registers its public key with the fake token endpoint,
 * and returns the JSON key file, as Google issues it, pointing at the fake.
 */
export async function fakeServiceAccount() {
  const { publicKey, privateKey } = await generateKeyPair("RS256", {
    modulusLength: 2048,
    extractable: true,
  });
  const clientEmail = `ocr-${crypto.randomUUID().slice(0, 8)}@kms-test.iam.gserviceaccount.com`;
  await fetch(`${fakesUrl()}/google-oauth/__keys`, {
    method: "POST",
    body: JSON.stringify({ client_email: clientEmail, jwk: await exportJWK(publicKey) }),
  });
  const json = JSON.stringify({
    type: "service_account",
    project_id: "kms-test",
    private_key_id: crypto.randomUUID().replace(/-/g, ""),
    private_key: await exportPKCS8(privateKey),
    client_email: clientEmail,
    token_uri: `${fakesUrl()}/google-oauth/token`,
  });
  return { clientEmail, json };
}

/** How many times the fake token endpoint issued a token to `clientEmail`. */
export async function tokenExchanges(clientEmail: string): Promise<number> {
  const url = `${fakesUrl()}/google-oauth/__stats?client_email=${encodeURIComponent(clientEmail)}`;
  return ((await (await fetch(url)).json()) as { exchanges: number }).exchanges;
}
