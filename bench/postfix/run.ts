// Postfix end to end: smtp-source through a real private Postfix with the shipped policy snippet, for a
// do-nothing policy server, Outgate and no policy service, interleaved in one run; prints a markdown table, writes JSON to bench/.work/.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, release } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startPostfix, type PostfixInstance } from '../../test/support/postfix.js';
import { freePort, type RunningServer } from '../policy/servers/common.js';
import { doNothing } from '../policy/servers/index.js';
import {
  CONNECTOR,
  OUTGATE_CONFIG,
  cpuSnapshot,
  cpuUse,
  masterPid,
  runSmtpSource,
  smtpSourceArgs,
  startOutgate,
  waitQueueEmpty,
  type ConnectorTotals,
  type CpuUse,
  type OutgateInstance,
  type SourceRun,
} from './parts.js';

const CONFIG_NAMES = ['do-nothing', 'outgate', 'none'] as const;
type ConfigName = (typeof CONFIG_NAMES)[number];

const { values: flags } = parseArgs({
  options: {
    messages: { type: 'string', default: '2000' },
    sessions: { type: 'string', default: '8' },
    repeat: { type: 'string', default: '5' },
    warmup: { type: 'string', default: '500' },
    configs: { type: 'string', default: CONFIG_NAMES.join(',') },
    timeout: { type: 'string', default: '300' },
    'no-check': { type: 'boolean', default: false },
  },
});
const messages = Number(flags.messages);
const sessions = Number(flags.sessions);
const repeat = Number(flags.repeat);
const warmup = Number(flags.warmup);
const timeoutMs = Number(flags.timeout) * 1000;
const configNames = flags.configs
  .split(',')
  .map((s) => s.trim())
  .filter(Boolean) as ConfigName[];
const int = (n: number, lo: number, hi: number): boolean => Number.isInteger(n) && n >= lo && n <= hi;
if (
  !int(messages, 1, 1_000_000) ||
  !int(sessions, 1, 256) ||
  !int(repeat, 1, 50) ||
  !int(warmup, 0, 1_000_000) ||
  !(timeoutMs > 0 && timeoutMs <= 3_600_000) ||
  configNames.length === 0 ||
  configNames.some((c) => !CONFIG_NAMES.includes(c))
) {
  console.error(`bad flags; --configs is a list of ${CONFIG_NAMES.join(', ')}`);
  process.exit(2);
}
if (process.getuid?.() !== 0) {
  console.error('needs root (a private Postfix instance)');
  process.exit(2);
}

/** Policy replaced by discard delivery: the queue stays cheap, so smtpd acceptance is what is measured. */
const EXTRA_MAIN_CF = 'default_transport = discard\nrelay_transport = discard\n';
const DRAIN_MS = 60_000;

