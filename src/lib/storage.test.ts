import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { api } from "../../test/helpers/http";
import { type Bindings, type Config, loadConfig } from "../env";
import { signFileToken, verifyFileToken } from "./file-tokens";
import { createS3Storage } from "./s3-storage";
import { createStorage, type ObjectStorage } from "./storage";

const bindings = env as unknown as Bindings;
const baseConfig = loadConfig(bindings);
const BASE_URL = "http://api.test";

const drivers: [string, Config][] = [
  ["r2", { ...baseConfig, STORAGE_DRIVER: "r2" }],
  ["s3", { ...baseConfig, STORAGE_DRIVER: "s3" }],
];

const uniqueKey = () => `account/documents/test/${crypto.randomUUID()}.pdf`;
const bytesOf = (value: string) => new TextEncoder().encode(value).buffer as ArrayBuffer;

/** Fetches a signed URL: through the Worker for the R2 route, directly for a presigned S3 URL. */
function fetchSigned(url: string): Promise<Response> {
  if (url.startsWith(BASE_URL)) return api("GET", url.slice(BASE_URL.length));
  return fetch(url);
}

describe.each(drivers)("ObjectStorage on %s", (_name, config) => {
  const storage: ObjectStorage = createStorage(bindings, config);
  const signOptions = {
    fileName: "ijasah saya.pdf",
    contentType: "application/pdf",
    baseUrl: BASE_URL,
  };

  it("stores, reads back and deletes an object", async () => {
    const key = uniqueKey();
    await storage.put(key, bytesOf("%PDF-isi"), "application/pdf");

    const stored = await storage.get(key);
    expect(stored?.contentType).toBe("application/pdf");
    expect(stored?.size).toBe(8);
    expect(await new Response(stored?.body).text()).toBe("%PDF-isi");

    await storage.delete(key);
    expect(await storage.get(key)).toBeNull();
  });

  it("returns null for a missing key and deletes it without error", async () => {
    const key = uniqueKey();
    expect(await storage.get(key)).toBeNull();
    await expect(storage.delete(key)).resolves.toBeUndefined();
  });

  it("signs a URL that serves the file without headers", async () => {
    const key = uniqueKey();
    await storage.put(key, bytesOf("%PDF-url"), "application/pdf");

    const response = await fetchSigned(await storage.signedGetUrl(key, signOptions));
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Type")).toBe("application/pdf");
    expect(response.headers.get("Content-Disposition")).toContain(
      "filename*=UTF-8''ijasah%20saya.pdf",
    );
    expect(await response.text()).toBe("%PDF-url");
  });

  it("rejects a signed URL whose signature was altered", async () => {
    const key = uniqueKey();
    await storage.put(key, bytesOf("%PDF-tamper"), "application/pdf");
    const url = await storage.signedGetUrl(key, signOptions);

    // Change a character well inside the signature: the last base64url character of an R2
    // file token also carries unused bits, so changing it may leave the decoded bytes unchanged.
    const position = url.replace(/\/$/, "").length - 10;
    // "0" and "1" differ both as hex and as base64url. Swapping "a" for "A" changed nothing in
    // the S3 signature, because hex is decoded regardless of case.
    const swapped = url[position] === "0" ? "1" : "0";
    const tampered = `${url.slice(0, position)}${swapped}${url.slice(position + 1)}`;
    expect(tampered).not.toBe(url);
    const response = await fetchSigned(tampered);
    expect(response.status).toBe(403);
    await response.body?.cancel();
  });

  it("rejects a signed URL after it expired", async () => {
    const key = uniqueKey();
    await storage.put(key, bytesOf("%PDF-late"), "application/pdf");
    const url = await storage.signedGetUrl(key, { ...signOptions, expiresInSeconds: 1 });

    await new Promise((resolve) => setTimeout(resolve, 2100));
    const response = await fetchSigned(url);
    expect(response.status).toBe(403);
    await response.body?.cancel();
  });
});

describe("S3 storage", () => {
  it("fails a put signed with the wrong secret key", async () => {
    const storage = createS3Storage({
      endpoint: baseConfig.S3_ENDPOINT!,
      region: baseConfig.S3_REGION,
      bucket: baseConfig.S3_BUCKET!,
      accessKeyId: baseConfig.S3_ACCESS_KEY_ID!,
      secretAccessKey: "not-the-secret",
    });
    await expect(storage.put(uniqueKey(), bytesOf("x"), "application/pdf")).rejects.toThrow(
      "s3 put failed with status 403",
    );
  });

  it("presigns GET URLs for 900 seconds by default", async () => {
    const storage = createStorage(bindings, { ...baseConfig, STORAGE_DRIVER: "s3" });
    const url = new URL(
      await storage.signedGetUrl("account/documents/1/ktp/a.png", {
        fileName: "ktp.png",
        contentType: "image/png",
        baseUrl: BASE_URL,
      }),
    );
    expect(url.searchParams.get("X-Amz-Expires")).toBe("900");
    expect(url.searchParams.get("X-Amz-Signature")).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe("file tokens", () => {
  const secret = "a-file-url-secret-of-32-characters!!";
  const grant = {
    key: "account/documents/1/ktp/a.png",
    fileName: "ktp.png",
    contentType: "image/png",
    expiresAt: 2_000,
  };

  it("verify a token they signed before its expiry", async () => {
    const token = await signFileToken(secret, grant);
    expect(await verifyFileToken(secret, token, 1_999)).toEqual({ ok: true, grant });
  });

  it("reject a token at its expiry", async () => {
    const token = await signFileToken(secret, grant);
    expect(await verifyFileToken(secret, token, 2_000)).toEqual({ ok: false, reason: "expired" });
  });

  it("reject a token signed with another secret", async () => {
    const token = await signFileToken(`${secret}x`, grant);
    const result = await verifyFileToken(secret, token, 1_000);
    expect(result).toEqual({ ok: false, reason: "bad_signature" });
  });

  it("reject a payload swapped for another key", async () => {
    const token = await signFileToken(secret, grant);
    const other = await signFileToken(secret, { ...grant, key: "account/documents/2/ktp/b.png" });
    const forged = `${other.split(".")[0]}.${token.split(".")[1]}`;
    expect(await verifyFileToken(secret, forged, 1_000)).toEqual({
      ok: false,
      reason: "bad_signature",
    });
  });

  it("reject malformed tokens", async () => {
    for (const token of ["", "abc", "a.b.c", "a.!!!"]) {
      expect((await verifyFileToken(secret, token, 1_000)).ok).toBe(false);
    }
  });
});
