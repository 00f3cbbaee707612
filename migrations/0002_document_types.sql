-- The twelve documents an applicant uploads. Sizes are upload limits in bytes: PDFs 2 MiB,
-- images 10 MiB before the documents consumer shrinks them to at most 500 KB.
INSERT INTO "document_types"
  ("code", "name", "is_required", "sort_order", "description", "format", "allowed_extensions", "max_size_bytes", "ocr")
VALUES
  ('ijasah', 'Ijasah', true, 1, 'Ijazah pendidikan terakhir', 'pdf', ARRAY['pdf'], 2097152, false),
  ('sertifikat-keterampilan', 'Sertifikat Keterampilan', false, 2, 'Sertifikat pelatihan atau keterampilan', 'pdf', ARRAY['pdf'], 2097152, false),
  ('ijin-keluarga', 'Ijin Keluarga', true, 3, 'Surat izin dari keluarga', 'pdf', ARRAY['pdf'], 2097152, false),
  ('surat-keterangan-pemberi-ijin', 'Surat Keterangan Pemberi Ijin', true, 4, 'Surat keterangan dari pemberi izin', 'pdf', ARRAY['pdf'], 2097152, false),
  ('surat-kesehatan', 'Surat Kesehatan', true, 5, 'Surat keterangan sehat dari dokter', 'pdf', ARRAY['pdf'], 2097152, false),
  ('surat-keterangan-status-perkawinan', 'Surat Keterangan Status Perkawinan', true, 6, 'Surat keterangan status perkawinan', 'pdf', ARRAY['pdf'], 2097152, false),
  ('perjanjian-penempatan', 'Perjanjian Penempatan', true, 7, 'Perjanjian penempatan yang telah ditandatangani', 'pdf', ARRAY['pdf'], 2097152, false),
  ('photo-tki', 'Photo TKI', true, 8, 'Pas foto terbaru', 'image', ARRAY['jpg', 'jpeg', 'png'], 10485760, false),
  ('ktp', 'KTP', true, 9, 'Kartu Tanda Penduduk (dibaca otomatis dengan OCR)', 'image', ARRAY['jpg', 'jpeg', 'png'], 10485760, true),
  ('kartu-keluarga', 'Kartu Keluarga', true, 10, 'Kartu Keluarga', 'image', ARRAY['jpg', 'jpeg', 'png'], 10485760, false),
  ('kartu-bpjs', 'Kartu BPJS', true, 11, 'Kartu BPJS Kesehatan atau Ketenagakerjaan', 'image', ARRAY['jpg', 'jpeg', 'png'], 10485760, false),
  ('paspor', 'Paspor', true, 12, 'Halaman identitas paspor', 'image', ARRAY['jpg', 'jpeg', 'png'], 10485760, false)
ON CONFLICT ("code") DO NOTHING;
