import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";

// Checks of the Neon fake itself, for the parts of the protocol that the driver in
// src/db/client.test.ts never sends: object rows, JSON output and the batch options.
const bindings = env as unknown as { TEST_FAKES_URL: string; DATABASE_URL: string };

function postSql(body: unknown, headers: Record<string, string> = {}) {
  return fetch(`${bindings.TEST_FAKES_URL}/neon/sql`, {
    method: "POST",
    headers: { "Neon-Connection-String": bindings.DATABASE_URL, ...headers },
    body: JSON.stringify(body),
  });
}

const rawArrays = { "Neon-Raw-Text-Output": "true", "Neon-Array-Mode": "true" };

describe("POST /neon/sql (Neon fake)", () => {
  it("returns text values in array mode", async () => {
    const response = await postSql(
      { query: "select $1::int as n, true as b, '{\"a\":1}'::jsonb as j", params: ["7"] },
      rawArrays,
    );
    const body = (await response.json()) as Record<string, unknown>;

    expect(response.status).toBe(200);
    expect(body.rows).toEqual([["7", "t", '{"a": 1}']]);
    expect(body.rowAsArray).toBe(true);
    expect(body.command).toBe("SELECT");
    expect(body.rowCount).toBe(1);
    expect(body.fields).toEqual([
      expect.objectContaining({ name: "n", dataTypeID: 23 }),
      expect.objectContaining({ name: "b", dataTypeID: 16 }),
      expect.objectContaining({ name: "j", dataTypeID: 3802 }),
    ]);
  });

  it("returns objects with JSON values without the raw and array headers", async () => {
    const response = await postSql({ query: "select 7 as n, true as b, '{\"a\":1}'::jsonb as j" });
    const body = (await response.json()) as Record<string, unknown>;

    expect(response.status).toBe(200);
    expect(body.rows).toEqual([{ n: 7, b: true, j: { a: 1 } }]);
    expect(body.rowAsArray).toBe(false);
  });

  it("runs a batch in one transaction and returns each result", async () => {
    const response = await postSql(
      {
        queries: [
          { query: "select 1 as one", params: [] },
          { query: "select 2", params: [] },
        ],
      },
      rawArrays,
    );
    const body = (await response.json()) as { results: { rows: unknown[] }[] };

    expect(response.status).toBe(200);
    expect(body.results.map((result) => result.rows)).toEqual([[["1"]], [["2"]]]);
  });

  it("rejects writes in a read-only batch with the Postgres error", async () => {
    const response = await postSql(
      { queries: [{ query: "create temporary table neon_fake_probe (id int)", params: [] }] },
      {
        ...rawArrays,
        "Neon-Batch-Read-Only": "true",
        "Neon-Batch-Isolation-Level": "Serializable",
      },
    );
    const body = (await response.json()) as Record<string, unknown>;

    expect(response.status).toBe(400);
    expect(body.code).toBe("25006");
    expect(body.severity).toBe("ERROR");
    expect(typeof body.message).toBe("string");
  });

  it("rejects two statements in one query", async () => {
    const response = await postSql({ query: "select 1; select 2", params: [] }, rawArrays);
    const body = (await response.json()) as Record<string, unknown>;

    expect(response.status).toBe(400);
    expect(body.code).toBe("42601");
  });

  it("rejects an unknown isolation level", async () => {
    const response = await postSql(
      { queries: [{ query: "select 1", params: [] }] },
      { "Neon-Batch-Isolation-Level": "Chaos" },
    );
    const body = (await response.json()) as Record<string, unknown>;

    expect(response.status).toBe(400);
    expect(body.message).toContain("Neon-Batch-Isolation-Level");
  });

  it("rejects a request without a connection string", async () => {
    const response = await fetch(`${bindings.TEST_FAKES_URL}/neon/sql`, {
      method: "POST",
      body: JSON.stringify({ query: "select 1", params: [] }),
    });
    const body = (await response.json()) as Record<string, unknown>;

    expect(response.status).toBe(400);
    expect(body.message).toContain("Neon-Connection-String");
  });
});
