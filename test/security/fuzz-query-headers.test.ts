import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fuzzOperation, setUpFuzzSession } from "./fuzz/fuzz-suite";
import {
  type HostileRequest,
  hostileHeaders,
  hostilePath,
  hostileQuery,
} from "./fuzz/hostile-requests";
import { loadOperations } from "./fuzz/openapi-operations";

// Property-based fuzzing of every operation in GET /api/schema/, bodies or not, with hostile
// query strings, headers and path ids. Operations with a body get an empty JSON object or an
// empty form, so the request passes content-type checks and the query and path are read.
// A failure prints fast-check's seed and path, see `fuzz` in fuzz/fuzz-runner.ts to replay it.

// About 110 operations, so two runs per actor keep the file near 440 requests: about 15 s
// with other test files in parallel on the 2-core machine.
const RUNS = { role: 2, anonymous: 2 };

const operations = await loadOperations();

const session = setUpFuzzSession();

function neutralBody(body: "json" | "multipart" | null): Pick<HostileRequest, "body" | "headers"> {
  if (body === "json") return { body: "{}", headers: { "Content-Type": "application/json" } };
  if (body === "multipart") return { body: new FormData(), headers: {} };
  return { headers: {} };
}

describe("fuzzing query strings, headers and path ids", () => {
  it("GET /api/schema/ lists every route group", () => {
    const prefixes = new Set(operations.map((operation) => operation.path.split("/")[2]));
    for (const group of ["auth", "me", "applicants", "admins", "staff", "document-types"]) {
      expect(prefixes).toContain(group);
    }
  });

  for (const operation of operations) {
    it(`${operation.name} never answers 5xx or non-JSON errors to hostile queries and headers`, async () => {
      const neutral = neutralBody(operation.body);
      await fuzzOperation(session, operation, RUNS, (pathIds) =>
        fc
          .tuple(
            hostilePath(operation, pathIds),
            hostileQuery(operation.queryParams),
            hostileHeaders,
          )
          .map(
            ([path, query, headers]): HostileRequest => ({
              method: operation.method,
              path: `${path}${query}`,
              headers: { ...neutral.headers, ...headers },
              body: neutral.body,
              summary: "a neutral body",
            }),
          ),
      );
    }, 120_000);
  }
});
