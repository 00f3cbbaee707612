/** Fields read from a KTP (Indonesian identity card); null when a field was not found. */
export interface KtpData {
  nik: string | null;
  name: string | null;
  birth_place: string | null;
  /** YYYY-MM-DD */
  birth_date: string | null;
  address: string | null;
  gender: "M" | "F" | null;
  religion: "ISLAM" | "KRISTEN" | "KATHOLIK" | "HINDU" | "BUDHA" | "LAINNYA" | null;
  marital_status: "BELUM MENIKAH" | "MENIKAH" | "CERAI HIDUP" | "CERAI MATI" | null;
}

type Label =
  | "nik"
  | "name"
  | "birth"
  | "gender"
  | "address"
  | "rtrw"
  | "village"
  | "district"
  | "religion"
  | "marital"
  | "other";

// Printed labels, matched after the line is upper-cased, with OCR's usual slips allowed: a lost
// slash or colon, "Tgl" read as "Tql", spaces dropped or doubled.
const LABELS: [Label, RegExp][] = [
  ["nik", /^N[I1l|]K\b/],
  ["name", /^NAMA\b/],
  ["birth", /^TEMPAT\s*[/|lI1]?\s*T[GQ]L\.?\s*LAHIR/],
  ["gender", /^JENIS\s*KELAMIN/],
  ["address", /^ALAMAT\b/],
  ["rtrw", /^RT\s*[/|lI1]?\s*RW\b/],
  ["village", /^KEL\s*[/|lI1]?\s*DESA\b/],
  ["district", /^KECAMATAN\b/],
  ["religion", /^AGAMA\b/],
  ["marital", /^STATUS\s*PERKAWINAN/],
  ["other", /^(PEKERJAAN|KEWARGANEGARAAN|BERLAKU\s*HINGGA|GOL\.?\s*DARAH)/],
];

/**
 * Parses the text Vision reads from a KTP into its fields. Works line by line on the labelled
 * layout of the card ("Label : VALUE"), with or without the colon, and with the value on the
 * next line when Vision split it from its label.
 */
export function parseKtpText(text: string): KtpData {
  const values = labelledValues(text);
  const birth = parseBirth(values.get("birth"));
  return {
    nik: findNik(values.get("nik")) ?? findNik(text),
    name: cleanName(values.get("name")),
    birth_place: birth.place,
    birth_date: birth.date,
    address: joinAddress(values),
    gender: parseGender(values.get("gender")),
    religion: parseReligion(values.get("religion")),
    marital_status: parseMaritalStatus(values.get("marital")),
  };
}

function labelledValues(text: string): Map<Label, string> {
  const lines = text
    .split(/\r?\n/)
    .map((line) => line.replace(/\s+/g, " ").trim())
    .filter((line) => line.length > 0);
  const values = new Map<Label, string>();

  for (let index = 0; index < lines.length; index++) {
    const line = lines[index]!.toUpperCase();
    const match = LABELS.find(([, pattern]) => pattern.test(line));
    if (!match || values.has(match[0])) continue;
    const [label, pattern] = match;
    let value = line
      .replace(pattern, "")
      .replace(/^[\s:;.\-=]+/, "")
      .trim();
    const next = lines[index + 1]?.toUpperCase();
    if (!value && next && !LABELS.some(([, other]) => other.test(next))) {
      value = next.replace(/^[\s:;]+/, "").trim();
    }
    if (value) values.set(label, value);
  }
  return values;
}

// OCR reads these letters for the digits they look like.
const DIGIT_LOOKALIKES: Record<string, string> = {
  O: "0",
  D: "0",
  Q: "0",
  I: "1",
  L: "1",
  "|": "1",
  "!": "1",
  Z: "2",
  S: "5",
  B: "8",
  G: "6",
};

/** Finds a 16-character run that reads as 16 digits once look-alike letters are mapped. */
function findNik(text: string | undefined): string | null {
  if (!text) return null;
  const candidates = text.toUpperCase().match(/[0-9OIDLQZSBG|!]{16,}/g) ?? [];
  for (const candidate of candidates) {
    const digits = [...candidate].map((char) => DIGIT_LOOKALIKES[char] ?? char).join("");
    const digitShare = [...candidate].filter((char) => /[0-9]/.test(char)).length / 16;
    // A real NIK is mostly digits even when misread, so a run of capital letters never passes.
    if (digits.length === 16 && digitShare >= 0.6) return digits;
  }
  return null;
}

function cleanName(value: string | undefined): string | null {
  const name = value
    ?.replace(/[^A-Z'.,\s-]/g, "")
    .replace(/\s+/g, " ")
    .trim();
  return name ? name : null;
}

function parseBirth(value: string | undefined): { place: string | null; date: string | null } {
  if (!value) return { place: null, date: null };
  const dateMatch = value.match(
    /([0-9OIl]{1,2})\s*[-./ ]\s*([0-9OIl]{1,2})\s*[-./ ]\s*([0-9OIl]{4})/,
  );
  const placePart = dateMatch ? value.slice(0, dateMatch.index) : value;
  const place = placePart.replace(/[,.\s]+$/, "").trim();
  return { place: place || null, date: dateMatch ? toIsoDate(dateMatch) : null };
}

function toIsoDate(match: RegExpMatchArray): string | null {
  const [day, month, year] = [match[1]!, match[2]!, match[3]!].map((part) =>
    Number(part.replace(/O/g, "0").replace(/[Il]/g, "1")),
  );
  const date = new Date(Date.UTC(year!, month! - 1, day!));
  const valid =
    date.getUTCFullYear() === year &&
    date.getUTCMonth() === month! - 1 &&
    date.getUTCDate() === day;
  if (!valid) return null;
  return `${year}-${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}`;
}

function parseGender(value: string | undefined): KtpData["gender"] {
  if (!value) return null;
  if (/PEREMPUAN|WANITA/.test(value)) return "F";
  if (/LAKI/.test(value)) return "M";
  return null;
}

function parseReligion(value: string | undefined): KtpData["religion"] {
  if (!value) return null;
  if (/ISLAM/.test(value)) return "ISLAM";
  if (/KATH?OLIK/.test(value)) return "KATHOLIK";
  if (/KRISTEN|PROTESTAN/.test(value)) return "KRISTEN";
  if (/HINDU/.test(value)) return "HINDU";
  if (/BUDD?HA/.test(value)) return "BUDHA";
  return "LAINNYA";
}

function parseMaritalStatus(value: string | undefined): KtpData["marital_status"] {
  if (!value) return null;
  if (/CERAI\s*HIDUP/.test(value)) return "CERAI HIDUP";
  if (/CERAI\s*MATI/.test(value)) return "CERAI MATI";
  if (/BELUM/.test(value)) return "BELUM MENIKAH";
  if (/KAWIN|MENIKAH/.test(value)) return "MENIKAH";
  return null;
}

/** Street line, then "RT 003/RW 005", "KEL. …" and "KEC. …" when the card shows them. */
function joinAddress(values: Map<Label, string>): string | null {
  const street = values.get("address");
  const rtrw = values.get("rtrw")?.match(/(\d{1,3})\s*[/|]\s*(\d{1,3})/);
  const village = values.get("village");
  const district = values.get("district");
  const parts = [
    street,
    rtrw ? `RT ${rtrw[1]!.padStart(3, "0")}/RW ${rtrw[2]!.padStart(3, "0")}` : undefined,
    village ? `KEL. ${village}` : undefined,
    district ? `KEC. ${district}` : undefined,
  ].filter((part): part is string => Boolean(part));
  return parts.length > 0 ? parts.join(", ") : null;
}
