import { describe, expect, it } from "vitest";
import { generateReferralCode } from "./referral-codes";

describe("generateReferralCode", () => {
  it("prefixes staff codes with S-", () => {
    expect(generateReferralCode("STAFF")).toMatch(/^S-[A-Z0-9]{6}$/);
  });

  it("prefixes admin codes with A-", () => {
    expect(generateReferralCode("ADMIN")).toMatch(/^A-[A-Z0-9]{6}$/);
  });

  it("draws every character of the alphabet", () => {
    const seen = new Set<string>();
    for (let i = 0; i < 500; i++) {
      for (const character of generateReferralCode("STAFF").slice(2)) seen.add(character);
    }
    // 3,000 draws over 36 characters: missing one has a probability below 1e-30.
    expect(seen.size).toBe(36);
  });

  it("does not repeat codes in a small sample", () => {
    const codes = new Set(Array.from({ length: 1000 }, () => generateReferralCode("ADMIN")));
    expect(codes.size).toBeGreaterThan(995);
  });
});
