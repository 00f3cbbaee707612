import { PhotonImage } from "@cf-wasm/photon";
import { concatBytes } from "../../lib/bytes";
import { ImageRejectedError, undecodable } from "./image-rejected-error";
import { inflateZlib } from "./inflate";
import { PNG_CHANNELS, RowAssembler } from "./png-rows";
import { type RgbaImage, RowResampler, resizeImage } from "./resample";

/** Interlaced PNGs up to this size are decoded whole by photon; larger ones are refused. */
const MAX_INTERLACED_PIXELS = 4_000_000;

export interface PngHeader {
  width: number;
  height: number;
  bitDepth: number;
  colorType: number;
  interlaced: boolean;
}

interface PngParts {
  header: PngHeader;
  palette: Uint8Array | null;
  transparency: Uint8Array | null;
  data: Uint8Array[];
}

/**
 * Decodes a PNG row by row straight into a `width` × `height` resampler, so the full-size
 * pixels never exist: memory is the file, the scaled output and a few rows. Transparent
 * pixels are laid over white, because the stored JPEG has no alpha.
 * Throws ImageRejectedError for an unsupported, truncated or corrupt PNG.
 */
export function decodePngScaled(bytes: Uint8Array, width: number, height: number): RgbaImage {
  const parts = readChunks(bytes);
  const { header } = parts;
  if (header.interlaced) return decodeInterlaced(bytes, header, width, height);
  const resampler = new RowResampler(header.width, header.height, width, height);
  const rows = new RowAssembler(header, toRgba(parts), (row) => resampler.pushRow(row));
  // The IDAT chunks together are one zlib stream, split at arbitrary points.
  inflateZlib(concatBytes(parts.data), rows.expectedBytes, (bytes) => rows.add(bytes));
  if (!rows.complete) throw undecodable();
  return resampler.finish();
}

/**
 * Adam7-interlaced PNGs complete no row before the last pass, so they cannot be streamed; up
 * to MAX_INTERLACED_PIXELS photon decodes them whole (55 MB of WASM memory for a 4 MP RGB
 * PNG, measured in Node with photon 0.4.0).
 * NOTE: larger interlaced PNGs are rejected. Decoding pass by pass into the resampler would
 * lift this limit, but phones and scanners rarely write interlaced PNGs.
 */
function decodeInterlaced(bytes: Uint8Array, header: PngHeader, width: number, height: number) {
  if (header.width * header.height > MAX_INTERLACED_PIXELS) {
    throw new ImageRejectedError("interlaced png above 4 megapixels is not supported");
  }
  let image: PhotonImage;
  try {
    image = PhotonImage.new_from_byteslice(bytes);
  } catch {
    throw undecodable();
  }
  try {
    const decoded = { pixels: image.get_raw_pixels(), width: header.width, height: header.height };
    return resizeImage(decoded, width, height);
  } finally {
    image.free();
  }
}

function readChunks(bytes: Uint8Array): PngParts {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const parts: Partial<PngParts> & { data: Uint8Array[] } = { data: [] };
  let offset = 8;
  for (;;) {
    if (offset + 12 > bytes.length) throw undecodable();
    const length = view.getUint32(offset);
    const type = String.fromCharCode(...bytes.subarray(offset + 4, offset + 8));
    const body = bytes.subarray(offset + 8, offset + 8 + length);
    if (body.length < length) throw undecodable();
    if (type === "IHDR") parts.header = readHeader(body);
    if (type === "PLTE") parts.palette = body;
    if (type === "tRNS") parts.transparency = body;
    if (type === "IDAT") parts.data.push(body);
    if (type === "IEND") break;
    offset += 12 + length;
  }
  if (!parts.header || parts.data.length === 0) {
    throw undecodable();
  }
  return { palette: null, transparency: null, ...parts } as PngParts;
}

