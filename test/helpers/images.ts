import { crc32 } from "../../src/documents/file-checks";
import { concatBytes } from "../../src/lib/bytes";

// Tiny image files written byte by byte, so upload tests need no fixtures on disk.

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/**
 * Builds a valid RGB PNG of `width` × `height` black pixels: IHDR, one zlib-compressed IDAT
 * and IEND. Keep the size small, because the pixel data is built in memory.
 */
export async function pngImage(width: number, height: number): Promise<Uint8Array> {
  const rowLength = 1 + width * 3; // filter byte "None" + RGB samples
  const pixels = new Uint8Array(rowLength * height);
  return concatBytes([
    new Uint8Array(PNG_SIGNATURE),
    pngChunk("IHDR", ihdrData(width, height)),
    pngChunk("IDAT", await zlibDeflate(pixels)),
    pngChunk("IEND", new Uint8Array()),
  ]);
}

/**
 * Builds a PNG with a well-formed IHDR claiming `width` × `height` and no pixel data, as a
 * pixel-flood attack sends it: tiny on the wire, huge once decoded.
 */
export function pngHeaderOnly(width: number, height: number): Uint8Array {
  return concatBytes([
    new Uint8Array(PNG_SIGNATURE),
    pngChunk("IHDR", ihdrData(width, height)),
    pngChunk("IEND", new Uint8Array()),
  ]);
}

/**
 * Builds the markers of a baseline JPEG up to its frame header (SOI, APP0 JFIF, SOF0 with one
 * component), a minimal scan and EOI. Enough for header checks; no decoder would show it.
 */
export function jpegImage(width: number, height: number): Uint8Array {
  const jfif = [0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00];
  const frame = [
    0x08,
    height >> 8,
    height & 0xff,
    width >> 8,
    width & 0xff,
    0x01,
    0x01,
    0x11,
    0x00,
  ];
  const scan = [0x01, 0x01, 0x00, 0x00, 0x3f, 0x00];
  return new Uint8Array([
    0xff,
    0xd8,
    ...jpegSegment(0xe0, jfif),
    ...jpegSegment(0xc0, frame),
    ...jpegSegment(0xda, scan),
    0x00,
    0x00,
    0xff,
    0xd9,
  ]);
}

/**
 * Builds a minimal well-formed PDF: a catalog, an empty page tree, a cross-reference table with
 * the real byte offsets, and a trailer naming the catalog. `paddingBytes` adds a stream object
 * of that many filler bytes, for size-limit tests.
 */
export function pdfDocument(options: { paddingBytes?: number } = {}): Uint8Array {
  const objects = ["<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [] /Count 0 >>"];
  if (options.paddingBytes) {
    const filler = "0".repeat(options.paddingBytes);
    objects.push(`<< /Length ${filler.length} >>\nstream\n${filler}\nendstream`);
  }
  let text = "%PDF-1.4\n";
  const offsets: number[] = [];
  objects.forEach((body, index) => {
    offsets.push(text.length);
    text += `${index + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xrefOffset = text.length;
  text += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const offset of offsets) text += `${String(offset).padStart(10, "0")} 00000 n \n`;
  text += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\n`;
  text += `startxref\n${xrefOffset}\n%%EOF\n`;
  return new TextEncoder().encode(text);
}

function jpegSegment(marker: number, payload: number[]): number[] {
  const length = payload.length + 2;
  return [0xff, marker, length >> 8, length & 0xff, ...payload];
}

function ihdrData(width: number, height: number): Uint8Array {
  const data = new Uint8Array(13);
  const view = new DataView(data.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  data.set([8, 2, 0, 0, 0], 8); // bit depth 8, colour type RGB, deflate, no filter, no interlace
  return data;
}

function pngChunk(type: string, data: Uint8Array): Uint8Array {
  const typeAndData = concatBytes([new TextEncoder().encode(type), data]);
  const chunk = new Uint8Array(12 + data.length);
  const view = new DataView(chunk.buffer);
  view.setUint32(0, data.length);
  chunk.set(typeAndData, 4);
  view.setUint32(8 + data.length, crc32(typeAndData));
  return chunk;
}

/** Compresses to zlib-wrapped deflate, the IDAT format ("deflate" in CompressionStream). */
async function zlibDeflate(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bytes]).stream().pipeThrough(new CompressionStream("deflate"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}
