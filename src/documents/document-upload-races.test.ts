import { describe, expect, it } from "vitest";
import { documentRows, form, MINE, signIn, storedKeys, upload } from "../../test/helpers/documents";
import { readJson } from "../../test/helpers/http";
import { pngPhoto } from "../../test/helpers/photos";
import { consumeQueue } from "../../test/helpers/queues";

// Concurrent uploads of one type used to fail with 500 on PostgreSQL, because each attempt
// compared the row's file with the key it had read before and gave up after three changes.

const PARALLEL_UPLOADS = 6;

/** Keys of the type `code` stored under the profile. */
async function keysOf(profileId: number, code: string) {
  return (await storedKeys(profileId)).filter((key) => key.includes(`/${code}/`));
}

async function onlyRow(profileId: number) {
  const rows = await documentRows(profileId);
  expect(rows).toHaveLength(1);
  return rows[0]!;
}

const consumeDocument = (documentId: number, fileVersion: number) =>
  consumeQueue("kms-documents", [{ body: { document_id: documentId, file_version: fileVersion } }]);

describe("POST /api/applicants/me/documents/ under concurrency", () => {
  it("answers 201 once and 200 to the other parallel uploads", async () => {
    const me = await signIn("APPLICANT");
    const photo = pngPhoto(400, 300);

    const responses = await Promise.all(
      Array.from({ length: PARALLEL_UPLOADS }, (_, index) =>
        upload(me.token, MINE, form("photo-tki", photo, `photo-${index}.png`)),
      ),
    );
    const statuses = responses.map((response) => response.status).sort();
    expect(statuses).toEqual([200, 200, 200, 200, 200, 201]);
    const bodies = await Promise.all(responses.map((response) => readJson(response)));
    const ids = new Set(bodies.map((body) => body.id));
    expect(ids.size).toBe(1);

    const row = await onlyRow(me.profileId);
    expect(row.fileVersion).toBe(PARALLEL_UPLOADS);
    expect(row.processingStatus).toBe("pending");
    // Every replaced object was deleted: only the file of the winning upload is stored.
    expect(await keysOf(me.profileId, "photo-tki")).toEqual([row.file]);
  });

  it("lets a re-upload racing the consumer win", async () => {
    const me = await signIn("APPLICANT");
    // Above 2048 px, so the consumer stores a resized JPEG and points the row at it.
    const large = pngPhoto(2600, 1300);
    const first = await upload(me.token, MINE, form("photo-tki", large, "first.png"));
    expect(first.status).toBe(201);
    const documentId = (await readJson(first)).id as number;

    const [, second] = await Promise.all([
      consumeDocument(documentId, 1),
      upload(me.token, MINE, form("photo-tki", pngPhoto(400, 300), "second.png")),
    ]);
    expect(second.status).toBe(200);
    expect((await readJson(second)).id).toBe(documentId);

    const row = await onlyRow(me.profileId);
    expect(row.fileVersion).toBe(2);
    expect(row.originalName).toBe("second.png");
    expect(row.contentType).toBe("image/png");
    expect(row.processingStatus).toBe("pending");
    expect(await keysOf(me.profileId, "photo-tki")).toEqual([row.file]);

    // The message of the new version is processed as usual, and the old one changes nothing.
    await consumeDocument(documentId, 2);
    await consumeDocument(documentId, 1);
    const processed = await onlyRow(me.profileId);
    expect(processed.processingStatus).toBe("done");
    expect(processed.fileVersion).toBe(2);
    expect(await keysOf(me.profileId, "photo-tki")).toEqual([processed.file]);
  });
});
