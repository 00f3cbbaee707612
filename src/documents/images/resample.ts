/**
 * Downscaling by area averaging, fed one source row at a time. Each output pixel is the mean of
 * the source area it covers, so no source row has to stay in memory once it is pushed: the
 * only buffers are the output and three rows of the output's width. This is what lets a PNG
 * be scaled while it is being inflated, without holding its full-size pixels.
 */

/** RGBA pixels, 4 bytes per pixel, rows top to bottom. */
export interface RgbaImage {
  pixels: Uint8Array;
  width: number;
  height: number;
}

/**
 * Where each source index lands on a shorter axis: a source pixel covers `scale` output
 * pixels (at most one), so it splits between output `target[i]` (share `first[i]`) and the
 * next one (the rest of `scale`).
 */
interface AxisMap {
  scale: number;
  target: Int32Array;
  first: Float32Array;
  /** Sum of the weights each output index receives, to normalise by. */
  totals: Float32Array;
}

function mapAxis(sourceLength: number, targetLength: number): AxisMap {
  const scale = targetLength / sourceLength;
  const target = new Int32Array(sourceLength);
  const first = new Float32Array(sourceLength);
  const totals = new Float32Array(targetLength);
  for (let index = 0; index < sourceLength; index++) {
    const start = index * scale;
    const cell = Math.min(Math.floor(start), targetLength - 1);
    // Rounding can push the last source pixel's far edge past the end: keep it in the last cell.
    const inCell = cell === targetLength - 1 ? scale : Math.min(start + scale, cell + 1) - start;
    target[index] = cell;
    first[index] = inCell;
    totals[cell]! += inCell;
    if (cell + 1 < targetLength) totals[cell + 1]! += scale - inCell;
  }
  return { scale, target, first, totals };
}

/** Scales rows pushed top to bottom down to `width` × `height`; alpha is ignored (set to 255). */
export class RowResampler {
  private readonly columns: AxisMap;
  private readonly rows: AxisMap;
  private readonly output: Uint8Array;
  private readonly scaledRow: Float32Array;
  private current: Float32Array;
  private next: Float32Array;
  private currentRow = 0;
  private sourceRow = 0;

  constructor(
    readonly sourceWidth: number,
    readonly sourceHeight: number,
    readonly width: number,
    readonly height: number,
  ) {
    if (width > sourceWidth || height > sourceHeight) throw new Error("resampler only shrinks");
    this.columns = mapAxis(sourceWidth, width);
    this.rows = mapAxis(sourceHeight, height);
    this.output = new Uint8Array(width * height * 4);
    this.scaledRow = new Float32Array(width * 3);
    this.current = new Float32Array(width * 3);
    this.next = new Float32Array(width * 3);
  }

  /** Adds the next source row: `sourceWidth` RGBA pixels. */
  pushRow(rgba: Uint8Array): void {
    if (this.width === this.sourceWidth && this.height === this.sourceHeight) {
      this.output.set(rgba, this.sourceRow++ * this.width * 4);
      return;
    }
    this.scaleRow(rgba);
    const target = this.rows.target[this.sourceRow]!;
    const share = this.rows.first[this.sourceRow]!;
    const rest = this.rows.scale - share;
    this.sourceRow++;
    // Output rows are at least one source row tall, so the target advances by at most one.
    if (target > this.currentRow) this.advance();

    const { scaledRow, current, next } = this;
    for (let index = 0; index < scaledRow.length; index++) {
      const value = scaledRow[index]!;
      current[index]! += value * share;
      if (rest > 0) next[index]! += value * rest;
    }
  }

  /** Returns the scaled image once every source row has been pushed. */
  finish(): RgbaImage {
    if (this.sourceRow !== this.sourceHeight) throw new Error("not every row was pushed");
    if (this.width === this.sourceWidth && this.height === this.sourceHeight) {
      return { pixels: this.output, width: this.width, height: this.height };
    }
    while (this.currentRow < this.height) this.advance();
    return { pixels: this.output, width: this.width, height: this.height };
  }

  /** Averages one source row horizontally into `scaledRow` (RGB, `width` pixels). */
  private scaleRow(rgba: Uint8Array): void {
    const { scaledRow } = this;
    const { target, first, scale } = this.columns;
    scaledRow.fill(0);
    for (let x = 0; x < this.sourceWidth; x++) {
      const into = target[x]! * 3;
      const share = first[x]!;
      const rest = scale - share;
      const from = x * 4;
      for (let channel = 0; channel < 3; channel++) {
        const value = rgba[from + channel]!;
        scaledRow[into + channel]! += value * share;
        if (rest > 0) scaledRow[into + 3 + channel]! += value * rest;
      }
    }
  }

  /** Writes the finished current output row and moves on to the next. */
  private advance(): void {
    const row = this.currentRow;
    const rowTotal = this.rows.totals[row]!;
    const totals = this.columns.totals;
    const offset = row * this.width * 4;
    for (let x = 0; x < this.width; x++) {
      const weight = rowTotal * totals[x]!;
      for (let channel = 0; channel < 3; channel++) {
        const value = this.current[x * 3 + channel]! / weight;
        this.output[offset + x * 4 + channel] = Math.min(255, Math.round(value));
      }
      this.output[offset + x * 4 + 3] = 255;
    }
    const finished = this.current;
    this.current = this.next;
    this.next = finished.fill(0);
    this.currentRow++;
  }
}

/** Scales a whole image down to `width` × `height` (or returns it when the size is equal). */
export function resizeImage(image: RgbaImage, width: number, height: number): RgbaImage {
  if (width === image.width && height === image.height) return image;
  const resampler = new RowResampler(image.width, image.height, width, height);
  const rowBytes = image.width * 4;
  for (let y = 0; y < image.height; y++) {
    resampler.pushRow(image.pixels.subarray(y * rowBytes, (y + 1) * rowBytes));
  }
  return resampler.finish();
}

/** The size that fits within `maxSide` keeping the aspect ratio; never larger than the image. */
export function fittedSize(width: number, height: number, maxSide: number) {
  const scale = maxSide / Math.max(width, height);
  if (scale >= 1) return { width, height };
  return {
    width: Math.max(1, Math.round(width * scale)),
    height: Math.max(1, Math.round(height * scale)),
  };
}
