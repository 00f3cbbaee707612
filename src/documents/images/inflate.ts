import { undecodable } from "./image-rejected-error";

/**
 * A zlib (RFC 1950) / deflate (RFC 1951) decoder that hands its output on through one
 * reused 64 KB window instead of allocating a buffer per chunk. Streaming libraries allocate
 * fresh arrays for every chunk they return; inside a Worker that garbage lives outside the JS
 * heap until V8 happens to collect it, and for a 10 MB PNG it added over 60 MB to the peak.
 * Here the only allocations are the Huffman tables.
 */

const WINDOW = 32 * 1024;
const MAX_MATCH = 258;
const LENGTH_BASE = [
  3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131,
  163, 195, 227, 258,
];
const LENGTH_EXTRA = [
  0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0,
];
const DISTANCE_BASE = [
  1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049,
  3073, 4097, 6145, 8193, 12289, 16385, 24577,
];
const DISTANCE_EXTRA = [
  0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13,
];
/** The order in which a dynamic block lists the code-length code's lengths. */
const CODE_LENGTH_ORDER = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];

/** Lookup table indexed by the next `bits` input bits (LSB first): symbol << 4 | code length. */
interface Huffman {
  table: Int32Array;
  bits: number;
}

/** Thrown inside the decoder once `maxOutput` bytes exist; ends decoding normally. */
class OutputLimitReached extends Error {}

function corrupt(): never {
  throw undecodable();
}

/** Builds the canonical Huffman code for `lengths` (RFC 1951 §3.2.2). */
function buildHuffman(lengths: ArrayLike<number>): Huffman {
  const bits = Math.max(1, ...Array.from(lengths));
  const counts = new Int32Array(16);
  for (let symbol = 0; symbol < lengths.length; symbol++) counts[lengths[symbol]!]!++;
  counts[0] = 0;
  const next = new Int32Array(16);
  for (let length = 1, code = 0; length < 16; length++) {
    code = (code + counts[length - 1]!) << 1;
    next[length] = code;
  }
  const table = new Int32Array(1 << bits);
  for (let symbol = 0; symbol < lengths.length; symbol++) {
    const length = lengths[symbol]!;
    if (length === 0) continue;
    const code = next[length]!++;
    let reversed = 0;
    for (let bit = 0; bit < length; bit++) reversed |= ((code >> bit) & 1) << (length - 1 - bit);
    for (let index = reversed; index < table.length; index += 1 << length) {
      table[index] = (symbol << 4) | length;
    }
  }
  return { table, bits };
}

let fixedCodes: { literals: Huffman; distances: Huffman } | null = null;

function fixedHuffman() {
  if (!fixedCodes) {
    const literals = new Uint8Array(288);
    literals.fill(8, 0, 144).fill(9, 144, 256).fill(7, 256, 280).fill(8, 280, 288);
    fixedCodes = {
      literals: buildHuffman(literals),
      distances: buildHuffman(new Uint8Array(30).fill(5)),
    };
  }
  return fixedCodes;
}

/**
 * Inflates a zlib stream, calling `emit` with each piece of output (a view that is reused
 * afterwards, so `emit` must copy what it keeps). Stops after `maxOutput` bytes, so a small
 * file that inflates to gigabytes costs no more than the image it claims to be.
 */
export function inflateZlib(
  input: Uint8Array,
  maxOutput: number,
  emit: (bytes: Uint8Array) => void,
) {
  if (input.length < 2 || (input[0]! & 0x0f) !== 8 || ((input[0]! << 8) | input[1]!) % 31 !== 0) {
    corrupt();
  }
  if (input[1]! & 0x20) corrupt(); // A preset dictionary is not allowed in PNG.
  new Inflater(input, 2, maxOutput, emit).run();
}

class Inflater {
  private bitBuffer = 0;
  private bitCount = 0;
  private readonly window = new Uint8Array(2 * WINDOW + MAX_MATCH);
  private position = 0;
  private flushed = 0;
  private total = 0;

  constructor(
    private readonly input: Uint8Array,
    private offset: number,
    private readonly maxOutput: number,
    private readonly emit: (bytes: Uint8Array) => void,
  ) {}

  run(): void {
    try {
      for (let last = 0; !last; ) {
        last = this.bits(1);
        const type = this.bits(2);
        if (type === 0) this.storedBlock();
        else if (type === 1) this.codedBlock(fixedHuffman().literals, fixedHuffman().distances);
        else if (type === 2) this.dynamicBlock();
        else corrupt();
      }
    } catch (error) {
      if (!(error instanceof OutputLimitReached)) throw error;
    }
    this.flush();
  }

