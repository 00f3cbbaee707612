import { PhotonImage } from "@cf-wasm/photon";
import {
  jpegHasMetadata,
  type Orientation,
  pngHasMetadata,
  readJpegOrientation,
} from "./exif-orientation";
import {
  type ImageDimensions,
  MAX_IMAGE_PIXELS,
  readJpegSize,
  readPngDimensions,
} from "./file-checks";
import { ImageRejectedError } from "./images/image-rejected-error";
import { decodeJpegScaled } from "./images/jpeg-decoder";
import { applyOrientation } from "./images/orientation";
import { decodePngScaled } from "./images/png-decoder";
import { fittedSize, type RgbaImage, resizeImage } from "./images/resample";

export { ImageRejectedError };

/** Stored images are at most this many bytes. */
export const MAX_STORED_IMAGE_BYTES = 500 * 1024;
/** Maximum width or height of a stored image, in pixels. */
export const MAX_IMAGE_SIDE = 2048;
/** Minimum width or height the shrinking steps reach, even if the file is still too large. */
export const MIN_IMAGE_SIDE = 320;
export const JPEG_QUALITIES = [85, 75, 65, 55, 45] as const;
const SHRINK_QUALITY = 55;
const SHRINK_FACTOR = 0.75;

export type OptimiseResult =
  /** The original bytes can be stored as they are. */
  | { changed: false; dimensions: ImageDimensions }
  | {
      changed: true;
      bytes: Uint8Array;
      contentType: "image/jpeg";
      dimensions: ImageDimensions;
      quality: number;
    };

/**
 * Re-encodes an uploaded JPEG or PNG as a JPEG of at most MAX_STORED_IMAGE_BYTES whose longest
 * side is at most MAX_IMAGE_SIDE, with its EXIF orientation applied to the pixels. The output
 * carries no metadata (EXIF, GPS, XMP), because the encoder writes pixels only. An image
 * already within both limits, upright and without metadata is left as it is. The header is
 * checked before decoding, so a pixel flood is rejected without allocating its pixels.
 * Throws ImageRejectedError for an unreadable, oversized or undecodable image.
 */
export function optimiseImage(bytes: Uint8Array): OptimiseResult {
  const header = readImageHeader(bytes);
  const { dimensions } = header;
  const withinLimits =
    bytes.length <= MAX_STORED_IMAGE_BYTES &&
    Math.max(dimensions.width, dimensions.height) <= MAX_IMAGE_SIDE;
  if (withinLimits && header.orientation === 1 && !header.hasMetadata) {
    return { changed: false, dimensions };
  }

  // No variable keeps the unrotated pixels, so they can be collected before encoding.
  const upright = applyOrientation(decodeFitted(bytes, header), header.orientation);
  return { changed: true, contentType: "image/jpeg", ...encodeWithinBudget(upright) };
}

interface ImageHeader {
  type: "jpeg" | "png";
  dimensions: ImageDimensions;
  orientation: Orientation;
  hasMetadata: boolean;
}

/** Reads type, size and orientation from the header, and rejects a pixel flood. */
export function readImageHeader(bytes: Uint8Array): ImageHeader {
  const isJpeg = bytes[0] === 0xff && bytes[1] === 0xd8;
  const isPng = bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47;
  if (!isJpeg && !isPng) throw new ImageRejectedError("not a jpeg or png image");

  const dimensions = isJpeg ? readJpegSize(bytes) : readPngDimensions(bytes);
  if (!dimensions) throw new ImageRejectedError("image header is truncated or malformed");
  if (dimensions.width * dimensions.height > MAX_IMAGE_PIXELS) {
    throw new ImageRejectedError(`image has more than ${MAX_IMAGE_PIXELS} pixels`);
  }
  return {
    type: isJpeg ? "jpeg" : "png",
    dimensions,
    orientation: isJpeg ? readJpegOrientation(bytes) : 1,
    hasMetadata: isJpeg ? jpegHasMetadata(bytes) : pngHasMetadata(bytes),
  };
}

/**
 * Decodes straight to the size that fits MAX_IMAGE_SIDE. A JPEG is decoded by libjpeg-turbo at
 * the smallest DCT scale at least that large and then averaged down; a PNG is averaged down
 * row by row while it is inflated. Neither ever holds the full-size pixels, which for a
 * 12 MP photo would be 48 MB of RGBA before photon's own copies (BENCHMARKS.md).
 */
function decodeFitted(bytes: Uint8Array, header: ImageHeader): RgbaImage {
  const { width, height } = header.dimensions;
  const target = fittedSize(width, height, MAX_IMAGE_SIDE);
  if (header.type === "png") return decodePngScaled(bytes, target.width, target.height);
  const decoded = decodeJpegScaled(bytes, Math.max(target.width, target.height));
  return resizeImage(decoded, target.width, target.height);
}

/**
 * Tries each quality in turn, then shrinks by SHRINK_FACTOR at SHRINK_QUALITY until the file
 * fits. Every shrink starts from the fitted image, so scaling errors do not add up.
 */
function encodeWithinBudget(fitted: RgbaImage) {
  for (const quality of JPEG_QUALITIES) {
    const bytes = encodeJpeg(fitted, quality);
    if (bytes.length <= MAX_STORED_IMAGE_BYTES) return { bytes, quality, dimensions: size(fitted) };
  }

  let longest = Math.max(fitted.width, fitted.height);
  for (;;) {
    const next = Math.max(MIN_IMAGE_SIDE, Math.floor(longest * SHRINK_FACTOR));
    const { width, height } = fittedSize(fitted.width, fitted.height, Math.min(next, longest));
    const image = resizeImage(fitted, width, height);
    const bytes = encodeJpeg(image, SHRINK_QUALITY);
    // At the minimum side the file is stored even if still larger: a 320 px JPEG at quality
    // 55 is far below the limit for any real photo, so this only guards against a loop.
    if (bytes.length <= MAX_STORED_IMAGE_BYTES || next >= longest) {
      return { bytes, quality: SHRINK_QUALITY, dimensions: size(image) };
    }
    longest = next;
  }
}

/** Photon encodes (baseline JPEG, no metadata); its copy of the pixels is freed at once. */
function encodeJpeg(image: RgbaImage, quality: number): Uint8Array {
  const photon = new PhotonImage(image.pixels, image.width, image.height);
  try {
    return photon.get_bytes_jpeg(quality);
  } finally {
    photon.free();
  }
}

function size(image: RgbaImage): ImageDimensions {
  return { width: image.width, height: image.height };
}
