import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { type Bindings, ConfigError, loadConfig } from "./env";

const base = env as unknown as Bindings;

function configWith(overrides: Record<string, string | undefined>) {
  return loadConfig({ ...base, ...overrides } as Bindings);
}

function issuesOf(overrides: Record<string, string | undefined>): string[] {
  try {
    configWith(overrides);
  } catch (error) {
    if (error instanceof ConfigError) return error.issues;
    throw error;
  }
  return [];
}

describe("loadConfig", () => {
  it("accepts the test bindings", () => {
    const config = loadConfig(base);
    expect(config.ENVIRONMENT).toBe("test");
    expect(config.PASSWORD_ITERATIONS).toBeLessThanOrEqual(100_000);
  });

  it("rejects a missing JWT secret by name", () => {
    const issues = issuesOf({ JWT_SECRET: undefined });
    expect(issues.some((issue) => issue.startsWith("JWT_SECRET"))).toBe(true);
  });

  it("rejects a short pepper", () => {
    const issues = issuesOf({ PASSWORD_PEPPER: "short" });
    expect(issues.some((issue) => issue.startsWith("PASSWORD_PEPPER"))).toBe(true);
  });

  it("rejects PBKDF2 iterations above the Workers cap", () => {
    // Production Workers reject WebCrypto PBKDF2 above 100,000 iterations; local workerd does not.
    const issues = issuesOf({ PASSWORD_ITERATIONS: "100001" });
    expect(issues.some((issue) => issue.startsWith("PASSWORD_ITERATIONS"))).toBe(true);
  });

  it("rejects the console email provider in production", () => {
    const issues = issuesOf({ ENVIRONMENT: "production", EMAIL_PROVIDER: "console" });
    expect(issues.some((issue) => issue.startsWith("EMAIL_PROVIDER"))).toBe(true);
  });

  it("requires the Resend key with the resend provider", () => {
    const issues = issuesOf({ EMAIL_PROVIDER: "resend", RESEND_API_KEY: undefined });
    expect(issues.some((issue) => issue.startsWith("RESEND_API_KEY"))).toBe(true);
  });

  it("never puts secret values in its messages", () => {
    const secret = "x".repeat(10);
    const issues = issuesOf({ JWT_SECRET: secret });
    expect(issues.length).toBeGreaterThan(0);
    expect(issues.join(" ")).not.toContain(secret);
  });

  it("marks cookies Secure everywhere but development", () => {
    expect(configWith({ ENVIRONMENT: "test" }).cookieSecure).toBe(true);
    expect(configWith({ ENVIRONMENT: "development" }).cookieSecure).toBe(false);
    expect(configWith({ ENVIRONMENT: "development", COOKIE_SECURE: "true" }).cookieSecure).toBe(
      true,
    );
  });

  it("splits the allowed origins list", () => {
    const config = configWith({ CORS_ALLOWED_ORIGINS: " http://a.test , http://b.test ," });
    expect(config.CORS_ALLOWED_ORIGINS).toEqual(["http://a.test", "http://b.test"]);
  });
});
