import { describe, expect, it } from "vitest";
import { nikWarnings } from "./nik-warnings";

// 317301 (region) 150695 (15 June 1995) 0001. A woman born that day has 55 as the day.
const MAN_NIK = "3173011506950001";
const WOMAN_NIK = "3173015506950001";

describe("nikWarnings", () => {
  it("is empty when NIK, birth date and gender agree", () => {
    expect(nikWarnings(MAN_NIK, "1995-06-15", "M")).toEqual([]);
    expect(nikWarnings(WOMAN_NIK, "1995-06-15", "F")).toEqual([]);
  });

  it("is empty when the NIK or the other fields are unknown", () => {
    expect(nikWarnings(null, "1995-06-15", "M")).toEqual([]);
    expect(nikWarnings(MAN_NIK, null, null)).toEqual([]);
    expect(nikWarnings(WOMAN_NIK, "1995-06-15", "O")).toEqual([]);
  });

  it("reports a birth date mismatch", () => {
    const warnings = nikWarnings(MAN_NIK, "1995-06-16", "M");
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain("15-06-95");
    expect(warnings[0]).toContain("1995-06-16");
  });

  it("reports a year mismatch", () => {
    expect(nikWarnings(MAN_NIK, "1996-06-15", "M")).toHaveLength(1);
  });

  it("reports a woman's NIK on a man's profile", () => {
    expect(nikWarnings(WOMAN_NIK, "1995-06-15", "M")).toEqual([
      "NIK menunjukkan jenis kelamin perempuan, tetapi jenis kelamin diisi laki-laki.",
    ]);
  });

  it("reports a man's NIK on a woman's profile", () => {
    expect(nikWarnings(MAN_NIK, "1995-06-15", "F")).toEqual([
      "NIK menunjukkan jenis kelamin laki-laki, tetapi jenis kelamin diisi perempuan.",
    ]);
  });

  it("reports both mismatches together", () => {
    expect(nikWarnings(MAN_NIK, "1990-01-01", "F")).toHaveLength(2);
  });

  it("reports an impossible embedded date", () => {
    expect(nikWarnings("3173013513950001", "1995-06-15", "M")).toEqual([
      "Bagian tanggal lahir pada NIK (digit 7–12) tidak valid.",
    ]);
  });

  it("reports a region code that is no known kecamatan", () => {
    expect(nikWarnings(MAN_NIK, "1995-06-15", "M", false)).toEqual([
      `Kode wilayah pada NIK (${MAN_NIK.slice(0, 6)}) bukan kode kecamatan yang dikenal.`,
    ]);
  });

  it("says nothing of a known region code", () => {
    expect(nikWarnings(MAN_NIK, "1995-06-15", "M", true)).toEqual([]);
  });
});
