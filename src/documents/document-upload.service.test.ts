import { env } from "cloudflare:test";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { withDatabase } from "../../test/helpers/database";
import { pngImage } from "../../test/helpers/images";
import type { ServiceContext } from "../context";
import { applicantDocuments, documentTypes } from "../db/schema";
import { type Bindings, loadConfig } from "../env";
import { createLogger } from "../lib/logger";
import { uploadDocument } from "./document-upload.service";
import { checkDocumentFile } from "./file-checks";

const bindings = env as unknown as Bindings;

describe("uploadDocument", () => {
  it("deletes the stored object again when the row cannot be written", async () => {
    // No profile has this id, so the insert fails on the foreign key after the put.
    const missingProfileId = 2_000_000_000 - Math.floor(Math.random() * 1000);
    await withDatabase(async (database) => {
      const services: ServiceContext = {
        db: database.db,
        database,
        config: loadConfig(env as unknown as Bindings),
        env: env as unknown as Bindings,
        logger: createLogger({ test: "upload" }),
      };
      const [ktp] = await database.db
        .select()
        .from(documentTypes)
        .where(eq(documentTypes.code, "ktp"));
      const checked = await checkDocumentFile(new File([await pngImage(2, 2)], "k.png"), ktp!);
      if (!checked.ok) throw new Error("test PNG rejected");

      await expect(
        uploadDocument(services, { profileId: missingProfileId, userId: 1 }, ktp!, {
          file: checked,
          originalName: "k.png",
        }),
      ).rejects.toThrow();

      const rows = await database.db
        .select()
        .from(applicantDocuments)
        .where(eq(applicantDocuments.applicantProfileId, missingProfileId));
      expect(rows).toEqual([]);
    });
    const listed = await bindings.FILES.list({ prefix: `account/documents/${missingProfileId}/` });
    expect(listed.objects).toEqual([]);
  });
});
