import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { type Bindings, ConfigError, loadConfig } from "../env";
import { COMMON_PASSWORDS } from "./common-passwords";
import {
  checkPasswordRules,
  constantTimeEqual,
  hashPassword,
  isTooSimilarToEmail,
  MAX_PBKDF2_ITERATIONS,
  similarityRatio,
  verifyPassword,
} from "./passwords";

const config = loadConfig(env as unknown as Bindings);
const STRONG = "Kopi-Tubruk-Pagi-42";

describe("hashPassword and verifyPassword", () => {
  it("verifies the right password and rejects a wrong one", async () => {
    const stored = await hashPassword(STRONG, config);
    expect(await verifyPassword(STRONG, stored, config)).toEqual({
      valid: true,
      needsRehash: false,
    });
    expect((await verifyPassword(`${STRONG}x`, stored, config)).valid).toBe(false);
  });

  it("stores algorithm, iterations, salt and hash, with a fresh salt each time", async () => {
    const first = await hashPassword(STRONG, config);
    const second = await hashPassword(STRONG, config);
    const [algorithm, iterations, salt, hash] = first.split("$");
    expect(algorithm).toBe("pbkdf2_sha256_peppered");
    expect(Number(iterations)).toBe(config.PASSWORD_ITERATIONS);
    expect(salt).toMatch(/^[A-Za-z0-9+/]{22}==$/);
    expect(hash).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    expect(second).not.toBe(first);
  });

  it("never stores more than 100,000 PBKDF2 iterations", async () => {
    // Production Workers reject WebCrypto PBKDF2 above 100,000 iterations. Local workerd accepts
    // more, so only this test catches a setting that would fail every login in production.
    const stored = await hashPassword(STRONG, config);
    expect(Number(stored.split("$")[1])).toBeLessThanOrEqual(100_000);
    expect(MAX_PBKDF2_ITERATIONS).toBe(100_000);
    await expect(hashPassword(STRONG, { ...config, PASSWORD_ITERATIONS: 100_001 })).rejects.toThrow(
      RangeError,
    );
  });

  it("config rejects PASSWORD_ITERATIONS above 100,000", () => {
    const bindings = { ...(env as unknown as Bindings), PASSWORD_ITERATIONS: "100001" };
    expect(() => loadConfig(bindings)).toThrow(ConfigError);
    const accepted = loadConfig({ ...(env as unknown as Bindings), PASSWORD_ITERATIONS: "100000" });
    expect(accepted.PASSWORD_ITERATIONS).toBe(100_000);
  });

  it("rejects a stored hash whose iterations exceed the cap", async () => {
    const stored = await hashPassword(STRONG, config);
    const [algorithm, , salt, hash] = stored.split("$");
    const inflated = [algorithm, "600000", salt, hash].join("$");
    expect(await verifyPassword(STRONG, inflated, config)).toEqual({
      valid: false,
      needsRehash: false,
    });
  });

  it("flags hashes made with other iterations for rehashing", async () => {
    const older = await hashPassword(STRONG, { ...config, PASSWORD_ITERATIONS: 20_000 });
    const current = { ...config, PASSWORD_ITERATIONS: 30_000 };
    expect(await verifyPassword(STRONG, older, current)).toEqual({
      valid: true,
      needsRehash: true,
    });
    expect((await verifyPassword("salah-sekali", older, current)).needsRehash).toBe(false);
  });

  it("depends on the pepper", async () => {
    const stored = await hashPassword(STRONG, config);
    const otherPepper = { ...config, PASSWORD_PEPPER: "another-pepper-of-at-least-32-chars!!" };
    expect((await verifyPassword(STRONG, stored, otherPepper)).valid).toBe(false);
  });

  it("answers invalid for a null, foreign or tampered hash", async () => {
    const stored = await hashPassword(STRONG, config);
    const tampered = `${stored.slice(0, -5)}AAAA=`;
    for (const value of [null, "", "md5$1$abc$def", "bcrypt$2b$12$x", tampered]) {
      expect((await verifyPassword(STRONG, value, config)).valid).toBe(false);
    }
  });
});

describe("checkPasswordRules", () => {
  it("accepts a long uncommon password", () => {
    expect(checkPasswordRules(STRONG, "budi.santoso@example.test")).toEqual([]);
  });

  it("rejects fewer than 8 and more than 128 characters", () => {
    expect(checkPasswordRules("Ab3$xyz")).toEqual([
      "Kata sandi terlalu pendek. Minimal 8 karakter.",
    ]);
    expect(checkPasswordRules("Ab3$xyzQ")).toEqual([]);
    expect(checkPasswordRules(`Ab3$${"x".repeat(124)}`)).toEqual([]);
    expect(checkPasswordRules(`Ab3$${"x".repeat(125)}`)).toEqual([
      "Kata sandi terlalu panjang. Maksimal 128 karakter.",
    ]);
  });

  it("rejects a password of digits only", () => {
    expect(checkPasswordRules("90817263545")).toContain(
      "Kata sandi tidak boleh hanya berisi angka.",
    );
  });

  it("rejects common passwords in any letter case", () => {
    const common = "Kata sandi ini terlalu umum. Gunakan kata sandi lain.";
    expect(checkPasswordRules("password")).toContain(common);
    expect(checkPasswordRules("PassWord1")).toContain(common);
    expect(checkPasswordRules("qwertyuiop")).toContain(common);
  });

  it("rejects a password close to the email or its local part", () => {
    const similar = "Kata sandi terlalu mirip dengan alamat email.";
    expect(checkPasswordRules("budisantoso", "budi.santoso@example.test")).toContain(similar);
    expect(checkPasswordRules("santoso1!", "budi.santoso@example.test")).toContain(similar);
    expect(checkPasswordRules("budi.santoso@example.test", "budi.santoso@example.test")).toContain(
      similar,
    );
    expect(checkPasswordRules("Kopi-Tubruk-Pagi-42", "budi.santoso@example.test")).not.toContain(
      similar,
    );
  });

  it("lists every broken rule at once", () => {
    expect(checkPasswordRules("1234567")).toHaveLength(3);
  });
});

describe("common password list", () => {
  it("contains 10,000 lower-case entries", () => {
    expect(COMMON_PASSWORDS.size).toBe(10_000);
    expect(COMMON_PASSWORDS.has("123456")).toBe(true);
    expect([...COMMON_PASSWORDS].every((entry) => entry === entry.toLowerCase())).toBe(true);
  });
});

describe("similarityRatio", () => {
  it("computes the Ratcliff/Obershelp ratio", () => {
    expect(similarityRatio("abcd", "abcd")).toBe(1);
    expect(similarityRatio("abcd", "wxyz")).toBe(0);
    // Matching blocks "ab" and "d": 2·3 / 8.
    expect(similarityRatio("abcd", "abxd")).toBe(0.75);
  });

  it("uses the 0.7 threshold", () => {
    expect(isTooSimilarToEmail("budi1234", "budi1234@example.test")).toBe(true);
    expect(isTooSimilarToEmail("Kopi-Tubruk-42", "budi@example.test")).toBe(false);
  });
});

describe("constantTimeEqual", () => {
  it("compares bytes and lengths", () => {
    expect(constantTimeEqual(new Uint8Array([1, 2]), new Uint8Array([1, 2]))).toBe(true);
    expect(constantTimeEqual(new Uint8Array([1, 2]), new Uint8Array([1, 3]))).toBe(false);
    expect(constantTimeEqual(new Uint8Array([1]), new Uint8Array([1, 2]))).toBe(false);
  });
});
