export interface KtpTextOptions {
  nik?: string;
  name?: string;
}

/**
 * The text Vision's DOCUMENT_TEXT_DETECTION returns for a typical KTP: header lines, one
 * "Label : VALUE" line per field in the card's order, and the issuing place and date that sit
 * under the photo at the end.
 */
export function ktpText(options: KtpTextOptions = {}): string {
  return [
    "PROVINSI JAWA BARAT",
    "KABUPATEN BOGOR",
    `NIK : ${options.nik ?? "3201234567890001"}`,
    `Nama : ${options.name ?? "BUDI SANTOSO"}`,
    "Tempat/Tgl Lahir : BOGOR, 17-08-1990",
    "Jenis Kelamin : LAKI-LAKI Gol. Darah : O",
    "Alamat : JL. MAWAR NO. 12",
    "RT/RW : 003/005",
    "Kel/Desa : SUKAMAJU",
    "Kecamatan : CIBINONG",
    "Agama : ISLAM",
    "Status Perkawinan : BELUM KAWIN",
    "Pekerjaan : KARYAWAN SWASTA",
    "Kewarganegaraan : WNI",
    "Berlaku Hingga : SEUMUR HIDUP",
    "BOGOR",
    "20-05-2018",
    "",
  ].join("\n");
}
