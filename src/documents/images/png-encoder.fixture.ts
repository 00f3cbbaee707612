import { concatBytes } from "../../lib/bytes";
import { crc32 } from "../file-checks";

// A minimal PNG writer for tests: any colour type and bit depth photon does not write, every
// row filter, stored (uncompressed) deflate blocks, and IDAT split into several chunks.

export interface RawPng {
  width: number;
  height: number;
  colorType: number;
  bitDepth: number;
  /** Unfiltered row bytes, as the PNG spec packs samples. */
  rows: Uint8Array[];
  palette?: number[];
  transparency?: number[];
  interlaced?: boolean;
}

/** Encodes `png`, filtering row y with filter type y % 5 so all five filters occur. */
export function encodePng(png: RawPng): Uint8Array {
  const bytesPerPixel = Math.max(1, (channels(png.colorType) * png.bitDepth) / 8);
  const raw: number[] = [];
  png.rows.forEach((row, y) => {
    const filter = y % 5;
    raw.push(filter, ...filterRow(filter, row, png.rows[y - 1], bytesPerPixel));
  });
  const data = zlibStored(new Uint8Array(raw));
  const header = new Uint8Array(13);
  const view = new DataView(header.buffer);
  view.setUint32(0, png.width);
  view.setUint32(4, png.height);
  header.set([png.bitDepth, png.colorType, 0, 0, png.interlaced ? 1 : 0], 8);
  const chunks = [chunk("IHDR", header)];
  if (png.palette) chunks.push(chunk("PLTE", new Uint8Array(png.palette)));
  if (png.transparency) chunks.push(chunk("tRNS", new Uint8Array(png.transparency)));
  const third = Math.ceil(data.length / 3);
  for (let offset = 0; offset < data.length; offset += third) {
    chunks.push(chunk("IDAT", data.subarray(offset, offset + third)));
  }
  chunks.push(chunk("IEND", new Uint8Array(0)));
  return concatBytes([new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), ...chunks]);
}

function channels(colorType: number): number {
  return { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 }[colorType as 0 | 2 | 3 | 4 | 6];
}

function filterRow(filter: number, row: Uint8Array, above: Uint8Array | undefined, stride: number) {
  return Array.from(row, (value, index) => {
    const left = index >= stride ? row[index - stride]! : 0;
    const up = above?.[index] ?? 0;
    const upperLeft = index >= stride ? (above?.[index - stride] ?? 0) : 0;
    const predictions = [0, left, up, (left + up) >> 1, paeth(left, up, upperLeft)];
    return (value - predictions[filter]!) & 0xff;
  });
}

function paeth(left: number, up: number, upperLeft: number): number {
  const estimate = left + up - upperLeft;
  const distances = [left, up, upperLeft].map((value) => Math.abs(estimate - value));
  if (distances[0]! <= distances[1]! && distances[0]! <= distances[2]!) return left;
  return distances[1]! <= distances[2]! ? up : upperLeft;
}

/** A zlib stream of stored deflate blocks (at most 1000 bytes each, to exercise block joins). */
function zlibStored(bytes: Uint8Array): Uint8Array {
  const parts: Uint8Array[] = [new Uint8Array([0x78, 0x01])];
  for (let offset = 0; offset < bytes.length || offset === 0; offset += 1000) {
    const block = bytes.subarray(offset, offset + 1000);
    const last = offset + 1000 >= bytes.length ? 1 : 0;
    const length = block.length;
    parts.push(
      new Uint8Array([last, length & 0xff, length >> 8, ~length & 0xff, (~length >> 8) & 0xff]),
    );
    parts.push(block);
  }
  let a = 1;
  let b = 0;
  for (const value of bytes) {
    a = (a + value) % 65521;
    b = (b + a) % 65521;
  }
  parts.push(new Uint8Array([b >> 8, b & 0xff, a >> 8, a & 0xff]));
  return concatBytes(parts);
}

function chunk(type: string, body: Uint8Array): Uint8Array {
  const typed = concatBytes([new TextEncoder().encode(type), body]);
  const result = new Uint8Array(body.length + 12);
  const view = new DataView(result.buffer);
  view.setUint32(0, body.length);
  result.set(typed, 4);
  view.setUint32(8 + body.length, crc32(typed));
  return result;
}
