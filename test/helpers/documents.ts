import { env } from "cloudflare:test";
import { eq } from "drizzle-orm";
import { applicantDocuments, applicantProfiles } from "../../src/db/schema";
import type { Bindings } from "../../src/env";
import { withDatabase } from "./database";
import { api } from "./http";
import { createTestUser, loginAs } from "./users";

// Helpers of the document upload tests: sign in, build upload forms, and look at what the
// upload left in the database and in the FILES bucket.

const bindings = env as unknown as Bindings;

export type Role = "ADMIN" | "STAFF" | "COMPANY" | "APPLICANT";

/**
 * Creates a user of `role` and signs in. Returns the user, the access token and the applicant
 * profile id (0 for roles without one).
 */
export async function signIn(role: Role) {
  const { user, password } = await createTestUser({ role });
  const { access } = await loginAs(user.email, password);
  const profileId = await withDatabase(async ({ db }) => {
    const [row] = await db
      .select({ id: applicantProfiles.id })
      .from(applicantProfiles)
      .where(eq(applicantProfiles.userId, user.id));
    return row?.id ?? 0;
  });
  return { user, token: access, profileId };
}

/** Builds an upload form; leave out `documentType` or `bytes` to omit that field. */
export function form(documentType: string | undefined, bytes?: Uint8Array, name = "file.bin") {
  const body = new FormData();
  if (documentType !== undefined) body.set("document_type", documentType);
  if (bytes) body.set("file", new File([bytes], name));
  return body;
}

export const upload = (token: string, path: string, body: FormData) =>
  api("POST", path, { token, form: body });

export const MINE = "/api/applicants/me/documents/";

/** Keys stored in the FILES bucket under the profile's prefix. */
export async function storedKeys(profileId: number): Promise<string[]> {
  const listed = await bindings.FILES.list({ prefix: `account/documents/${profileId}/` });
  return listed.objects.map((object) => object.key);
}

export async function documentRows(profileId: number) {
  return withDatabase(({ db }) =>
    db
      .select()
      .from(applicantDocuments)
      .where(eq(applicantDocuments.applicantProfileId, profileId)),
  );
}

/** Reads the storage key behind a signed `file` URL from the row, since URLs hide it. */
export async function keyOf(documentId: number): Promise<string> {
  return withDatabase(async ({ db }) => {
    const [row] = await db
      .select({ file: applicantDocuments.file })
      .from(applicantDocuments)
      .where(eq(applicantDocuments.id, documentId));
    return row!.file;
  });
}
