import { undecodable } from "./image-rejected-error";
import type { PngHeader, RowConverter } from "./png-decoder";

/** Channels per colour type: grey, RGB, palette index, grey + alpha, RGBA. */
export const PNG_CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

/**
 * Cuts the inflated PNG stream into rows, undoes each row's filter (PNG spec §9) against the
 * row above, converts it to RGBA and hands it on. Holds two raw rows and one RGBA row.
 */
export class RowAssembler {
  private previous: Uint8Array;
  private current: Uint8Array;
  private readonly rgba: Uint8Array;
  /** Bytes between a byte and the same channel of the pixel to its left (at least 1). */
  private readonly stride: number;
  private filled = 0;
  private filter = -1;
  private row = 0;

  constructor(
    private readonly header: PngHeader,
    private readonly convert: RowConverter,
    private readonly emit: (rgba: Uint8Array) => void,
  ) {
    const bitsPerPixel = PNG_CHANNELS[header.colorType]! * header.bitDepth;
    const rowBytes = Math.ceil((header.width * bitsPerPixel) / 8);
    this.stride = Math.max(1, bitsPerPixel / 8);
    this.previous = new Uint8Array(rowBytes);
    this.current = new Uint8Array(rowBytes);
    this.rgba = new Uint8Array(header.width * 4);
  }

  /** Inflated bytes the image needs: a filter byte and the row's bytes, for every row. */
  get expectedBytes(): number {
    return this.header.height * (this.current.length + 1);
  }

  get complete(): boolean {
    return this.row === this.header.height;
  }

  /** Takes the next inflated bytes; each row is a filter-type byte then the row's bytes. */
  add(chunk: Uint8Array): void {
    let offset = 0;
    while (offset < chunk.length) {
      if (this.complete) return; // Bytes after the last row are ignored, as decoders do.
      if (this.filter < 0) {
        this.filter = chunk[offset++]!;
        if (this.filter > 4) throw undecodable();
        continue;
      }
      const take = Math.min(this.current.length - this.filled, chunk.length - offset);
      this.current.set(chunk.subarray(offset, offset + take), this.filled);
      this.filled += take;
      offset += take;
      if (this.filled === this.current.length) this.finishRow();
    }
  }

  private finishRow(): void {
    unfilter(this.filter, this.current, this.previous, this.stride);
    this.convert(this.current, this.rgba);
    this.emit(this.rgba);
    [this.previous, this.current] = [this.current, this.previous];
    this.filled = 0;
    this.filter = -1;
    this.row++;
  }
}

/** Reverses one of the five PNG filters in place; `above` is the previous unfiltered row. */
function unfilter(filter: number, row: Uint8Array, above: Uint8Array, stride: number): void {
  const length = row.length;
  if (filter === 1) {
    for (let i = stride; i < length; i++) row[i] = row[i]! + row[i - stride]!;
  } else if (filter === 2) {
    for (let i = 0; i < length; i++) row[i] = row[i]! + above[i]!;
  } else if (filter === 3) {
    for (let i = 0; i < length; i++) {
      const left = i >= stride ? row[i - stride]! : 0;
      row[i] = row[i]! + ((left + above[i]!) >> 1);
    }
  } else if (filter === 4) {
    for (let i = 0; i < length; i++) {
      const left = i >= stride ? row[i - stride]! : 0;
      const upperLeft = i >= stride ? above[i - stride]! : 0;
      row[i] = row[i]! + paeth(left, above[i]!, upperLeft);
    }
  }
}

function paeth(left: number, up: number, upperLeft: number): number {
  const estimate = left + up - upperLeft;
  const toLeft = Math.abs(estimate - left);
  const toUp = Math.abs(estimate - up);
  const toUpperLeft = Math.abs(estimate - upperLeft);
  if (toLeft <= toUp && toLeft <= toUpperLeft) return left;
  return toUp <= toUpperLeft ? up : upperLeft;
}