const cleanups: (() => Promise<unknown>)[] = [];
async function cleanupAll(): Promise<void> {
  // Reverse order: Postfix instances before the policy servers they talk to.
  while (cleanups.length > 0)
    await cleanups
      .pop()?.()
      .catch((e: unknown) => console.error(`cleanup: ${(e as Error).message}`));
}
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    console.error(`\n${sig}: stopping what this run started`);
    void cleanupAll().finally(() => process.exit(130));
  });
}
const loud = (msg: string): void => {
  const bar = '!'.repeat(Math.min(100, msg.length + 8));
  console.error(`\n${bar}\n!!! ${msg}\n${bar}\n`);
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const okRun = (r: SourceRun): boolean => r.code === 0 && !r.timedOut && r.completed === r.messages;
const why = (r: SourceRun): string =>
  r.timedOut
    ? `timed out after ${timeoutMs / 1000} s`
    : `exit ${r.code ?? r.signal}, ${r.completed}/${r.messages} messages: ${r.stderr.split('\n')[0] ?? ''}`;

/** A relay port nothing listens on: with discard transports nothing connects; if something did, it would be deferred and the drain check fails. */
const deadRelayPort = await freePort();

// ------------------------------------------------------------------ 1. Outgate really counts the connector
interface LimitCheck {
  connectorLimitExternalPerHour: number;
  command: string;
  exitCode: number | null;
  accepted: number;
  rejection: string;
  blockedConnector: unknown;
  passed: boolean;
  error?: string;
}
let limitCheck: LimitCheck | null = null;
if (!flags['no-check']) {
  const limit = 5;
  const n = 10;
  let og: OutgateInstance | undefined;
  let pf: PostfixInstance | undefined;
  try {
    og = await startOutgate({ connectorLimitExternalPerHour: limit });
    pf = await startPostfix({ policyPort: og.port, relayPort: deadRelayPort, extraMainCf: EXTRA_MAIN_CF });
    const r = await runSmtpSource(pf.port, n, 1, 60_000);
    const blocked = await og.cmdlet(['Get-BlockedConnector', '--format', 'json']);
    const blockedJson = parseJson(blocked.stdout);
    const rejection = r.stderr.split('\n').find((l) => /\b[45]\d\d\b/.test(l)) ?? r.stderr.split('\n')[0] ?? '';
    limitCheck = {
      connectorLimitExternalPerHour: limit,
      command: `smtp-source ${smtpSourceArgs(pf.port, n, 1).join(' ')}`,
      exitCode: r.code,
      accepted: r.completed,
      rejection,
      blockedConnector: blockedJson,
      passed: r.code !== 0 && r.completed === limit && /\b5\d\d\b/.test(rejection) && JSON.stringify(blockedJson).includes(CONNECTOR),
    };
  } catch (e) {
    limitCheck = {
      connectorLimitExternalPerHour: limit,
      command: '',
      exitCode: null,
      accepted: 0,
      rejection: '',
      blockedConnector: null,
      passed: false,
      error: (e as Error).message,
    };
  } finally {
    await pf?.stop();
    await og?.stop();
  }
  if (limitCheck.passed) {
    console.error(
      `limit check: connector limit ${limit} external/hour: ${limitCheck.accepted} messages accepted, then smtp-source stopped: ${limitCheck.rejection}; ` +
        `Get-BlockedConnector lists ${CONNECTOR}`,
    );
  } else loud(`limit check FAILED: ${JSON.stringify(limitCheck)}`);
}

// ------------------------------------------------------------------ 2. Instances: one Postfix per configuration, same settings but the snippet
interface Config {
  name: ConfigName;
  describe: string;
  policy: RunningServer | OutgateInstance | null;
  postfix: PostfixInstance;
  master: number | null;
  warmup?: SourceRun;
  runs: { round: number; run: SourceRun; msgsPerSec: number; cpu: CpuUse; queueLeft: number }[];
}
const configs: Config[] = [];
let outgate: OutgateInstance | undefined;
try {
  for (const name of configNames) {
    let policy: RunningServer | OutgateInstance | null = null;
    if (name === 'do-nothing') {
      policy = await doNothing.start({ recipientsPerHour: 0 });
      const p = policy;
      cleanups.push(() => p.stop());
    } else if (name === 'outgate') {
      outgate = await startOutgate();
      const p = outgate;
      policy = p;
      cleanups.push(() => p.stop());
    }
    const postfix = await startPostfix({
      policyPort: policy?.port ?? 10040,
      relayPort: deadRelayPort,
      ...(name === 'none' ? { snippet: '' } : {}),
      extraMainCf: EXTRA_MAIN_CF,
    });
    cleanups.push(() => postfix.stop());
    const describe =
      name === 'none'
        ? 'Postfix without the policy snippet (no check_policy_service)'
        : name === 'do-nothing'
          ? 'Postfix + shipped snippet → bench/policy/servers/do-nothing.ts (answers action=DUNNO)'
          : `Postfix + shipped snippet → Outgate (\`node bin/outgate.js start\`), connector ${CONNECTOR} for 127.0.0.1, serviceLimits ${JSON.stringify(OUTGATE_CONFIG.serviceLimits)}`;
    configs.push({ name, describe, policy, postfix, master: masterPid(join(postfix.dir, 'queue')), runs: [] });
    console.error(`${name}: Postfix on 127.0.0.1:${postfix.port}${policy ? `, policy server on 127.0.0.1:${policy.port}` : ''}`);
  }

  const queueOf = (c: Config) => join(c.postfix.dir, 'queue');
  const settle = async (): Promise<void> => {
    for (const c of configs) {
      const left = await waitQueueEmpty(queueOf(c), DRAIN_MS);
      if (left > 0) loud(`${c.name}: ${left} queue files still there after ${DRAIN_MS / 1000} s (is delivery really discard?)`);
    }
    await sleep(500);
  };

  // ------------------------------------------------------------------ 3. Warm-up, then interleaved rounds
  if (warmup > 0) {
    for (const c of configs) {
      await settle();
      c.warmup = await runSmtpSource(c.postfix.port, warmup, sessions, timeoutMs);
      const r = c.warmup;
      console.error(`warm-up ${c.name}: ${warmup} messages in ${(r.wallMs / 1000).toFixed(2)} s${okRun(r) ? '' : ` — FAILED: ${why(r)}`}`);
      if (!okRun(r)) loud(`${c.name} warm-up failed: ${why(r)}`);
    }
  }
  for (let round = 1; round <= repeat; round++) {
    for (const c of configs) {
      await settle();
      const policyPid = c.policy?.pid ?? null;
      const a = cpuSnapshot(c.master, policyPid);
      const run = await runSmtpSource(c.postfix.port, messages, sessions, timeoutMs);
      const b = cpuSnapshot(c.master, policyPid);
      const cpu = cpuUse(a, b, run.wallMs);
      const queueLeft = await waitQueueEmpty(queueOf(c), DRAIN_MS);
      const msgsPerSec = okRun(run) ? (messages * 1000) / run.wallMs : NaN;
      c.runs.push({ round, run, msgsPerSec, cpu, queueLeft });
      console.error(
        `[round ${round}/${repeat}] ${c.name.padEnd(10)} ${okRun(run) ? `${msgsPerSec.toFixed(0)} msg/s (${(run.wallMs / 1000).toFixed(2)} s)` : `FAILED: ${why(run)}`}` +
          `  cpu: postfix ${cpu.postfixPct.toFixed(0)}% policy ${cpu.policyPct.toFixed(0)}% smtp-source ${cpu.smtpSourcePct.toFixed(0)}% irq ${cpu.irqPct.toFixed(0)}% other ${cpu.otherPct.toFixed(0)}%`,
      );
      if (!okRun(run)) loud(`${c.name} round ${round} failed: ${why(run)}`);
    }
  }
} catch (e) {
  loud(`run aborted: ${(e as Error).message}`);
  await cleanupAll();
  process.exit(1);
}

// ------------------------------------------------------------------ 4. Afterwards: nothing restricted, Outgate counted everything
let blockedAfter: unknown = null;
if (outgate) {
  const r = await outgate.cmdlet(['Get-BlockedConnector', '--format', 'json']);
  blockedAfter = r.code === 0 ? parseJson(r.stdout) : { error: `exit ${r.code}: ${r.stderr}` };
}
const maillogs = new Map<ConfigName, MaillogStats>();
let outgateTotals: ConnectorTotals | null = null;
for (const c of [...configs].reverse()) {
  await c.postfix.stop();
  maillogs.set(c.name, maillogStats(await c.postfix.log()));
}
for (const c of configs) {
  if (c.name === 'outgate') outgateTotals = await (c.policy as OutgateInstance).stop();
  else await c.policy?.stop();
}
cleanups.length = 0;

// ------------------------------------------------------------------ 5. Report
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  if (n === 0) return NaN;
  return n % 2 ? (s[(n - 1) / 2] as number) : ((s[n / 2 - 1] as number) + (s[n / 2] as number)) / 2;
};
const fmt = (n: number, d = 0): string =>
  Number.isFinite(n) ? n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d }) : '–';