function readHeader(body: Uint8Array): PngHeader {
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  const header = {
    width: view.getUint32(0),
    height: view.getUint32(4),
    bitDepth: body[8]!,
    colorType: body[9]!,
    interlaced: body[12] === 1,
  };
  const depths =
    header.colorType === 0 ? [1, 2, 4, 8, 16] : header.colorType === 3 ? [1, 2, 4, 8] : [8, 16];
  if (PNG_CHANNELS[header.colorType] === undefined || !depths.includes(header.bitDepth)) {
    throw undecodable();
  }
  return header;
}

export type RowConverter = (raw: Uint8Array, rgba: Uint8Array) => void;

/** Builds the function that turns one unfiltered row into RGBA over white. */
function toRgba({ header, palette, transparency }: PngParts): RowConverter {
  const { width, bitDepth, colorType } = header;
  const channels = PNG_CHANNELS[colorType]!;
  if (bitDepth === 8 && colorType !== 3) return eightBitConverter(width, channels);

  const sample = sampleReader(bitDepth, colorType !== 3);
  const lookup = colorType === 3 ? paletteLookup(palette, transparency) : null;
  const pixel = new Uint8Array(4);
  return (raw, rgba) => {
    for (let x = 0; x < width; x++) {
      const at = x * channels;
      if (lookup) {
        pixel.set(lookup.subarray(sample(raw, at) * 4, sample(raw, at) * 4 + 4));
      } else {
        pixel[0] = sample(raw, at);
        pixel[1] = channels >= 3 ? sample(raw, at + 1) : pixel[0];
        pixel[2] = channels >= 3 ? sample(raw, at + 2) : pixel[0];
        pixel[3] = channels % 2 === 0 ? sample(raw, at + channels - 1) : 255;
      }
      overWhite(pixel[0]!, pixel[1]!, pixel[2]!, pixel[3]!, rgba, x * 4);
    }
  };
}

/** The common case (8-bit grey, grey + alpha, RGB, RGBA) without per-sample calls. */
function eightBitConverter(width: number, channels: number): RowConverter {
  const colour = channels >= 3;
  const alpha = channels % 2 === 0;
  return (raw, rgba) => {
    for (let x = 0, from = 0; x < width; x++, from += channels) {
      const red = raw[from]!;
      const green = colour ? raw[from + 1]! : red;
      const blue = colour ? raw[from + 2]! : red;
      overWhite(red, green, blue, alpha ? raw[from + channels - 1]! : 255, rgba, x * 4);
    }
  };
}

function overWhite(
  red: number,
  green: number,
  blue: number,
  alpha: number,
  rgba: Uint8Array,
  at: number,
) {
  const white = 255 - alpha;
  rgba[at] = alpha === 255 ? red : (red * alpha + 255 * white) / 255;
  rgba[at + 1] = alpha === 255 ? green : (green * alpha + 255 * white) / 255;
  rgba[at + 2] = alpha === 255 ? blue : (blue * alpha + 255 * white) / 255;
  rgba[at + 3] = 255;
}

/**
 * Reads sample number `index` of a row: 16-bit keeps its high byte; 1–4 bit grey levels are
 * stretched to 0–255 when `stretch` is set, palette indices are not.
 */
function sampleReader(bitDepth: number, stretch: boolean) {
  if (bitDepth === 8) return (raw: Uint8Array, index: number) => raw[index]!;
  if (bitDepth === 16) return (raw: Uint8Array, index: number) => raw[index * 2]!;
  const perByte = 8 / bitDepth;
  const mask = (1 << bitDepth) - 1;
  const factor = stretch ? 255 / mask : 1;
  return (raw: Uint8Array, index: number) => {
    const shift = 8 - bitDepth * ((index % perByte) + 1);
    return ((raw[Math.floor(index / perByte)]! >> shift) & mask) * factor;
  };
}

/** RGBA for each palette index; tRNS gives alpha for the first entries. */
function paletteLookup(palette: Uint8Array | null, transparency: Uint8Array | null) {
  if (!palette) throw undecodable();
  const lookup = new Uint8Array(256 * 4);
  for (let index = 0; index * 3 + 2 < palette.length && index < 256; index++) {
    lookup.set(palette.subarray(index * 3, index * 3 + 3), index * 4);
    lookup[index * 4 + 3] = transparency?.[index] ?? 255;
  }
  return lookup;
}
