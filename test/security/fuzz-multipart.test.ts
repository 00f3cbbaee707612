import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "../../src/db/client";
import { openTestDatabase } from "../helpers/database";
import {
  actorsFor,
  createFixture,
  expectActorsSignedIn,
  type Fixture,
  fuzz,
  realPathIds,
  sendAndCheck,
} from "./fuzz/fuzz-runner";
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
const ROLE_RUNS = 20;
const ANONYMOUS_RUNS = 5;

const operations = (await loadOperations()).filter((operation) => operation.body === "multipart");

let database: DatabaseHandle;
let fixture: Fixture;

beforeAll(async () => {
  database = openTestDatabase();
  fixture = await createFixture();
});

afterAll(async () => {
  await database.close();
});

describe("fuzzing multipart operations", () => {
  it("GET /api/schema/ lists the upload and registration operations", () => {
    const names = operations.map((operation) => operation.name);
    expect(names).toContain("POST /api/auth/register/");
    expect(names).toContain("POST /api/applicants/me/documents/");
  });

  for (const operation of operations) {
    it(`${operation.name} never answers 5xx, non-JSON errors or partial writes`, async () => {
      const pathIds = realPathIds(fixture);
      for (const actor of actorsFor(operation, fixture)) {
        const request = fc
          .tuple(hostilePath(operation, pathIds), hostileMultipartBody(operation), hostileHeaders)
          .map(
            ([path, { body, contentType }, headers]): HostileRequest => ({
              method: operation.method,
              path,
              headers: contentType ? { ...headers, "Content-Type": contentType } : headers,
              body,
              summary: typeof body === "string" ? body : "a hostile form",
            }),
          );
        const runs = actor ? ROLE_RUNS : ANONYMOUS_RUNS;
        await fuzz(request, runs, (value) => sendAndCheck(database, fixture, actor, value));
      }
      await expectActorsSignedIn(fixture, operation);
    }, 120_000);
  }
});
