import { PhotonImage } from "@cf-wasm/photon";
import { describe, expect, it } from "vitest";
import { jpegImage, pngHeaderOnly } from "../../test/helpers/images";
import { containsExif, jpegPhoto, pngPhoto, withExif } from "../../test/helpers/photos";
import { readJpegOrientation } from "./exif-orientation";
import { readJpegSize } from "./file-checks";
import {
  ImageRejectedError,
  MAX_IMAGE_SIDE,
  MAX_STORED_IMAGE_BYTES,
  optimiseImage,
} from "./image-optimiser";
import {
  CMYK_JPEG_BASE64,
  fromBase64,
  PROGRESSIVE_JPEG_BASE64,
} from "./images/jpeg-samples.fixture";

function optimised(bytes: Uint8Array) {
  const result = optimiseImage(bytes);
  if (!result.changed) throw new Error("expected the image to be re-encoded");
  return result;
}

/** Returns the RGB of one pixel of an encoded image. */
function pixelAt(bytes: Uint8Array, x: number, y: number): number[] {
  const image = PhotonImage.new_from_byteslice(bytes);
  try {
    const offset = (y * image.get_width() + x) * 4;
    return Array.from(image.get_raw_pixels().subarray(offset, offset + 3));
  } finally {
    image.free();
  }
}

function isRed([red, green, blue]: number[]): boolean {
  return red! > 180 && green! < 90 && blue! < 90;
}

/** The blue (40, 90, 200) of the JPEG samples, give or take compression. */
function isSampleBlue([red, green, blue]: number[]): boolean {
  return red! < 80 && green! > 60 && green! < 120 && blue! > 170;
}

