// Pieces of the Postfix end-to-end bench: Outgate with an inbound connector, smtp-source runs, queue drain, CPU accounting.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { machineCpu, processTree, stopTree, type MachineCpu } from '../policy/proc.js';
import { HOST, freePort, makeTempDir, removeDir, spawnLogged, tail, waitReady } from '../policy/servers/common.js';
import { waitMilterReady } from './milter.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(ROOT, 'bin', 'outgate.js');
const BUILT = join(ROOT, 'dist', 'cli', 'main.js');
const CLK_TCK = 100; // getconf CLK_TCK on Linux x86_64/arm64

export const FROM = 'app@outgate.test';
export const TO = 'rcpt@example.net';
export const CONNECTOR = 'Bench';
/** Service-wide connector defaults (used by a connector whose own limits are 0): far above anything a run sends. */
export const OUTGATE_CONFIG = {
  serviceLimits: { connectorExternalPerHour: 100_000_000, connectorInternalPerHour: 100_000_000, connectorPerDay: 100_000_000 },
};

// ---------------------------------------------------------------- Outgate

export interface OutgateInstance {
  /** The policy service's port; for a milter instance, `port` is the milter's and this one idles. */
  policyPort: number;
  /** What Postfix is pointed at: the milter's port with `milter`, else the policy service's. */
  port: number;
  pid: number;
  dir: string;
  /** Policy decisions so far, by stage and outcome, from the running server's /metrics. */
  decisions(): Promise<Decisions>;
  /** Runs a cmdlet against this instance's data dir (the running server sees changes at once). */
  cmdlet(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }>;
  /** Stops the server (SIGTERM: it applies its send journal to SQLite), reads what it counted, removes the data dir. */
  stop(): Promise<ConnectorTotals | null>;
}

/** `outgate_policy_decisions_total` as "stage/outcome" → count (the milter's stages too: one counter). */
export type Decisions = Record<string, number>;

export interface ConnectorTotals {
  external: number;
  internal: number;
  messages: number;
}

/**
 * Outgate as in bench/policy/servers/outgate.ts, plus an inbound connector for 127.0.0.1 so that
 * smtp-source's unauthenticated mail is counted (and limited) as the connector.
 */
export async function startOutgate(opts: { connectorLimitExternalPerHour?: number; milter?: boolean } = {}): Promise<OutgateInstance> {
  if (!existsSync(BUILT)) throw new Error(`${BUILT} missing: Outgate is not built (cd ${ROOT} && npm run build)`);
  const dir = makeTempDir('pf-outgate');
  let pid: number | undefined;
  try {
    const policyPort = await freePort();
    const milterPort = opts.milter ? await freePort() : null;
    const httpPort = await freePort();
    const config = join(dir, 'outgate.json');
    writeFileSync(config, JSON.stringify(OUTGATE_CONFIG));
    const env = {
      ...process.env,
      OUTGATE_DATA_DIR: dir,
      OUTGATE_POLICY_LISTEN: `${HOST}:${policyPort}`,
      OUTGATE_MILTER_LISTEN: milterPort === null ? '' : `${HOST}:${milterPort}`,
      OUTGATE_HTTP_LISTEN: `${HOST}:${httpPort}`,
      OUTGATE_CONFIG: config,
    };
    const cmdlet = (args: string[]) => runCapture(process.execPath, [BIN, ...args], 30_000, env);
    const limitArgs =
      opts.connectorLimitExternalPerHour === undefined
        ? []
        : ['-RecipientLimitExternalPerHour', String(opts.connectorLimitExternalPerHour)];
    const made = await cmdlet(['New-InboundConnector', '-Name', CONNECTOR, '-SenderIPAddresses', '127.0.0.1', ...limitArgs]);
    if (made.code !== 0) throw new Error(`New-InboundConnector exited with ${made.code}: ${made.stderr || made.stdout}`);
    const log = join(dir, 'outgate.log');
    const child = spawnLogged(process.execPath, [BIN, 'start'], log, env);
    pid = child.pid;
    if (pid === undefined) throw new Error('spawn failed');
    const p = pid;
    try {
      await waitReady(policyPort, () => p, 30_000);
      if (milterPort !== null) await waitMilterReady(milterPort, p, 30_000);
    } catch (e) {
      throw new Error(`${(e as Error).message}: ${tail(log)}`);
    }
    let stopped: Promise<ConnectorTotals | null> | undefined;
    return {
      policyPort,
      port: milterPort ?? policyPort,
      pid: p,
      dir,
      cmdlet,
      decisions: () => decisionsAt(httpPort),
      stop() {
        stopped ??= (async () => {
          await stopTree(p, 'SIGTERM', 15_000);
          const totals = connectorTotals(dir);
          removeDir(dir);
          return totals;
        })();
        return stopped;
      },
    };
  } catch (e) {
    if (pid !== undefined) await stopTree(pid, 'SIGTERM');
    removeDir(dir);
    throw e;
  }
}

