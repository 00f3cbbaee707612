import fc from "fast-check";

// Hostile input generators. None produces a positive integer below 1e9, as a number or as a
// string that Number() reads as one. Such a value can be the id of a row that another test
// file owns, and a request that happened to succeed on it would change that row.

/** True for values that could be the id of a real row in the shared test database. */
function couldBeRowId(value: unknown): boolean {
  const number = typeof value === "string" ? Number(value.trim()) : value;
  return typeof number === "number" && Number.isFinite(number) && number >= 1 && number < 1e9;
}

const CONTROL_STRINGS = [
  "\u0000",
  "a\u0000b",
  "\u0001\u0002\u0007\u001b[31m",
  "\r\n\r\nX-Injected: 1",
  "\u202eevil",
  "\ufeff",
  "\u2028\u2029",
  "\ud800",
  "x\udfffy",
  "\uffff",
];

const TRICKY_STRINGS = [
  "",
  " ",
  "' OR 1=1 --",
  "%_%",
  "\\",
  // A template-injection probe, written as a plain string on purpose.
  // biome-ignore lint/suspicious/noTemplateCurlyInString: the literal text is the payload
  "${7*7}{{7*7}}",
  "<script>alert(1)</script>",
  "../../etc/passwd",
  "null",
  "undefined",
  "[object Object]",
  "NaN",
  "Infinity",
  "-0",
  "0",
  "1e309",
  "2147483648",
  "-2147483649",
  "9007199254740993",
  "99999999999999999999999999999",
  "true",
  "__proto__",
  "A-ZZZZZZ",
  "user@",
  "@example.test",
  "a@b",
  "１２３４",
  "2026-02-30",
  "0000-00-00",
  "9999-12-31T99:99:99Z",
];

/** Strings: control characters, lone surrogates, injections, numbers in words, huge ones. */
export const hostileString: fc.Arbitrary<string> = fc
  .oneof(
    fc.constantFrom(...CONTROL_STRINGS, ...TRICKY_STRINGS),
    fc.string({ maxLength: 40 }),
    fc.string({ unit: "binary", maxLength: 40 }),
    fc.constantFrom(300, 5_000, 70_000).map((length) => "é".repeat(length)),
  )
  .filter((value) => !couldBeRowId(value));

/** Numbers outside int32, at its edges, fractions, negatives and huge doubles. */
export const hostileNumber: fc.Arbitrary<number> = fc.oneof(
  fc.constantFrom(0, -1, -0, 2 ** 31, -(2 ** 31) - 1, 2 ** 53 + 2, 1e308, -1e308, 0.5, 5e-324),
  fc.integer({ min: 1_000_000_000, max: 2 ** 31 - 1 }),
  fc.integer({ max: 0 }),
  fc.double({ noNaN: true, noDefaultInfinity: true }).filter((value) => !couldBeRowId(value)),
);

const PROTOTYPE_KEYS = ["__proto__", "constructor", "prototype", "toString", "hasOwnProperty"];

/** A JSON value whose objects keep their key order and may repeat keys, such as `__proto__`. */
export type HostileJson =
  | string
  | number
  | boolean
  | null
  | { list: HostileJson[] }
  | { entries: [string, HostileJson][] };

/** Hostile JSON values whose object keys come from `keys` plus prototype-pollution keys. */
export function hostileJson(keys: string[]): fc.Arbitrary<HostileJson> {
  const key = fc.oneof(
    { weight: 3, arbitrary: keys.length > 0 ? fc.constantFrom(...keys) : hostileString },
    { weight: 1, arbitrary: fc.constantFrom(...PROTOTYPE_KEYS, "", "a".repeat(1000), "\u0000") },
  );
  const { value } = fc.letrec<{ value: HostileJson }>((tie) => ({
    value: fc.oneof(
      { depthSize: "small", withCrossShrink: true },
      hostileString,
      hostileNumber,
      fc.boolean(),
      fc.constant(null),
      fc.array(tie("value"), { maxLength: 4 }).map((list) => ({ list })),
      fc.array(fc.tuple(key, tie("value")), { maxLength: 5 }).map((entries) => ({ entries })),
    ),
  }));
  return value;
}

