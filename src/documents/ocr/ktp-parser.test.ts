import { describe, expect, it } from "vitest";
import { ktpText } from "../../../test/fakes/ktp-text";
import { parseKtpText } from "./ktp-parser";

describe("parseKtpText", () => {
  it("reads every field of a clean KTP", () => {
    const data = parseKtpText(ktpText({ nik: "3201234567890001" }));

    expect(data).toEqual({
      nik: "3201234567890001",
      name: "BUDI SANTOSO",
      birth_place: "BOGOR",
      birth_date: "1990-08-17",
      address: "JL. MAWAR NO. 12, RT 003/RW 005, KEL. SUKAMAJU, KEC. CIBINONG",
      gender: "M",
      religion: "ISLAM",
      marital_status: "BELUM MENIKAH",
    });
  });

  it("tolerates missing colons, odd spacing and O/I in the NIK", () => {
    const text = [
      "PROVINSI JAWA TIMUR",
      "KOTA SURABAYA",
      "NIK 35780I4O0592OOO3",
      "Nama   SITI   AMINAH",
      "Tempat/Tql Lahir SURABAYA , 01-05-1992",
      "Jenis kelamin PEREMPUAN Gol. Darah : A",
      "Alamat JL. KENANGA 7",
      "RT/RW 1/2",
      "KelDesa KETINTANG",
      "Kecamatan : GAYUNGAN",
      "Agama KATOLIK",
      "Status Perkawinan: KAWIN",
    ].join("\n");

    const data = parseKtpText(text);

    expect(data.nik).toBe("3578014005920003");
    expect(data.name).toBe("SITI AMINAH");
    expect(data.birth_place).toBe("SURABAYA");
    expect(data.birth_date).toBe("1992-05-01");
    expect(data.gender).toBe("F");
    expect(data.religion).toBe("KATHOLIK");
    expect(data.marital_status).toBe("MENIKAH");
    expect(data.address).toBe("JL. KENANGA 7, RT 001/RW 002, KEL. KETINTANG, KEC. GAYUNGAN");
  });

  it("reads a value that Vision put on the line after its label", () => {
    const text = "NIK\n3201234567890001\nNama\nANDI\nAgama\nHINDU\nStatus Perkawinan\nCERAI MATI";

    const data = parseKtpText(text);

    expect(data.nik).toBe("3201234567890001");
    expect(data.name).toBe("ANDI");
    expect(data.religion).toBe("HINDU");
    expect(data.marital_status).toBe("CERAI MATI");
  });

  it("returns nulls for text that is not a KTP", () => {
    const data = parseKtpText("SURAT KETERANGAN SEHAT\nDOKTER PEMERIKSA");

    expect(Object.values(data).every((value) => value === null)).toBe(true);
  });

  it("rejects an impossible birth date", () => {
    const data = parseKtpText("Tempat/Tgl Lahir : BOGOR, 31-02-1990");

    expect(data.birth_place).toBe("BOGOR");
    expect(data.birth_date).toBeNull();
  });
});
