// Closed-loop Postfix policy load generator: per connection one request in flight (no pipelining, as Postfix), RCPT×2 + END-OF-MESSAGE per message.
// Deliberately not the shared client (src/adapters/postfix-policy/client.ts): this loop must cost the
// server's 2 cores as little as possible, so it keeps no promise, timer or closure per request, reads
// latin1, and writes precompiled request templates (request.ts), which the probe and limit check share.
import net from 'node:net';
import { pathToFileURL } from 'node:url';
import { eomRequest, rcptRequest, type Template } from './request.js';
import { summarize, type LatencySummary, Samples } from './stats.js';

export interface LoadOptions {
  host: string;
  port: number;
  connections: number;
  senders: number;
  warmupMs: number;
  durationMs: number;
  /** Postfix waits 100 s by default; a bench point should not, so a stuck reply becomes an error sooner. */
  replyTimeoutMs?: number;
  /** How long to wait for in-flight replies after the window before cutting connections. */
  drainMs?: number;
  seed?: number;
  /** Called at the window edges (e.g. to read the server's CPU time); keep it cheap. */
  onWindow?: (edge: 'start' | 'end') => void;
}

export interface LoadResult {
  decisions: number;
  decisionsPerSec: number;
  messages: number;
  measuredMs: number;
  latency: LatencySummary;
  rcpt: LatencySummary;
  eom: LatencySummary;
  errors: { malformed: number; timeouts: number; disconnects: number; connectFailures: number };
  /** Reply actions seen in the window (first word), to prove every server stayed on its admit path. */
  actions: Record<string, number>;
  nonAdmit: number;
  /** Most recipients any one sender got over the whole point (warm-up included), to compare with the limits. */
  maxRecipientsPerSender: number;
  generatorCpuPct: number;
}

const RCPTS_PER_MESSAGE = 2;
const EOM = eomRequest(RCPTS_PER_MESSAGE);
const ADMIT = /^(DUNNO|OK)$/i;

