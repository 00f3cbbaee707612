import { env } from "cloudflare:test";
import { SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { type Bindings, loadConfig } from "../env";
import { AppError } from "../lib/errors";
import { newRefreshToken } from "./sessions.service";
import { signAccessToken, verifyAccessToken } from "./tokens";

const config = loadConfig(env as unknown as Bindings);
const secret = new TextEncoder().encode(config.JWT_SECRET);
const subject = { userId: 41, role: "STAFF" as const, sessionId: 7, securityStamp: "stamp-1" };

function claims(overrides: Record<string, unknown> = {}) {
  return {
    token_type: "access",
    user_id: 41,
    role: "STAFF",
    sid: 7,
    stamp: "stamp-1",
    ...overrides,
  };
}

function forge(payload: Record<string, unknown>, options: { exp?: number; iss?: string } = {}) {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT(payload)
    .setProtectedHeader({ alg: "HS256" })
    .setSubject(String(payload.user_id))
    .setJti(crypto.randomUUID())
    .setIssuedAt(now - 10)
    .setExpirationTime(options.exp ?? now + 300)
    .setIssuer(options.iss ?? config.JWT_ISSUER)
    .setAudience(config.JWT_AUDIENCE)
    .sign(secret);
}

async function rejection(token: string) {
  try {
    await verifyAccessToken(config, token);
  } catch (error) {
    return error;
  }
  throw new Error("token was accepted");
}

function base64url(value: unknown) {
  return btoa(JSON.stringify(value)).replaceAll("=", "").replaceAll("+", "-").replaceAll("/", "_");
}

describe("signAccessToken", () => {
  it("carries every claim and round-trips", async () => {
    const token = await signAccessToken(config, subject);
    const [, payloadPart] = token.split(".");
    const payload = JSON.parse(atob((payloadPart ?? "").replaceAll("-", "+").replaceAll("_", "/")));
    expect(payload).toMatchObject({
      token_type: "access",
      user_id: 41,
      sub: "41",
      role: "STAFF",
      sid: 7,
      stamp: "stamp-1",
      iss: config.JWT_ISSUER,
      aud: config.JWT_AUDIENCE,
    });
    expect(payload.exp - payload.iat).toBe(config.ACCESS_TOKEN_TTL_SECONDS);
    expect(payload.jti).toMatch(/^[0-9a-f-]{36}$/);

    const verified = await verifyAccessToken(config, token);
    expect(verified).toMatchObject({ userId: 41, role: "STAFF", sessionId: 7 });
  });
});

describe("verifyAccessToken", () => {
  it("rejects a token with a changed payload", async () => {
    const token = await signAccessToken(config, subject);
    const [header, , signature] = token.split(".");
    const tampered = [header, base64url({ ...claims({ role: "ADMIN" }) }), signature].join(".");
    const error = await rejection(tampered);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe("token_not_valid");
  });

  it("rejects an expired token", async () => {
    const expired = await forge(claims(), { exp: Math.floor(Date.now() / 1000) - 5 });
    expect(((await rejection(expired)) as AppError).code).toBe("token_not_valid");
  });

  it("rejects a token signed with another secret", async () => {
    const other = await signAccessToken(
      { ...config, JWT_SECRET: "a-completely-different-secret-0123456789" },
      subject,
    );
    expect(((await rejection(other)) as AppError).code).toBe("token_not_valid");
  });

  it("rejects alg none", async () => {
    const unsigned = `${base64url({ alg: "none", typ: "JWT" })}.${base64url(claims())}.`;
    expect(((await rejection(unsigned)) as AppError).code).toBe("token_not_valid");
  });

  it("rejects a refresh token used as access token", async () => {
    const { token } = await newRefreshToken();
    expect(((await rejection(token)) as AppError).code).toBe("token_not_valid");
  });

  it("rejects wrong token_type, issuer or claim types", async () => {
    const cases = [
      await forge(claims({ token_type: "refresh" })),
      await forge(claims(), { iss: "someone-else" }),
      await forge(claims({ user_id: "41" })),
      await forge(claims({ sid: 0 })),
      await forge(claims({ role: "ROOT" })),
      await forge(claims({ stamp: undefined })),
    ];
    for (const token of cases) {
      expect(((await rejection(token)) as AppError).code).toBe("token_not_valid");
    }
  });

  it("rejects garbage", async () => {
    for (const token of ["", "abc", "a.b.c", "x".repeat(5000)]) {
      expect(((await rejection(token)) as AppError).code).toBe("token_not_valid");
    }
  });
});
