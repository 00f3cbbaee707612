import { ImageRejectedError, optimiseImage } from "../../src/documents/image-optimiser";

/** Worker for scripts/bench-images.ts: optimises the request body and reports the result. */
export default {
  async fetch(request: Request): Promise<Response> {
    const bytes = new Uint8Array(await request.arrayBuffer());
    try {
      const result = optimiseImage(bytes);
      return Response.json({
        output_bytes: result.changed ? result.bytes.length : bytes.length,
        dimensions: result.dimensions,
        quality: result.changed ? result.quality : null,
      });
    } catch (error) {
      const reason = error instanceof ImageRejectedError ? error.reason : String(error);
      return Response.json({ error: reason }, { status: 422 });
    }
  },
};
