// Shared launcher plumbing: free loopback ports, temp dirs, logged spawns, protocol-level readiness probe, stop by PID.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, openSync, closeSync, readFileSync, rmSync, existsSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PolicyClient } from '../../../src/adapters/postfix-policy/client.js';
import { rcptRequest } from '../request.js';
import { alive, stopTree } from '../proc.js';

export const HOST = '127.0.0.1';

export interface StartOptions {
  /** Per-sasl_username recipient limit per hour the server is configured with. */
  recipientsPerHour: number;
}

export interface RunningServer {
  port: number;
  /** Root of the process tree we started (for CPU accounting and stopping). */
  pid: number;
  stop(): Promise<void>;
}

export interface ServerSpec {
  name: string;
  /** One line: what limit the server enforces and how, printed with the results. */
  config: string;
  start(o: StartOptions): Promise<RunningServer>;
}

/** Ask the kernel for a free loopback port, then release it for the server (tiny race, acceptable on a bench box). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, HOST, () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

export function makeTempDir(tag: string): string {
  return mkdtempSync(join(tmpdir(), `outgate-bench-${tag}-`));
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** Spawn with stdout+stderr to a log file, so a failed start can show why without filling our terminal. */
export function spawnLogged(cmd: string, args: string[], logFile: string, env?: NodeJS.ProcessEnv, cwd?: string): ChildProcess {
  const fd = openSync(logFile, 'a');
  try {
    const child = spawn(cmd, args, { stdio: ['ignore', fd, fd], env: env ?? process.env, cwd });
    child.on('error', () => undefined); // ENOENT etc. surface through waitExit/readiness
    return child;
  } finally {
    closeSync(fd);
  }
}

export function waitExit(child: ChildProcess, timeoutMs: number): Promise<number | null> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => {
    const t = setTimeout(() => resolve(null), timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(t);
      resolve(code ?? -1);
    });
    child.once('error', () => {
      clearTimeout(t);
      resolve(-1);
    });
  });
}

export function tail(file: string, lines = 15): string {
  if (!existsSync(file)) return '(no log)';
  return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
}

/** One real policy request must get a well-formed reply: a listening socket alone does not prove readiness. */
export async function probe(port: number, timeoutMs = 2_000): Promise<string> {
  const c = await PolicyClient.open(port, HOST);
  try {
    const reply = await c.raw(rcptRequest({ sender: 'probe@outgate.test', sasl_username: 'probe@outgate.test', instance: 'probe.1', recipient: 'x@example.net' }), timeoutMs);
    if (!reply.startsWith('action=')) throw new Error(`bad reply ${JSON.stringify(reply.slice(0, 80))}`);
    return reply.slice('action='.length);
  } finally {
    c.close();
  }
}

/** Poll until the probe succeeds; give up early if the process tree died. */
export async function waitReady(port: number, pid: () => number | null, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  let last = 'not started';
  while (Date.now() < until) {
    const p = pid();
    if (p !== null && !alive(p)) throw new Error(`process ${p} exited before it was ready`);
    try {
      await probe(port);
      return;
    } catch (e) {
      last = (e as Error).message;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`not ready after ${timeoutMs} ms (${last})`);
}

/** Stop by PID (whole tree we started), then remove the temp dir. */
export function stopper(pid: number, dir: string, signal: NodeJS.Signals = 'SIGTERM'): () => Promise<void> {
  return async () => {
    await stopTree(pid, signal);
    removeDir(dir);
  };
}
