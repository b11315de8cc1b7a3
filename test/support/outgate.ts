// Runs Outgate for tests: in-process on a throwaway data dir with a controllable clock, and the real
// `outgate` binary (built dist) for the CLI and for out-of-process servers.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pino } from 'pino';
import { loadConfig } from '../../src/config/load.js';
import { startServer, type Running } from '../../src/main.js';
import type { Clock } from '../../src/app/ports.js';

export const BIN = resolve(import.meta.dirname, '../../bin/outgate.js');

export class TestClock implements Clock {
  constructor(public t = Date.UTC(2026, 10, 28, 9, 0, 0)) {}
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

export async function startTestServer(overrides: Record<string, unknown> = {}, dataDir = tempDataDir()): Promise<TestServer> {
  const clock = new TestClock();
  const config = loadConfig({ env: {}, overrides: { dataDir, 'policy.listen': '127.0.0.1:0', 'http.listen': '127.0.0.1:0', ...overrides } });
  const running = await startServer(config, { clock, log: pino({ level: process.env.OUTGATE_TEST_LOG ?? 'silent' }) });
  return {
    ...running,
    dataDir,
    clock,
    cli: (...args) => runCli(dataDir, args),
    async stop() {
      await running.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Runs the real `outgate` binary against a data dir. */
export function runCli(dataDir: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return new Promise((done) => {
    execFile(process.execPath, [BIN, ...args], { env: { ...process.env, OUTGATE_DATA_DIR: dataDir, ...env }, timeout: 30_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      done({ code, stdout, stderr });
    });
  });
}
