// Bounded soak: Outgate under a steady policy load for N minutes, sampled every interval: decisions/s,
// latency (p50/p99), resident memory, open file descriptors and errors. Prints one row per interval and
// the last interval against the first (drift), so a leak of memory, descriptors or speed shows as a ratio.
import { readdirSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { runLoad } from '../policy/load.js';
import { HOST } from '../policy/servers/common.js';
import { outgate } from '../policy/servers/outgate.js';

const { values: flags } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' },
    interval: { type: 'string', default: '30' },
    conns: { type: 'string', default: '8' },
    senders: { type: 'string', default: '100000' },
  },
});
const minutes = Number(flags.minutes);
const intervalMs = Number(flags.interval) * 1000;
const connections = Number(flags.conns);
const senders = Number(flags.senders);
if (!(minutes > 0 && intervalMs >= 1000 && connections > 0 && senders > 0)) {
  console.error('usage: npx tsx bench/soak/run.ts [--minutes 10] [--interval 30] [--conns 8] [--senders 100000]');
  process.exit(2);
}

interface Row {
  at: number;
  decisionsPerSec: number;
  p50: number;
  p99: number;
  rssMb: number;
  fds: number;
  errors: number;
}

const rssMb = (pid: number): number => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'latin1'))?.[1] ?? NaN) / 1024;
const fds = (pid: number): number => readdirSync(`/proc/${pid}/fd`).length;

// Limits far above what the soak sends: the admit path is what runs for hours in production.
const server = await outgate.start({ recipientsPerHour: 10_000 });
const rows: Row[] = [];
const started = Date.now();
try {
  console.log(`soak: ${minutes} min, ${connections} connections, ${senders} senders, a sample every ${intervalMs / 1000} s (pid ${server.pid})`);
  console.log('| min | decisions/s | p50 ms | p99 ms | RSS MB | fds | errors |');
  console.log('|---:|---:|---:|---:|---:|---:|---:|');
  for (let i = 0; Date.now() - started < minutes * 60_000; i++) {
    // A new seed each interval: senders keep arriving as they would over a day, and old ones age out.
    // The first interval starts after a warm-up (JIT, caches), so drift compares steady states.
    const r = await runLoad({ host: HOST, port: server.port, connections, senders, warmupMs: i === 0 ? 5_000 : 0, durationMs: intervalMs, seed: 1 + i });
    const e = r.errors;
    const row: Row = {
      at: (Date.now() - started) / 60_000,
      decisionsPerSec: r.decisionsPerSec,
      p50: r.latency.p50Us / 1000,
      p99: r.latency.p99Us / 1000,
      rssMb: rssMb(server.pid),
      fds: fds(server.pid),
      errors: e.malformed + e.timeouts + e.disconnects + e.connectFailures + r.nonAdmit,
    };
    rows.push(row);
    console.log(`| ${row.at.toFixed(1)} | ${Math.round(row.decisionsPerSec)} | ${row.p50.toFixed(2)} | ${row.p99.toFixed(2)} | ${row.rssMb.toFixed(0)} | ${row.fds} | ${row.errors} |`);
  }
} finally {
  await server.stop();
}

const first = rows[0]!;
const last = rows.at(-1)!;
const ratio = (a: number, b: number): string => (b > 0 ? `${(a / b).toFixed(2)}×` : 'n/a');
console.log(
  `\ndrift (last interval / first): decisions/s ${ratio(last.decisionsPerSec, first.decisionsPerSec)}, p99 ${ratio(last.p99, first.p99)}, ` +
    `RSS ${ratio(last.rssMb, first.rssMb)} (max ${Math.max(...rows.map((r) => r.rssMb)).toFixed(0)} MB), fds ${first.fds} → ${last.fds}, errors ${rows.reduce((n, r) => n + r.errors, 0)}`,
);
