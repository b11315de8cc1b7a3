// A Bloom filter of sender keys: "certainly absent" or "maybe present". The counters ask the store
// for a sender's windows the first time they meet it; at 100k senders most are met for the first
// time of the day and the store has nothing for them, and that empty point query was a tenth of the
// thread answering Postfix. A miss here skips it. Written here rather than taken from a package: it
// is forty lines on the hot path, and the packages hash through generic byte arrays.

/** Bits per expected key and probes per key: about 0.25 % false positives at the expected count. */
const BITS_PER_KEY = 16;
const PROBES = 4;

export class SenderFilter {
  /** How many keys it was sized for; past it the false-positive rate climbs and it should be rebuilt. */
  readonly capacity: number;
  private readonly mask: number;

  private constructor(readonly words: Uint32Array) {
    this.mask = words.length * 32 - 1;
    this.capacity = (words.length * 32) / BITS_PER_KEY;
  }

  /** A filter for about `keys` keys (a power of two of bits, at least 2^16). */
  static forKeys(keys: number): SenderFilter {
    let bits = 1 << 16;
    while (bits < keys * BITS_PER_KEY && bits < 1 << 30) bits *= 2;
    return new SenderFilter(new Uint32Array(bits / 32));
  }

  /** A filter over bits built elsewhere (a worker thread), e.g. from `words` of a filter there. */
  static fromWords(words: Uint32Array): SenderFilter {
    const n = words.length;
    if (n < 2 || (n & (n - 1)) !== 0) throw new RangeError(`a sender filter has a power of two of words, not ${n}`);
    return new SenderFilter(words);
  }

  add(key: string): void {
    const [h1, h2] = hashes(key);
    for (let i = 0; i < PROBES; i++) {
      const bit = (h1 + i * h2) & this.mask;
      this.words[bit >>> 5]! |= 1 << (bit & 31);
    }
  }

  mightHave(key: string): boolean {
    const [h1, h2] = hashes(key);
    for (let i = 0; i < PROBES; i++) {
      const bit = (h1 + i * h2) & this.mask;
      if ((this.words[bit >>> 5]! & (1 << (bit & 31))) === 0) return false;
    }
    return true;
  }

  /** Adds every key of `other`, a filter of the same size. */
  addAll(other: SenderFilter): void {
    if (other.words.length !== this.words.length) throw new RangeError('sender filters of different sizes');
    for (let i = 0; i < this.words.length; i++) this.words[i]! |= other.words[i]!;
  }
}

const pair: [number, number] = [0, 0];

/**
 * Two 32-bit hashes of the UTF-16 code units in one pass (FNV-1a, and a multiply-xorshift), combined
 * as h1 + i·h2 (Kirsch and Mitzenmacher: as good as independent hashes for a Bloom filter). h2 is odd
 * so the probes of one key never all land on one bit.
 */
function hashes(key: string): [number, number] {
  let a = 0x811c9dc5;
  let b = 0x9e3779b9;
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 15;
  }
  b = Math.imul(b ^ (b >>> 13), 0xc2b2ae35);
  pair[0] = a >>> 0;
  pair[1] = ((b ^ (b >>> 16)) | 1) >>> 0;
  return pair;
}