  private bits(count: number): number {
    while (this.bitCount < count) {
      if (this.offset >= this.input.length) throw undecodable();
      this.bitBuffer |= this.input[this.offset++]! << this.bitCount;
      this.bitCount += 8;
    }
    const value = this.bitBuffer & ((1 << count) - 1);
    this.bitBuffer >>>= count;
    this.bitCount -= count;
    return value;
  }

  private symbol({ table, bits }: Huffman): number {
    // Near the end of the input the last code may be shorter than `bits`: pad with zeros.
    while (this.bitCount < bits && this.offset < this.input.length) {
      this.bitBuffer |= this.input[this.offset++]! << this.bitCount;
      this.bitCount += 8;
    }
    const entry = table[this.bitBuffer & ((1 << bits) - 1)]!;
    const length = entry & 15;
    if (length > this.bitCount) throw undecodable();
    if (length === 0) corrupt();
    this.bitBuffer >>>= length;
    this.bitCount -= length;
    return entry >> 4;
  }

  private storedBlock(): void {
    // Stored blocks start at the next byte boundary; whole bytes read ahead are given back.
    this.offset -= this.bitCount >> 3;
    this.bitBuffer = 0;
    this.bitCount = 0;
    const length = this.input[this.offset]! | (this.input[this.offset + 1]! << 8);
    const check = this.input[this.offset + 2]! | (this.input[this.offset + 3]! << 8);
    if (this.offset + 4 > this.input.length) throw undecodable();
    if ((length ^ 0xffff) !== check) corrupt();
    this.offset += 4;
    if (this.offset + length > this.input.length) throw undecodable();
    for (let copied = 0; copied < length; ) {
      this.makeRoom();
      const take = Math.min(length - copied, this.window.length - MAX_MATCH - this.position);
      this.window.set(this.input.subarray(this.offset, this.offset + take), this.position);
      this.position += take;
      this.offset += take;
      copied += take;
    }
  }

  private dynamicBlock(): void {
    const literalCount = this.bits(5) + 257;
    const distanceCount = this.bits(5) + 1;
    const codeLengthCount = this.bits(4) + 4;
    const codeLengthLengths = new Uint8Array(19);
    for (let index = 0; index < codeLengthCount; index++) {
      codeLengthLengths[CODE_LENGTH_ORDER[index]!] = this.bits(3);
    }
    const codeLengths = buildHuffman(codeLengthLengths);
    const lengths = new Uint8Array(literalCount + distanceCount);
    for (let index = 0; index < lengths.length; ) {
      const symbol = this.symbol(codeLengths);
      if (symbol < 16) {
        lengths[index++] = symbol;
        continue;
      }
      if (symbol === 16 && index === 0) corrupt();
      const [value, repeat] =
        symbol === 16
          ? [lengths[index - 1]!, 3 + this.bits(2)]
          : [0, symbol === 17 ? 3 + this.bits(3) : 11 + this.bits(7)];
      if (index + repeat > lengths.length) corrupt();
      lengths.fill(value, index, index + repeat);
      index += repeat;
    }
    const literals = buildHuffman(lengths.subarray(0, literalCount));
    this.codedBlock(literals, buildHuffman(lengths.subarray(literalCount)));
  }

  private codedBlock(literals: Huffman, distances: Huffman): void {
    const window = this.window;
    const roomLimit = window.length - MAX_MATCH;
    for (;;) {
      if (this.position >= roomLimit) this.makeRoom();
      const symbol = this.symbol(literals);
      if (symbol < 256) {
        window[this.position++] = symbol;
        continue;
      }
      if (symbol === 256) return;
      const code = symbol - 257;
      if (code >= 29) corrupt();
      const length = LENGTH_BASE[code]! + this.bits(LENGTH_EXTRA[code]!);
      const distanceCode = this.symbol(distances);
      if (distanceCode >= 30) corrupt();
      const distance = DISTANCE_BASE[distanceCode]! + this.bits(DISTANCE_EXTRA[distanceCode]!);
      if (distance > this.total + this.position) corrupt();
      const end = this.position + length;
      for (let at = this.position; at < end; at++) window[at] = window[at - distance]!;
      this.position = end;
    }
  }

  /** Keeps room for one more match: hands on the output and slides the last 32 KB down. */
  private makeRoom(): void {
    if (this.position < this.window.length - MAX_MATCH) return;
    this.flush();
    this.window.copyWithin(0, this.position - WINDOW, this.position);
    this.total += this.position - WINDOW;
    this.position = WINDOW;
    this.flushed = WINDOW;
    if (this.total >= this.maxOutput) throw new OutputLimitReached();
  }

  private flush(): void {
    if (this.position > this.flushed) this.emit(this.window.subarray(this.flushed, this.position));
    this.flushed = this.position;
  }
}
