// The decision path alone, without sockets: checkSend over the embedded store (send journal included)
// deciding RCPT, RCPT, END-OF-MESSAGE for senders drawn from 100k, several messages in flight, each request
// decoded from the protocol's text as the policy server gets it; the main thread's CPU per decision. With
// --base, each build runs in processes of its own, alternating (two builds in one process disturb each
// other: their heaps share one collector), and the ratio is taken between neighbouring runs. A change of a few percent in the decision path shows
// here, where the socket benchmarks' spread (±5 % between identical builds, ab.ts) hides it.
//
//   npx tsx bench/policy/decide.ts [--base DIR] [--runs 4] [--rounds 5] [--messages 50000] [--senders 100000] [--inflight 8]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { threadCpuSeconds } from './proc.js';
import { eomRequest, rcptRequest } from './request.js';
import { median, positive } from './stats.js';

const { values: flags } = parseArgs({
  options: {
    base: { type: 'string' },
    /** Internal: the checkout whose build one child process measures. */
    root: { type: 'string' },
    runs: { type: 'string', default: '4' },
    rounds: { type: 'string', default: '5' },
    messages: { type: 'string', default: '50000' },
    senders: { type: 'string', default: '100000' },
    inflight: { type: 'string', default: '8' },
  },
});
const runs = positive(flags.runs);
const rounds = positive(flags.rounds);
const messages = positive(flags.messages);
const senders = positive(flags.senders);
const inflight = positive(flags.inflight);
if ([runs, rounds, messages, senders, inflight].some(Number.isNaN)) {
  console.error('usage: npx tsx bench/policy/decide.ts [--base DIR] [--runs N] [--rounds N] [--messages N] [--senders N] [--inflight N]');
  process.exit(2);
}

interface Decided {
  readonly decision: { readonly kind: string };
}
interface Message {
  decide(req: unknown): Decided | Promise<Decided>;
}
interface Build {
  /** The checkout, for messages. */
  readonly root: string;
  begin(id: string): Message;
  request(text: string): unknown;
  close(): Promise<void>;
}

/** One build's checkSend on a fresh embedded store, loaded from its dist/ as the server would run it. */
async function open(root: string): Promise<Build> {
  const dist = (path: string) => import(pathToFileURL(join(root, 'dist', path)).href);
  const [{ loadConfig }, { CheckSend }, { bootstrap }, { DEFAULT_SERVICE_LIMITS }, { decode }, { toRequest }] = await Promise.all([
    dist('config/load.js'),
    dist('app/check-send.js'),
    dist('app/tenants.js'),
    dist('domain/service-limits.js'),
    dist('adapters/postfix-policy/codec.js'),
    dist('adapters/postfix-policy/server.js'),
  ]);
  const dataDir = mkdtempSync(join(tmpdir(), 'outgate-decide-'));
  const config = loadConfig({ env: {}, overrides: { dataDir } });
  const clock = { now: () => Date.now() };
  // Service-wide throttles far above what a round sends, as in the socket benchmarks.
  const service = { ...DEFAULT_SERVICE_LIMITS, messagesPerMinute: 1_000_000, recipientsPerDay: 1_000_000 };
  const request = (text: string): unknown => toRequest(decode(text, 65536).requests[0]);
  const done = () => rmSync(dataDir, { recursive: true, force: true });
  if (CheckSend.prototype.begin === undefined) {
    // A build from before the store ports and message checks (1136fc9, where issue 12 was filed): its
    // SqliteStore is the store and the counters, and a message is a Conversation passed to check().
    const [{ SqliteStore }, { Conversation }] = await Promise.all([dist('adapters/store/sqlite/store.js'), dist('domain/conversation.js')]);
    const store = new SqliteStore(dataDir, { synchronous: config.store.synchronous, busyTimeoutMs: config.store.busyTimeoutMs });
    // As its server ran it: sends to the journal, applied by a worker every 200 ms.
    store.openJournal(config.store.synchronous === 'full');
    store.startBackgroundApply();
    const applying = setInterval(() => store.applyJournalInBackground(() => undefined), 200);
    await bootstrap(store, clock);
    const check = await CheckSend.start(store, clock, service);
    return {
      root,
      begin: (id) => {
        const conversation = new Conversation(id);
        return { decide: (req) => check.check(req, conversation) };
      },
      request,
      close: async () => {
        clearInterval(applying);
        await store.close();
        done();
      },
    };
  }
  const { openStore } = await dist('adapters/store/open-store.js');
  const backend = await openStore(config, 'server');
  await bootstrap(backend.store, clock);
  const check = await CheckSend.start(backend.store, await backend.openCounters(clock.now()), clock, service);
  return {
    root,
    begin: (id) => check.begin(id, 'bench'),
    request,
    close: async () => {
      await backend.close();
      done();
    },
  };
}

