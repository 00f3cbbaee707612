import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fuzzOperation, setUpFuzzSession } from "./fuzz/fuzz-suite";
import {
  type HostileRequest,
  hostileHeaders,
  hostileMultipartBody,
  hostilePath,
} from "./fuzz/hostile-requests";
import { loadOperations } from "./fuzz/openapi-operations";

// Property-based fuzzing of every multipart operation in GET /api/schema/ (registration, OCR
// preview, document uploads) with hostile forms, broken multipart bodies and wrong content
// types. A failure prints fast-check's seed and path, see `fuzz` in fuzz/fuzz-runner.ts to
// replay it.

// Few operations, so more runs each: about 120 requests for the file.
const RUNS = { role: 20, anonymous: 5 };

const operations = (await loadOperations()).filter((operation) => operation.body === "multipart");

const session = setUpFuzzSession();

describe("fuzzing multipart operations", () => {
  it("GET /api/schema/ lists the upload and registration operations", () => {
    const names = operations.map((operation) => operation.name);
    expect(names).toContain("POST /api/auth/register/");
    expect(names).toContain("POST /api/applicants/me/documents/");
  });

  for (const operation of operations) {
    it(`${operation.name} never answers 5xx, non-JSON errors or partial writes`, async () => {
      await fuzzOperation(session, operation, RUNS, (pathIds) =>
        fc
          .tuple(hostilePath(operation, pathIds), hostileMultipartBody(operation), hostileHeaders)
          .map(
            ([path, { body, contentType }, headers]): HostileRequest => ({
              method: operation.method,
              path,
              headers: contentType ? { ...headers, "Content-Type": contentType } : headers,
              body,
              summary: typeof body === "string" ? body : "a hostile form",
            }),
          ),
      );
    }, 120_000);
  }
});
