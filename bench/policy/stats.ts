// Latency samples (ns) kept raw in a growable Float64Array so percentiles are exact, not bucketed.

export class Samples {
  private buf = new Float64Array(1 << 16);
  length = 0;

  push(ns: number): void {
    if (this.length === this.buf.length) {
      const next = new Float64Array(this.buf.length * 2);
      next.set(this.buf);
      this.buf = next;
    }
    this.buf[this.length++] = ns;
  }

  view(): Float64Array {
    return this.buf.subarray(0, this.length);
  }

  static merge(...parts: Samples[]): Samples {
    const out = new Samples();
    for (const p of parts) for (const v of p.view()) out.push(v);
    return out;
  }
}

export interface LatencySummary {
  n: number;
  p50Us: number;
  p99Us: number;
  meanUs: number;
  maxUs: number;
}

/** Nearest-rank percentiles in µs with 0.1 µs resolution (hrtime gives ns; more digits would be noise). */
export function summarize(s: Samples): LatencySummary {
  const v = Float64Array.from(s.view()).sort();
  const n = v.length;
  if (n === 0) return { n, p50Us: NaN, p99Us: NaN, meanUs: NaN, maxUs: NaN };
  const at = (q: number): number => v[Math.min(n - 1, Math.ceil(q * n) - 1)] ?? NaN;
  let sum = 0;
  for (const x of v) sum += x;
  const us = (ns: number): number => Math.round(ns / 100) / 10;
  return { n, p50Us: us(at(0.5)), p99Us: us(at(0.99)), meanUs: us(sum / n), maxUs: us(v[n - 1] ?? NaN) };
}

export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const n = s.length;
  return n % 2 ? s[(n - 1) / 2]! : (s[n / 2 - 1]! + s[n / 2]!) / 2;
}

/** A command-line number that must be above 0; NaN otherwise, for the caller's usage message. */
export function positive(flag: string | undefined): number {
  const n = Number(flag);
  return n > 0 ? n : NaN;
}
