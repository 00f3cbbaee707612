/**
 * Records how large each WebAssembly memory grows, for scripts/bench-images.ts. Imported before
 * anything that instantiates WASM: it wraps `WebAssembly.Instance` so every exported function
 * call is followed by a look at the instance's memory size. WASM memory only grows, so the
 * size after the last call is that instance's peak.
 */
interface TrackedMemory {
  /** Which module: its export names give it away (TurboJPEG or photon). */
  name: string;
  peakBytes: number;
}

const tracked: TrackedMemory[] = [];
const Instance = WebAssembly.Instance;

function track(instance: WebAssembly.Instance): WebAssembly.Instance {
  const exports = instance.exports as Record<string, unknown>;
  const memory = exports.memory as WebAssembly.Memory | undefined;
  if (!memory) return instance;
  const record: TrackedMemory = {
    name: "tjDecompress2" in exports ? "libjpeg-turbo" : "photon",
    peakBytes: memory.buffer.byteLength,
  };
  tracked.push(record);
  const wrapped: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(exports)) {
    wrapped[key] =
      typeof value === "function"
        ? (...args: unknown[]) => {
            try {
              return (value as (...values: unknown[]) => unknown)(...args);
            } finally {
              record.peakBytes = Math.max(record.peakBytes, memory.buffer.byteLength);
            }
          }
        : value;
  }
  return new Proxy(instance, {
    get: (target, key) => (key === "exports" ? wrapped : Reflect.get(target, key)),
  });
}

WebAssembly.Instance = new Proxy(Instance, {
  construct: (target, args) => track(Reflect.construct(target, args)),
});

/** Returns the peak memory per module since the last call, in MB, and drops finished instances. */
export function takeWasmPeaks(): Record<string, number> {
  const peaks: Record<string, number> = {};
  for (const { name, peakBytes } of tracked) {
    peaks[name] = Math.max(peaks[name] ?? 0, Math.round(peakBytes / 1024 / 1024));
  }
  // Photon's instance lives on; the per-image decoders do not.
  tracked.splice(0, tracked.length, ...tracked.filter((entry) => entry.name === "photon"));
  return peaks;
}
