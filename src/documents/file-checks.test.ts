import { describe, expect, it } from "vitest";
import { jpegImage, pdfDocument, pngHeaderOnly, pngImage } from "../../test/helpers/images";
import {
  checkDocumentFile,
  crc32,
  type FileSpec,
  readJpegSize,
  readPngDimensions,
} from "./file-checks";
import { findPdfStructureProblem } from "./pdf-structure";

const imageSpec: FileSpec = {
  format: "image",
  allowedExtensions: ["jpg", "jpeg", "png"],
  maxSizeBytes: 10 * 1024 * 1024,
};
const pdfSpec: FileSpec = {
  format: "pdf",
  allowedExtensions: ["pdf"],
  maxSizeBytes: 2 * 1024 * 1024,
};

const file = (bytes: Uint8Array, name: string) => new File([bytes], name);

describe("checkDocumentFile", () => {
  it("accepts a PNG and reads its size from the header", async () => {
    const result = await checkDocumentFile(file(await pngImage(3, 2), "ktp.PNG"), imageSpec);
    expect(result).toMatchObject({
      ok: true,
      extension: "png",
      contentType: "image/png",
      dimensions: { width: 3, height: 2 },
    });
  });

  it("accepts a JPEG under .jpg and .jpeg", async () => {
    for (const name of ["ktp.jpg", "ktp.jpeg"]) {
      const result = await checkDocumentFile(file(jpegImage(640, 480), name), imageSpec);
      expect(result).toMatchObject({
        ok: true,
        contentType: "image/jpeg",
        dimensions: { width: 640, height: 480 },
      });
    }
  });

  it("rejects an extension outside the allow-list", async () => {
    const result = await checkDocumentFile(file(await pngImage(1, 1), "ktp.gif"), imageSpec);
    expect(result.ok).toBe(false);
  });

  it("rejects a file without an extension", async () => {
    const result = await checkDocumentFile(file(await pngImage(1, 1), "ktp"), imageSpec);
    expect(result.ok).toBe(false);
  });

  it("rejects a PDF named .jpg", async () => {
    const result = await checkDocumentFile(file(pdfDocument(), "ktp.jpg"), imageSpec);
    expect(result).toEqual({ ok: false, errors: ["Isi file bukan JPG yang valid."] });
  });

  it("rejects a PNG named .jpg", async () => {
    const result = await checkDocumentFile(file(await pngImage(1, 1), "ktp.jpg"), imageSpec);
    expect(result.ok).toBe(false);
  });

  it("rejects an empty file", async () => {
    const result = await checkDocumentFile(file(new Uint8Array(), "ktp.png"), imageSpec);
    expect(result).toEqual({ ok: false, errors: ["File kosong."] });
  });

  it("rejects a file over the size limit", async () => {
    const spec = { ...imageSpec, maxSizeBytes: 50 };
    const result = await checkDocumentFile(file(await pngImage(20, 20), "ktp.png"), spec);
    expect(result.ok).toBe(false);
  });

  it("rejects a pixel flood above 40 megapixels", async () => {
    const result = await checkDocumentFile(
      file(pngHeaderOnly(20_000, 20_000), "ktp.png"),
      imageSpec,
    );
    expect(result).toEqual({
      ok: false,
      errors: ["Resolusi gambar terlalu besar (maksimal 40 megapiksel)."],
    });
  });

  it("accepts exactly 40 megapixels", async () => {
    const result = await checkDocumentFile(file(pngHeaderOnly(8000, 5000), "ktp.png"), imageSpec);
    expect(result.ok).toBe(true);
  });

  it("rejects a JPEG frame header above 40 megapixels", async () => {
    const result = await checkDocumentFile(file(jpegImage(65_000, 65_000), "ktp.jpg"), imageSpec);
    expect(result.ok).toBe(false);
  });

  it("accepts a PDF by its header", async () => {
    const result = await checkDocumentFile(file(pdfDocument(), "ijasah.pdf"), pdfSpec);
    expect(result).toMatchObject({ ok: true, contentType: "application/pdf" });
  });
});

describe("readPngDimensions", () => {
  it("rejects a PNG cut after its header", async () => {
    const png = await pngImage(4, 4);
    expect(readPngDimensions(png.subarray(0, 30))).toBeNull();
    expect(readPngDimensions(png.subarray(0, png.length - 6))).toBeNull();
  });

  it("rejects an IHDR whose CRC does not match", () => {
    const png = pngHeaderOnly(10, 10);
    png[20] = 0xff; // height's high byte, after the CRC was computed
    expect(readPngDimensions(png)).toBeNull();
  });

  it("rejects a zero width", () => {
    expect(readPngDimensions(pngHeaderOnly(0, 10))).toBeNull();
  });
});

