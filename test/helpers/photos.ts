import { PhotonImage } from "@cf-wasm/photon";

// Real, decodable photos made inside the test run: photon encodes them from generated pixels.

export interface PhotoOptions {
  /** Share of each pixel that is random noise, 0–1; noise makes the file large. */
  noise?: number;
  /** Paints the top-left quarter red, so a test can tell where that corner ended up. */
  markTopLeft?: boolean;
}

/** Generates RGBA pixels: a smooth gradient mixed with random noise. */
export function photoPixels(width: number, height: number, options: PhotoOptions = {}) {
  const noise = options.noise ?? 0;
  const pixels = new Uint8Array(width * height * 4);
  const random = new Uint8Array(width * 4);
  for (let y = 0; y < height; y++) {
    crypto.getRandomValues(random);
    for (let x = 0; x < width; x++) {
      const offset = (y * width + x) * 4;
      const marked = options.markTopLeft && x < width / 2 && y < height / 2;
      const base = marked ? [230, 20, 20] : [(x * 255) / width, (y * 255) / height, 128];
      for (let channel = 0; channel < 3; channel++) {
        const value = base[channel]! * (1 - noise) + random[x * 4 + channel]! * noise;
        pixels[offset + channel] = Math.round(value);
      }
      pixels[offset + 3] = 255;
    }
  }
  return pixels;
}

/** Encodes a generated photo as a baseline JPEG. */
export function jpegPhoto(width: number, height: number, quality = 90, options?: PhotoOptions) {
  const image = new PhotonImage(photoPixels(width, height, options), width, height);
  try {
    return image.get_bytes_jpeg(quality);
  } finally {
    image.free();
  }
}

/** Encodes a generated photo as a PNG. */
export function pngPhoto(width: number, height: number, options?: PhotoOptions) {
  const image = new PhotonImage(photoPixels(width, height, options), width, height);
  try {
    return image.get_bytes();
  } finally {
    image.free();
  }
}

/** Latitude 6°12'S, longitude 106°49'E (Jakarta), as a phone writes it. */
export const TEST_GPS_LATITUDE = [6, 12, 0];

/**
 * Inserts an APP1 Exif segment right after the JPEG's SOI marker, with IFD0 holding the
 * orientation tag and a pointer to a GPS IFD with latitude and longitude (big-endian TIFF).
 */
export function withExif(jpeg: Uint8Array, orientation: number): Uint8Array {
  const tiff = exifTiff(orientation);
  const payload = new Uint8Array(6 + tiff.length);
  payload.set([0x45, 0x78, 0x69, 0x66, 0, 0]); // "Exif\0\0"
  payload.set(tiff, 6);
  const length = payload.length + 2;
  const segment = new Uint8Array([0xff, 0xe1, length >> 8, length & 0xff, ...payload]);

  const result = new Uint8Array(jpeg.length + segment.length);
  result.set(jpeg.subarray(0, 2));
  result.set(segment, 2);
  result.set(jpeg.subarray(2), 2 + segment.length);
  return result;
}

function exifTiff(orientation: number): Uint8Array {
  const bytes = new Uint8Array(128);
  const view = new DataView(bytes.buffer);
  bytes.set([0x4d, 0x4d]); // "MM": big-endian
  view.setUint16(2, 42);
  view.setUint32(4, 8); // IFD0 at offset 8

  // IFD0: two entries (orientation, GPS IFD pointer), then the offset of the next IFD (none).
  view.setUint16(8, 2);
  writeEntry(view, 10, 0x0112, 3, 1, orientation << 16); // SHORT, left-justified
  writeEntry(view, 22, 0x8825, 4, 1, 38); // LONG: GPS IFD offset
  view.setUint32(34, 0);

  // GPS IFD at 38: LatitudeRef "S", Latitude (3 RATIONALs at 80), LongitudeRef "E".
  view.setUint16(38, 3);
  writeEntry(view, 40, 0x0001, 2, 2, 0x53000000); // "S\0"
  writeEntry(view, 52, 0x0002, 5, 3, 80);
  writeEntry(view, 64, 0x0003, 2, 2, 0x45000000); // "E\0"
  view.setUint32(76, 0);
  TEST_GPS_LATITUDE.forEach((value, index) => {
    view.setUint32(80 + index * 8, value);
    view.setUint32(84 + index * 8, 1);
  });
  return bytes;
}

function writeEntry(
  view: DataView,
  offset: number,
  tag: number,
  type: number,
  count: number,
  value: number,
) {
  view.setUint16(offset, tag);
  view.setUint16(offset + 2, type);
  view.setUint32(offset + 4, count);
  view.setUint32(offset + 8, value);
}

/** Reports whether the bytes contain an Exif APP1 segment or the ASCII word "Exif" at all. */
export function containsExif(bytes: Uint8Array): boolean {
  for (let index = 0; index + 4 < bytes.length; index++) {
    if (bytes[index] === 0x45 && bytes[index + 1] === 0x78 && bytes[index + 2] === 0x69) {
      if (bytes[index + 3] === 0x66) return true;
    }
  }
  return false;
}
