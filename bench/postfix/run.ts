// Postfix end to end: smtp-source through a real private Postfix with the shipped policy or milter snippet,
// for a do-nothing policy server, Outgate's policy service, a do-nothing milter, Outgate's milter and
// neither, interleaved in one run; prints a markdown table, writes JSON to bench/.work/.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, release } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startPostfix, type PostfixInstance } from '../../test/support/postfix.js';
import { freePort, type RunningServer } from '../policy/servers/common.js';
import { doNothing } from '../policy/servers/index.js';
import { milterSnippet, startDoNothingMilter } from './milter.js';
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
  type Decisions,
  type OutgateInstance,
  type SourceRun,
} from './parts.js';

const CONFIG_NAMES = ['do-nothing', 'outgate', 'milter-do-nothing', 'outgate-milter', 'none'] as const;
type ConfigName = (typeof CONFIG_NAMES)[number];
type Via = 'policy' | 'milter';
/** How Postfix reaches each configuration's server, and which run of the same round it is compared with. */
const KIND: Record<ConfigName, { via: Via | null; reference: ConfigName | null }> = {
  'do-nothing': { via: 'policy', reference: null },
  outgate: { via: 'policy', reference: 'do-nothing' },
  'milter-do-nothing': { via: 'milter', reference: 'do-nothing' },
  'outgate-milter': { via: 'milter', reference: 'milter-do-nothing' },
  none: { via: null, reference: 'do-nothing' },
};
const OUTGATES: Record<Via, ConfigName> = { policy: 'outgate', milter: 'outgate-milter' };

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

// ------------------------------------------------------------------ 1. Outgate really counts the connector, on each path benchmarked
interface LimitCheck {
  via: Via;
  connectorLimitExternalPerHour: number;
  command: string;
  exitCode: number | null;
  accepted: number;
  rejection: string;
  blockedConnector: unknown;
  passed: boolean;
  error?: string;
}
/** Postfix in front of a policy server or milter on `port`, as each configuration of that path has it. */
const postfixFor = (via: Via | null, port: number | undefined): Promise<PostfixInstance> =>
  startPostfix({
    policyPort: via === 'policy' && port !== undefined ? port : 10040,
    relayPort: deadRelayPort,
    ...(via === 'milter' && port !== undefined ? { snippet: milterSnippet(port) } : via === null ? { snippet: '' } : {}),
    extraMainCf: EXTRA_MAIN_CF,
  });