const okRates = (c: Config) => c.runs.filter((r) => okRun(r.run)).map((r) => r.msgsPerSec);
const summary = configs.map((c) => {
  const rates = okRates(c);
  const cpuMed = (k: Exclude<keyof CpuUse, 'raw'>) => median(c.runs.map((r) => r.cpu[k]));
  return {
    name: c.name,
    describe: c.describe,
    runsOk: rates.length,
    runs: c.runs.length,
    medianMsgsPerSec: median(rates),
    minMsgsPerSec: rates.length ? Math.min(...rates) : NaN,
    maxMsgsPerSec: rates.length ? Math.max(...rates) : NaN,
    cpuMedianPct: {
      postfix: cpuMed('postfixPct'),
      policy: cpuMed('policyPct'),
      smtpSource: cpuMed('smtpSourcePct'),
      irq: cpuMed('irqPct'),
      other: cpuMed('otherPct'),
      otherMax: Math.max(...c.runs.map((r) => r.cpu.otherPct)),
      steal: cpuMed('stealPct'),
    },
  };
});
const base = summary.find((s) => s.name === 'do-nothing');
/** Per-round ratio against do-nothing of the same round (the runs were back to back). */
const paired = (name: ConfigName) => {
  const c = configs.find((x) => x.name === name);
  const d = configs.find((x) => x.name === 'do-nothing');
  if (!c || !d) return [];
  return c.runs
    .map((r) => {
      const dn = d.runs.find((x) => x.round === r.round);
      return dn && okRun(r.run) && okRun(dn.run) ? r.msgsPerSec / dn.msgsPerSec : NaN;
    })
    .filter(Number.isFinite);
};
const rows = [
  `| configuration | messages/s, median (min–max) of ${repeat} | × do-nothing (ratio of medians) | × do-nothing per round, median (min–max) | runs ok | Postfix CPU | policy server CPU | smtp-source CPU | irq CPU | other CPU (median / max) |`,
  '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
];
for (const s of summary) {
  const pr = paired(s.name);
  rows.push(
    `| ${s.name} | ${fmt(s.medianMsgsPerSec)} (${fmt(s.minMsgsPerSec)}–${fmt(s.maxMsgsPerSec)}) | ` +
      `${base && s.name !== 'do-nothing' ? `${(s.medianMsgsPerSec / base.medianMsgsPerSec).toFixed(3)}×` : s.name === 'do-nothing' ? '1×' : '–'} | ` +
      `${s.name !== 'do-nothing' && pr.length ? `${median(pr).toFixed(3)}× (${Math.min(...pr).toFixed(3)}–${Math.max(...pr).toFixed(3)})` : '–'} | ` +
      `${s.runsOk}/${s.runs} | ${fmt(s.cpuMedianPct.postfix)}% | ${s.name === 'none' ? '–' : `${fmt(s.cpuMedianPct.policy)}%`} | ` +
      `${fmt(s.cpuMedianPct.smtpSource)}% | ${fmt(s.cpuMedianPct.irq)}% | ${fmt(s.cpuMedianPct.other)}% / ${fmt(s.cpuMedianPct.otherMax)}% |`,
  );
}
const table = rows.join('\n');
const og = summary.find((s) => s.name === 'outgate');
const ratio = og && base ? og.medianMsgsPerSec / base.medianMsgsPerSec : NaN;
const expectedOutgate = (() => {
  const c = configs.find((x) => x.name === 'outgate');
  if (!c) return null;
  return [c.warmup, ...c.runs.map((r) => r.run)].reduce((a, r) => a + (r ? r.completed : 0), 0);
})();
const blockedEmpty = Array.isArray(blockedAfter)
  ? blockedAfter.length === 0
  : blockedAfter === null || JSON.stringify(blockedAfter) === '{}';
