import type { Bindings, Config } from "../env";
import { signFileToken } from "./file-tokens";
import { createS3Storage } from "./s3-storage";

/** Lifetime of the URLs that responses give for private files. */
export const SIGNED_URL_TTL_SECONDS = 900;

/** An object read back from storage. */
export interface StoredObject {
  body: ReadableStream;
  contentType: string;
  size: number;
}

/** How a signed URL serves its object. */
export interface SignedUrlOptions {
  /** Name offered in `Content-Disposition`. */
  fileName: string;
  contentType: string;
  /** Origin of the API, e.g. `https://api.example.com`, for URLs that the Worker serves. */
  baseUrl: string;
  /** Defaults to SIGNED_URL_TTL_SECONDS. */
  expiresInSeconds?: number;
}

/**
 * Private file storage for uploaded documents. Keys carry no personal data. Objects are never
 * public, so clients reach them only through URLs the API signs.
 */
export interface ObjectStorage {
  put(key: string, body: ArrayBuffer | ReadableStream, contentType: string): Promise<void>;
  /** Deletes the object. Deleting a missing key is not an error. */
  delete(key: string): Promise<void>;
  /** Returns the object, or null when the key does not exist. */
  get(key: string): Promise<StoredObject | null>;
  /** Returns a URL that anyone holding it can GET, without headers, until it expires. */
  signedGetUrl(key: string, options: SignedUrlOptions): Promise<string>;
}

/**
 * Creates the storage that STORAGE_DRIVER selects: the R2 binding FILES (the default), or an
 * S3-compatible bucket such as DigitalOcean Spaces. Without `config` it is R2 that cannot sign
 * URLs, which is enough for code that only stores and deletes.
 */
export function createStorage(env: Pick<Bindings, "FILES">, config?: Config): ObjectStorage {
  if (config?.STORAGE_DRIVER === "s3") return createS3Storage(s3Settings(config));
  return createR2Storage(env.FILES, config ? fileUrlSecret(config) : undefined);
}

/**
 * The key of the file route's tokens: FILE_URL_SECRET, or JWT_SECRET when it is unset. The
 * tokens are signed over a prefix that no JWT contains, so sharing the key is safe, but
 * rotating JWT_SECRET then also ends every file URL handed out.
 */
export function fileUrlSecret(config: Config): string {
  return config.FILE_URL_SECRET ?? config.JWT_SECRET;
}

function s3Settings(config: Config) {
  const { S3_ENDPOINT, S3_BUCKET, S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY } = config;
  // env.ts rejects STORAGE_DRIVER=s3 without these, so this only guards a hand-built config.
  if (!S3_ENDPOINT || !S3_BUCKET || !S3_ACCESS_KEY_ID || !S3_SECRET_ACCESS_KEY) {
    throw new Error("STORAGE_DRIVER=s3 needs S3_ENDPOINT, S3_BUCKET and both S3 keys");
  }
  return {
    endpoint: S3_ENDPOINT,
    region: config.S3_REGION,
    bucket: S3_BUCKET,
    accessKeyId: S3_ACCESS_KEY_ID,
    secretAccessKey: S3_SECRET_ACCESS_KEY,
  };
}

/**
 * Storage on an R2 bucket binding. Buckets bound to a Worker are private unless published, so
 * signed URLs point at the Worker's own route `GET /api/files/{token}/`, whose token the
 * `signingSecret` signs.
 */
export function createR2Storage(bucket: R2Bucket, signingSecret?: string): ObjectStorage {
  return {
    async put(key, body, contentType) {
      await bucket.put(key, body, { httpMetadata: { contentType } });
    },
    async delete(key) {
      await bucket.delete(key);
    },
    async get(key) {
      const object = await bucket.get(key);
      if (!object) return null;
      return {
        body: object.body,
        contentType: object.httpMetadata?.contentType ?? "application/octet-stream",
        size: object.size,
      };
    },
    async signedGetUrl(key, options) {
      if (!signingSecret) throw new Error("R2 storage was created without a signing secret");
      const token = await signFileToken(signingSecret, {
        key,
        fileName: options.fileName,
        contentType: options.contentType,
        expiresAt: expiryOf(options),
      });
      return `${options.baseUrl}/api/files/${token}/`;
    },
  };
}

/** Unix time in seconds at which a URL signed now with `options` expires. */
export function expiryOf(options: Pick<SignedUrlOptions, "expiresInSeconds">): number {
  const lifetime = options.expiresInSeconds ?? SIGNED_URL_TTL_SECONDS;
  return Math.floor(Date.now() / 1000) + lifetime;
}

/**
 * Builds `Content-Disposition: inline` with an ASCII `filename` fallback and the exact name as
 * RFC 6266 `filename*`, so quotes or line breaks in a client's file name cannot break the header.
 */
export function contentDisposition(fileName: string): string {
  const fallback = fileName.replace(/[^\x20-\x7e]|["\\]/g, "_") || "file";
  return `inline; filename="${fallback}"; filename*=UTF-8''${encodeRfc5987(fileName)}`;
}

function encodeRfc5987(value: string): string {
  return encodeURIComponent(value).replace(
    /['()*]/g,
    (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}
