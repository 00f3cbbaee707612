import { and, asc, eq, gt, lt, or } from "drizzle-orm";
import type { Database } from "../db/client";
import { applicantDocuments, unfinishedProcessing } from "../db/schema";
import type { DocumentMessage } from "../queues/documents.consumer";
import type { BatchLimits } from "./expired-rows.service";

/** Cloudflare Queues accepts at most 100 messages in one `sendBatch` call. */
const QUEUE_SEND_BATCH_MAX = 100;

export interface StuckDocumentRules {
  /** A `pending` document not updated since then has lost its queue message. */
  pendingBefore: Date;
  /** A `processing` document not updated since then belongs to a consumer that crashed. */
  processingBefore: Date;
}

/**
 * Puts a `{document_id, file_version}` message on the documents queue again for every document
 * stuck `pending` or `processing`, reading pages of `batchSize` rows by id. The message is the
 * one an upload sends, and the consumer claims a document only while the row still has that
 * file version and is claimable, so a duplicate of a live message changes nothing. Returns
 * the number of messages sent.
 */
export async function requeueStuckDocuments(
  db: Database,
  queue: Queue<unknown>,
  rules: StuckDocumentRules,
  limits: BatchLimits,
): Promise<{ requeued: number; more: boolean }> {
  let requeued = 0;
  let afterId = 0;
  for (let page = 0; page < limits.maxBatches; page++) {
    const messages: DocumentMessage[] = await stuckDocumentsQuery(
      db,
      rules,
      afterId,
      limits.batchSize,
    );
    for (let start = 0; start < messages.length; start += QUEUE_SEND_BATCH_MAX) {
      const chunk = messages.slice(start, start + QUEUE_SEND_BATCH_MAX);
      await queue.sendBatch(chunk.map((body) => ({ body })));
    }
    requeued += messages.length;
    if (messages.length < limits.batchSize) return { requeued, more: false };
    afterId = messages[messages.length - 1]!.document_id;
  }
  return { requeued, more: true };
}

/**
 * Builds the select for one page of stuck documents after `afterId`. Its literal
 * `unfinishedProcessing` condition lets the planner read the partial index
 * `applicant_documents_unfinished_id_idx`, which has only unfinished rows in id order, even in
 * a generic plan. `updated_at` is then checked on those rows only.
 */
export function stuckDocumentsQuery(
  db: Database,
  rules: StuckDocumentRules,
  afterId: number,
  size: number,
) {
  const status = applicantDocuments.processingStatus;
  const updatedAt = applicantDocuments.updatedAt;
  return db
    .select({ document_id: applicantDocuments.id, file_version: applicantDocuments.fileVersion })
    .from(applicantDocuments)
    .where(
      and(
        unfinishedProcessing(status),
        gt(applicantDocuments.id, afterId),
        or(
          and(eq(status, "pending"), lt(updatedAt, rules.pendingBefore)),
          and(eq(status, "processing"), lt(updatedAt, rules.processingBefore)),
        ),
      ),
    )
    .orderBy(asc(applicantDocuments.id))
    .limit(size);
}