const eom = eomRequest(2);
let instance = 0;

/** `messages` messages, `inflight` at a time; resolves with the main thread's CPU µs per decision. */
async function round(b: Build, seed: number): Promise<number> {
  let x = seed >>> 0 || 1;
  let left = messages;
  const worker = async (): Promise<void> => {
    while (left-- > 0) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      const user = `user${(x >>> 0) % senders}@example.com`;
      const id = `${(++instance).toString(16)}.bench.0`;
      const message = b.begin(id);
      for (let i = 0; i < 3; i++) {
        const values = { sender: user, sasl_username: user, instance: id, recipient: i < 2 ? `rcpt${i}@example.net` : '' };
        const d = await message.decide(b.request(i < 2 ? rcptRequest(values) : eom(values)));
        if (d.decision.kind !== 'permit') throw new Error(`${b.root}: ${JSON.stringify(d.decision)} for ${user}`);
      }
    }
  };
  // The main thread's CPU, not the wall clock: a build that waits between a commit and its answer
  // (a journal flushed on a timer) would otherwise look slow while its thread idles.
  const started = threadCpuSeconds(process.pid, process.pid);
  await Promise.all(Array.from({ length: inflight }, worker));
  return ((threadCpuSeconds(process.pid, process.pid) - started) * 1e6) / (messages * 3);
}

/** One process: the build at `root`, `rounds` rounds after a warm-up round; prints µs per decision by round. */
async function measure(root: string): Promise<void> {
  const b = await open(root);
  const byRound: number[] = [];
  try {
    // Round 0 loads senders for the first time and warms the JIT; it is not counted.
    for (let r = 0; r <= rounds; r++) {
      const us = await round(b, 0x5eed + r);
      if (r > 0) byRound.push(us);
    }
  } finally {
    await b.close();
  }
  console.log(JSON.stringify(byRound));
}

if (flags.root) {
  await measure(flags.root);
} else {
  const trees = [{ name: 'this tree', root: fileURLToPath(new URL('../../', import.meta.url)), runs: [] as number[][] }];
  if (flags.base) trees.push({ name: 'base', root: flags.base, runs: [] });
  for (let run = 0; run < runs; run++) {
    for (const t of run % 2 ? [...trees].reverse() : trees) {
      const args = ['--import', 'tsx', fileURLToPath(import.meta.url), '--root', t.root, '--rounds', String(rounds), '--messages', String(messages), '--senders', String(senders), '--inflight', String(inflight)];
      const out = execFileSync(process.execPath, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
      t.runs.push(JSON.parse(out.trim().split('\n').pop()!) as number[]);
      console.error(`run ${run + 1}/${runs}: ${t.name} ${median(t.runs.at(-1)!).toFixed(2)} µs per decision (median round)`);
    }
  }
  console.log(`${runs} runs per build, each ${rounds} rounds of ${messages} messages (RCPT, RCPT, END-OF-MESSAGE), ${inflight} in flight, ${senders} senders${flags.base ? `; base: ${flags.base}` : ''}`);
  console.log('| build | main-thread CPU µs per decision, median round of each run | best round |');
  console.log('|---|---|---:|');
  for (const t of trees) console.log(`| ${t.name} | ${t.runs.map((r) => median(r).toFixed(2)).join(', ')} | ${Math.min(...t.runs.flat()).toFixed(2)} |`);
  if (trees.length === 2) {
    const [mine, base] = trees as [(typeof trees)[0], (typeof trees)[0]];
    const ratios = mine.runs.map((r, i) => median(r) / median(base.runs[i]!));
    console.log(`this tree / base, time per decision, run by run: median ${median(ratios).toFixed(3)}, below 1 in ${ratios.filter((x) => x < 1).length} of ${ratios.length}: ${ratios.map((x) => x.toFixed(2)).join(' ')}`);
  }
}
