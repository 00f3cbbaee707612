import { describe, expect, it } from "vitest";
import { emailAddress, multiLineText, singleLineText } from "./text";

describe("singleLineText", () => {
  const schema = singleLineText({ max: 20 });

  it("trims and accepts ordinary text, accents included", () => {
    expect(schema.parse("  Siti Nurhaliza ")).toBe("Siti Nurhaliza");
    expect(schema.parse("José Ñúñez")).toBe("José Ñúñez");
  });

  it("rejects control, replacement, bidi and lone surrogate characters", () => {
    const rejected = ["a\u0000b", "a\tb", "a\nb", "a\u0085b", "a\u001Bb", "a\uFFFDb", "a\u202Eb"];
    rejected.push("a\u2066b", "a\u2069b", "a\uD800b", "a\u007Fb");
    for (const text of rejected) {
      expect(schema.safeParse(text).success, JSON.stringify(text)).toBe(false);
    }
  });

  it("rejects text over the maximum and enforces min", () => {
    expect(schema.safeParse("x".repeat(21)).success).toBe(false);
    expect(singleLineText({ max: 5, min: 1 }).safeParse("   ").success).toBe(false);
    expect(schema.parse("")).toBe("");
  });
});

describe("multiLineText", () => {
  const schema = multiLineText({ max: 50 });

  it("allows tab and line breaks but nothing else of the forbidden set", () => {
    expect(schema.parse("Jl. Mawar 1\r\nRT 02\tRW 03")).toBe("Jl. Mawar 1\r\nRT 02\tRW 03");
    for (const text of ["a\u0000", "a\u000Bb", "a\u202Ab", "a\uFFFD"]) {
      expect(schema.safeParse(text).success, JSON.stringify(text)).toBe(false);
    }
  });
});

describe("emailAddress", () => {
  it("trims and lower-cases a valid address", () => {
    expect(emailAddress.parse("  User@Example.COM ")).toBe("user@example.com");
  });

  it("rejects malformed addresses and control characters", () => {
    for (const text of ["", "not-an-email", "a\u0000@x.com", `${"a".repeat(250)}@x.com`]) {
      expect(emailAddress.safeParse(text).success, JSON.stringify(text)).toBe(false);
    }
  });
});
