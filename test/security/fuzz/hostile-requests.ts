import fc from "fast-check";
import {
  brokenJsonBody,
  contentTypeForJson,
  encodePathSegment,
  hostileJson,
  hostileObject,
  hostilePathValue,
  hostileString,
  toJsonText,
} from "./hostile-values";
import type { Operation } from "./openapi-operations";

/** A request the fuzzer sends: everything after the base URL, headers and a raw body. */
export interface HostileRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: BodyInit;
  /** What the body is, for failure messages: the JSON text or a description. */
  summary: string;
}

/** Real row ids for path parameters, by `METHOD path` and parameter name, from the fixture. */
export type PathIds = (operation: Operation, parameter: string) => string | undefined;

/** Header values are ByteStrings: printable ASCII only, so Headers never throws. */
const headerValue = fc.oneof(
  fc.constantFrom(
    "",
    "null",
    "Bearer",
    "Bearer ",
    "Bearer a.b.c",
    `Bearer ${"A".repeat(8_000)}`,
    "Bearer x, Bearer y",
    "Basic Zm9vOmJhcg==",
    "kms_access=garbage; kms_refresh=%ff",
    `kms_access=${"a".repeat(5_000)}`,
    "kms_access=a; kms_access=b",
    "http://evil.test",
    "http://app.test.evil.test",
    '{"level":"error","message":"forged"}',
    "999.999.999.999",
    "1.1.1.1, 2.2.2.2",
    "bytes=-1",
    'W/"x", *',
  ),
  fc
    .string({ unit: "binary-ascii", maxLength: 60 })
    .map((value) => value.replace(/[^\x20-\x7e]/g, "")),
);

const HOSTILE_HEADER_NAMES = [
  "Authorization",
  "Cookie",
  "Origin",
  "Referer",
  "X-Request-ID",
  "CF-Connecting-IP",
  "X-Forwarded-For",
  "Accept",
  "Accept-Language",
  "If-None-Match",
  "Range",
  "X-HTTP-Method-Override",
];

/** Up to four hostile headers; an Authorization header here replaces the actor's token. */
export const hostileHeaders: fc.Arbitrary<Record<string, string>> = fc
  .array(fc.tuple(fc.constantFrom(...HOSTILE_HEADER_NAMES), headerValue), { maxLength: 4 })
  .map((pairs) => Object.fromEntries(pairs));

/** A query string of known and unknown names with hostile, partly mis-encoded values. */
export function hostileQuery(names: string[]): fc.Arbitrary<string> {
  const name =
    names.length > 0 ? fc.oneof(fc.constantFrom(...names), hostileString) : hostileString;
  const value = fc.oneof(
    hostileString.map(encodePathSegment),
    fc.constantFrom("%", "%zz", "%ff", "%00", "+", "a[b]=c", "%ED%A0%80", "=", "&&"),
  );
  const pair = fc.tuple(name, value).map(([key, item]) => `${encodePathSegment(key)}=${item}`);
  return fc.array(pair, { minLength: 1, maxLength: 5 }).map((pairs) => `?${pairs.join("&")}`);
}

/** The operation's path with each parameter either a real id of the fixture or junk. */
export function hostilePath(operation: Operation, realIds: PathIds): fc.Arbitrary<string> {
  const values = operation.pathParams.map((parameter) => {
    const real = realIds(operation, parameter);
    return real === undefined ? hostilePathValue : fc.oneof(fc.constant(real), hostilePathValue);
  });
  return fc.tuple(...values).map((chosen) => {
    let path = operation.path;
    operation.pathParams.forEach((parameter, index) => {
      path = path.replace(`{${parameter}}`, chosen[index] as string);
    });
    return path;
  });
}

/** A body for a JSON operation: a hostile object, any hostile value, or raw broken bytes. */
export function hostileJsonBody(operation: Operation) {
  const text = fc.oneof(
    { weight: 3, arbitrary: hostileObject(operation.bodyFields).map(toJsonText) },
    { weight: 1, arbitrary: hostileJson(operation.bodyFields[""] ?? []).map(toJsonText) },
  );
  return fc.oneof(
    { weight: 4, arbitrary: fc.tuple(text, contentTypeForJson) },
    { weight: 1, arbitrary: fc.tuple(brokenJsonBody, fc.constant("application/json")) },
  );
}

