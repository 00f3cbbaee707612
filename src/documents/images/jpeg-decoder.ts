/// <reference path="./wasm-modules.d.ts" />
import jpegTurbo from "@cwasm/jpeg-turbo/jpeg-turbo.wasm";
import { ImageRejectedError, undecodable } from "./image-rejected-error";
import type { RgbaImage } from "./resample";

// TurboJPEG constants (turbojpeg.h).
const TJPF_RGBA = 7;
const TJPF_CMYK = 11;
const TJCS_CMYK = 3;
const TJCS_YCCK = 4;

/**
 * Progressive JPEGs larger than this are rejected. libjpeg must keep every DCT coefficient of
 * a progressive image until the last scan, 2 bytes per sample whatever the output scale, so a
 * 12 MP 4:2:0 photo needs 56 MB of WASM memory against 23 MB for a baseline one
 * (scripts/bench-images.ts). Phone cameras write baseline JPEGs.
 * NOTE: a decoder that keeps only the coefficients the chosen scale uses would lift this limit.
 */
export const MAX_PROGRESSIVE_PIXELS = 12_000_000;

interface TurboJpeg {
  memory: WebAssembly.Memory;
  malloc(size: number): number;
  tjInitDecompress(): number;
  tjDecompressHeader3(...args: number[]): number;
  tjDecompress2(...args: number[]): number;
}

/** libjpeg's fatal-error exit: this build has no real setjmp, so it ends up here. */
class JpegAbort extends Error {}

/**
 * Decodes a JPEG with libjpeg-turbo at the smallest DCT scale (M/8, M = 1…8) whose longest
 * side is still at least `minLongestSide`, so a 4000 × 3000 photo wanted at 2048 px is
 * decoded straight to 2500 × 1875 and never exists at full size. CMYK and YCCK JPEGs are
 * converted to RGB here, because libjpeg does not convert them.
 *
 * Each call runs in a new WebAssembly instance that is dropped afterwards: WASM memory never
 * shrinks, so a shared instance would keep its largest image's peak for the isolate's life,
 * and an aborted decode cannot leave a broken instance behind.
 * Throws ImageRejectedError for a truncated or corrupt JPEG.
 */
export function decodeJpegScaled(bytes: Uint8Array, minLongestSide: number): RgbaImage {
  const turbo = instantiate();
  try {
    return decodeWith(turbo, bytes, minLongestSide);
  } catch (error) {
    if (error instanceof JpegAbort || error instanceof WebAssembly.RuntimeError) {
      throw undecodable();
    }
    throw error;
  }
}

function decodeWith(turbo: TurboJpeg, bytes: Uint8Array, minLongestSide: number): RgbaImage {
  const input = turbo.malloc(bytes.length);
  new Uint8Array(turbo.memory.buffer, input, bytes.length).set(bytes);
  const handle = turbo.tjInitDecompress();
  const header = turbo.malloc(16);
  if (
    turbo.tjDecompressHeader3(
      handle,
      input,
      bytes.length,
      header,
      header + 4,
      header + 8,
      header + 12,
    ) !== 0
  ) {
    throw undecodable();
  }
  const [width, height, , colorspace] = new Int32Array(turbo.memory.buffer, header, 4);
  if (width! * height! > MAX_PROGRESSIVE_PIXELS && isProgressive(bytes)) {
    throw new ImageRejectedError("progressive jpeg above 12 megapixels is not supported");
  }
  const size = scaledSize(width!, height!, minLongestSide);
  const cmyk = colorspace === TJCS_CMYK || colorspace === TJCS_YCCK;

  const output = turbo.malloc(size.width * size.height * 4);
  if (output === 0) throw new ImageRejectedError("jpeg is too large to decode");
  const format = cmyk ? TJPF_CMYK : TJPF_RGBA;
  const status = turbo.tjDecompress2(
    handle,
    input,
    bytes.length,
    output,
    size.width,
    0,
    size.height,
    format,
    0,
  );
  // Fatal errors abort through longjmp; -1 here is a warning. libjpeg warns and pads with grey
  // both for a cut-off file and for harmless glitches such as stray bytes before a marker, so
  // only a file whose entropy data has no end marker is treated as broken.
  if (status !== 0 && isTruncated(bytes)) throw undecodable();

  const pixels = new Uint8Array(turbo.memory.buffer, output, size.width * size.height * 4);
  if (cmyk) convertInvertedCmyk(pixels);
  return { pixels, ...size };
}

/** TurboJPEG picks the largest scale that fits the size asked for, so ask for the exact one. */
function scaledSize(width: number, height: number, minLongestSide: number) {
  const longest = Math.max(width, height);
  let eighths = 1;
  while (eighths < 8 && Math.ceil((longest * eighths) / 8) < minLongestSide) eighths++;
  return {
    width: Math.ceil((width * eighths) / 8),
    height: Math.ceil((height * eighths) / 8),
  };
}

/** Reports whether the frame header before the first scan is progressive (SOF2, 6, 10, 14). */
function isProgressive(bytes: Uint8Array): boolean {
  let offset = 2;
  while (offset + 4 <= bytes.length && bytes[offset] === 0xff) {
    const marker = bytes[offset + 1]!;
    if (marker === 0xda) return false;
    if (marker === 0xc2 || marker === 0xc6 || marker === 0xca || marker === 0xce) return true;
    offset += 2 + ((bytes[offset + 2]! << 8) | bytes[offset + 3]!);
  }
  return false;
}

/** Reports whether no EOI marker (FF D9) follows the first start-of-scan marker (FF DA). */
function isTruncated(bytes: Uint8Array): boolean {
  let scanStart = -1;
  for (let index = 2; index + 1 < bytes.length; index++) {
    if (bytes[index] === 0xff && bytes[index + 1] === 0xda) {
      scanStart = index;
      break;
    }
  }
  if (scanStart < 0) return true;
  // Entropy-coded data never contains FF D9, because an FF there is followed by 00 or a restart
  // marker.
  for (let index = bytes.length - 2; index > scanStart; index--) {
    if (bytes[index] === 0xff && bytes[index + 1] === 0xd9) return false;
  }
  return true;
}

/**
 * CMYK as Adobe applications write it, inverted (0 = full ink), to RGB in place: each
 * channel is its inverted ink times the inverted black.
 */
function convertInvertedCmyk(pixels: Uint8Array): void {
  for (let offset = 0; offset < pixels.length; offset += 4) {
    const black = pixels[offset + 3]!;
    for (let channel = 0; channel < 3; channel++) {
      pixels[offset + channel] = Math.round((pixels[offset + channel]! * black) / 255);
    }
    pixels[offset + 3] = 255;
  }
}

function instantiate(): TurboJpeg {
  let memory: WebAssembly.Memory | undefined;
  const abort = () => {
    throw new JpegAbort("libjpeg aborted");
  };
  const noEnvironment = (countPointer: number, sizePointer: number) => {
    const view = new DataView(memory!.buffer);
    view.setUint32(countPointer, 0, true);
    view.setUint32(sizePointer, 0, true);
    return 0;
  };
  const instance = new WebAssembly.Instance(jpegTurbo, {
    env: { setjmp: () => 0, longjmp: abort },
    // libjpeg reads JPEGMEM from the environment; it never opens, seeks or writes files.
    wasi_snapshot_preview1: {
      environ_sizes_get: noEnvironment,
      environ_get: () => 0,
      proc_exit: abort,
      fd_close: abort,
      fd_seek: abort,
      fd_write: abort,
    },
  });
  const exports = instance.exports as unknown as TurboJpeg;
  memory = exports.memory;
  return exports;
}