describe("optimiseImage", () => {
  it("leaves a small upright JPEG without metadata unchanged", () => {
    const photo = jpegPhoto(640, 480);

    const result = optimiseImage(photo);

    expect(result.changed).toBe(false);
    expect(result.dimensions).toEqual({ width: 640, height: 480 });
  });

  it("recompresses a noisy JPEG above 500 KB to fit", () => {
    const photo = jpegPhoto(1600, 1200, 98, { noise: 0.6 });
    expect(photo.length).toBeGreaterThan(MAX_STORED_IMAGE_BYTES);

    const result = optimised(photo);

    expect(result.bytes.length).toBeLessThanOrEqual(MAX_STORED_IMAGE_BYTES);
    expect(result.contentType).toBe("image/jpeg");
    expect(readJpegSize(result.bytes)).toEqual(result.dimensions);
  });

  it("scales an image above 2048 px down to fit 2048 px", () => {
    const photo = jpegPhoto(3000, 1000, 80);

    const result = optimised(photo);

    expect(result.dimensions).toEqual({ width: MAX_IMAGE_SIDE, height: 683 });
    expect(readJpegSize(result.bytes)).toEqual({ width: MAX_IMAGE_SIDE, height: 683 });
    expect(result.quality).toBe(85);
  });

  it("shrinks below 2048 px when quality 45 is still too large", () => {
    const photo = jpegPhoto(2048, 2048, 95, { noise: 1 });

    const result = optimised(photo);

    expect(result.bytes.length).toBeLessThanOrEqual(MAX_STORED_IMAGE_BYTES);
    expect(result.quality).toBe(55);
    expect(result.dimensions.width).toBeLessThan(2048);
    expect(result.dimensions.width).toBeGreaterThanOrEqual(320);
  });

  it("converts a large PNG to JPEG", () => {
    const photo = pngPhoto(2400, 1800, { noise: 0.3 });
    expect(photo.length).toBeGreaterThan(MAX_STORED_IMAGE_BYTES);

    const result = optimised(photo);

    expect(result.contentType).toBe("image/jpeg");
    expect(result.bytes[0]).toBe(0xff);
    expect(result.dimensions).toEqual({ width: 2048, height: 1536 });
  });

  it("rotates by the EXIF orientation and drops EXIF and GPS", () => {
    // Orientation 6: the camera was turned, so the picture is shown rotated 90° clockwise.
    const stored = withExif(jpegPhoto(400, 200, 90, { markTopLeft: true }), 6);
    expect(readJpegOrientation(stored)).toBe(6);
    expect(containsExif(stored)).toBe(true);

    const result = optimised(stored);

    expect(result.dimensions).toEqual({ width: 200, height: 400 });
    expect(containsExif(result.bytes)).toBe(false);
    expect(readJpegOrientation(result.bytes)).toBe(1);
    // The stored top-left corner is shown at the top right.
    expect(isRed(pixelAt(result.bytes, 190, 10))).toBe(true);
    expect(isRed(pixelAt(result.bytes, 10, 10))).toBe(false);
  });

  it.each([
    [3, { x: 390, y: 190 }, { width: 400, height: 200 }],
    [8, { x: 10, y: 390 }, { width: 200, height: 400 }],
    [2, { x: 390, y: 10 }, { width: 400, height: 200 }],
  ])("applies orientation %i", (orientation, corner, dimensions) => {
    const stored = withExif(jpegPhoto(400, 200, 90, { markTopLeft: true }), orientation);

    const result = optimised(stored);

    expect(result.dimensions).toEqual(dimensions);
    expect(isRed(pixelAt(result.bytes, corner.x, corner.y))).toBe(true);
  });

  it("re-encodes a small upright JPEG that carries GPS metadata", () => {
    const stored = withExif(jpegPhoto(300, 300), 1);

    const result = optimised(stored);

    expect(containsExif(result.bytes)).toBe(false);
    expect(result.dimensions).toEqual({ width: 300, height: 300 });
  });

  it("turns a 12-megapixel phone photo upright at 2048 px and under 500 KB", () => {
    // 4000 × 3000 as a phone stores it, with orientation 6 (camera turned right) and GPS.
    const stored = withExif(jpegPhoto(4000, 3000, 90, { noise: 0.15, markTopLeft: true }), 6);
    expect(stored.length).toBeGreaterThan(1_000_000);

    const result = optimised(stored);

    expect(result.dimensions).toEqual({ width: 1536, height: 2048 });
    expect(readJpegSize(result.bytes)).toEqual({ width: 1536, height: 2048 });
    expect(result.bytes.length).toBeLessThanOrEqual(MAX_STORED_IMAGE_BYTES);
    expect(containsExif(result.bytes)).toBe(false);
    expect(isRed(pixelAt(result.bytes, 1500, 40))).toBe(true);
    expect(isRed(pixelAt(result.bytes, 40, 40))).toBe(false);
  });

  it("scales a progressive JPEG, which photon cannot write, to 2048 px", () => {
    const progressive = fromBase64(PROGRESSIVE_JPEG_BASE64);

    const result = optimised(progressive);

    expect(result.dimensions).toEqual({ width: 2048, height: 1024 });
    expect(isRed(pixelAt(result.bytes, 100, 100))).toBe(true);
    expect(isSampleBlue(pixelAt(result.bytes, 1900, 900))).toBe(true);
  });

  it("converts a CMYK JPEG to RGB with the right colours", () => {
    const cmyk = fromBase64(CMYK_JPEG_BASE64);

    const result = optimised(cmyk);

    expect(result.dimensions).toEqual({ width: 64, height: 48 });
    expect(isRed(pixelAt(result.bytes, 8, 8))).toBe(true);
    expect(isSampleBlue(pixelAt(result.bytes, 56, 40))).toBe(true);
  });

  it("lays a transparent PNG over white", () => {
    const pixels = new Uint8Array(3000 * 100 * 4); // Fully transparent black.
    const image = new PhotonImage(pixels, 3000, 100);
    const png = image.get_bytes();
    image.free();

    const result = optimised(png);

    expect(result.dimensions).toEqual({ width: 2048, height: 68 });
    expect(pixelAt(result.bytes, 1000, 30).every((channel) => channel > 245)).toBe(true);
  });

  it("rejects a truncated PNG from its chunk structure", () => {
    const photo = pngPhoto(2400, 1800, { noise: 0.3 });

    expect(() => optimiseImage(photo.subarray(0, photo.length / 2))).toThrow(
      "image header is truncated or malformed",
    );
  });

  it("rejects a progressive JPEG above 12 megapixels", () => {
    const header = jpegImage(5000, 3000);
    const frame = header.findIndex((byte, index) => byte === 0xff && header[index + 1] === 0xc0);
    header[frame + 1] = 0xc2; // SOF2: progressive

    expect(() => optimiseImage(header)).toThrow(
      "progressive jpeg above 12 megapixels is not supported",
    );
  });

  it("rejects a pixel flood from its header without decoding", () => {
    expect(() => optimiseImage(pngHeaderOnly(10_000, 10_000))).toThrow(ImageRejectedError);
  });

  it("rejects a truncated JPEG", () => {
    const photo = jpegPhoto(2400, 1600, 90, { noise: 0.3 });
    const truncated = photo.subarray(0, Math.floor(photo.length / 3));

    expect(() => optimiseImage(truncated)).toThrow(ImageRejectedError);
    expect(() => optimiseImage(truncated)).toThrow("image data could not be decoded");
  });

  it("rejects bytes that are not an image", () => {
    const text = new TextEncoder().encode("%PDF-1.4 not an image");

    expect(() => optimiseImage(text)).toThrow("not a jpeg or png image");
  });
});
