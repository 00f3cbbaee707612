import { eq, inArray } from "drizzle-orm";
import { applicantDocuments, documentTypes } from "../../src/db/schema";
import { withDatabase } from "./database";

type ReviewStatus = "PENDING" | "APPROVED" | "REJECTED";

/**
 * Inserts applicant documents straight into the database, one per type code, with the given
 * review status, as if uploaded (and reviewed). No file is stored; the key is a placeholder.
 */
export async function insertDocuments(
  profileId: number,
  statuses: Record<string, ReviewStatus>,
): Promise<void> {
  const codes = Object.keys(statuses);
  if (codes.length === 0) return;
  await withDatabase(async ({ db }) => {
    const types = await db
      .select({ id: documentTypes.id, code: documentTypes.code })
      .from(documentTypes)
      .where(inArray(documentTypes.code, codes));
    await db.insert(applicantDocuments).values(
      types.map((type) => {
        const status = statuses[type.code]!;
        return {
          applicantProfileId: profileId,
          documentTypeId: type.id,
          file: `account/documents/${profileId}/${type.code}/${crypto.randomUUID()}.pdf`,
          originalName: `${type.code}.pdf`,
          contentType: "application/pdf",
          sizeBytes: 1000,
          reviewStatus: status,
          reviewNotes: status === "REJECTED" ? "Tidak terbaca." : "",
          reviewedAt: status === "PENDING" ? null : new Date(),
        };
      }),
    );
  });
}

/** The codes of the document types that are currently required. */
export async function requiredDocumentCodes(): Promise<string[]> {
  return withDatabase(async ({ db }) => {
    const rows = await db
      .select({ code: documentTypes.code })
      .from(documentTypes)
      .where(eq(documentTypes.isRequired, true));
    return rows.map((row) => row.code);
  });
}
