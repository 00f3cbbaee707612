// A NIK is PPRRDD DDMMYY NNNN: province, regency and kecamatan codes, the holder's birth date
// (day plus 40 for women) and a serial number. Characters 7–12 (1-based) carry the date.
const FEMALE_DAY_OFFSET = 40;

interface EmbeddedBirth {
  day: number;
  month: number;
  /** Last two digits of the birth year. */
  year: number;
  female: boolean;
}

function readEmbeddedBirth(nik: string): EmbeddedBirth | null {
  if (!/^[0-9]{16}$/.test(nik)) return null;
  const encodedDay = Number(nik.slice(6, 8));
  const female = encodedDay > FEMALE_DAY_OFFSET;
  const day = female ? encodedDay - FEMALE_DAY_OFFSET : encodedDay;
  const month = Number(nik.slice(8, 10));
  if (day < 1 || day > 31 || month < 1 || month > 12) return null;
  return { day, month, year: Number(nik.slice(10, 12)), female };
}

const pad = (value: number) => String(value).padStart(2, "0");

/**
 * Compares the birth date and gender encoded in a NIK with the ones the applicant entered, and
 * reports a region code (digits 1–6) that is no known kecamatan, as Indonesian warnings.
 * Returns [] when everything agrees or is unknown. A warning is shown to people and is never a
 * reason to reject the profile.
 */
export function nikWarnings(
  nik: string | null,
  birthDate: string | null,
  gender: string | null,
  regionKnown: boolean | null = null,
): string[] {
  if (nik === null) return [];
  const warnings: string[] = [];
  if (regionKnown === false) {
    warnings.push(`Kode wilayah pada NIK (${nik.slice(0, 6)}) bukan kode kecamatan yang dikenal.`);
  }
  const embedded = readEmbeddedBirth(nik);
  if (embedded === null) {
    warnings.push("Bagian tanggal lahir pada NIK (digit 7–12) tidak valid.");
    return warnings;
  }

  if (birthDate !== null) {
    const [year, month, day] = birthDate.split("-");
    const matches =
      Number(day) === embedded.day &&
      Number(month) === embedded.month &&
      Number(year) % 100 === embedded.year;
    if (!matches) {
      const encoded = `${pad(embedded.day)}-${pad(embedded.month)}-${pad(embedded.year)}`;
      warnings.push(
        `Tanggal lahir pada NIK (${encoded}) tidak sesuai dengan tanggal lahir ${birthDate}.`,
      );
    }
  }
  if (gender === "M" && embedded.female) {
    warnings.push("NIK menunjukkan jenis kelamin perempuan, tetapi jenis kelamin diisi laki-laki.");
  }
  if (gender === "F" && !embedded.female) {
    warnings.push("NIK menunjukkan jenis kelamin laki-laki, tetapi jenis kelamin diisi perempuan.");
  }
  return warnings;
}