/** A multipart body and the Content-Type to send it with; none lets fetch set the boundary. */
export interface MultipartBody {
  body: BodyInit;
  contentType?: string;
}

/** Bodies for a multipart operation: hostile forms, broken multipart text, or the wrong type. */
export function hostileMultipartBody(operation: Operation): fc.Arbitrary<MultipartBody> {
  const fields = operation.bodyFields[""] ?? [];
  return fc.oneof(
    { weight: 3, arbitrary: hostileForm(fields).map((form): MultipartBody => ({ body: form })) },
    { weight: 2, arbitrary: brokenMultipart(fields) },
    {
      weight: 1,
      arbitrary: hostileObject(operation.bodyFields).map(
        (json): MultipartBody => ({ body: toJsonText(json), contentType: "application/json" }),
      ),
    },
  );
}

const hostileFileName = fc.constantFrom(
  "ktp.png",
  "../../etc/passwd",
  "a\u0000b.png",
  `${"n".repeat(300)}.png`,
  "ktp.png.exe",
  "ktp.PNG",
  "",
  ".png",
  "\u202egnp.exe",
);

const hostileFileBytes = fc.oneof(
  fc.uint8Array({ maxLength: 64 }),
  // A PNG signature followed by junk, a PDF header without a body, a JPEG marker only.
  fc.constantFrom(
    new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48]),
    new TextEncoder().encode("%PDF-1.7\n%%EOF"),
    new Uint8Array([0xff, 0xd8, 0xff]),
  ),
);

function hostileForm(fields: string[]): fc.Arbitrary<FormData> {
  // workerd's FormData serialiser throws on a field name that ends in a backslash, so the
  // request would never be sent. brokenMultipart sends such a name as raw text instead.
  const hostileName = hostileString.map((value) => (value.endsWith("\\") ? `${value}_` : value));
  const name = fields.length > 0 ? fc.oneof(fc.constantFrom(...fields), hostileName) : hostileName;
  const part = fc.oneof(
    fc.tuple(name, hostileString).map(([key, value]) => ({ key, value: value as string | File })),
    fc
      .tuple(name, hostileFileBytes, hostileFileName, fc.constantFrom("image/png", "text/html", ""))
      .map(([key, bytes, fileName, type]) => ({
        key,
        value: new File([bytes], fileName, { type }),
      })),
  );
  return fc.array(part, { maxLength: 6 }).map((parts) => {
    const form = new FormData();
    for (const { key, value } of parts) form.append(key, value);
    return form;
  });
}

function brokenMultipart(fields: string[]): fc.Arbitrary<MultipartBody> {
  const field = fields[0] ?? "file";
  const bodies = [
    // The declared boundary never appears.
    [
      "multipart/form-data; boundary=AAA",
      `--BBB\r\nContent-Disposition: form-data; name="${field}"\r\n\r\nx\r\n--BBB--\r\n`,
    ],
    // No closing boundary.
    [
      "multipart/form-data; boundary=AAA",
      `--AAA\r\nContent-Disposition: form-data; name="${field}"\r\n\r\nx`,
    ],
    // No boundary parameter at all.
    [
      "multipart/form-data",
      `--AAA\r\nContent-Disposition: form-data; name="${field}"\r\n\r\nx\r\n--AAA--\r\n`,
    ],
    // A part without a name and a part with an encoded file name.
    [
      "multipart/form-data; boundary=AAA",
      `--AAA\r\nContent-Disposition: form-data\r\n\r\nx\r\n--AAA\r\nContent-Disposition: form-data; name="${field}"; filename*=UTF-8''%ff%fe.png\r\n\r\n\u0000\r\n--AAA--\r\n`,
    ],
    // A field name ending in a backslash, which escapes the closing quote.
    [
      "multipart/form-data; boundary=AAA",
      `--AAA\r\nContent-Disposition: form-data; name="${field}\\"\r\n\r\nx\r\n--AAA--\r\n`,
    ],
    // A boundary longer than the 70 characters RFC 2046 allows.
    [`multipart/form-data; boundary=${"B".repeat(200)}`, `--${"B".repeat(200)}--\r\n`],
    ["multipart/form-data; boundary=AAA", ""],
  ] as const;
  return fc.constantFrom(...bodies).map(([contentType, text]) => ({ body: text, contentType }));
}
