import type { Orientation } from "../exif-orientation";
import type { RgbaImage } from "./resample";

/**
 * Turns the pixels upright according to the EXIF orientation, so the stored JPEG needs no
 * orientation tag. Runs on the already scaled image, where a copy costs at most 16 MB.
 */
export function applyOrientation(image: RgbaImage, orientation: Orientation): RgbaImage {
  if (orientation === 1) return image;
  const { width, height } = image;
  const turned = orientation >= 5;
  const outputWidth = turned ? height : width;
  const source = new Uint32Array(image.pixels.buffer, image.pixels.byteOffset, width * height);
  const target = new Uint32Array(width * height);
  const place = placement(orientation, width, height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const [targetX, targetY] = place(x, y);
      target[targetY * outputWidth + targetX] = source[y * width + x]!;
    }
  }
  return {
    pixels: new Uint8Array(target.buffer),
    width: outputWidth,
    height: turned ? width : height,
  };
}

/**
 * Where the stored pixel (x, y) is shown. 2–4 mirror or rotate by 180°; 5–8 also swap the
 * axes: 6 means the camera was turned right, so the picture is rotated 90° clockwise.
 */
function placement(orientation: Orientation, width: number, height: number) {
  const right = width - 1;
  const bottom = height - 1;
  switch (orientation) {
    case 2:
      return (x: number, y: number) => [right - x, y] as const;
    case 3:
      return (x: number, y: number) => [right - x, bottom - y] as const;
    case 4:
      return (x: number, y: number) => [x, bottom - y] as const;
    case 5:
      return (x: number, y: number) => [y, x] as const;
    case 6:
      return (x: number, y: number) => [bottom - y, x] as const;
    case 7:
      return (x: number, y: number) => [bottom - y, right - x] as const;
    default:
      return (x: number, y: number) => [y, right - x] as const;
  }
}
