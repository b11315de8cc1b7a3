// Runs the policy benchmark matrix (servers × connections × senders) in one run; prints a markdown table and writes JSON to bench/.work/.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, release, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { checkLimit, type LimitCheck } from './limit-check.js';
import { StartFailed, live, measurePoint } from './measure.js';
import { configLines, notes, pickMedian, table, type Point } from './report.js';
import { SERVERS } from './servers/index.js';

const { values: flags } = parseArgs({
  options: {
    duration: { type: 'string', default: '5' },
    warmup: { type: 'string', default: '2' },
    servers: { type: 'string', default: SERVERS.map((s) => s.name).join(',') },
    conns: { type: 'string', default: '1,8,32' },
    senders: { type: 'string', default: '1000,100000' },
    limit: { type: 'string', default: '10000' },
    repeat: { type: 'string', default: '1' },
    'no-check-limits': { type: 'boolean', default: false },
  },
});

const list = (s: string): number[] =>
  s
    .split(',')
    .map((x) => Number(x.trim()))
    .filter((n) => Number.isInteger(n) && n > 0);
const durationMs = Number(flags.duration) * 1000;
const warmupMs = Number(flags.warmup) * 1000;
const connsList = list(flags.conns);
const sendersList = list(flags.senders);
const limit = Number(flags.limit);
const repeat = Number(flags.repeat);
const names = flags.servers
  .split(',')
  .map((s) => s.trim())
  .filter(Boolean);
const unknown = names.filter((n) => !SERVERS.some((s) => s.name === n));
if (unknown.length > 0) {
  console.error(`unknown server(s): ${unknown.join(', ')}; known: ${SERVERS.map((s) => s.name).join(', ')}`);
  process.exit(2);
}
if (!(
  durationMs > 0 &&
  warmupMs >= 0 &&
  connsList.length &&
  sendersList.length &&
  limit > 0 &&
  Number.isInteger(repeat) &&
  repeat >= 1 &&
  repeat <= 20
)) {
  console.error('bad --duration/--warmup/--conns/--senders/--limit/--repeat');
  process.exit(2);
}
const specs = SERVERS.filter((s) => names.includes(s.name));

for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    console.error(`\n${sig}: stopping the server under test`);
    void (live.server?.stop() ?? Promise.resolve()).finally(() => process.exit(130));
  });
}

function loud(msg: string): void {
  const bar = '!'.repeat(Math.min(100, msg.length + 8));
  console.error(`\n${bar}\n!!! ${msg}\n${bar}\n`);
}

// 1. Each limiting server must really enforce its limit, else its numbers would be for a no-op rule.
const checks: LimitCheck[] = [];
if (!flags['no-check-limits']) {
  for (const spec of specs.filter((s) => s.name !== 'do-nothing')) {
    const c = await checkLimit(spec);
    checks.push(c);
    if (c.error) loud(`limit check ${spec.name}: could not run: ${c.error}`);
    else if (c.firstNonAdmitAt === null) loud(`limit check ${spec.name}: limit ${c.limit} never enforced in ${c.requests} requests`);
    else console.error(`limit check ${spec.name}: limit ${c.limit} enforced at request ${c.firstNonAdmitAt}: ${c.action}`);
  }
}

// 2. Matrix. Servers innermost (and repeats outermost) so the servers compared at a point ran under the same machine conditions.
const points: Point[] = [];
for (const senders of sendersList)
  for (const conns of connsList) for (const spec of specs) points.push({ server: spec.name, conns, senders, runs: [] });
const skipped = new Map<string, string>();
const total = points.length * repeat;
let n = 0;
for (let round = 0; round < repeat; round++) {
  for (const p of points) {
    n++;
    const spec = specs.find((s) => s.name === p.server);
    if (!spec) continue;
    const why = skipped.get(spec.name);
    if (why) {
      p.error = `SKIPPED: ${why}`;
      continue;
    }
    process.stderr.write(`[${n}/${total}] ${spec.name} conns=${p.conns} senders=${p.senders} … `);
    try {
      const m = await measurePoint({ spec, conns: p.conns, senders: p.senders, warmupMs, durationMs, recipientsPerHour: limit });
      p.runs.push(m);
      const r = m.result;
      process.stderr.write(`${Math.round(r.decisionsPerSec)}/s p50 ${r.latency.p50Us} µs p99 ${r.latency.p99Us} µs\n`);
    } catch (e) {
      const msg = (e as Error).message;
      process.stderr.write(`${e instanceof StartFailed ? 'start failed' : 'error'}\n`);
      if (e instanceof StartFailed) {
        // A server that cannot start will not start at the next point either: say so loudly once, then skip it.
        skipped.set(spec.name, msg);
        p.error = `SKIPPED: start failed: ${msg}`;
        loud(`SKIPPING ${spec.name} for the rest of the run: start failed: ${msg}`);
      } else {
        p.error = `error: ${msg}`;
      }
    }
  }
}
for (const p of points) if (p.runs.length > 0) pickMedian(p);

// 3. Report.
const md = table(points);
const noteLines = notes(points, { limit, warmupMs, durationMs });
console.log(`\n${md}\n\n${noteLines.map((l) => `- ${l}`).join('\n')}\n\n${configLines(specs).join('\n')}`);
for (const [name, why] of skipped) loud(`${name} was SKIPPED: ${why}`);
const nonAdmit = points.flatMap((p) => p.runs).reduce((a, m) => a + m.result.nonAdmit, 0);
if (nonAdmit > 0) loud(`${nonAdmit} replies were not DUNNO/OK: some server was not on its admit path`);

const outDir = fileURLToPath(new URL('../.work/', import.meta.url));
mkdirSync(outDir, { recursive: true });
const json = `${JSON.stringify(
  {
    createdAt: new Date().toISOString(),
    machine: { node: process.version, cpus: cpus().length, cpuModel: cpus()[0]?.model, kernel: release(), tmpdir: tmpdir() },
    options: { durationMs, warmupMs, conns: connsList, senders: sendersList, recipientsPerHourLimit: limit, repeat },
    servers: specs.map((s) => ({ name: s.name, config: s.config, skipped: skipped.get(s.name) ?? null })),
    limitChecks: checks,
    points,
    table: md,
    notes: noteLines,
  },
  null,
  2,
)}\n`;
const file = join(outDir, `policy-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
writeFileSync(file, json);
writeFileSync(join(outDir, 'policy-latest.json'), json);
console.log(`\nJSON: ${file}`);
