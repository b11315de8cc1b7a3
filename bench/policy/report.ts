// Markdown table and notes for a finished matrix; ratios are against do-nothing at the same (conns, senders) point.
import { cpus } from 'node:os';
import { type Measurement } from './measure.js';
import { type ServerSpec } from './servers/common.js';

export interface Point {
  server: string;
  conns: number;
  senders: number;
  runs: Measurement[];
  /** The run with the median decisions/s; what the table shows. */
  median?: Measurement;
  error?: string;
}

export function pickMedian(p: Point): void {
  const sorted = [...p.runs].sort((a, b) => a.result.decisionsPerSec - b.result.decisionsPerSec);
  p.median = sorted[Math.floor((sorted.length - 1) / 2)];
}

const fmt = (n: number | undefined, digits = 0): string =>
  n === undefined || !Number.isFinite(n)
    ? '–'
    : n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const ratio = (a: number | undefined, b: number | undefined): string => (a && b ? `${(a / b).toFixed(2)}×` : '–');

export function table(points: Point[]): string {
  const repeats = Math.max(1, ...points.map((p) => p.runs.length));
  const rows = [
    `| senders | conns | server | decisions/s${repeats > 1 ? ' (median; min–max)' : ''} | × do-nothing | p50 µs | p99 µs | p99 × do-nothing | errors | server CPU | generator CPU | irq CPU | other CPU |`,
    '|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const p of points) {
    const m = p.median;
    const base = points.find((q) => q.server === 'do-nothing' && q.conns === p.conns && q.senders === p.senders)?.median?.result;
    if (!m) {
      rows.push(`| ${p.senders} | ${p.conns} | ${p.server} | **${p.error ?? 'no result'}** | | | | | | | | | |`);
      continue;
    }
    const r = m.result;
    const e = r.errors;
    const errs = e.malformed + e.timeouts + e.disconnects + e.connectFailures;
    const rates = p.runs.map((x) => x.result.decisionsPerSec);
    const spread = p.runs.length > 1 ? ` (${fmt(Math.min(...rates))}–${fmt(Math.max(...rates))})` : '';
    rows.push(
      `| ${p.senders} | ${p.conns} | ${p.server} | ${fmt(r.decisionsPerSec)}${spread} | ${ratio(r.decisionsPerSec, base?.decisionsPerSec)} | ` +
        `${fmt(r.latency.p50Us, 1)} | ${fmt(r.latency.p99Us, 1)} | ${ratio(r.latency.p99Us, base?.latency.p99Us)} | ${errs} | ` +
        `${fmt(m.serverCpuPct)}% | ${fmt(r.generatorCpuPct)}% | ${fmt(m.irqCpuPct)}% | ${fmt(m.otherCpuPct)}% |`,
    );
  }
  return rows.join('\n');
}

export function notes(points: Point[], o: { limit: number; warmupMs: number; durationMs: number }): string[] {
  const runs = points.flatMap((p) => p.runs);
  const maxRcpt = Math.max(0, ...runs.map((m) => m.result.maxRecipientsPerSender));
  const nonAdmit = runs.reduce((a, m) => a + m.result.nonAdmit, 0);
  const steal = Math.max(0, ...runs.map((m) => m.stealPct));
  return [
    `Limits: every limiting server enforces ${o.limit} recipients/hour per sasl_username (Outgate: ${o.limit}/h internal, ${o.limit}/h external, ${o.limit}/day). ` +
      `The most recipients any one sender got in one point (warm-up included) was ${maxRcpt}, so no sender could trip; ` +
      `non-DUNNO replies in the measured windows: ${nonAdmit}${nonAdmit ? ' — WARNING: some replies were not on the admit path' : ' (every decision was on the admit path)'}.`,
    `Each point: fresh server, ${o.warmupMs / 1000} s warm-up (not counted), ${o.durationMs / 1000} s measured; closed loop, one request in flight per connection; ` +
      'per message 2 RCPT requests (1 internal, 1 external recipient) + 1 END-OF-MESSAGE; senders uniform over the pool.',
    `CPU columns are % of one core over the window (${cpus().length} cores here, shared by generator and server). irq = softirq/irq time (loopback TCP); ` +
      `other = task time of any other process on the box (a high value flags a disturbed point). Max hypervisor steal in a window: ${fmt(steal, 1)}% of one core.`,
  ];
}

export function configLines(specs: readonly ServerSpec[]): string[] {
  return specs.map((s) => `- **${s.name}**: ${s.config}`);
}