const notes = [
  `Each run: \`smtp-source ${smtpSourceArgs(0, messages, sessions).slice(0, -1).join(' ')} 127.0.0.1:PORT\` (a new SMTP session per message, 1 recipient, ` +
    `${sessions} sessions in parallel); messages/s = ${messages} / wall time of smtp-source. One warm-up run of ${warmup} messages per configuration, ` +
    `then ${repeat} rounds, configurations interleaved (${configNames.join(', ')}) in every round; before each run every instance's queue was drained (discard delivery).`,
  `Target: Outgate within 10% of the do-nothing policy server (ratio of medians ≥ 0.90): ${
    Number.isFinite(ratio) ? `${ratio.toFixed(3)} → ${ratio >= 0.9 ? 'MET' : 'NOT MET'}` : 'not measured'
  }.`,
  ...(outgate
    ? [
        `Outgate counted ${outgateTotals ? `${outgateTotals.messages} messages / ${outgateTotals.external} external recipients for connector ${CONNECTOR}` : '(store unreadable)'}; ` +
          `smtp-source completed ${expectedOutgate} messages through Outgate's Postfix (warm-up included) → ${
            outgateTotals && outgateTotals.messages === expectedOutgate && outgateTotals.external === expectedOutgate
              ? 'every message counted'
              : 'MISMATCH'
          }. Get-BlockedConnector after the run: ${JSON.stringify(blockedAfter)} → ${blockedEmpty ? 'nothing restricted' : 'SOMETHING WAS RESTRICTED'}.`,
      ]
    : []),
  ...(limitCheck
    ? [
        `Limit check (separate tiny run, connector -RecipientLimitExternalPerHour ${limitCheck.connectorLimitExternalPerHour}): ` +
          `${limitCheck.accepted} messages accepted, then ${limitCheck.rejection ? `\`${limitCheck.rejection}\`` : 'no rejection'} (smtp-source exit ${limitCheck.exitCode}); ` +
          `${limitCheck.passed ? 'PASSED' : `FAILED${limitCheck.error ? `: ${limitCheck.error}` : ''}`}.`,
      ]
    : []),
  `Postfix maillogs: ${[...maillogs].map(([n, m]) => `${n}: ${m.sent} sent (discard: ${m.discarded}), ${m.rejects} rejects, ${m.deferred} deferred/bounced, ${m.warnings} warnings`).join('; ')}.`,
  "CPU columns: % of one core over the run (median of the runs); Postfix = the instance's master and all its daemons (exited smtpd included); " +
    'other = task time of everything else on the box (kernel threads such as the ext4 journal included; a high value flags a disturbed run; ' +
    'per-process and machine counters are sampled separately, so ±5% around 0 is rounding); irq = softirq (loopback TCP).',
];
console.log(`\n${table}\n\n${notes.map((l) => `- ${l}`).join('\n')}\n\n${summary.map((s) => `- **${s.name}**: ${s.describe}`).join('\n')}`);
if (limitCheck && !limitCheck.passed) loud('the connector limit check FAILED: Outgate may not be counting this traffic');
if (outgate && !blockedEmpty) loud(`something was restricted during the run: ${JSON.stringify(blockedAfter)}`);
for (const [n, m] of maillogs)
  if (m.warnings > 0) console.error(`${n} maillog warnings (first ${m.firstWarnings.length}):\n  ${m.firstWarnings.join('\n  ')}`);

const outDir = fileURLToPath(new URL('../.work/', import.meta.url));
mkdirSync(outDir, { recursive: true });
const json = `${JSON.stringify(
  {
    createdAt: new Date().toISOString(),
    command: `npx tsx bench/postfix/run.ts ${process.argv.slice(2).join(' ')}`.trim(),
    machine: {
      node: process.version,
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model,
      kernel: release(),
      postfix: tryRun('postconf', ['-d', '-h', 'mail_version']),
    },
    options: { messages, sessions, repeat, warmup, configs: configNames, extraMainCf: EXTRA_MAIN_CF, outgateConfig: OUTGATE_CONFIG },
    limitCheck,
    summary,
    ratioOutgateToDoNothing: ratio,
    pairedRatios: { outgate: paired('outgate'), none: paired('none') },
    outgateTotals,
    expectedOutgateMessages: expectedOutgate,
    blockedConnectorsAfterRun: blockedAfter,
    maillogs: Object.fromEntries(maillogs),
    configs: configs.map((c) => ({ name: c.name, describe: c.describe, warmup: c.warmup, runs: c.runs })),
    table,
    notes,
  },
  null,
  2,
)}\n`;
const file = join(outDir, `postfix-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
writeFileSync(file, json);
writeFileSync(join(outDir, 'postfix-latest.json'), json);
console.log(`\nJSON: ${file}`);

// ------------------------------------------------------------------ helpers
interface MaillogStats {
  sent: number;
  discarded: number;
  rejects: number;
  deferred: number;
  warnings: number;
  firstWarnings: string[];
}
function maillogStats(log: string): MaillogStats {
  const s: MaillogStats = { sent: 0, discarded: 0, rejects: 0, deferred: 0, warnings: 0, firstWarnings: [] };
  for (const line of log.split('\n')) {
    if (line.includes('status=sent')) {
      s.sent++;
      if (/postfix[^:]*\/discard\[/.test(line)) s.discarded++;
    } else if (/status=(deferred|bounced)/.test(line)) s.deferred++;
    if (/\breject: /.test(line)) s.rejects++;
    if (/\b(warning|fatal|panic|error):/.test(line)) {
      s.warnings++;
      if (s.firstWarnings.length < 5) s.firstWarnings.push(line.slice(0, 300));
    }
  }
  return s;
}
function parseJson(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return s.trim() === '' ? [] : { unparsed: s.slice(0, 500) };
  }
}
function tryRun(cmd: string, args: string[]): string {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', timeout: 10_000 }).trim();
  } catch {
    return 'unknown';
  }
}
