/**
 * Measures image optimisation inside workerd: CPU time and memory of one optimiseImage call for
 * photo-like JPEG and PNG inputs of several sizes. Each input runs in a fresh `wrangler dev`
 * (one workerd process), so its peak resident memory belongs to that input alone.
 *
 *   npx tsx scripts/bench-images.ts [megapixels[:format]...]    (default: 2 8 12 24)
 *
 * Formats: jpeg and png (photo-like, 15 % noise; both by default), flat-png (the same picture
 * without noise, like a screenshot or a scan of a form: it stays under the 10 MB upload limit
 * up to the 40 MP cap), progressive-jpeg.
 *
 * CPU is the workerd process's user + system time over the request (/proc, 10 ms ticks).
 * Memory is reported twice. The process's peak RSS (VmHWM) after the request minus its RSS
 * after a warm-up request is an upper estimate of what the isolate added (it also counts
 * workerd buffering the body). The Worker itself reports the peak size of every WebAssembly
 * memory it used (scripts/bench/track-wasm.ts). Linux only.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { PhotonImage } from "@cf-wasm/photon/node";
import { findFreePort } from "./lib/free-port";

const TICKS_PER_SECOND = 100;

interface Measurement {
  input: string;
  inputBytes: number;
  cpuMs: number;
  addedMemoryMb: number;
  peakRssMb: number;
  result: unknown;
}

type Format = "jpeg" | "png" | "flat-png" | "progressive-jpeg";

/** A 4:3 photo-like image: gradient, a bright "card" block and 15 % noise, like a phone scan. */
function photo(megapixels: number, format: Format): Uint8Array {
  const width = Math.round(Math.sqrt((megapixels * 1e6 * 4) / 3));
  const height = Math.round((width * 3) / 4);
  const pixels = new Uint8Array(width * height * 4);
  for (let index = 0; index < width * height; index++) {
    const x = index % width;
    const y = Math.floor(index / width);
    const card = x > width / 5 && x < (width * 4) / 5 && y > height / 5 && y < (height * 4) / 5;
    const noise = format === "flat-png" ? 0 : Math.random() * 38;
    pixels[index * 4] = (card ? 200 : (x * 180) / width) + noise;
    pixels[index * 4 + 1] = (card ? 210 : (y * 180) / height) + noise;
    pixels[index * 4 + 2] = (card ? 230 : 90) + noise / 2;
    pixels[index * 4 + 3] = 255;
  }
  const image = new PhotonImage(pixels, width, height);
  try {
    return format.endsWith("jpeg") ? image.get_bytes_jpeg(90) : image.get_bytes();
  } finally {
    image.free();
  }
}

/**
 * The input for `format`. Photon writes baseline JPEGs only, so the progressive one is
 * re-encoded by sharp (libvips), which miniflare already installs.
 */
async function input(megapixels: number, format: Format): Promise<Uint8Array> {
  const baseline = photo(megapixels, format);
  if (format !== "progressive-jpeg") return baseline;
  const { default: sharp } = await import("sharp");
  return sharp(baseline).jpeg({ quality: 90, progressive: true }).toBuffer();
}

function descendants(pid: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const parent = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (parent === pid) children.push(Number(entry), ...descendants(Number(entry)));
    } catch {
      // The process ended while the list was read.
    }
  }
  return children;
}

/** Every workerd process under `wrangler dev`: its proxy and the one running the Worker. */
function workerdPids(root: number): number[] {
  const pids = descendants(root).filter((child) => {
    try {
      return readFileSync(`/proc/${child}/cmdline`, "utf8").includes("workerd");
    } catch {
      return false;
    }
  });
  if (pids.length === 0) throw new Error("workerd process not found under wrangler dev");
  return pids;
}

function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return Number(fields[11]) + Number(fields[12]); // utime + stime
}

function memoryKb(pid: number, field: "VmRSS" | "VmHWM"): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(status.match(new RegExp(`${field}:\\s+(\\d+)`))![1]);
}

async function startWorker(port: number): Promise<ChildProcess> {
  const child = spawn(
    "npx",
    [
      "wrangler",
      "dev",
      "--config",
      "scripts/bench/wrangler.toml",
      "--ip",
      "127.0.0.1",
      "--port",
      String(port),
      "--show-interactive-dev-session=false",
    ],
    { stdio: ["ignore", "pipe", "pipe"], detached: true },
  );
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error("wrangler dev did not start in 120 s")),
      120_000,
    );
    child.stdout!.on("data", (chunk: Buffer) => {
      if (chunk.toString().includes("Ready on")) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  return child;
}

async function measure(name: string, bytes: Uint8Array): Promise<Measurement> {
  const port = await findFreePort();
  const wrangler = await startWorker(port);
  try {
    const url = `http://127.0.0.1:${port}/`;
    await fetch(url, { method: "POST", body: photo(0.01, "jpeg") }); // loads photon's WASM
    // The process whose memory the warm-up grew most is the one running the Worker.
    const pid = workerdPids(wrangler.pid!).sort(
      (a, b) => memoryKb(b, "VmRSS") - memoryKb(a, "VmRSS"),
    )[0]!;
    const rssBefore = memoryKb(pid, "VmRSS");
    const ticksBefore = cpuTicks(pid);
    const response = await fetch(url, { method: "POST", body: bytes });
    const result = await response.json();
    const ticks = cpuTicks(pid) - ticksBefore;
    const peak = memoryKb(pid, "VmHWM");
    return {
      input: name,
      inputBytes: bytes.length,
      cpuMs: (ticks * 1000) / TICKS_PER_SECOND,
      addedMemoryMb: Math.round((peak - rssBefore) / 1024),
      peakRssMb: Math.round(peak / 1024),
      result,
    };
  } finally {
    process.kill(-wrangler.pid!, "SIGTERM");
  }
}

const requested = process.argv.slice(2);
for (const argument of requested.length > 0 ? requested : ["2", "8", "12", "24"]) {
  const [megapixels, format] = argument.split(":");
  const formats: Format[] = format ? [format as Format] : ["jpeg", "png"];
  for (const each of formats) {
    const bytes = await input(Number(megapixels), each);
    console.log(JSON.stringify(await measure(`${megapixels} MP ${each}`, bytes)));
  }
}
