/** A value of one CSV cell; null and undefined become an empty cell. */
export type CsvValue = string | number | boolean | null | undefined;

/** UTF-8 byte order mark, so Excel opens the file as UTF-8 rather than the locale's code page. */
export const UTF8_BOM = "\uFEFF";

// Spreadsheets run a cell that starts with one of these as a formula ("CSV injection"), so a
// text cell starting with one gets a leading apostrophe, which they show as plain text. A
// phone number such as +62… is exported as '+62… for the same reason.
const FORMULA_TRIGGERS = new Set(["=", "+", "-", "@", "\t", "\r"]);

/** Renders one cell as RFC 4180 says: quoted when it contains a comma, quote or line break. */
export function csvCell(value: CsvValue): string {
  if (value === null || value === undefined) return "";
  if (typeof value !== "string") return String(value);

  const guarded = FORMULA_TRIGGERS.has(value.charAt(0)) ? `'${value}` : value;
  return /[",\r\n]/.test(guarded) ? `"${guarded.replace(/"/g, '""')}"` : guarded;
}

/** Renders one record with CRLF, the line ending RFC 4180 specifies. */
export function csvRow(values: readonly CsvValue[]): string {
  return `${values.map(csvCell).join(",")}\r\n`;
}
