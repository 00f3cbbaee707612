import { PhotonImage } from "@cf-wasm/photon";
import { describe, expect, it } from "vitest";
import { pngPhoto } from "../../../test/helpers/photos";
import { concatBytes } from "../../lib/bytes";
import { ImageRejectedError } from "./image-rejected-error";
import { inflateZlib } from "./inflate";
import { decodePngScaled } from "./png-decoder";
import { encodePng } from "./png-encoder.fixture";

function pixel(image: { pixels: Uint8Array; width: number }, x: number, y: number) {
  const offset = (y * image.width + x) * 4;
  return Array.from(image.pixels.subarray(offset, offset + 4));
}

function photonPixels(png: Uint8Array) {
  const image = PhotonImage.new_from_byteslice(png);
  try {
    return image.get_raw_pixels();
  } finally {
    image.free();
  }
}

describe("decodePngScaled", () => {
  it("decodes an RGBA PNG at full size exactly as photon does", () => {
    const png = pngPhoto(300, 200, { noise: 0.5 });

    const decoded = decodePngScaled(png, 300, 200);

    expect(decoded.pixels).toEqual(photonPixels(png));
  });

  it("averages a PNG down while inflating it", () => {
    // Two columns of 2 × 2 blocks: black then white; halved, each block becomes one pixel.
    const rows = Array.from({ length: 4 }, () => new Uint8Array([0, 0, 255, 255]));
    const png = encodePng({ width: 4, height: 4, colorType: 0, bitDepth: 8, rows });

    const decoded = decodePngScaled(png, 2, 2);

    expect(pixel(decoded, 0, 1)).toEqual([0, 0, 0, 255]);
    expect(pixel(decoded, 1, 1)).toEqual([255, 255, 255, 255]);
  });

  it("reads a 2-bit palette with transparency, laid over white", () => {
    // Palette: 0 red, 1 green, 2 fully transparent blue. Pixels 0, 1, 2, 0 packed in one byte.
    const png = encodePng({
      width: 4,
      height: 5,
      colorType: 3,
      bitDepth: 2,
      rows: Array.from({ length: 5 }, () => new Uint8Array([0b00_01_10_00])),
      palette: [255, 0, 0, 0, 255, 0, 0, 0, 255],
      transparency: [255, 255, 0],
    });

    const decoded = decodePngScaled(png, 4, 5);

    expect(pixel(decoded, 0, 4)).toEqual([255, 0, 0, 255]);
    expect(pixel(decoded, 1, 4)).toEqual([0, 255, 0, 255]);
    expect(pixel(decoded, 2, 4)).toEqual([255, 255, 255, 255]);
  });

  it("reads 16-bit grey and half-transparent grey + alpha through every row filter", () => {
    const grey = encodePng({
      width: 3,
      height: 5,
      colorType: 0,
      bitDepth: 16,
      rows: Array.from({ length: 5 }, (_, y) => new Uint8Array([y * 40, 7, 100, 0, 250, 1])),
    });
    const withAlpha = encodePng({
      width: 2,
      height: 5,
      colorType: 4,
      bitDepth: 8,
      rows: Array.from({ length: 5 }, () => new Uint8Array([0, 255, 0, 128])),
    });

    const decodedGrey = decodePngScaled(grey, 3, 5);
    const decodedAlpha = decodePngScaled(withAlpha, 2, 5);

    for (let y = 0; y < 5; y++)
      expect(pixel(decodedGrey, 0, y)).toEqual([y * 40, y * 40, y * 40, 255]);
    expect(pixel(decodedGrey, 2, 3)).toEqual([250, 250, 250, 255]);
    expect(pixel(decodedAlpha, 0, 4)).toEqual([0, 0, 0, 255]);
    expect(pixel(decodedAlpha, 1, 4)).toEqual([127, 127, 127, 255]);
  });

  it("rejects a truncated PNG as undecodable", () => {
    const png = pngPhoto(400, 300, { noise: 0.5 });

    const decode = () => decodePngScaled(png.subarray(0, png.length / 2), 400, 300);

    expect(decode).toThrow(ImageRejectedError);
    expect(decode).toThrow("image data could not be decoded");
  });

  it("decodes a small interlaced PNG through photon", () => {
    // 40 × 30, Adam7-interlaced by libvips (sharp 0.35.2): top-left quarter red, the rest blue.
    const interlaced = Uint8Array.from(
      atob(
        "iVBORw0KGgoAAAANSUhEUgAAACgAAAAeCAIAAAGmuPscAAAACXBIWXMAAAPoAAAD6AG1e1JrAAAAdElEQVRIie1TgQmA" +
          "MAzbET0iN/XiXZI7hAniVMqkwtQWCiNkIV3ICkXWgVZoLUeMdmxzwtxdvsIY0rN3xSiNHt+k6fLmxM3x5Ltpbop/" +
          "iGHSrxXzm2kzxYxQTwQU0+y2p/lprBm1BCsXHOI01owaWa46/zst77fE3PXgqKIAAAAASUVORK5CYII=",
      ),
      (character) => character.charCodeAt(0),
    );
    expect(interlaced[28]).toBe(1);

    const decoded = decodePngScaled(interlaced, 20, 15);

    expect(pixel(decoded, 2, 2)).toEqual([230, 20, 20, 255]);
    expect(pixel(decoded, 18, 13)).toEqual([40, 90, 200, 255]);
  });

  it("rejects a large interlaced PNG before decoding it", () => {
    const png = encodePng({
      width: 2100,
      height: 2000,
      colorType: 0,
      bitDepth: 8,
      rows: [new Uint8Array(1)],
      interlaced: true,
    });

    expect(() => decodePngScaled(png, 2048, 1950)).toThrow(
      "interlaced png above 4 megapixels is not supported",
    );
  });
});

describe("inflateZlib", () => {
  it("stops after the output the image needs, however much the stream holds", () => {
    const png = pngPhoto(1000, 1000, { noise: 0.2 });
    const data = idatOf(png);
    let total = 0;
    let emitted = 0;

    inflateZlib(data, Number.MAX_SAFE_INTEGER, (bytes) => (total += bytes.length));
    inflateZlib(data, 100_000, (bytes) => (emitted += bytes.length));

    expect(total).toBe(1000 * (1000 * 4 + 1));
    expect(emitted).toBeGreaterThanOrEqual(100_000);
    expect(emitted).toBeLessThan(100_000 + 64 * 1024 + 258);
  });

  it("rejects a stream that is not zlib", () => {
    expect(() => inflateZlib(new Uint8Array([1, 2, 3, 4]), 10, () => {})).toThrow(
      "image data could not be decoded",
    );
  });
});

/** Returns the concatenated IDAT payloads of a PNG. */
function idatOf(png: Uint8Array): Uint8Array {
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  const parts: Uint8Array[] = [];
  for (let at = 8; at < png.length; ) {
    const length = view.getUint32(at);
    const type = String.fromCharCode(...png.subarray(at + 4, at + 8));
    if (type === "IDAT") parts.push(png.subarray(at + 8, at + 8 + length));
    at += 12 + length;
  }
  return concatBytes(parts);
}
