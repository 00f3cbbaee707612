import { describe, expect, it, vi } from "vitest";
import { bindings } from "../../test/helpers/documents-queue";
import { consumeQueue } from "../../test/helpers/queues";

describe("queue handler", () => {
  it("strips QUEUE_NAME_SUFFIX to find the consumer of a suffixed queue", async () => {
    const deadLetter = vi.spyOn(bindings.DOCUMENTS_DLQ, "send");
    const body = { document_id: "not a number" };

    const { result } = await consumeQueue("kms-documents-staging", [{ body }], {
      QUEUE_NAME_SUFFIX: "-staging",
    });

    // The documents consumer forwards an invalid body to its dead-letter queue and acks it.
    expect(result.explicitAcks).toHaveLength(1);
    expect(deadLetter).toHaveBeenCalledWith(body);
    deadLetter.mockRestore();
  });

  it("retries every message of a queue that has no consumer", async () => {
    const { result } = await consumeQueue("kms-documents-staging", [{ body: {} }]);

    expect(result.retryBatch.retry).toBe(true);
    expect(result.explicitAcks).toEqual([]);
  });
});