async function decisionsAt(httpPort: number): Promise<Decisions> {
  const res = await fetch(`http://${HOST}:${httpPort}/metrics`, { signal: AbortSignal.timeout(10_000) });
  if (!res.ok) throw new Error(`/metrics answered ${res.status}`);
  const out: Decisions = {};
  for (const m of (await res.text()).matchAll(/^outgate_policy_decisions_total\{([^}]*)\} (\d+)$/gm)) {
    const label = (name: string) => new RegExp(`${name}="([^"]*)"`).exec(m[1]!)?.[1] ?? '?';
    out[`${label('stage')}/${label('outcome')}`] = Number(m[2]);
  }
  return out;
}

/** What Outgate recorded for connectors (read from its SQLite store after a clean stop). Null if unreadable. */
function connectorTotals(dir: string): ConnectorTotals | null {
  const file = join(dir, 'outgate.db');
  if (!existsSync(file)) return null;
  try {
    const db = new Database(file, { fileMustExist: true });
    try {
      const sum = (table: string) =>
        db
          .prepare(
            `SELECT coalesce(sum(external),0) AS external, coalesce(sum(internal),0) AS internal, coalesce(sum(messages),0) AS messages FROM ${table} WHERE entity_type = 'Connector'`,
          )
          .get() as ConnectorTotals;
      const m = sum('sending_minutes');
      const h = sum('sending_hours');
      return { external: m.external + h.external, internal: m.internal + h.internal, messages: m.messages + h.messages };
    } finally {
      db.close();
    }
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------- smtp-source

export interface SourceRun {
  messages: number;
  sessions: number;
  wallMs: number;
  code: number | null;
  signal: string | null;
  /** Last value of smtp-source's -c counter (DATA commands completed). */
  completed: number;
  stderr: string;
  timedOut: boolean;
}

export function smtpSourceArgs(port: number, messages: number, sessions: number): string[] {
  return ['-s', String(sessions), '-m', String(messages), '-c', '-f', FROM, '-t', TO, `${HOST}:${port}`];
}

/** One smtp-source run; wall time from just before spawn to its exit. Bounded by timeoutMs (then SIGKILL). */
export function runSmtpSource(port: number, messages: number, sessions: number, timeoutMs: number): Promise<SourceRun> {
  return new Promise((resolve) => {
    const t0 = process.hrtime.bigint();
    const child = spawn('smtp-source', smtpSourceArgs(port, messages, sessions), { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let timedOut = false;
    child.stdout.setEncoding('latin1').on('data', (d: string) => {
      out += d;
      if (out.length > 4096) out = out.slice(-1024); // only the last counter value matters
    });
    child.stderr.setEncoding('latin1').on('data', (d: string) => {
      if (err.length < 16_384) err += d;
    });
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    const finish = (code: number | null, signal: string | null) => {
      const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
      clearTimeout(timer);
      const counts = out.match(/\d+/g);
      const completed = counts ? Number(counts[counts.length - 1]) : 0;
      resolve({ messages, sessions, wallMs, code, signal, completed, stderr: err.trim(), timedOut });
    };
    child.on('error', (e) => {
      err += `cannot run smtp-source: ${e.message}`;
      finish(null, null);
    });
    child.on('close', (code, signal) => finish(code, signal));
  });
}

// ---------------------------------------------------------------- Postfix queue

const QUEUES = ['maildrop', 'incoming', 'active', 'deferred', 'hold', 'corrupt'];

/** Messages still in a Postfix queue directory (queue files, hashed subdirectories included). */
export function queuedFiles(queueDir: string): number {
  let n = 0;
  const walk = (d: string, depth: number): void => {
    if (depth > 4) return;
    let entries;
    try {
      entries = readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (e.isDirectory()) walk(join(d, e.name), depth + 1);
      else n++;
    }
  };
  for (const q of QUEUES) walk(join(queueDir, q), 0);
  return n;
}

/** Waits (bounded) until the instance's queue is empty, so one run's deliveries do not overlap the next run. */
export async function waitQueueEmpty(queueDir: string, timeoutMs: number): Promise<number> {
  const until = Date.now() + timeoutMs;
  let left = queuedFiles(queueDir);
  while (left > 0 && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 100));
    left = queuedFiles(queueDir);
  }
  return left;
}

export function masterPid(queueDir: string): number | null {
  try {
    const pid = Number(readFileSync(join(queueDir, 'pid', 'master.pid'), 'latin1').trim());
    return Number.isInteger(pid) && pid > 1 ? pid : null;
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------- CPU

function statTicks(pid: number | 'self'): { own: number; reaped: number } {
  try {
    const raw = readFileSync(`/proc/${pid}/stat`, 'latin1');
    const f = raw.slice(raw.lastIndexOf(')') + 2).split(' ');
    return { own: Number(f[11]) + Number(f[12]), reaped: Number(f[13]) + Number(f[14]) };
  } catch {
    return { own: 0, reaped: 0 };
  }
}

/**
 * CPU seconds of a process tree, including children that exited and were reaped inside the tree
 * (Postfix's master reaps smtpd processes that reach max_use): own + reaped time of every live member.
 */
export function treeCpuWithReaped(root: number | null): number {
  if (root === null) return 0;
  let ticks = 0;
  for (const p of processTree(root)) {
    const s = statTicks(p);
    ticks += s.own + s.reaped;
  }
  return ticks / CLK_TCK;
}

export interface CpuSnapshot {
  postfix: number;
  policy: number;
  /** This runner's own CPU. */
  self: number;
  /** CPU of this runner's reaped children: smtp-source, the only child that exits during a run. */
  children: number;
  machine: MachineCpu;
}

export function cpuSnapshot(postfixMaster: number | null, policyPid: number | null): CpuSnapshot {
  const self = statTicks('self');
  return {
    postfix: treeCpuWithReaped(postfixMaster),
    policy: treeCpuWithReaped(policyPid),
    self: self.own / CLK_TCK,
    children: self.reaped / CLK_TCK,
    machine: machineCpu(),
  };
}

export interface CpuUse {
  /** All in % of one core over the run's wall time. */
  postfixPct: number;
  policyPct: number;
  smtpSourcePct: number;
  irqPct: number;
  stealPct: number;
  /**
   * Task time of everything else (idle instances, other processes, kernel threads such as the ext4
   * journal); the bench runner itself is left out. Per-process and machine counters are sampled
   * separately (10 ms ticks), so a few % either side of 0 is rounding, not a measurement.
   */
  otherPct: number;
  /** CPU seconds behind the percentages. */
  raw: { wallS: number; postfixS: number; policyS: number; smtpSourceS: number; runnerS: number; machineTaskS: number };
}

export function cpuUse(a: CpuSnapshot, b: CpuSnapshot, wallMs: number): CpuUse {
  const s = wallMs / 1000;
  const pct = (x: number): number => (100 * x) / s;
  const postfix = b.postfix - a.postfix;
  const policy = b.policy - a.policy;
  const source = b.children - a.children;
  const self = b.self - a.self;
  const task = b.machine.task - a.machine.task;
  return {
    postfixPct: pct(postfix),
    policyPct: pct(policy),
    smtpSourcePct: pct(source),
    irqPct: pct(b.machine.irq - a.machine.irq),
    stealPct: pct(b.machine.steal - a.machine.steal),
    otherPct: pct(task - postfix - policy - source - self),
    raw: { wallS: s, postfixS: postfix, policyS: policy, smtpSourceS: source, runnerS: self, machineTaskS: task },
  };
}

// ---------------------------------------------------------------- misc

export function runCapture(
  cmd: string,
  args: string[],
  timeoutMs: number,
  env?: NodeJS.ProcessEnv,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: env ?? process.env,
      timeout: timeoutMs,
      killSignal: 'SIGKILL',
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', (e) => resolve({ code: null, stdout, stderr: `${stderr}cannot run ${cmd}: ${e.message}` }));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
