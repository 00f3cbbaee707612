import { describe, expect, it } from "vitest";
import { databaseId, parseDatabaseId, urlId } from "./ids";
import { positiveIntegerQuery } from "./query-params";

describe("databaseId", () => {
  it("accepts positive int32 values and rejects the rest", () => {
    expect(databaseId.parse(1)).toBe(1);
    expect(databaseId.parse(2_147_483_647)).toBe(2_147_483_647);
    for (const value of [0, -1, 1.5, 2_147_483_648, Number.MAX_SAFE_INTEGER, "1", null]) {
      expect(databaseId.safeParse(value).success, String(value)).toBe(false);
    }
  });
});

describe("urlId", () => {
  it("accepts only canonical decimal digits within int32", () => {
    expect(urlId.parse("42")).toBe(42);
    expect(parseDatabaseId("2147483647")).toBe(2_147_483_647);
    const junk = ["1e3", "0x10", " 1", "1 ", "-1", "0", "01", "+1", "2147483648", "9".repeat(20)];
    for (const text of junk) {
      expect(urlId.safeParse(text).success, JSON.stringify(text)).toBe(false);
    }
  });
});

describe("positiveIntegerQuery", () => {
  const page = positiveIntegerQuery({ max: 100, fallback: 20 });

  it("uses the fallback when absent and parses canonical digits", () => {
    expect(page.parse(undefined)).toBe(20);
    expect(page.parse("7")).toBe(7);
    expect(page.parse("100")).toBe(100);
  });

  it("rejects repeated, non-canonical and oversized values with clear messages", () => {
    const repeated = page.safeParse(["1", "2"]);
    expect(repeated.error?.issues[0]?.message).toContain("satu kali");
    for (const text of ["Infinity", "1e3", "NaN", "0", "-1", " 1", "1.0", "101", "9".repeat(30)]) {
      const result = page.safeParse(text);
      expect(result.success, text).toBe(false);
      expect(result.error?.issues).toHaveLength(1);
    }
  });
});
