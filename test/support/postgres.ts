// A throwaway PostgreSQL for one test file: initdb as the `postgres` OS user into a temp dir, the server on
// a free loopback port (socket in the temp dir too), a fresh database per test; stopped and removed after.
// Never the machine's own PostgreSQL: CI starts its own, and tests must not share state with anything.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

export interface ThrowawayPostgres {
  readonly port: number;
  /** A new empty database; its URL. */
  createDatabase(): Promise<string>;
  stop(): Promise<void>;
}

let counter = 0;

/** The server binaries: pg_config's bindir, else the newest /usr/lib/postgresql/<v>/bin. */
export function postgresBinDir(): string {
  try {
    const dir = execFileSync('pg_config', ['--bindir'], { encoding: 'utf8' }).trim();
    if (existsSync(join(dir, 'initdb'))) return dir;
  } catch {
    // No pg_config on PATH (Debian puts it in the client package's own dir): look for the versions.
  }
  const versions = existsSync('/usr/lib/postgresql') ? readdirSync('/usr/lib/postgresql').filter((v) => existsSync(`/usr/lib/postgresql/${v}/bin/initdb`)) : [];
  const newest = versions.sort((a, b) => Number(b) - Number(a))[0];
  if (!newest) throw new Error('no PostgreSQL server binaries found (pg_config --bindir, /usr/lib/postgresql/*/bin)');
  return `/usr/lib/postgresql/${newest}/bin`;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** initdb and the server run as `postgres` when we are root (PostgreSQL refuses to run as root). */
function asPostgres(bin: string, args: readonly string[]): [string, string[]] {
  return process.getuid?.() === 0 ? ['runuser', ['-u', 'postgres', '--', bin, ...args]] : [bin, [...args]];
}

export async function startPostgres(): Promise<ThrowawayPostgres> {
  const bin = postgresBinDir();
  const dir = mkdtempSync(join(tmpdir(), 'outgate-pg-'));
  if (process.getuid?.() === 0) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    chownSync(dir, uid, gid);
  }
  const data = join(dir, 'data');
  const [initCmd, initArgs] = asPostgres(join(bin, 'initdb'), ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8', '--locale=C']);
  execFileSync(initCmd, initArgs, { stdio: 'ignore' });
  const port = await freePort();
  // fsync off: a throwaway cluster needs no crash safety, and the shared CI disk is slow.
  const [cmd, args] = asPostgres(join(bin, 'postgres'), ['-D', data, '-p', String(port), '-h', '127.0.0.1', '-k', dir, '-c', 'fsync=off', '-c', 'full_page_writes=off', '-c', 'synchronous_commit=off']);
  const server: ChildProcess = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  server.stderr?.on('data', (d: Buffer) => (log += d.toString()));
  const exited = new Promise<void>((resolve) => server.once('exit', () => resolve()));

  const admin = `postgres://postgres@127.0.0.1:${port}/postgres`;
  await waitUntilAccepting(server, () => log);

  return {
    port,
    async createDatabase() {
      const name = `outgate_${process.pid}_${++counter}`;
      const c = new pg.Client({ connectionString: admin });
      await c.connect();
      try {
        await c.query(`CREATE DATABASE ${name}`);
      } finally {
        await c.end();
      }
      return `postgres://postgres@127.0.0.1:${port}/${name}`;
    },
    async stop() {
      if (server.exitCode === null && server.signalCode === null) {
        // SIGINT to the postmaster itself ("fast" shutdown: disconnects clients): runuser does not pass it on.
        const postmaster = Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
        process.kill(postmaster, 'SIGINT');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Waits for the postmaster's own "ready to accept connections" line (a condition, not a timer). */
function waitUntilAccepting(server: ChildProcess, log: () => string): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`PostgreSQL did not accept connections within 30 s: ${log()}`)), 30_000);
    const onData = (): void => {
      if (!log().includes('ready to accept connections')) return;
      clearTimeout(timer);
      server.stderr?.off('data', onData);
      resolve();
    };
    server.stderr?.on('data', onData);
    server.once('exit', () => {
      clearTimeout(timer);
      reject(new Error(`PostgreSQL exited at start: ${log()}`));
    });
    onData();
  });
}

let shared: Promise<ThrowawayPostgres> | undefined;

/**
 * One throwaway server for the whole test file, started the first time a test asks for a database
 * (files that run on PostgreSQL only in some tests pay nothing otherwise); call stopSharedPostgres in after().
 */
export function sharedPostgresDatabase(): Promise<string> {
  return (shared ??= startPostgres()).then((p) => p.createDatabase());
}

export async function stopSharedPostgres(): Promise<void> {
  const p = shared;
  shared = undefined;
  await (await p)?.stop();
}
