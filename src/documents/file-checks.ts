import type { documentTypes } from "../db/schema";
import { findPdfStructureProblem } from "./pdf-structure";

/** The upload rules of one document type, as stored in `document_types`. */
export type FileSpec = Pick<
  typeof documentTypes.$inferSelect,
  "format" | "allowedExtensions" | "maxSizeBytes"
>;

/**
 * Decoding an image allocates width × height × 4 bytes inside a 128 MB isolate, so larger
 * images are rejected from their header before anything decodes them (a pixel flood).
 */
export const MAX_IMAGE_PIXELS = 40_000_000;

export interface AcceptedFile {
  ok: true;
  bytes: ArrayBuffer;
  /** Lower-case extension from the file name, checked against the content. */
  extension: string;
  /** Derived from the content, never taken from the client. */
  contentType: string;
  /** Pixel size from the image header, absent for PDFs. */
  dimensions?: ImageDimensions;
}

export interface RejectedFile {
  ok: false;
  /** Indonesian messages for the file field. */
  errors: string[];
}

export interface ImageDimensions {
  width: number;
  height: number;
}

interface FileKind {
  contentType: string;
  signature: number[];
  readDimensions?: (bytes: Uint8Array) => ImageDimensions | null;
  /** Returns null when the content is well-formed, else the reason (logged, not shown). */
  findStructureProblem?: (bytes: Uint8Array) => string | null;
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

const KINDS_BY_EXTENSION: Record<string, FileKind> = {
  png: { contentType: "image/png", signature: PNG_SIGNATURE, readDimensions: readPngDimensions },
  jpg: { contentType: "image/jpeg", signature: [0xff, 0xd8, 0xff], readDimensions: readJpegSize },
  jpeg: { contentType: "image/jpeg", signature: [0xff, 0xd8, 0xff], readDimensions: readJpegSize },
  pdf: {
    contentType: "application/pdf",
    signature: [0x25, 0x50, 0x44, 0x46, 0x2d],
    findStructureProblem: findPdfStructureProblem,
  },
};

/**
 * Checks an uploaded file against a document type: extension in the allow-list, content whose
 * magic bytes match that extension, and size limit. A PDF also needs a cross-reference section
 * and catalog that can be located. An image needs a well-formed header whose pixel count is at
 * most MAX_IMAGE_PIXELS. Nothing is decoded.
 */
export async function checkDocumentFile(
  file: File,
  spec: FileSpec,
): Promise<AcceptedFile | RejectedFile> {
  const extension = fileExtension(file.name);
  const allowed = spec.allowedExtensions.map((item) => item.toLowerCase());
  const kind = KINDS_BY_EXTENSION[extension];
  if (!allowed.includes(extension) || !kind) {
    return reject(`Jenis file tidak diizinkan. Gunakan ${allowed.join(", ")}.`);
  }
  if (file.size === 0) return reject("File kosong.");
  if (file.size > spec.maxSizeBytes) {
    return reject(`Ukuran file melebihi batas ${formatMegabytes(spec.maxSizeBytes)}.`);
  }

  const bytes = await file.arrayBuffer();
  const view = new Uint8Array(bytes);
  if (!startsWith(view, kind.signature)) {
    return reject(`Isi file bukan ${extension.toUpperCase()} yang valid.`);
  }
  if (kind.findStructureProblem?.(view)) {
    return reject(`File ${extension.toUpperCase()} rusak atau tidak lengkap.`);
  }
  if (!kind.readDimensions) return { ok: true, bytes, extension, contentType: kind.contentType };

  const dimensions = kind.readDimensions(view);
  if (!dimensions) return reject("File gambar rusak atau tidak lengkap.");
  if (dimensions.width * dimensions.height > MAX_IMAGE_PIXELS) {
    return reject("Resolusi gambar terlalu besar (maksimal 40 megapiksel).");
  }
  return { ok: true, bytes, extension, contentType: kind.contentType, dimensions };
}

/** Returns the lower-case text after the last dot of a file name, or "" without a dot. */
export function fileExtension(name: string): string {
  const dot = name.lastIndexOf(".");
  return dot === -1 ? "" : name.slice(dot + 1).toLowerCase();
}

/**
 * Reads width and height from the IHDR chunk, which the PNG specification requires first.
 * Returns null for a header that is truncated, fails its CRC, or has a zero dimension, and
 * for a file that does not end with an IEND chunk (a truncated upload).
 */
export function readPngDimensions(bytes: Uint8Array): ImageDimensions | null {
  const minimumLength = PNG_SIGNATURE.length + 25 + 12;
  if (bytes.length < minimumLength || !startsWith(bytes, PNG_SIGNATURE)) return null;

  const data = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const ihdrLength = data.getUint32(8);
  if (ihdrLength !== 13 || ascii(bytes, 12, 4) !== "IHDR") return null;
  if (crc32(bytes.subarray(12, 29)) !== data.getUint32(29)) return null;
  if (ascii(bytes, bytes.length - 8, 4) !== "IEND") return null;

  const width = data.getUint32(16);
  const height = data.getUint32(20);
  if (width === 0 || height === 0) return null;
  return { width, height };
}

// Start-of-frame markers carry the frame size. C4 (DHT), C8 (JPG) and CC (DAC) share the
// range but are other segments.
const JPEG_FRAME_MARKERS = new Set([
  0xc0, 0xc1, 0xc2, 0xc3, 0xc5, 0xc6, 0xc7, 0xc9, 0xca, 0xcb, 0xcd, 0xce, 0xcf,
]);
const JPEG_START_OF_SCAN = 0xda;

/**
 * Walks the JPEG marker segments up to the first start-of-frame and reads its size. Returns
 * null when a segment runs past the end, image data starts before any frame header, or a
 * dimension is zero (a height defined later by a DNL segment is not accepted).
 */
export function readJpegSize(bytes: Uint8Array): ImageDimensions | null {
  if (bytes[0] !== 0xff || bytes[1] !== 0xd8) return null;
  const data = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let offset = 2;

  while (offset + 4 <= bytes.length) {
    if (bytes[offset] !== 0xff) return null;
    const marker = bytes[offset + 1]!;
    if (marker === 0xff) {
      offset += 1; // a fill byte before the marker
      continue;
    }
    if (isStandaloneJpegMarker(marker)) {
      offset += 2;
      continue;
    }
    if (marker === JPEG_START_OF_SCAN) return null;

    const segmentLength = data.getUint16(offset + 2);
    if (segmentLength < 2 || offset + 2 + segmentLength > bytes.length) return null;
    if (JPEG_FRAME_MARKERS.has(marker)) return readJpegFrame(data, offset, segmentLength);
    offset += 2 + segmentLength;
  }
  return null;
}

function readJpegFrame(data: DataView, offset: number, segmentLength: number) {
  // Segment: length (2), sample precision (1), height (2), width (2), components...
  if (segmentLength < 8) return null;
  const height = data.getUint16(offset + 5);
  const width = data.getUint16(offset + 7);
  if (width === 0 || height === 0) return null;
  return { width, height };
}

/** TEM, RST0–RST7 and SOI have no length field. */
function isStandaloneJpegMarker(marker: number): boolean {
  return marker === 0x01 || (marker >= 0xd0 && marker <= 0xd8);
}

const CRC_TABLE = buildCrcTable();

function buildCrcTable(): Uint32Array {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
}

/** CRC-32 (ISO-HDLC, as PNG chunks use it). */
export function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) crc = CRC_TABLE[(crc ^ byte) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

function startsWith(bytes: Uint8Array, prefix: number[]): boolean {
  return prefix.every((byte, index) => bytes[index] === byte);
}

function ascii(bytes: Uint8Array, start: number, length: number): string {
  return String.fromCharCode(...bytes.subarray(start, start + length));
}

function reject(message: string): RejectedFile {
  return { ok: false, errors: [message] };
}

function formatMegabytes(bytes: number): string {
  return `${Math.round((bytes / (1024 * 1024)) * 10) / 10} MB`;
}
