// Runs `outgate start` as a child process for tests that need a real one (signals, backups under load),
// and drives sends at it from several connections.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';
import { HANG_UP, PolicyClient } from '../../src/adapters/postfix-policy/client.js';
import { BIN, clockEnv, testTimeline } from './outgate.js';

export interface LogEntry {
  level?: number;
  msg?: string;
  listen?: string;
  [field: string]: unknown;
}

export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

export interface ServerProcess {
  readonly child: ChildProcess;
  readonly policyPort: number;
  readonly milterPort: number;
  readonly httpPort: number;
}

export interface SpawnOptions {
  /** Sees every log line, parsed and as written. */
  onLog?: (entry: LogEntry, line: string) => void;
  /** The soft open-file limit to run under (`ulimit -n`); default: the test runner's. */
  openFiles?: number;
}

const portOf = (listen: string | undefined): number => Number(/:(\d+)$/.exec(listen ?? '')?.[1] ?? 0);

/**
 * Spawns `outgate start` on `dataDir` (every listener on a free loopback port unless `env` names one)
 * and resolves with its ports once this very process says its HTTP API listens, the last listener it
 * opens (a connection test alone could reach another process on the port).
 */
export function spawnServer(dataDir: string, env: NodeJS.ProcessEnv = {}, opts: SpawnOptions = {}): Promise<ServerProcess> {
  const serverEnv = {
    ...process.env,
    ...clockEnv(testTimeline),
    OUTGATE_POLICY_LISTEN: '127.0.0.1:0',
    OUTGATE_HTTP_LISTEN: '127.0.0.1:0',
    OUTGATE_MILTER_LISTEN: '127.0.0.1:0',
    ...env,
    OUTGATE_DATA_DIR: dataDir,
    OUTGATE_LOG_LEVEL: 'info',
  };
  const [command, args] =
    opts.openFiles === undefined
      ? [process.execPath, [BIN, 'start']]
      : ['bash', ['-c', `ulimit -n ${opts.openFiles} && exec "$@"`, 'bash', process.execPath, BIN, 'start']];
  const child = spawn(command, args, { env: serverEnv, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    const ports = { policyPort: 0, milterPort: 0 };
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error('server did not start within 30 s'));
    }, 30_000);
    const early = (code: number | null, signal: string | null): void => {
      clearTimeout(timer);
      reject(new Error(`server exited before listening (code ${code}, signal ${signal})`));
    };
    child.once('exit', early);
    createInterface({ input: child.stdout! }).on('line', (line) => {
      let entry: LogEntry;
      try {
        entry = JSON.parse(line) as LogEntry;
      } catch {
        return; // not a log line
      }
      opts.onLog?.(entry, line);
      if (entry.msg === 'policy server listening') ports.policyPort = portOf(entry.listen);
      if (entry.msg === 'milter listening') ports.milterPort = portOf(entry.listen);
      if (entry.msg?.startsWith('HTTP API listening') && ports.policyPort !== 0) {
        clearTimeout(timer);
        child.off('exit', early);
        resolve({ child, ...ports, httpPort: portOf(entry.listen) });
      }
    });
  });
}

/** `spawnServer` with the policy server on `port` (a restart on the same port, a port chosen before start). */
export async function startProcess(dataDir: string, port: number, env: NodeJS.ProcessEnv, onLog: (entry: LogEntry) => void = () => undefined): Promise<ChildProcess> {
  return (await spawnServer(dataDir, { ...env, OUTGATE_POLICY_LISTEN: `127.0.0.1:${port}` }, { onLog })).child;
}

/** Sends `signal` and resolves with the exit code (null when a signal ended it). */
export function exitOf(child: ChildProcess, signal?: NodeJS.Signals): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => {
    child.once('exit', (code) => resolve(code));
    if (signal) child.kill(signal);
  });
}

/**
 * Messages sent from `connections` connections, one recipient each, by 40 logins of load.test.
 * `acked` counts each login's acknowledged messages; `inFlight` those whose END-OF-MESSAGE got no answer.
 */
export class Load {
  readonly acked = new Map<string, number>();
  readonly inFlight = new Map<string, number>();
  private stopping = false;
  private readonly workers: Array<Promise<void>>;
  private readonly waiters: Array<{ n: number; resolve: () => void }> = [];

  constructor(port: number, connections = 8) {
    this.workers = Array.from({ length: connections }, (_, w) => this.worker(port, w));
  }

  get total(): number {
    let n = 0;
    for (const v of this.acked.values()) n += v;
    return n;
  }

  /** Resolves once `n` messages in all have been acknowledged. */
  reached(n: number): Promise<void> {
    return this.total >= n ? Promise.resolve() : new Promise((resolve) => this.waiters.push({ n, resolve }));
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all(this.workers);
  }

  private async worker(port: number, w: number): Promise<void> {
    const c = await PolicyClient.open(port);
    for (let i = 0; !this.stopping; i++) {
      const login = `user${(w * 7 + i) % 40}@load.test`;
      const common = { sasl_username: login, sender: login, instance: `k${w}.${i}` };
      if ((await c.ask({ ...common, protocol_state: 'RCPT', recipient: 'x@example.com' })) !== 'action=DUNNO') break;
      this.inFlight.set(login, (this.inFlight.get(login) ?? 0) + 1);
      const end = await c.ask({ ...common, protocol_state: 'END-OF-MESSAGE', recipient: 'x@example.com', recipient_count: 1 });
      if (end === HANG_UP) break; // unknown: stays in flight
      this.inFlight.set(login, this.inFlight.get(login)! - 1);
      assert.equal(end, 'action=DUNNO');
      this.acked.set(login, (this.acked.get(login) ?? 0) + 1);
      const total = this.total;
      for (const x of this.waiters.filter((x) => total >= x.n)) {
        this.waiters.splice(this.waiters.indexOf(x), 1);
        x.resolve();
      }
    }
    c.close();
  }
}