describe("readJpegSize", () => {
  it("skips APP segments and fill bytes before the frame", () => {
    const jpeg = jpegImage(300, 200);
    const withFill = new Uint8Array([0xff, 0xd8, 0xff, ...jpeg.subarray(2)]);
    expect(readJpegSize(withFill)).toEqual({ width: 300, height: 200 });
  });

  it("rejects a JPEG cut inside its frame header", () => {
    const jpeg = jpegImage(300, 200);
    const frameStart = jpeg.indexOf(0xc0) - 1;
    expect(readJpegSize(jpeg.subarray(0, frameStart + 6))).toBeNull();
  });

  it("rejects a scan before any frame header", () => {
    const scanOnly = new Uint8Array([0xff, 0xd8, 0xff, 0xda, 0x00, 0x08, 1, 1, 0, 0, 0x3f, 0]);
    expect(readJpegSize(scanOnly)).toBeNull();
  });

  it("rejects a zero height", () => {
    expect(readJpegSize(jpegImage(300, 0))).toBeNull();
  });
});

describe("crc32", () => {
  it("matches the standard check value", () => {
    expect(crc32(new TextEncoder().encode("123456789"))).toBe(0xcbf43926);
  });
});

describe("checkDocumentFile with PDFs", () => {
  const text = (value: string) => new TextEncoder().encode(value);

  it("rejects a PDF cut before its %%EOF trailer", async () => {
    const pdf = pdfDocument();
    const result = await checkDocumentFile(
      file(pdf.subarray(0, pdf.length - 30), "a.pdf"),
      pdfSpec,
    );
    expect(result).toEqual({ ok: false, errors: ["File PDF rusak atau tidak lengkap."] });
  });

  it("rejects garbage after a %PDF- header", async () => {
    const result = await checkDocumentFile(
      file(text("%PDF-1.7\nnot a pdf\n%%EOF\n"), "a.pdf"),
      pdfSpec,
    );
    expect(result.ok).toBe(false);
  });

  it("accepts a PDF padded to a larger size", async () => {
    const result = await checkDocumentFile(
      file(pdfDocument({ paddingBytes: 4096 }), "a.pdf"),
      pdfSpec,
    );
    expect(result.ok).toBe(true);
  });
});

describe("findPdfStructureProblem", () => {
  const text = (value: string) => new TextEncoder().encode(value);

  it("accepts the well-formed test PDF", () => {
    expect(findPdfStructureProblem(pdfDocument())).toBeNull();
  });

  it("rejects a startxref offset past the end", () => {
    const pdf = new TextDecoder()
      .decode(pdfDocument())
      .replace(/startxref\n\d+/, "startxref\n999999");
    expect(findPdfStructureProblem(text(pdf))).toBe("startxref offset outside the file");
  });

  it("rejects a trailer without /Root", () => {
    const pdf = new TextDecoder().decode(pdfDocument()).replace(" /Root 1 0 R", "");
    expect(findPdfStructureProblem(text(pdf))).toBe(
      "cross-reference section or its /Root not found",
    );
  });

  it("rejects a /Root that is not a catalog", () => {
    const pdf = new TextDecoder().decode(pdfDocument()).replace("/Root 1 0 R", "/Root 2 0 R");
    expect(findPdfStructureProblem(text(pdf))).toBe("/Root is not a /Catalog");
  });

  it("rejects a /Root whose object is missing", () => {
    const pdf = new TextDecoder().decode(pdfDocument()).replace("/Root 1 0 R", "/Root 7 0 R");
    expect(findPdfStructureProblem(text(pdf))).toBe("catalog object named by /Root not found");
  });

  it("accepts a cross-reference stream with the catalog in an object stream", () => {
    const head =
      "%PDF-1.5\n4 0 obj\n<< /Type /ObjStm /N 1 /First 4 /Length 1 >>\nstream\nx\nendstream\nendobj\n";
    const xrefStream = `5 0 obj\n<< /Type /XRef /Size 6 /Root 1 0 R /W [1 2 1] /Length 1 >>\nstream\nx\nendstream\nendobj\n`;
    const pdf = `${head}${xrefStream}startxref\n${head.length}\n%%EOF\n`;
    expect(findPdfStructureProblem(text(pdf))).toBeNull();
  });

  it("rejects a cross-reference stream whose catalog is nowhere", () => {
    const head = "%PDF-1.5\n";
    const xrefStream = `5 0 obj\n<< /Type /XRef /Size 6 /Root 1 0 R /Length 1 >>\nstream\nx\nendstream\nendobj\n`;
    const pdf = `${head}${xrefStream}startxref\n${head.length}\n%%EOF\n`;
    expect(findPdfStructureProblem(text(pdf))).toBe("catalog object named by /Root not found");
  });
});