/** xorshift32: cheap, seedable, good enough for uniform sender draws. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 0x9e3779b9;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 0x1_0000_0000;
  };
}

export async function runLoad(o: LoadOptions): Promise<LoadResult> {
  const replyTimeoutMs = o.replyTimeoutMs ?? 10_000;
  const drainMs = o.drainMs ?? 3_000;
  const rand = rng(o.seed ?? 1);
  const runTag = `${process.pid.toString(16)}.${Date.now().toString(16)}`;
  const perSender = new Uint32Array(o.senders);
  const rcptSamples = new Samples();
  const eomSamples = new Samples();
  const actions = new Map<string, number>();
  const errors = { malformed: 0, timeouts: 0, disconnects: 0, connectFailures: 0 };
  let nonAdmit = 0;
  let messages = 0;
  let phase: 'warmup' | 'measure' | 'drain' = 'warmup';
  let windowStart = 0n;
  let windowEnd = 0n;
  let inFlight = 0;
  let msgSeq = 0;

  const conns: Conn[] = [];
  // Replies repeat (almost always `action=DUNNO`): classify each distinct text once, not per request.
  const kinds = new Map<string, { word: string; admit: boolean }>();
  const countAction = (reply: string): void => {
    let k = kinds.get(reply);
    if (!k) {
      const word = reply.slice(7).split(' ', 1)[0] ?? '';
      k = { word, admit: ADMIT.test(word) };
      if (kinds.size < 1000) kinds.set(reply, k);
    }
    actions.set(k.word, (actions.get(k.word) ?? 0) + 1);
    if (!k.admit) nonAdmit++;
  };

  class Conn {
    sock: net.Socket | null = null;
    buf = '';
    step = 0; // 0,1 = RCPT for recipient 0/1, 2 = END-OF-MESSAGE
    sender = '';
    instance = '';
    rcpts: [string, string] = ['', ''];
    sentAt = 0n;
    waiting = false;
    reconnects = 0;
    closed = false;
    dropping = false;

    connect(): Promise<void> {
      return new Promise((resolve, reject) => {
        const s = net.connect({ host: o.host, port: o.port, noDelay: true });
        let opened = false;
        // A full accept backlog makes the kernel retry SYNs for minutes; bound the wait.
        const t = setTimeout(() => s.destroy(new Error('connect timeout')), 10_000);
        s.once('connect', () => {
          clearTimeout(t);
          opened = true;
          this.sock = s;
          this.buf = '';
          this.step = 0;
          resolve();
        });
        s.on('data', (d: Buffer) => this.onData(d));
        s.on('error', () => {
          clearTimeout(t);
          if (!opened) {
            errors.connectFailures++;
            reject(new Error(`connect to ${o.host}:${o.port} failed`));
          }
        });
        s.on('close', () => this.onClose(s, opened));
      });
    }

    send(): void {
      if (phase === 'drain' || !this.sock) return;
      if (this.step === 0) {
        const i = Math.floor(rand() * o.senders);
        this.sender = `user${i}@outgate.test`;
        this.instance = `${runTag}.${(msgSeq++).toString(16)}.0`;
        const k = Math.floor(rand() * 1000);
        this.rcpts = [`colleague${k}@outgate.test`, `contact${k}@example.net`];
        perSender[i] = (perSender[i] ?? 0) + RCPTS_PER_MESSAGE;
      }
      const t: Template = this.step === 2 ? EOM : rcptRequest;
      const req = t({
        sender: this.sender,
        sasl_username: this.sender,
        instance: this.instance,
        recipient: this.step === 2 ? '' : this.rcpts[this.step as 0 | 1],
      });
      this.waiting = true;
      inFlight++;
      this.sentAt = process.hrtime.bigint();
      this.sock.write(req, 'latin1');
    }

    onData(d: Buffer): void {
      const now = process.hrtime.bigint();
      this.buf += d.toString('latin1');
      const end = this.buf.indexOf('\n\n');
      if (end < 0) return;
      // Exactly one `action=` line and nothing after the empty line: anything else is a protocol error.
      const reply = this.buf.slice(0, end);
      const ok = this.waiting && end + 2 === this.buf.length && reply.startsWith('action=') && !reply.includes('\n');
      if (!ok) {
        errors.malformed++;
        this.drop();
        return;
      }
      this.settle();
      this.buf = '';
      // Count by completion time inside the window; warm-up and drain replies are not decisions of the run.
      if (windowStart !== 0n && now >= windowStart && (windowEnd === 0n || now <= windowEnd)) {
        (this.step === 2 ? eomSamples : rcptSamples).push(Number(now - this.sentAt));
        countAction(reply);
        if (this.step === 2) messages++;
      }
      this.step = (this.step + 1) % (RCPTS_PER_MESSAGE + 1);
      this.send();
    }

    /** We end the connection ourselves (timeout, bad reply), as Postfix does; not a server disconnect. */
    drop(): void {
      this.dropping = true;
      this.sock?.destroy();
    }

    settle(): void {
      if (this.waiting) inFlight--;
      this.waiting = false;
    }

    onClose(s: net.Socket, opened: boolean): void {
      if (this.sock !== s) return;
      this.sock = null;
      this.settle();
      if (this.closed || !opened) return;
      if (!this.dropping) errors.disconnects++;
      this.dropping = false;
      // Reconnect like a new smtpd session would, bounded so a dead server cannot spin us.
      if (phase !== 'drain' && this.reconnects++ < 1000) {
        setTimeout(() => {
          if (phase === 'drain') return;
          this.connect().then(
            () => this.send(),
            () => undefined,
          );
        }, 10);
      }
    }

    close(): void {
      this.closed = true;
      this.settle();
      this.sock?.destroy();
    }
  }

  for (let c = 0; c < o.connections; c++) conns.push(new Conn());
  try {
    await Promise.all(conns.map((c) => c.connect()));
  } catch (e) {
    for (const c of conns) c.close();
    throw e;
  }
  for (const c of conns) c.send();
  // One sweep instead of a timer per request: per-request timers cost the generator a visible share of its core.
  const sweep = setInterval(() => {
    const now = process.hrtime.bigint();
    const limit = BigInt(replyTimeoutMs) * 1_000_000n;
    for (const c of conns) {
      if (c.waiting && now - c.sentAt > limit) {
        errors.timeouts++;
        c.drop();
      }
    }
  }, 250);

  await sleep(o.warmupMs);
  phase = 'measure';
  o.onWindow?.('start');
  windowStart = process.hrtime.bigint();
  const cpu0 = process.cpuUsage();
  await sleep(o.durationMs);
  windowEnd = process.hrtime.bigint();
  const cpu = process.cpuUsage(cpu0);
  phase = 'drain';
  o.onWindow?.('end');
  // Let in-flight requests finish so servers do not log resets mid-request; bounded by drainMs.
  const drainUntil = Date.now() + drainMs;
  while (inFlight > 0 && Date.now() < drainUntil) await sleep(5);
  clearInterval(sweep);
  for (const c of conns) c.close();

  const measuredMs = Number(windowEnd - windowStart) / 1e6;
  const all = Samples.merge(rcptSamples, eomSamples);
  const decisions = all.length;
  let maxRecipientsPerSender = 0;
  for (const n of perSender) if (n > maxRecipientsPerSender) maxRecipientsPerSender = n;
  return {
    decisions,
    decisionsPerSec: decisions / (measuredMs / 1000),
    messages,
    measuredMs,
    latency: summarize(all),
    rcpt: summarize(rcptSamples),
    eom: summarize(eomSamples),
    errors,
    actions: Object.fromEntries(actions),
    nonAdmit,
    maxRecipientsPerSender,
    generatorCpuPct: ((cpu.user + cpu.system) / 1000 / measuredMs) * 100,
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** CLI: npx tsx bench/policy/load.ts --port N [--conns 8] [--senders 1000] [--duration 5] [--warmup 2] */
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const arg = (name: string, def: string): string => {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 ? (process.argv[i + 1] ?? def) : def;
  };
  const result = await runLoad({
    host: arg('host', '127.0.0.1'),
    port: Number(arg('port', '10040')),
    connections: Number(arg('conns', '8')),
    senders: Number(arg('senders', '1000')),
    warmupMs: Number(arg('warmup', '2')) * 1000,
    durationMs: Number(arg('duration', '5')) * 1000,
  });
  console.log(JSON.stringify(result, null, 2));
}
