// Two builds of Outgate against each other, and optionally the do-nothing server: each run starts a fresh
// server, warms it, measures it, and stops it; the order rotates every round, and ratios are taken within
// a round (runs minutes apart on this kind of machine differ by ±30 %, runs seconds apart far less).
// Prints each round's decisions/s, the per-round ratios and their medians, and the server's CPU per
// decision (whole process and main thread, from /proc). For "did this change cost throughput".
// `--base` naming this tree itself is the A/A check: how far apart two identical builds come out.
//
//   npx tsx bench/policy/ab.ts --base /path/to/other/checkout [--do-nothing] [--rounds 8] [--warmup 8] [--measure 12] [--senders 100000] [--conns 8]
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { runLoad } from './load.js';
import { threadCpuSeconds } from './proc.js';
import { HOST, type ServerSpec } from './servers/common.js';
import { doNothing } from './servers/index.js';
import { outgateAt } from './servers/outgate.js';
import { median, positive } from './stats.js';

const { values: flags } = parseArgs({
  options: {
    base: { type: 'string' },
    'do-nothing': { type: 'boolean', default: false },
    rounds: { type: 'string', default: '8' },
    warmup: { type: 'string', default: '8' },
    measure: { type: 'string', default: '12' },
    senders: { type: 'string', default: '100000' },
    conns: { type: 'string', default: '8' },
  },
});
const rounds = positive(flags.rounds);
const warmupMs = positive(flags.warmup) * 1000;
const measureMs = positive(flags.measure) * 1000;
const senders = positive(flags.senders);
const conns = positive(flags.conns);
if (!flags.base || [rounds, warmupMs, measureMs, senders, conns].some(Number.isNaN)) {
  console.error('usage: npx tsx bench/policy/ab.ts --base DIR [--do-nothing] [--rounds N] [--warmup S] [--measure S] [--senders N] [--conns N]');
  process.exit(2);
}

interface Contender {
  readonly name: string;
  readonly spec: ServerSpec;
  readonly dps: number[];
  readonly cpuUs: number[];
  readonly mainUs: number[];
}
const contender = (name: string, spec: ServerSpec): Contender => ({ name, spec, dps: [], cpuUs: [], mainUs: [] });
const contenders = [contender('this tree', outgateAt(fileURLToPath(new URL('../../', import.meta.url)), 'this tree')), contender('base', outgateAt(flags.base, 'base'))];
if (flags['do-nothing']) contenders.push(contender('do-nothing', doNothing));

for (let round = 0; round < rounds; round++) {
  // Each contender goes first, second, … equally often.
  const order = contenders.map((_, i) => contenders[(i + round) % contenders.length]!);
  for (const c of order) {
    const server = await c.spec.start({ recipientsPerHour: 10_000 });
    try {
      const load = { host: HOST, port: server.port, connections: conns, senders };
      await runLoad({ ...load, warmupMs: 0, durationMs: warmupMs, seed: 0x5eed + round });
      let cpu0 = 0,
        main0 = 0,
        cpu1 = 0,
        main1 = 0;
      const r = await runLoad({
        ...load,
        warmupMs: 0,
        durationMs: measureMs,
        seed: 0xab + round,
        onWindow: (edge) => {
          const cpu = threadCpuSeconds(server.pid);
          const main = threadCpuSeconds(server.pid, server.pid);
          if (edge === 'start') [cpu0, main0] = [cpu, main];
          else [cpu1, main1] = [cpu, main];
        },
      });
      if (r.nonAdmit > 0 || r.errors.timeouts + r.errors.disconnects + r.errors.malformed > 0) throw new Error(`${c.name}: not all admitted: ${JSON.stringify(r.errors)}, ${r.nonAdmit} refused`);
      c.dps.push(r.decisionsPerSec);
      c.cpuUs.push(((cpu1 - cpu0) / r.decisions) * 1e6);
      c.mainUs.push(((main1 - main0) / r.decisions) * 1e6);
      console.error(`round ${round + 1}/${rounds}: ${c.name} ${r.decisionsPerSec.toFixed(0)} decisions/s`);
    } finally {
      await server.stop();
    }
  }
}

const [mine, base] = contenders as [Contender, Contender];
const reference = contenders[2];
console.log(`${rounds} rounds (fresh server per run, ${warmupMs / 1000} s warm-up, ${measureMs / 1000} s measured), ${conns} connections, ${senders} senders; base: ${flags.base}`);
console.log('| server | decisions/s, median | CPU per decision, median | main thread per decision, median |');
console.log('|---|---:|---:|---:|');
for (const c of contenders) console.log(`| ${c.name} | ${median(c.dps).toFixed(0)} | ${median(c.cpuUs).toFixed(1)} µs | ${median(c.mainUs).toFixed(1)} µs |`);
const ratios = (a: Contender, b: Contender): number[] => a.dps.map((x, i) => x / b.dps[i]!);
const line = (label: string, r: number[]): void =>
  console.log(`${label}, per round: median ${median(r).toFixed(3)}, above 1 in ${r.filter((x) => x > 1).length} of ${r.length}: ${r.map((x) => x.toFixed(2)).join(' ')}`);
line('this tree / base', ratios(mine, base));
if (reference) {
  line('this tree / do-nothing', ratios(mine, reference));
  line('base / do-nothing', ratios(base, reference));
}