async function limitCheck(via: Via): Promise<LimitCheck> {
  const limit = 5;
  const n = 10;
  let og: OutgateInstance | undefined;
  let pf: PostfixInstance | undefined;
  try {
    og = await startOutgate({ connectorLimitExternalPerHour: limit, milter: via === 'milter' });
    pf = await postfixFor(via, og.port);
    const r = await runSmtpSource(pf.port, n, 1, 60_000);
    const blocked = await og.cmdlet(['Get-BlockedConnector', '--format', 'json']);
    const blockedJson = parseJson(blocked.stdout);
    const rejection = r.stderr.split('\n').find((l) => /\b[45]\d\d\b/.test(l)) ?? r.stderr.split('\n')[0] ?? '';
    return {
      via,
      connectorLimitExternalPerHour: limit,
      command: `smtp-source ${smtpSourceArgs(pf.port, n, 1).join(' ')}`,
      exitCode: r.code,
      accepted: r.completed,
      rejection,
      blockedConnector: blockedJson,
      passed: r.code !== 0 && r.completed === limit && /\b5\d\d\b/.test(rejection) && JSON.stringify(blockedJson).includes(CONNECTOR),
    };
  } catch (e) {
    return {
      via,
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
}
const limitChecks: LimitCheck[] = [];
if (!flags['no-check']) {
  for (const via of ['policy', 'milter'] as const) {
    if (!configNames.includes(OUTGATES[via])) continue;
    const c = await limitCheck(via);
    limitChecks.push(c);
    if (c.passed) {
      console.error(
        `limit check (${via}): connector limit ${c.connectorLimitExternalPerHour} external/hour: ${c.accepted} messages accepted, ` +
          `then smtp-source stopped: ${c.rejection}; Get-BlockedConnector lists ${CONNECTOR}`,
      );
    } else loud(`limit check (${via}) FAILED: ${JSON.stringify(c)}`);
  }
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
const outgates = new Map<ConfigName, OutgateInstance>();
const SERVICE = `connector ${CONNECTOR} for 127.0.0.1, serviceLimits ${JSON.stringify(OUTGATE_CONFIG.serviceLimits)}`;
const DESCRIBE: Record<ConfigName, string> = {
  'do-nothing': 'Postfix + shipped policy snippet → bench/policy/servers/do-nothing.ts (answers action=DUNNO)',
  outgate: `Postfix + shipped policy snippet → Outgate's policy service (\`node bin/outgate.js start\`), ${SERVICE}`,
  'milter-do-nothing':
    'Postfix + shipped milter snippet → bench/postfix/do-nothing-milter.ts (Outgate\'s codec and negotiation, answers CONTINUE)',
  'outgate-milter': `Postfix + shipped milter snippet → Outgate's milter (\`node bin/outgate.js start\`, no check_policy_service), ${SERVICE}`,
  none: 'Postfix with neither snippet (no check_policy_service, no smtpd_milters)',
};
try {
  for (const name of configNames) {
    let policy: RunningServer | OutgateInstance | null = null;
    if (name === 'do-nothing') policy = await doNothing.start({ recipientsPerHour: 0 });
    else if (name === 'milter-do-nothing') policy = await startDoNothingMilter();
    else if (name === 'outgate' || name === 'outgate-milter') {
      const og = await startOutgate({ milter: name === 'outgate-milter' });
      outgates.set(name, og);
      policy = og;
    }
    const p = policy;
    if (p) cleanups.push(() => p.stop());
    const postfix = await postfixFor(KIND[name].via, policy?.port);
    cleanups.push(() => postfix.stop());
    configs.push({ name, describe: DESCRIBE[name], policy, postfix, master: masterPid(join(postfix.dir, 'queue')), runs: [] });
    console.error(`${name}: Postfix on 127.0.0.1:${postfix.port}${policy ? `, ${KIND[name].via} server on 127.0.0.1:${policy.port}` : ''}`);
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
        `[round ${round}/${repeat}] ${c.name.padEnd(17)} ${okRun(run) ? `${msgsPerSec.toFixed(0)} msg/s (${(run.wallMs / 1000).toFixed(2)} s)` : `FAILED: ${why(run)}`}` +
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

// ------------------------------------------------------------------ 4. Afterwards: nothing restricted, Outgate decided and counted every message
interface OutgateCheck {
  config: ConfigName;
  /** Messages smtp-source completed through this Outgate's Postfix, warm-up included. */
  expected: number;
  decisions: Decisions | { error: string };
  totals: ConnectorTotals | null;
  blockedAfter: unknown;
  passed: boolean;
}
const completedThrough = (c: Config): number => [c.warmup, ...c.runs.map((r) => r.run)].reduce((a, r) => a + (r ? r.completed : 0), 0);
const isEmpty = (x: unknown): boolean => (Array.isArray(x) ? x.length === 0 : x === null || JSON.stringify(x) === '{}');
const outgateChecks: OutgateCheck[] = [];
for (const [name, og] of outgates) {
  const c = configs.find((x) => x.name === name) as Config;
  const r = await og.cmdlet(['Get-BlockedConnector', '--format', 'json']);
  const decisions = await og.decisions().catch((e: unknown) => ({ error: (e as Error).message }));
  outgateChecks.push({
    config: name,
    expected: completedThrough(c),
    decisions,
    totals: null,
    blockedAfter: r.code === 0 ? parseJson(r.stdout) : { error: `exit ${r.code}: ${r.stderr}` },
    passed: false,
  });
}
const maillogs = new Map<ConfigName, MaillogStats>();
for (const c of [...configs].reverse()) {
  await c.postfix.stop();
  maillogs.set(c.name, maillogStats(await c.postfix.log()));
}
for (const c of configs) {
  const og = outgates.get(c.name);
  const check = outgateChecks.find((x) => x.config === c.name);
  if (og && check) check.totals = await og.stop();
  else await c.policy?.stop();
}
cleanups.length = 0;
for (const x of outgateChecks) {
  const d = 'error' in x.decisions ? null : x.decisions;
  // Every completed message was decided at its end and admitted; the runs refused, deferred or failed nothing.
  const decidedAll = d !== null && d['end/permit'] === x.expected && Object.keys(d).every((k) => k.endsWith('/permit'));
  const countedAll = x.totals !== null && x.totals.messages === x.expected && x.totals.external === x.expected;
  x.passed = x.expected > 0 && decidedAll && countedAll && isEmpty(x.blockedAfter);
}

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
    via: KIND[c.name].via,
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
interface Ratio {
  of: ConfigName;
  to: ConfigName;
  /** Ratio of the medians. */
  medians: number;
  /** Each run against the other configuration's run of the same round (seconds apart). */
  perRound: number[];
}
function ratio(of: ConfigName, to: ConfigName): Ratio | null {
  const a = configs.find((x) => x.name === of);
  const b = configs.find((x) => x.name === to);
  const sa = summary.find((x) => x.name === of);
  const sb = summary.find((x) => x.name === to);
  if (!a || !b || !sa || !sb) return null;
  const perRound = a.runs
    .map((r) => {
      const other = b.runs.find((x) => x.round === r.round);
      return other && okRun(r.run) && okRun(other.run) ? r.msgsPerSec / other.msgsPerSec : NaN;
    })
    .filter(Number.isFinite);
  return { of, to, medians: sa.medianMsgsPerSec / sb.medianMsgsPerSec, perRound };
}
const showRatio = (r: Ratio | null): [string, string] =>
  r === null
    ? ['–', '–']
    : [
        `${r.medians.toFixed(3)}×`,
        r.perRound.length ? `${median(r.perRound).toFixed(3)}× (${Math.min(...r.perRound).toFixed(3)}–${Math.max(...r.perRound).toFixed(3)})` : '–',
      ];
const rows = [
  `| configuration | messages/s, median (min–max) of ${repeat} | against | × against (ratio of medians) | × against per round, median (min–max) | runs ok | Postfix CPU | policy server / milter CPU | smtp-source CPU | irq CPU | other CPU (median / max) |`,
  '|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|',
];
for (const s of summary) {
  const ref = KIND[s.name].reference;
  const [med, perRound] = ref ? showRatio(ratio(s.name, ref)) : ['1×', '–'];
  rows.push(
    `| ${s.name} | ${fmt(s.medianMsgsPerSec)} (${fmt(s.minMsgsPerSec)}–${fmt(s.maxMsgsPerSec)}) | ${ref && configNames.includes(ref) ? ref : '–'} | ${med} | ${perRound} | ` +
      `${s.runsOk}/${s.runs} | ${fmt(s.cpuMedianPct.postfix)}% | ${s.via === null ? '–' : `${fmt(s.cpuMedianPct.policy)}%`} | ` +
      `${fmt(s.cpuMedianPct.smtpSource)}% | ${fmt(s.cpuMedianPct.irq)}% | ${fmt(s.cpuMedianPct.other)}% / ${fmt(s.cpuMedianPct.otherMax)}% |`,
  );
}
const table = rows.join('\n');
const ratios = {
  policy: ratio('outgate', 'do-nothing'),
  milter: ratio('outgate-milter', 'milter-do-nothing'),
  milterVsPolicy: ratio('outgate-milter', 'outgate'),
  doNothingMilterVsPolicy: ratio('milter-do-nothing', 'do-nothing'),
};
const target = (label: string, r: Ratio | null): string =>
  `Target (${label}: within 10%, ratio of medians ≥ 0.90): ${r ? `${r.medians.toFixed(3)} → ${r.medians >= 0.9 ? 'MET' : 'NOT MET'}` : 'not measured'}.`;
const compare = (label: string, r: Ratio | null): string[] => {
  if (!r) return [];
  const [med, perRound] = showRatio(r);
  return [`${label}: ${med} (ratio of medians), per round ${perRound}.`];
};
const notes = [
  `Each run: \`smtp-source ${smtpSourceArgs(0, messages, sessions).slice(0, -1).join(' ')} 127.0.0.1:PORT\` (a new SMTP session per message, 1 recipient, ` +
    `${sessions} sessions in parallel); messages/s = ${messages} / wall time of smtp-source. One warm-up run of ${warmup} messages per configuration, ` +
    `then ${repeat} rounds, configurations interleaved (${configNames.join(', ')}) in every round; before each run every instance's queue was drained (discard delivery).`,
  target('policy service: outgate / do-nothing', ratios.policy),
  target('milter: outgate-milter / milter-do-nothing', ratios.milter),
  ...compare("Outgate's milter against its policy service (outgate-milter / outgate)", ratios.milterVsPolicy),
  ...compare('The two do-nothing references (milter-do-nothing / do-nothing)', ratios.doNothingMilterVsPolicy),
  ...outgateChecks.map((x) => {
    const d = 'error' in x.decisions ? null : x.decisions;
    const decided = d ? Object.values(d).reduce((a, n) => a + n, 0) : NaN;
    return (
      `${x.config}: Outgate made ${d ? `${decided} decisions (${Object.entries(d).map(([k, n]) => `${k} ${n}`).join(', ')}; probes included)` : `? decisions (/metrics: ${(x.decisions as { error: string }).error})`} ` +
      `and counted ${x.totals ? `${x.totals.messages} messages / ${x.totals.external} external recipients for connector ${CONNECTOR}` : '(store unreadable)'}; ` +
      `smtp-source completed ${x.expected} messages through its Postfix (warm-up included); Get-BlockedConnector after the run: ${JSON.stringify(x.blockedAfter)} → ` +
      `${x.passed ? 'every message decided at its end, admitted and counted, nothing restricted' : 'CHECK FAILED'}.`
    );
  }),
  ...limitChecks.map(
    (c) =>
      `Limit check, ${c.via} (separate tiny run, connector -RecipientLimitExternalPerHour ${c.connectorLimitExternalPerHour}): ` +
      `${c.accepted} messages accepted, then ${c.rejection ? `\`${c.rejection}\`` : 'no rejection'} (smtp-source exit ${c.exitCode}); ` +
      `${c.passed ? 'PASSED' : `FAILED${c.error ? `: ${c.error}` : ''}`}.`,
  ),
  `Postfix maillogs: ${[...maillogs].map(([n, m]) => `${n}: ${m.sent} sent (discard: ${m.discarded}), ${m.rejects} rejects, ${m.deferred} deferred/bounced, ${m.warnings} warnings`).join('; ')}.`,
  "CPU columns: % of one core over the run (median of the runs); Postfix = the instance's master and all its daemons (exited smtpd included); " +
    'other = task time of everything else on the box (kernel threads such as the ext4 journal included; a high value flags a disturbed run; ' +
    'per-process and machine counters are sampled separately, so ±5% around 0 is rounding); irq = softirq (loopback TCP).',
];
console.log(`\n${table}\n\n${notes.map((l) => `- ${l}`).join('\n')}\n\n${summary.map((s) => `- **${s.name}**: ${s.describe}`).join('\n')}`);
const failedChecks = [
  ...limitChecks.filter((c) => !c.passed).map((c) => `the ${c.via} connector limit check`),
  ...outgateChecks.filter((x) => !x.passed).map((x) => `${x.config}: decisions/counts/restrictions`),
];
if (failedChecks.length > 0) loud(`FAILED: ${failedChecks.join('; ')} — Outgate may not have decided or counted this traffic`);
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
    limitChecks,
    summary,
    ratios,
    outgateChecks,
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
// A run whose traffic Outgate did not decide and count measured nothing: say so in the exit code too.
if (failedChecks.length > 0) process.exitCode = 1;

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
