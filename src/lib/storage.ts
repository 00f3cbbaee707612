import type { Bindings, Config } from "../env";

/** An object read back from storage. */
export interface StoredObject {
  body: ReadableStream;
  contentType: string;
  size: number;
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
}

/**
 * Creates the storage that the configuration selects.
 * TODO(#2): only the R2 binding is supported. An S3-compatible driver (DigitalOcean Spaces
 * via aws4fetch) belongs with presigned uploads, which need it and are not built yet.
 */
export function createStorage(env: Pick<Bindings, "FILES">, _config?: Config): ObjectStorage {
  return createR2Storage(env.FILES);
}

/** Storage on an R2 bucket binding. Buckets bound to a Worker are private unless published. */
export function createR2Storage(bucket: R2Bucket): ObjectStorage {
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
  };
}
