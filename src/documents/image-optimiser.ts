import { fliph, flipv, PhotonImage, resize, SamplingFilter } from "@cf-wasm/photon";
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

/** The image cannot be processed; retrying the same bytes fails the same way. */
export class ImageRejectedError extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = "ImageRejectedError";
  }
}

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

  let image = decode(bytes);
  try {
    image = replaceWith(image, fitWithin(image, MAX_IMAGE_SIDE));
    image = replaceWith(image, applyOrientation(image, header.orientation));
    return { changed: true, contentType: "image/jpeg", ...encodeWithinBudget(image) };
  } finally {
    image.free();
  }
}

interface ImageHeader {
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
    dimensions,
    orientation: isJpeg ? readJpegOrientation(bytes) : 1,
    hasMetadata: isJpeg ? jpegHasMetadata(bytes) : pngHasMetadata(bytes),
  };
}

// TODO(#4): photon decodes at full size, so a 12 MP JPEG peaks at about 250 MB (BENCHMARKS.md),
// above the 128 MB isolate. Decoding JPEGs at 1/2–1/8 scale needs a decoder with DCT scaling,
// which photon does not expose.
function decode(bytes: Uint8Array): PhotonImage {
  try {
    return PhotonImage.new_from_byteslice(bytes);
  } catch {
    throw new ImageRejectedError("image data could not be decoded");
  }
}

/** Frees `previous` when `next` is a new image, so WASM memory contains one copy at a time. */
function replaceWith(previous: PhotonImage, next: PhotonImage): PhotonImage {
  if (next !== previous) previous.free();
  return next;
}

/** Scales down, keeping the aspect ratio, so the longest side is at most `maxSide`. */
function fitWithin(image: PhotonImage, maxSide: number): PhotonImage {
  const width = image.get_width();
  const height = image.get_height();
  const scale = maxSide / Math.max(width, height);
  if (scale >= 1) return image;
  const targetWidth = Math.max(1, Math.round(width * scale));
  const targetHeight = Math.max(1, Math.round(height * scale));
  return resize(image, targetWidth, targetHeight, SamplingFilter.Triangle);
}

/** Tries each quality in turn, then shrinks at SHRINK_QUALITY until the file fits. */
function encodeWithinBudget(source: PhotonImage) {
  for (const quality of JPEG_QUALITIES) {
    const bytes = source.get_bytes_jpeg(quality);
    if (bytes.length <= MAX_STORED_IMAGE_BYTES) return { bytes, quality, dimensions: size(source) };
  }

  let image = source;
  try {
    for (;;) {
      const longest = Math.max(image.get_width(), image.get_height());
      const next = Math.max(MIN_IMAGE_SIDE, Math.floor(longest * SHRINK_FACTOR));
      if (next < longest) image = replaceUnlessSource(image, fitWithin(image, next), source);
      const bytes = image.get_bytes_jpeg(SHRINK_QUALITY);
      // At the minimum side the file is stored even if still larger: a 320 px JPEG at quality
      // 55 is far below the limit for any real photo, so this only guards against a loop.
      if (bytes.length <= MAX_STORED_IMAGE_BYTES || next >= longest) {
        return { bytes, quality: SHRINK_QUALITY, dimensions: size(image) };
      }
    }
  } finally {
    if (image !== source) image.free();
  }
}

function replaceUnlessSource(previous: PhotonImage, next: PhotonImage, source: PhotonImage) {
  if (previous !== source && previous !== next) previous.free();
  return next;
}

function size(image: PhotonImage): ImageDimensions {
  return { width: image.get_width(), height: image.get_height() };
}

/**
 * Turns the stored pixels upright. Rotations by 90° go through a transpose, which photon does
 * not offer, done here on the RGBA pixels of the already resized image.
 */
function applyOrientation(image: PhotonImage, orientation: Orientation): PhotonImage {
  if (orientation === 1) return image;
  if (orientation === 2) fliph(image);
  if (orientation === 3) {
    fliph(image);
    flipv(image);
  }
  if (orientation === 4) flipv(image);
  if (orientation <= 4) return image;

  const transposed = transpose(image);
  if (orientation === 6 || orientation === 7) fliph(transposed);
  if (orientation === 7 || orientation === 8) flipv(transposed);
  return transposed;
}

function transpose(image: PhotonImage): PhotonImage {
  const width = image.get_width();
  const height = image.get_height();
  const source = new Uint32Array(image.get_raw_pixels().buffer);
  const target = new Uint32Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) target[x * height + y] = source[y * width + x]!;
  }
  return new PhotonImage(new Uint8Array(target.buffer), height, width);
}
