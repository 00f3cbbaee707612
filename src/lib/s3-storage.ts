import { AwsClient } from "aws4fetch";
import { contentDisposition, expiryOf, type ObjectStorage } from "./storage";

/** Location of an S3-compatible bucket and the key pair that signs requests to it. */
export interface S3Settings {
  /** Base URL of the service, e.g. `https://sgp1.digitaloceanspaces.com`. */
  endpoint: string;
  region: string;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
}

/**
 * Storage on an S3-compatible bucket (DigitalOcean Spaces, AWS S3, MinIO), with every request
 * signed by AWS Signature Version 4 through aws4fetch. Objects are addressed path-style
 * (`<endpoint>/<bucket>/<key>`), which every S3-compatible service accepts. The bucket must be
 * private: clients get presigned GET URLs.
 */
export function createS3Storage(settings: S3Settings): ObjectStorage {
  // aws4fetch retries 5xx and network errors itself; 10 retries (its default) would hold an
  // upload request for seconds, so two are enough before the request fails.
  const client = new AwsClient({
    accessKeyId: settings.accessKeyId,
    secretAccessKey: settings.secretAccessKey,
    service: "s3",
    region: settings.region,
    retries: 2,
  });
  const objectUrl = (key: string) => {
    const path = key.split("/").map(encodeURIComponent).join("/");
    return `${settings.endpoint.replace(/\/+$/, "")}/${settings.bucket}/${path}`;
  };

  return {
    async put(key, body, contentType) {
      const headers: Record<string, string> = { "Content-Type": contentType };
      // A buffered body is hashed into the signature, so the store rejects altered bytes. A
      // stream cannot be hashed before it is sent, so it goes as UNSIGNED-PAYLOAD.
      if (body instanceof ArrayBuffer) headers["X-Amz-Content-Sha256"] = await sha256Hex(body);
      const response = await client.fetch(objectUrl(key), { method: "PUT", body, headers });
      await expectSuccess(response, "put");
    },
    async delete(key) {
      const response = await client.fetch(objectUrl(key), { method: "DELETE" });
      if (response.status === 404) return;
      await expectSuccess(response, "delete");
    },
    async get(key) {
      const response = await client.fetch(objectUrl(key), { method: "GET" });
      if (response.status === 404) {
        await response.body?.cancel();
        return null;
      }
      if (!response.ok || !response.body) await expectSuccess(response, "get");
      return {
        body: response.body as ReadableStream,
        contentType: response.headers.get("Content-Type") ?? "application/octet-stream",
        size: Number(response.headers.get("Content-Length") ?? 0),
      };
    },
    async signedGetUrl(key, options) {
      const url = new URL(objectUrl(key));
      const lifetime = expiryOf(options) - Math.floor(Date.now() / 1000);
      url.searchParams.set("X-Amz-Expires", String(lifetime));
      // S3 answers with these instead of the stored headers when they are signed into the URL.
      url.searchParams.set("response-content-disposition", contentDisposition(options.fileName));
      url.searchParams.set("response-content-type", options.contentType);
      const signed = await client.sign(url.toString(), {
        method: "GET",
        aws: { signQuery: true },
      });
      return signed.url;
    },
  };
}

async function expectSuccess(response: Response, operation: string): Promise<void> {
  if (response.ok) {
    await response.body?.cancel();
    return;
  }
  // The error body is S3's XML, which may echo the key; only the status is kept.
  await response.body?.cancel();
  throw new Error(`s3 ${operation} failed with status ${response.status}`);
}

async function sha256Hex(body: ArrayBuffer): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", body);
  return [...new Uint8Array(digest)].map((byte) => byte.toString(16).padStart(2, "0")).join("");
}