/** Serialises a HostileJson by hand, so keys like `__proto__` reach the body as written. */
export function toJsonText(value: HostileJson): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value);
  if ("list" in value) return `[${value.list.map(toJsonText).join(",")}]`;
  const members = value.entries.map(([key, item]) => `${JSON.stringify(key)}:${toJsonText(item)}`);
  return `{${members.join(",")}}`;
}

/** A JSON object of known top-level fields (nested fields inside) with hostile values. */
export function hostileObject(fields: Record<string, string[]>): fc.Arbitrary<HostileJson> {
  const topKeys = fields[""] ?? [];
  const nestedKeys = Object.values(fields).flat();
  const member = fc.oneof(
    ...topKeys.map((name) =>
      fc.tuple(
        fc.constant(name),
        fields[name] ? hostileJson(fields[name]) : hostileJson(nestedKeys),
      ),
    ),
    fc.tuple(fc.constantFrom(...PROTOTYPE_KEYS), hostileJson(topKeys)),
  );
  return fc.array(member, { maxLength: 8 }).map((entries) => ({ entries }));
}

const encoder = new TextEncoder();

function bytesOf(...parts: (string | number[])[]): Uint8Array {
  const chunks = parts.map((part) => (typeof part === "string" ? encoder.encode(part) : part));
  return new Uint8Array(chunks.flatMap((chunk) => [...chunk]));
}

/** Raw bodies that are not valid JSON: broken syntax, invalid UTF-8, deep nesting, 2 MB. */
export const brokenJsonBody: fc.Arbitrary<Uint8Array> = fc.constantFrom(
  bytesOf(""),
  bytesOf("{"),
  bytesOf('{"a":1,}'),
  bytesOf("nul"),
  bytesOf('"just a string"'),
  bytesOf("[]"),
  bytesOf("123"),
  bytesOf("\ufeff{}"),
  bytesOf('{"email":"', [0xff, 0xfe, 0xc0, 0xaf], '"}'),
  bytesOf('{"full_name":"', [0xed, 0xa0, 0x80], '"}'),
  bytesOf('{"notes":"a', [0x00], 'b"}'),
  bytesOf('{"a":1,"a":2,"__proto__":{"role":"ADMIN"}}'),
  bytesOf("[".repeat(5_000), "]".repeat(5_000)),
  bytesOf('{"a":'.repeat(2_000), "1", "}".repeat(2_000)),
  bytesOf(`{"notes":"${"x".repeat(2 * 1024 * 1024)}"}`),
);

/** Content types a JSON route must refuse, or read as JSON without failing. */
export const contentTypeForJson = fc.constantFrom(
  "application/json",
  "application/json; charset=utf-8",
  "APPLICATION/JSON",
  "application/json; charset=utf-16",
  "text/plain",
  "application/x-www-form-urlencoded",
  "multipart/form-data",
  "application/merge-patch+json",
  "application/jsonx",
  "",
);

/** Path parameter values that are no valid id: junk, edges, encodings, overflow. */
export const hostilePathValue: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    "0",
    "-1",
    "2147483647",
    "2147483648",
    "9007199254740993",
    "9".repeat(400),
    "1.5",
    "1e400",
    "abc",
    "me",
    "%00",
    "%ff%fe",
    "%ED%A0%80",
    "..%2f..%2f",
    "null",
    "%EF%BC%91%EF%BC%92",
    "a.b",
    "eyJ9.eyJ9",
    "x".repeat(5_000),
  ),
  hostileString.map((value) => encodePathSegment(value)),
);

/** Percent-encodes a segment; lone surrogates, which encodeURIComponent rejects, become %ED%A0%80. */
export function encodePathSegment(value: string): string {
  try {
    return encodeURIComponent(value);
  } catch {
    return "%ED%A0%80";
  }
}
