// One Outgate under steady load for longer than its minute timers (the unusual-volume sweep, compaction),
// measured in consecutive slices: a slice whose throughput drops or whose slowest answer jumps shows what
// the once-a-minute work costs the thread that answers Postfix. Each slice's ratio is to the median slice.
//
//   npx tsx bench/policy/sustained.ts [--slices 16] [--slice 5] [--senders 100000] [--conns 8]
import { parseArgs } from 'node:util';
import { runLoad } from './load.js';
import { HOST } from './servers/common.js';
import { outgate } from './servers/outgate.js';
import { median as medianOf, positive } from './stats.js';

const { values: flags } = parseArgs({
  options: {
    slices: { type: 'string', default: '16' },
    slice: { type: 'string', default: '5' },
    senders: { type: 'string', default: '100000' },
    conns: { type: 'string', default: '8' },
  },
});
const slices = positive(flags.slices);
const sliceMs = positive(flags.slice) * 1000;
const senders = positive(flags.senders);
const conns = positive(flags.conns);
if ([slices, sliceMs, senders, conns].some(Number.isNaN)) {
  console.error('usage: npx tsx bench/policy/sustained.ts [--slices N] [--slice SECONDS] [--senders N] [--conns N]');
  process.exit(2);
}

const server = await outgate.start({ recipientsPerHour: 10_000 });
const started = performance.now();
const rows: Array<{ at: number; dps: number; p99Ms: number; maxMs: number }> = [];
try {
  for (let i = 0; i < slices; i++) {
    const r = await runLoad({
      host: HOST,
      port: server.port,
      connections: conns,
      senders,
      warmupMs: 0,
      durationMs: sliceMs,
      seed: 0x5eed + i,
    });
    rows.push({
      at: (performance.now() - started) / 1000,
      dps: r.decisionsPerSec,
      p99Ms: r.latency.p99Us / 1000,
      maxMs: r.latency.maxUs / 1000,
    });
  }
} finally {
  await server.stop();
}
const median = medianOf(rows.map((r) => r.dps));
console.log(
  `${slices} slices of ${sliceMs / 1000} s, ${conns} connections, ${senders} senders; median slice ${median.toFixed(0)} decisions/s`,
);
console.log('| slice ends at | decisions/s | ratio to median slice | p99 | slowest answer |');
console.log('|---:|---:|---:|---:|---:|');
for (const r of rows)
  console.log(
    `| ${r.at.toFixed(0)} s | ${r.dps.toFixed(0)} | ${(r.dps / median).toFixed(2)} | ${r.p99Ms.toFixed(1)} ms | ${r.maxMs.toFixed(0)} ms |`,
  );
