import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { FakeHandler } from "./server";

/** The only key pair, region and bucket the fake accepts; test/setup/bindings.ts uses them. */
export const S3_FAKE = {
  accessKeyId: "TESTACCESSKEY",
  secretAccessKey: "test-s3-secret-access-key",
  region: "sgp1",
  bucket: "kms-test",
} as const;

const PREFIX = "/s3/";
const ALGORITHM = "AWS4-HMAC-SHA256";
const UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD";

interface StoredObject {
  body: Buffer;
  contentType: string;
}

interface SignedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage["headers"];
  body: Buffer;
}

/**
 * Creates a fake S3 service under `/s3/<bucket>/<key>` that keeps objects in memory and accepts
 * PUT, GET and DELETE only when their AWS Signature Version 4 is right. It recomputes each
 * signature with the known test key, from an `Authorization` header or from the `X-Amz-*` query
 * of a presigned URL, checks the payload hash against the body and the expiry of presigned
 * URLs. A presigned GET honours `response-content-type` and `response-content-disposition`.
 * Test-only route: `GET /s3/__objects?prefix=` lists the stored keys.
 */
export function s3Fake(): FakeHandler {
  const objects = new Map<string, StoredObject>();

  return (request, body, response) => {
    const url = new URL(request.url ?? "/", "http://fake");
    if (!url.pathname.startsWith(PREFIX)) return false;

    if (request.method === "GET" && url.pathname === `${PREFIX}__objects`) {
      const prefix = url.searchParams.get("prefix") ?? "";
      const keys = [...objects.keys()].filter((key) => key.startsWith(prefix));
      sendJson(response, 200, { keys });
      return true;
    }

    const signed: SignedRequest = {
      method: request.method ?? "GET",
      path: url.pathname,
      query: url.searchParams,
      headers: request.headers,
      body,
    };
    const problem = verifySignature(signed, new Date());
    if (problem) {
      sendXml(response, 403, problem.code, problem.message);
      return true;
    }
    serveObject(objects, signed, response);
    return true;
  };
}

function serveObject(
  objects: Map<string, StoredObject>,
  request: SignedRequest,
  response: ServerResponse,
) {
  const [bucket, ...keyParts] = request.path
    .slice(PREFIX.length)
    .split("/")
    .map(decodeURIComponent);
  if (bucket !== S3_FAKE.bucket || keyParts.length === 0) {
    sendXml(response, 404, "NoSuchBucket", "The specified bucket does not exist");
    return;
  }
  const key = keyParts.join("/");

  if (request.method === "PUT") {
    const contentType = String(request.headers["content-type"] ?? "binary/octet-stream");
    objects.set(key, { body: request.body, contentType });
    response.writeHead(200, { etag: `"${md5(request.body)}"` });
    response.end();
  } else if (request.method === "DELETE") {
    objects.delete(key);
    response.writeHead(204);
    response.end();
  } else if (request.method === "GET") {
    const object = objects.get(key);
    if (!object) {
      sendXml(response, 404, "NoSuchKey", "The specified key does not exist.");
      return;
    }
    const headers: Record<string, string> = {
      "content-type": request.query.get("response-content-type") ?? object.contentType,
      "content-length": String(object.body.length),
    };
    const disposition = request.query.get("response-content-disposition");
    if (disposition) headers["content-disposition"] = disposition;
    response.writeHead(200, headers);
    response.end(object.body);
  } else {
    sendXml(response, 405, "MethodNotAllowed", "The method is not allowed");
  }
}

interface SignatureProblem {
  code: string;
  message: string;
}

/** Returns why the request's signature is wrong, or null when it is right. */
export function verifySignature(request: SignedRequest, now: Date): SignatureProblem | null {
  const presigned = request.query.has("X-Amz-Signature");
  const parts = presigned ? presignedParts(request) : headerParts(request);
  if ("code" in parts) return parts;

  const [accessKeyId, date, region, service, terminator] = parts.credential.split("/");
  if (accessKeyId !== S3_FAKE.accessKeyId) {
    return { code: "InvalidAccessKeyId", message: "unknown access key" };
  }
  if (region !== S3_FAKE.region || service !== "s3" || terminator !== "aws4_request") {
    return { code: "AuthorizationHeaderMalformed", message: "bad credential scope" };
  }
  if (!date || !parts.amzDate.startsWith(date)) {
    return { code: "AuthorizationHeaderMalformed", message: "date does not match scope" };
  }
  if (presigned) {
    const expires = Number(request.query.get("X-Amz-Expires"));
    if (!Number.isInteger(expires) || expires < 1 || expires > 604_800) {
      return { code: "AuthorizationQueryParametersError", message: "bad X-Amz-Expires" };
    }
    if (now.getTime() > parseAmzDate(parts.amzDate).getTime() + expires * 1000) {
      return { code: "AccessDenied", message: "Request has expired" };
    }
  } else if (parts.payloadHash !== UNSIGNED_PAYLOAD && parts.payloadHash !== sha256(request.body)) {
    return { code: "XAmzContentSHA256Mismatch", message: "payload hash does not match body" };
  }

  const canonical = canonicalRequest(request, parts.signedHeaders, parts.payloadHash);
  const scope = `${date}/${region}/s3/aws4_request`;
  const stringToSign = [ALGORITHM, parts.amzDate, scope, sha256(canonical)].join("\n");
  const expected = signingKeyHmac(date, region, stringToSign);
  const received = Buffer.from(parts.signature, "hex");
  if (received.length !== expected.length || !timingSafeEqual(received, expected)) {
    return { code: "SignatureDoesNotMatch", message: "signature does not match" };
  }
  return null;
}

