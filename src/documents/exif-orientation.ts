/**
 * EXIF orientation values (TIFF tag 0x0112): 1 is upright, 2–8 are the mirrored and rotated
 * variants that phone cameras write instead of rotating the pixels.
 */
export type Orientation = 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8;

const APP1 = 0xe1;
const START_OF_SCAN = 0xda;
const ORIENTATION_TAG = 0x0112;

/**
 * Reads the orientation from the first APP1 Exif segment of a JPEG. Returns 1 when there is
 * none or when the segment is malformed, because a broken tag must not stop the upload.
 */
export function readJpegOrientation(bytes: Uint8Array): Orientation {
  const segment = findExifSegment(bytes);
  if (!segment) return 1;
  const value = readOrientationTag(segment);
  return value !== null && value >= 1 && value <= 8 ? (value as Orientation) : 1;
}

/**
 * Reports whether a JPEG carries metadata segments (APP1–APP15: Exif, GPS, XMP, ICC, maker
 * notes) or comments that re-encoding would drop. APP0 (JFIF) holds only pixel density.
 */
export function jpegHasMetadata(bytes: Uint8Array): boolean {
  let found = false;
  walkJpegSegments(bytes, (marker) => {
    if ((marker > 0xe0 && marker <= 0xef) || marker === 0xfe) found = true;
    return found;
  });
  return found;
}

/** PNG ancillary chunks that carry metadata: Exif, text (which may hold GPS or names), time. */
const PNG_METADATA_CHUNKS = new Set(["eXIf", "tEXt", "iTXt", "zTXt", "tIME"]);

/** Reports whether a PNG carries metadata chunks that re-encoding would drop. */
export function pngHasMetadata(bytes: Uint8Array): boolean {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let offset = 8;
  while (offset + 8 <= bytes.length) {
    const length = view.getUint32(offset);
    const type = String.fromCharCode(...bytes.subarray(offset + 4, offset + 8));
    if (PNG_METADATA_CHUNKS.has(type)) return true;
    if (type === "IDAT" || type === "IEND") return false;
    offset += 12 + length;
  }
  return false;
}

/** Calls `visit` with each marker and its payload until it returns true or the scan starts. */
function walkJpegSegments(
  bytes: Uint8Array,
  visit: (marker: number, payload: Uint8Array) => boolean,
): void {
  if (bytes[0] !== 0xff || bytes[1] !== 0xd8) return;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let offset = 2;
  while (offset + 4 <= bytes.length && bytes[offset] === 0xff) {
    const marker = bytes[offset + 1]!;
    if (marker === 0xff) {
      offset += 1;
      continue;
    }
    if (marker === START_OF_SCAN || marker === 0xd9) return;
    const length = view.getUint16(offset + 2);
    if (length < 2 || offset + 2 + length > bytes.length) return;
    if (visit(marker, bytes.subarray(offset + 4, offset + 2 + length))) return;
    offset += 2 + length;
  }
}

function findExifSegment(bytes: Uint8Array): Uint8Array | null {
  let exif: Uint8Array | null = null;
  walkJpegSegments(bytes, (marker, payload) => {
    // "Exif\0\0" then a TIFF header.
    const isExif =
      marker === APP1 &&
      payload.length > 14 &&
      String.fromCharCode(...payload.subarray(0, 4)) === "Exif";
    if (isExif) exif = payload.subarray(6);
    return isExif;
  });
  return exif;
}

/** Reads tag 0x0112 from IFD0 of a TIFF block, in either byte order. */
function readOrientationTag(tiff: Uint8Array): number | null {
  const view = new DataView(tiff.buffer, tiff.byteOffset, tiff.byteLength);
  const order = String.fromCharCode(tiff[0]!, tiff[1]!);
  if (order !== "II" && order !== "MM") return null;
  const little = order === "II";
  if (view.getUint16(2, little) !== 42) return null;

  const ifd = view.getUint32(4, little);
  if (ifd + 2 > tiff.length) return null;
  const count = view.getUint16(ifd, little);
  for (let index = 0; index < count; index++) {
    const entry = ifd + 2 + index * 12;
    if (entry + 12 > tiff.length) return null;
    if (view.getUint16(entry, little) === ORIENTATION_TAG) {
      return view.getUint16(entry + 8, little);
    }
  }
  return null;
}
