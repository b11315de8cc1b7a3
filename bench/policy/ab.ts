// Two builds of Outgate side by side: both servers up at once, the load alternating between them in short
// slices (ABBA order), so a machine whose speed drifts between runs (a shared host, a hypervisor taking
// time) slows both alike. Prints each slice's ratio of decisions/s, the medians, and the server's CPU per
// decision, whole process and main thread (from /proc). For "did this change cost throughput".
//
//   npx tsx bench/policy/ab.ts --base /path/to/other/checkout [--slices 20] [--slice 3] [--senders 100000] [--conns 8]
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { runLoad } from './load.js';
import { HOST } from './servers/common.js';
import { outgateAt } from './servers/outgate.js';

const { values: flags } = parseArgs({
  options: {
    base: { type: 'string' },
    slices: { type: 'string', default: '20' },
    slice: { type: 'string', default: '3' },
    senders: { type: 'string', default: '100000' },
    conns: { type: 'string', default: '8' },
  },
});
const slices = Number(flags.slices);
const sliceMs = Number(flags.slice) * 1000;
const senders = Number(flags.senders);
const conns = Number(flags.conns);
if (!flags.base || !(slices > 0) || !(sliceMs > 0) || !(senders > 0) || !(conns > 0)) {
  console.error('usage: npx tsx bench/policy/ab.ts --base DIR [--slices N] [--slice SECONDS] [--senders N] [--conns N]');
  process.exit(2);
}

const CLK_TCK = 100;
/** CPU seconds of one thread, or of every thread of the process. */
function cpu(pid: number, tid?: number): number {
  let ticks = 0;
  for (const t of tid === undefined ? readdirSync(`/proc/${pid}/task`) : [String(tid)]) {
    const s = readFileSync(`/proc/${pid}/task/${t}/stat`, 'latin1');
    const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
    ticks += Number(f[11]) + Number(f[12]);
  }
  return ticks / CLK_TCK;
}
const median = (a: number[]): number => {
  const s = [...a].sort((x, y) => x - y);
  const n = s.length;
  return n % 2 ? s[(n - 1) / 2]! : (s[n / 2 - 1]! + s[n / 2]!) / 2;
};

const trees = [
  { name: 'this tree', root: fileURLToPath(new URL('../../', import.meta.url)) },
  { name: 'base', root: flags.base },
];
const servers = [];
for (const t of trees) {
  const running = await outgateAt(t.root, t.name).start({ recipientsPerHour: 10_000 });
  servers.push({ ...t, running, dps: [] as number[], cpuUs: [] as number[], mainUs: [] as number[] });
}
try {
  // Slice -1 warms both up and is not counted.
  for (let i = -1; i < slices; i++) {
    for (const s of i % 2 === 0 ? servers : [...servers].reverse()) {
      const pid = s.running.pid;
      let c0 = 0,
        m0 = 0,
        c1 = 0,
        m1 = 0;
      const r = await runLoad({
        host: HOST,
        port: s.running.port,
        connections: conns,
        senders,
        warmupMs: 500,
        durationMs: sliceMs,
        seed: 0x5eed + i * 2 + servers.indexOf(s),
        onWindow: (edge) => (edge === 'start' ? ((c0 = cpu(pid)), (m0 = cpu(pid, pid))) : ((c1 = cpu(pid)), (m1 = cpu(pid, pid)))),
      });
      if (i < 0) continue;
      s.dps.push(r.decisionsPerSec);
      s.cpuUs.push(((c1 - c0) / r.decisions) * 1e6);
      s.mainUs.push(((m1 - m0) / r.decisions) * 1e6);
    }
  }
} finally {
  for (const s of servers) await s.running.stop();
}
const [a, b] = servers as [(typeof servers)[0], (typeof servers)[0]];
const ratios = a.dps.map((x, i) => x / b.dps[i]!);
console.log(`${slices} slices of ${sliceMs / 1000} s per build, ${conns} connections, ${senders} senders (base: ${b.root})`);
console.log('| build | decisions/s, median | CPU per decision, median | main thread per decision, median |');
console.log('|---|---:|---:|---:|');
for (const s of servers)
  console.log(`| ${s.name} | ${median(s.dps).toFixed(0)} | ${median(s.cpuUs).toFixed(1)} µs | ${median(s.mainUs).toFixed(1)} µs |`);
console.log(
  `this tree / base, per slice: median ${median(ratios).toFixed(3)}, higher in ${ratios.filter((x) => x > 1).length} of ${ratios.length}`,
);
console.log(ratios.map((x) => x.toFixed(2)).join(' '));
