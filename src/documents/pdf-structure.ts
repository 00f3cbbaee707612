/**
 * A structural check of PDF files that rejects truncated, renamed or garbage files without a
 * PDF library. The bytes are scanned, never rendered or decompressed.
 *
 * A PDF (ISO 32000) ends with `startxref`, the byte offset of its last cross-reference section,
 * and `%%EOF`. That section is either a table (`xref` … `trailer <<…>>`) or a cross-reference
 * stream (`N G obj <</Type /XRef …>>`). Its dictionary names the document catalog as
 * `/Root N G R`, and the catalog object must exist.
 */

// Writers may append a little after %%EOF (a line break, sometimes NUL padding).
const TAIL_BYTES = 1024;
// How much of the file after `startxref`'s offset is read to find the trailer dictionary.
const XREF_WINDOW_BYTES = 64 * 1024;

/** Returns null for a PDF whose structure holds together, or the reason it does not. */
export function findPdfStructureProblem(bytes: Uint8Array): string | null {
  const header = latin1(bytes, 0, Math.min(bytes.length, 16));
  if (!/^%PDF-[12]\.\d/.test(header)) return "missing %PDF-1.x header";

  const tail = latin1(bytes, Math.max(0, bytes.length - TAIL_BYTES), bytes.length);
  const startxref = /startxref\s+(\d+)\s+%%EOF[\s\0]*$/.exec(tail);
  if (!startxref) return "missing startxref or %%EOF trailer";
  const offset = Number(startxref[1]);
  if (offset <= 0 || offset >= bytes.length) return "startxref offset outside the file";

  const section = latin1(bytes, offset, Math.min(bytes.length, offset + XREF_WINDOW_BYTES));
  const root = findRootReference(section);
  if (!root) return "cross-reference section or its /Root not found";

  const text = latin1(bytes, 0, bytes.length);
  return catalogProblem(text, root, section);
}

interface ObjectReference {
  number: number;
  generation: number;
}

/** Reads `/Root N G R` from the trailer of an xref table or the dictionary of an xref stream. */
function findRootReference(section: string): ObjectReference | null {
  const trimmed = section.replace(/^\s+/, "");
  let dictionary: string | undefined;
  if (trimmed.startsWith("xref")) {
    dictionary = /trailer\s*<<([\s\S]*?)>>\s*startxref/.exec(trimmed)?.[1];
  } else if (/^\d+\s+\d+\s+obj\b/.test(trimmed)) {
    const head = /^\d+\s+\d+\s+obj\s*<<([\s\S]*?)>>\s*stream/.exec(trimmed)?.[1];
    if (head && /\/Type\s*\/XRef\b/.test(head)) dictionary = head;
  }
  if (!dictionary) return null;

  const match = /\/Root\s+(\d+)\s+(\d+)\s+R\b/.exec(dictionary);
  if (!match) return null;
  return { number: Number(match[1]), generation: Number(match[2]) };
}

/**
 * Finds the catalog as a plain object and checks its type. A file with a cross-reference stream
 * may keep the catalog compressed inside an object stream, which this scan cannot open, so
 * there an object stream must at least exist.
 */
function catalogProblem(text: string, root: ObjectReference, section: string): string | null {
  const start = new RegExp(`(?:^|[\\s>])${root.number}\\s+${root.generation}\\s+obj\\b`, "g");
  let found: RegExpExecArray | null = start.exec(text);
  let lastBody: string | null = null;
  // An incremental update may redefine the catalog; the last definition is the one in force.
  while (found) {
    const end = text.indexOf("endobj", found.index);
    if (end === -1) return "catalog object is not closed by endobj";
    lastBody = text.slice(found.index, end);
    found = start.exec(text);
  }
  if (lastBody !== null) {
    return /\/Type\s*\/Catalog\b/.test(lastBody) ? null : "/Root is not a /Catalog";
  }
  const usesXrefStream = !section.replace(/^\s+/, "").startsWith("xref");
  if (usesXrefStream && /\/Type\s*\/ObjStm\b/.test(text)) return null;
  return "catalog object named by /Root not found";
}

/** Decodes bytes one to one into a string, in chunks that stay below argument limits. */
function latin1(bytes: Uint8Array, start: number, end: number): string {
  const chunks: string[] = [];
  for (let index = start; index < end; index += 8192) {
    const chunk = bytes.subarray(index, Math.min(end, index + 8192));
    chunks.push(String.fromCharCode(...chunk));
  }
  return chunks.join("");
}
