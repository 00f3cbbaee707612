import { eq } from "drizzle-orm";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { users } from "../../src/db/schema";
import { fuzzOperation, setUpFuzzSession } from "./fuzz/fuzz-suite";
import {
  type HostileRequest,
  hostileHeaders,
  hostileJsonBody,
  hostilePath,
} from "./fuzz/hostile-requests";
import { loadOperations } from "./fuzz/openapi-operations";
import { snapshotText } from "./row-snapshot";

// Property-based fuzzing of every JSON operation in GET /api/schema/ with hostile bodies,
// content types, headers and path ids, as an anonymous client and as the operation's role.
// A failure prints fast-check's seed and path, see `fuzz` in fuzz/fuzz-runner.ts to replay it.

// Runs per operation for the signed-in role, and for the anonymous client, which most
// operations stop at 401 before reading the body. With about 40 JSON operations this file
// sends some 400 requests: about 15 s alone, 40 s with other test files in parallel on the
// 2-core machine.
const RUNS = { role: 8, anonymous: 2 };

const operations = (await loadOperations()).filter((operation) => operation.body === "json");

const session = setUpFuzzSession();

describe("fuzzing JSON operations", () => {
  it("GET /api/schema/ lists JSON operations to fuzz", () => {
    expect(operations.length).toBeGreaterThan(10);
  });

  it("the partial-write check notices a changed row (control)", async () => {
    const { database, fixture } = session;
    const before = await snapshotText(database.db, fixture.userIds);
    await database.db
      .update(users)
      .set({ fullName: "Diubah Kontrol" })
      .where(eq(users.id, fixture.target.user.id));
    expect(await snapshotText(database.db, fixture.userIds)).not.toBe(before);
  });

  for (const operation of operations) {
    it(`${operation.name} never answers 5xx, non-JSON errors or partial writes`, async () => {
      await fuzzOperation(session, operation, RUNS, (pathIds) =>
        fc.tuple(hostilePath(operation, pathIds), hostileJsonBody(operation), hostileHeaders).map(
          ([path, [body, contentType], headers]): HostileRequest => ({
            method: operation.method,
            path,
            headers: contentType ? { ...headers, "Content-Type": contentType } : headers,
            body,
            summary: typeof body === "string" ? body : `${body.length} raw bytes`,
          }),
        ),
      );
    }, 120_000);
  }
});
