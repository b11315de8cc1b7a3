// The store failing while the server runs: a corrupt file and a full disk are logged and counted,
// decisions fail closed, readiness says so, and the server recovers when the store does.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { execFileSync } from 'node:child_process';
import { closeSync, openSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import Database from 'better-sqlite3';
import { pino } from 'pino';
import { HANG_UP, PolicyClient, sendMessage } from '../src/adapters/postfix-policy/client.js';
import { runCli, startTestServer, tempDataDir } from './support/outgate.js';
import { spawnServer } from './support/server-process.js';

const DUNNO = 'action=DUNNO';

/** Polls `probe` until it returns true (a condition the server reaches on its own timers). */
async function until(what: string, probe: () => Promise<boolean> | boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const storeErrors = (metrics: string, operation: string): number =>
  Number(new RegExp(`^outgate_store_errors_total\\{operation="${operation}"\\} (\\d+)$`, 'm').exec(metrics)?.[1] ?? 0);

test(
  'a database corrupted while running: logged and counted, not a crash; decisions fail closed and readiness is 503',
  { timeout: 20_000 },
  async (t) => {
    const lines: Array<{ level: number; msg: string; task?: string; err?: { message: string } }> = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(JSON.parse(chunk.toString()) as (typeof lines)[number]);
        done();
      },
    });
    const s = await startTestServer({}, undefined, { log: pino({ level: 'info' }, sink) });
    t.after(() => s.stop());
    const c = await PolicyClient.open(s.policyPort);
    t.after(() => c.close());
    assert.equal((await sendMessage(c, { login: 'a@outgate.test', to: ['x@example.com'] })).end, DUNNO);
    const ready = () => fetch(`http://127.0.0.1:${s.httpPort}/api/v1/ready`);
    assert.equal((await ready()).status, 200);

    // Damage the page the server reads other processes' changes from, then commit from another
    // connection so the server must read it again (its page cache is dropped on a foreign commit).
    const file = join(s.dataDir, 'outgate.db');
    const other = new Database(file);
    t.after(() => other.close());
    await until(
      'a full checkpoint',
      () => (other.pragma('wal_checkpoint(TRUNCATE)', { simple: false }) as Array<{ busy: number }>)[0]!.busy === 0,
    );
    const root = other.prepare("SELECT rootpage FROM sqlite_master WHERE name = 'change_log'").pluck().get() as number;
    const pageSize = other.pragma('page_size', { simple: true }) as number;
    const fd = openSync(file, 'r+');
    writeSync(fd, Buffer.alloc(pageSize, 0xff), 0, pageSize, (root - 1) * pageSize);
    closeSync(fd);
    other.prepare('UPDATE meta SET value = value WHERE key = (SELECT key FROM meta LIMIT 1)').run();

    // The one-second sweep meets the damage: one error line, counted, and the process lives on.
    await until('the failure to be counted', async () => storeErrors(await s.metrics.registry.metrics(), 'poll-changes') >= 2);
    const reported = lines.filter((l) => l.task === 'poll-changes');
    assert.equal(reported.length, 1, 'logged once, not once a second');
    assert.equal(reported[0]!.level, 50);
    assert.match(reported[0]!.err!.message, /malformed/);
    const r = await ready();
    assert.equal(r.status, 503);
    assert.match(
      ((await r.json()) as { reason: string }).reason,
      /^The last change read failed: The store failed: database disk image is malformed/,
    );
    // A decision now could miss a restriction another process made: no reply, so Postfix defers.
    assert.equal(
      await c.ask({
        protocol_state: 'RCPT',
        sasl_username: 'a@outgate.test',
        sender: 'a@outgate.test',
        recipient: 'y@example.com',
        instance: 'k',
      }),
      HANG_UP,
    );
  },
);

// `outgate start` as its own process, so its file-size limit can be lowered while it runs: with
// RLIMIT_FSIZE at 1 byte every write past the first byte of any file fails (EFBIG), which is what a
// full disk does to the journal, the WAL and the database, without mounting anything.
const fileSizeLimit = (pid: number, limit: string): void => void execFileSync('prlimit', ['--pid', String(pid), `--fsize=${limit}:`]);

test(
  'a full disk: end-of-message checks fail closed, readiness is 503 until a write succeeds, checkpoint warnings are summarized',
  { timeout: 20_000 },
  async (t) => {
    const dataDir = tempDataDir();
    t.after(() => rmSync(dataDir, { recursive: true, force: true }));
    const lines: string[] = [];
    const { child, policyPort, httpPort } = await spawnServer(dataDir, {}, { onLog: (_, line) => lines.push(line) });
    t.after(() => {
      child.kill('SIGKILL');
    });
    const pid = child.pid!;
    const c = await PolicyClient.open(policyPort);
    t.after(() => c.close());
    const ready = () => fetch(`http://127.0.0.1:${httpPort}/api/v1/ready`);
    const metrics = async () => (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text();
    assert.equal((await sendMessage(c, { login: 'a@outgate.test', to: ['x@example.com'] })).end, DUNNO);
    assert.equal((await ready()).status, 200);

    fileSizeLimit(pid, '1');
    t.after(() => {
      if (child.exitCode === null) fileSizeLimit(pid, 'unlimited');
    });
    // The count cannot be made durable: no reply (Postfix answers 451 4.3.5 and the client retries).
    assert.deepEqual(await sendMessage(c, { login: 'a@outgate.test', to: ['y@example.com'] }), { rcpt: [DUNNO], end: HANG_UP });
    const r = await ready();
    assert.equal(r.status, 503);
    assert.match(((await r.json()) as { reason: string }).reason, /^The last journal append failed: The send journal failed: EFBIG/);
    // Another process (not limited) commits: the server's checkpoints of it fail every 200 ms.
    assert.equal(
      (await runCli(dataDir, ['Set-HostedOutboundSpamFilterPolicy', 'Default', '-RecipientLimitExternalPerHour', '100'])).code,
      0,
    );
    await until('several failed checkpoints', async () => storeErrors(await metrics(), 'wal-checkpoint') >= 3);
    const warnings = lines.filter((l) => l.includes('"task":"wal-checkpoint"'));
    assert.equal(warnings.length, 1, 'the first failure is logged, later ones wait for the 10 s summary');
    assert.match(warnings[0]!, /"level":40.*"msg":"background WAL checkpoint failed"/);

    // Space again: the readiness probe's own write succeeds (no traffic needed), and so do checks.
    fileSizeLimit(pid, 'unlimited');
    const again = await ready();
    assert.equal(again.status, 200, await again.text());
    const c2 = await PolicyClient.open(policyPort);
    t.after(() => c2.close());
    assert.equal((await sendMessage(c2, { login: 'a@outgate.test', to: ['y@example.com'] })).end, DUNNO);
  },
);