interface SignatureParts {
  credential: string;
  signedHeaders: string[];
  signature: string;
  amzDate: string;
  payloadHash: string;
}

function headerParts(request: SignedRequest): SignatureParts | SignatureProblem {
  const authorization = String(request.headers.authorization ?? "");
  const match =
    /^AWS4-HMAC-SHA256 Credential=([^,]+), ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/.exec(
      authorization,
    );
  if (!match) return { code: "AccessDenied", message: "missing or malformed Authorization" };
  const payloadHash = String(request.headers["x-amz-content-sha256"] ?? "");
  if (!payloadHash) return { code: "InvalidRequest", message: "missing x-amz-content-sha256" };
  return {
    credential: match[1]!,
    signedHeaders: match[2]!.split(";"),
    signature: match[3]!,
    amzDate: String(request.headers["x-amz-date"] ?? ""),
    payloadHash,
  };
}

function presignedParts(request: SignedRequest): SignatureParts | SignatureProblem {
  const query = request.query;
  if (query.get("X-Amz-Algorithm") !== ALGORITHM) {
    return { code: "AuthorizationQueryParametersError", message: "bad X-Amz-Algorithm" };
  }
  return {
    credential: query.get("X-Amz-Credential") ?? "",
    signedHeaders: (query.get("X-Amz-SignedHeaders") ?? "").split(";"),
    signature: query.get("X-Amz-Signature") ?? "",
    amzDate: query.get("X-Amz-Date") ?? "",
    payloadHash: UNSIGNED_PAYLOAD,
  };
}

function canonicalRequest(request: SignedRequest, signedHeaders: string[], payloadHash: string) {
  const path = request.path
    .split("/")
    .map((segment) => rfc3986(decodeURIComponent(segment)))
    .join("/");
  const query = [...request.query]
    .filter(([name]) => name !== "X-Amz-Signature")
    .map(([name, value]) => [rfc3986(name), rfc3986(value)] as const)
    .sort(compareQueryPairs)
    .map(([name, value]) => `${name}=${value}`)
    .join("&");
  const headers = signedHeaders
    .map(
      (name) =>
        `${name}:${String(request.headers[name] ?? "")
          .trim()
          .replace(/\s+/g, " ")}\n`,
    )
    .join("");
  return [request.method, path, query, headers, signedHeaders.join(";"), payloadHash].join("\n");
}

/** Orders query pairs by name, then value, by code unit as SigV4 requires. */
function compareQueryPairs(left: readonly [string, string], right: readonly [string, string]) {
  if (left[0] !== right[0]) return left[0] < right[0] ? -1 : 1;
  if (left[1] === right[1]) return 0;
  return left[1] < right[1] ? -1 : 1;
}

function signingKeyHmac(date: string, region: string, stringToSign: string): Buffer {
  const dateKey = hmac(`AWS4${S3_FAKE.secretAccessKey}`, date);
  const regionKey = hmac(dateKey, region);
  const serviceKey = hmac(regionKey, "s3");
  const signingKey = hmac(serviceKey, "aws4_request");
  return hmac(signingKey, stringToSign);
}

function rfc3986(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/** Parses `20240102T030405Z`. */
function parseAmzDate(value: string): Date {
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!match) return new Date(Number.NaN);
  const [, year, month, day, hour, minute, second] = match;
  return new Date(`${year}-${month}-${day}T${hour}:${minute}:${second}Z`);
}

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac("sha256", key).update(data, "utf8").digest();
}

function sha256(data: string | Buffer): string {
  return createHash("sha256").update(data).digest("hex");
}

function md5(data: Buffer): string {
  return createHash("md5").update(data).digest("hex");
}

function sendJson(response: ServerResponse, status: number, body: unknown) {
  response.writeHead(status, { "content-type": "application/json" });
  response.end(JSON.stringify(body));
}

function sendXml(response: ServerResponse, status: number, code: string, message: string) {
  response.writeHead(status, { "content-type": "application/xml" });
  response.end(
    `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code>` +
      `<Message>${message}</Message></Error>`,
  );
}
