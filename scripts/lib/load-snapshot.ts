// A private copy of the Worker's sources for `npm run load:test`, so edits to the work tree
// during a run do not make `wrangler dev` rebuild and restart the Worker.
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

/** Files and folders that `npm run dev` reads, copied as they are when the run begins. */
const COPIED = ["src", "scripts", "migrations", "wrangler.toml", "package.json", "tsconfig.json"];
/** Optional local files that are copied when present. */
const COPIED_IF_PRESENT = [".dev.vars"];
/**
 * Linked instead: the installed packages, and `.data` so the run uses the usual embedded
 * database and wrangler state (and finds a running `npm run dev` through its lock file).
 */
const LINKED = ["node_modules", ".data"];

export interface Snapshot {
  root: string;
  remove(): void;
}

/**
 * Copies the project's sources into a new temporary folder. `wrangler dev` watches every file
 * of the bundle and restarts the Worker when one changes. A restart fails the POST requests in
 * flight with a plain-text 503 from wrangler's proxy ("Your worker restarted mid-request").
 */
export function createSnapshot(): Snapshot {
  const root = mkdtempSync(join(tmpdir(), "kms-load-test-"));
  for (const name of COPIED) cpSync(join(ROOT, name), join(root, name), { recursive: true });
  for (const name of COPIED_IF_PRESENT) {
    if (existsSync(join(ROOT, name))) cpSync(join(ROOT, name), join(root, name));
  }
  mkdirSync(join(ROOT, ".data"), { recursive: true });
  for (const name of LINKED) symlinkSync(join(ROOT, name), join(root, name));
  return { root, remove: () => rmSync(root, { recursive: true, force: true }) };
}
