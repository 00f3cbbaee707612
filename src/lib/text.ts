import { z } from "@hono/zod-openapi";

/**
 * Characters that no text field may contain. C0 and C1 control characters (`\p{Cc}`) are out
 * because Postgres rejects NUL in `text` with SQLSTATE 22021. U+FFFD is what invalid UTF-8
 * decodes to, so it marks a broken client encoding, and lone UTF-16 surrogates (`\p{Cs}`) would
 * be stored as U+FFFD. The bidi override and isolate characters U+202A–U+202E and U+2066–U+2069
 * make a name display differently from what it contains ("Trojan Source" spoofing).
 */
const FORBIDDEN_IN_SINGLE_LINE = /[\p{Cc}\p{Cs}\uFFFD\u202A-\u202E\u2066-\u2069]/u;

/** The same set, except tab, line feed and carriage return, which multi-line text may contain. */
const FORBIDDEN_IN_MULTI_LINE = /(?![\t\n\r])[\p{Cc}\p{Cs}\uFFFD\u202A-\u202E\u2066-\u2069]/u;

const FORBIDDEN_MESSAGE =
  "Teks berisi karakter yang tidak diizinkan (karakter kontrol, karakter pengganti U+FFFD " +
  "atau karakter pengarah teks). Hapus karakter tersebut lalu kirim ulang.";

/** Tells whether `text` contains a character that `singleLineText` rejects. */
export function hasForbiddenCharacters(text: string, options: { multiLine?: boolean } = {}) {
  return (options.multiLine ? FORBIDDEN_IN_MULTI_LINE : FORBIDDEN_IN_SINGLE_LINE).test(text);
}

/**
 * Removes the characters that `singleLineText` rejects. For values that the user did not type
 * and that should not fail a request, such as an uploaded file's name.
 */
export function removeForbiddenCharacters(text: string): string {
  return text.replace(new RegExp(FORBIDDEN_IN_SINGLE_LINE.source, "gu"), "");
}

interface TextOptions {
  max: number;
  /** Minimum length after trimming; 0 (the default) lets the empty string clear the field. */
  min?: number;
}

function boundedText({ max, min = 0 }: TextOptions, multiLine: boolean) {
  let schema = z
    .string({ error: "Harus berupa teks." })
    .trim()
    .max(max, `Maksimal ${max} karakter.`)
    .refine((text) => !hasForbiddenCharacters(text, { multiLine }), FORBIDDEN_MESSAGE);
  if (min > 0) {
    schema = schema.min(min, min === 1 ? "Wajib diisi." : `Minimal ${min} karakter.`);
  }
  return schema;
}

/**
 * A trimmed one-line text field of at most `max` characters: names, occupations, codes.
 * Rejects control characters (tab and line breaks included), U+FFFD, lone surrogates and
 * bidi override/isolate characters.
 */
export const singleLineText = (options: TextOptions) => boundedText(options, false);

/** A trimmed text field such as an address or notes: like `singleLineText`, but allows \t \n \r. */
export const multiLineText = (options: TextOptions) => boundedText(options, true);

/** The length limit of an email address (RFC 5321 path limit) and of `users.email`. */
export const MAX_EMAIL_LENGTH = 254;

/**
 * An email address as every endpoint accepts it: surrounding spaces trimmed and lower-cased
 * (addresses are stored lower-case), then checked against zod's email pattern, which also
 * rejects control characters.
 */
export const emailAddress = z
  .string({ error: "Alamat email wajib diisi." })
  .trim()
  .toLowerCase()
  .max(MAX_EMAIL_LENGTH, `Alamat email maksimal ${MAX_EMAIL_LENGTH} karakter.`)
  .pipe(z.email("Masukkan alamat email yang valid."))
  .openapi({ type: "string", format: "email", example: "pelamar@example.com" });
