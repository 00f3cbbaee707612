import { takeWasmPeaks } from "./track-wasm";

/** Loaded on first use, so photon's instance is created after track-wasm wrapped the constructor. */
const optimiser = import("../../src/documents/image-optimiser");

/** Worker for scripts/bench-images.ts: optimises the request body and reports the result. */
export default {
  async fetch(request: Request): Promise<Response> {
    const { ImageRejectedError, optimiseImage } = await optimiser;
    const bytes = new Uint8Array(await request.arrayBuffer());
    takeWasmPeaks();
    try {
      const result = optimiseImage(bytes);
      return Response.json({
        output_bytes: result.changed ? result.bytes.length : bytes.length,
        dimensions: result.dimensions,
        quality: result.changed ? result.quality : null,
        wasm_peak_mb: takeWasmPeaks(),
      });
    } catch (error) {
      const reason = error instanceof ImageRejectedError ? error.reason : String(error);
      return Response.json({ error: reason, wasm_peak_mb: takeWasmPeaks() }, { status: 422 });
    }
  },
};
