// Runs Outgate for tests: in-process on a throwaway data dir with a controllable clock, and the real
// `outgate` binary (built dist) for the CLI and for out-of-process servers.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pino, type Logger } from 'pino';
import { loadConfig } from '../../src/config/load.js';
import { startServer, type Running } from '../../src/main.js';
import type { Clock } from '../../src/app/ports.js';
import { clockStartingAt, TEST_NOW_ENV } from '../../src/adapters/clock/clock.js';

export const BIN = resolve(import.meta.dirname, '../../bin/outgate.js');

/** Where every test's time starts: fixed, so no test depends on the real date (or its last minute). */
export const TEST_EPOCH = Date.UTC(2026, 10, 28, 9, 0, 0);

/** A running clock from TEST_EPOCH, for processes a test spawns without a clock of its own. */
export const testTimeline: Clock = clockStartingAt(TEST_EPOCH);

/** The environment that puts a spawned `outgate` on `clock`'s time (it runs on from there). */
export const clockEnv = (clock: Clock): NodeJS.ProcessEnv => ({ [TEST_NOW_ENV]: String(clock.now()) });

export class TestClock implements Clock {
  constructor(public t = TEST_EPOCH) {}
  now(): number {
    return this.t;
  }
  advance(ms: number): void {
    this.t += ms;
  }
}

export interface TestServer extends Running {
  dataDir: string;
  clock: TestClock;
  cli(...args: string[]): Promise<CliResult>;
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function tempDataDir(): string {
  return mkdtempSync(join(tmpdir(), 'outgate-test-'));
}

/**
 * `cliEnv` goes to every cmdlet `cli()` runs (e.g. OUTGATE_DATABASE_URL, so they share the server's store);
 * `log` replaces the silent logger (a test that reads what the server logs); `keepDataDir` leaves the
 * data dir in place at stop, for a restart on it.
 */
export async function startTestServer(
  overrides: Record<string, unknown> = {},
  dataDir = tempDataDir(),
  opts: { cliEnv?: NodeJS.ProcessEnv; log?: Logger; keepDataDir?: boolean } = {},
): Promise<TestServer> {
  const { cliEnv = {}, log } = opts;
  const clock = new TestClock();
  // Tests open a policy connection and then run cmdlets (seconds each on a loaded machine) before their
  // first request; Postfix sends as soon as it connects. The deadline itself is tested with its own value.
  const timing = { 'policy.requestTimeoutSeconds': 120 };
  const config = loadConfig({ env: {}, overrides: { dataDir, 'policy.listen': '127.0.0.1:0', 'milter.listen': '127.0.0.1:0', 'http.listen': '127.0.0.1:0', ...timing, ...overrides } });
  const running = await startServer(config, { clock, log: log ?? pino({ level: process.env.OUTGATE_TEST_LOG ?? 'silent' }) });
  return {
    ...running,
    dataDir,
    clock,
    cli: (...args) => runCli(dataDir, args, cliEnv, clock),
    async stop() {
      await running.stop();
      if (!opts.keepDataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Runs the real `outgate` binary against a data dir, on `clock`'s time (the test server's, when there is one). */
export function runCli(dataDir: string, args: readonly string[], env: NodeJS.ProcessEnv = {}, clock: Clock = testTimeline): Promise<CliResult> {
  return new Promise((done) => {
    execFile(process.execPath, [BIN, ...args], { env: { ...process.env, OUTGATE_DATA_DIR: dataDir, ...clockEnv(clock), ...env }, timeout: 30_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      done({ code, stdout, stderr });
    });
  });
}

/** A CLI call that must succeed: fails the test with the command's stderr otherwise. */
export async function ok(call: Promise<CliResult>): Promise<CliResult> {
  const r = await call;
  assert.equal(r.code, 0, `exit ${r.code}: ${r.stderr}`);
  return r;
}

/** A CLI call that must be refused with exit code `code` (1: the request was wrong; see src/cli/main.ts). */
export async function fails(call: Promise<CliResult>, code = 1): Promise<CliResult> {
  const r = await call;
  assert.equal(r.code, code, `expected exit ${code}, got ${r.code}: ${r.stdout}${r.stderr}`);
  return r;
}

/** A tenant Contoso owning contoso.test, allowed `perDay` external recipients a day (its tenant limit). */
export async function contosoWithExternalLimit(server: TestServer, perDay: number): Promise<void> {
  await ok(server.cli('New-Tenant', 'Contoso'));
  await ok(server.cli('New-AcceptedDomain', '-Name', 'Contoso', '-DomainName', 'contoso.test', '--tenant', 'Contoso'));
  await ok(server.cli('Set-Tenant', 'Contoso', '-ExternalRecipientLimitPerDay', String(perDay)));
}
