// kill -9 under load: every acknowledged count and every restriction survives, and a restart resumes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { appendFileSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { HANG_UP, PolicyClient, sendMessage } from '../src/adapters/postfix-policy/client.js';
import { BIN, clockEnv, ok, runCli, tempDataDir, testTimeline } from './support/outgate.js';

const DUNNO = 'action=DUNNO';
const DENIED = 'action=550 5.1.8 Access denied, bad outbound sender';

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

interface LogEntry {
  level?: number;
  msg?: string;
  listen?: string;
  [field: string]: unknown;
}

/**
 * Starts `outgate start` and resolves once this very process says its policy server listens: a
 * connection test alone could reach another process that took the port after a kill -9.
 */
function start(dataDir: string, port: number, env: NodeJS.ProcessEnv, onLog: (entry: LogEntry) => void = () => undefined): Promise<ChildProcess> {
  const child = spawn(process.execPath, [BIN, 'start'], { env: { ...process.env, ...clockEnv(testTimeline), ...env, OUTGATE_DATA_DIR: dataDir, OUTGATE_POLICY_LISTEN: `127.0.0.1:${port}`, OUTGATE_MILTER_LISTEN: '', OUTGATE_HTTP_LISTEN: '127.0.0.1:0', OUTGATE_LOG_LEVEL: 'info' }, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error('server did not start within 30 s'));
    }, 30_000);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`server exited before listening (code ${code}, signal ${signal})`));
    });
    createInterface({ input: child.stdout! }).on('line', (line) => {
      let entry: LogEntry;
      try {
        entry = JSON.parse(line) as typeof entry;
      } catch {
        return; // not a log line
      }
      onLog(entry);
      if (entry.msg === 'policy server listening' && entry.listen === `127.0.0.1:${port}`) {
        clearTimeout(timer);
        resolve(child);
      }
    });
  });
}

test('kill -9 during load loses no acknowledged count and no restriction; a restart resumes', async (t) => {
  const dataDir = tempDataDir();
  t.after(() => rmSync(dataDir, { recursive: true, force: true }));
  const config = join(dataDir, 'outgate.json');
  writeFileSync(config, JSON.stringify({ serviceLimits: { messagesPerMinute: 1_000_000, recipientsPerDay: 1_000_000 } }));
  const env = { OUTGATE_CONFIG: config };
  const cli = (...a: string[]) => runCli(dataDir, a, env);
  assert.equal((await cli('Set-HostedOutboundSpamFilterPolicy', 'Default', '-RecipientLimitExternalPerHour', '10000', '-RecipientLimitPerDay', '10000')).code, 0);
  assert.equal((await cli('New-HostedOutboundSpamFilterPolicy', 'Tight', '-RecipientLimitExternalPerHour', '1', '-ActionWhenThresholdReached', 'BlockUser')).code, 0);
  assert.equal((await cli('New-HostedOutboundSpamFilterRule', 'Tight', '-HostedOutboundSpamFilterPolicy', 'Tight', '-SenderDomainIs', 'victim.test')).code, 0);

  const port = await freePort();
  let server = await start(dataDir, port, env);
  t.after(() => server.kill('SIGKILL'));

  const victim = await PolicyClient.open(port);
  assert.equal((await sendMessage(victim, { login: 'v@victim.test', to: ['a@example.com'] })).end, DUNNO);
  assert.deepEqual((await sendMessage(victim, { login: 'v@victim.test', to: ['b@example.com'] })).rcpt, [DENIED]);
  victim.close();

  const acked = new Map<string, number>();
  const inFlight = new Map<string, number>();
  let stop = false;
  const worker = async (w: number): Promise<void> => {
    const c = await PolicyClient.open(port);
    for (let i = 0; !stop && i < 100_000; i++) {
      const login = `user${(w * 7 + i) % 40}@load.test`;
      const instance = `k${w}.${i}`;
      const common = { sasl_username: login, sender: login, instance };
      if ((await c.ask({ ...common, protocol_state: 'RCPT', recipient: 'x@example.com' })) !== DUNNO) break;
      inFlight.set(login, (inFlight.get(login) ?? 0) + 1);
      const end = await c.ask({ ...common, protocol_state: 'END-OF-MESSAGE', recipient: 'x@example.com', recipient_count: 1 });
      inFlight.set(login, inFlight.get(login)! - 1);
      if (end === HANG_UP) {
        inFlight.set(login, inFlight.get(login)! + 1); // unknown: may or may not have been committed
        break;
      }
      assert.equal(end, DUNNO);
      acked.set(login, (acked.get(login) ?? 0) + 1);
    }
    c.close();
  };
  const workers = Array.from({ length: 8 }, (_, w) => worker(w));
  // Killed after a random amount of acknowledged work rather than of time: on a loaded machine a time
  // window can pass with almost nothing sent, and the test would prove nothing.
  const target = 200 + Math.floor(Math.random() * 400);
  const acknowledged = (): number => [...acked.values()].reduce((a, b) => a + b, 0);
  for (const until = Date.now() + 60_000; acknowledged() < target && Date.now() < until; ) await new Promise((r) => setTimeout(r, 5));
  server.kill('SIGKILL');
  stop = true;
  await Promise.all(workers);
  const total = [...acked.values()].reduce((a, b) => a + b, 0);
  assert.ok(total > 100, `load ran (${total} messages acknowledged)`);
  t.diagnostic(`${total} messages acknowledged before kill -9`);

  // The restart applies what the journal holds before it serves; then the store must hold every
  // acknowledged send (and at most those that were in flight besides).
  server = await start(dataDir, port, env);
  const db = new Database(join(dataDir, 'outgate.db'), { readonly: true });
  const rows = db.prepare("SELECT identity, SUM(messages) AS m, SUM(external) AS e FROM sending_minutes WHERE identity LIKE '%@load.test' GROUP BY identity").all() as Array<{ identity: string; m: number; e: number }>;
  db.close();
  const stored = new Map(rows.map((r) => [r.identity, r.m]));
  for (const [login, n] of acked) {
    const s = stored.get(login) ?? 0;
    assert.ok(s >= n, `${login}: ${n} acknowledged, ${s} stored`);
    assert.ok(s <= n + (inFlight.get(login) ?? 0), `${login}: ${s} stored is more than acknowledged plus in flight`);
  }

  const after = await PolicyClient.open(port);
  t.after(() => after.close());
  assert.deepEqual((await sendMessage(after, { login: 'v@victim.test', to: ['c@example.com'] })).rcpt, [DENIED], 'restriction survived');
  const listed = JSON.parse((await ok(cli('Get-BlockedSenderAddress', '--format', 'json'))).stdout) as Array<{ SenderAddress: string }>;
  assert.deepEqual(listed.map((x) => x.SenderAddress), ['v@victim.test']);
  assert.equal((await sendMessage(after, { login: 'user0@load.test', to: ['x@example.com'] })).end, DUNNO, 'resumes');
  server.kill('SIGTERM');
});

/** Stops a server started above and waits for it to be gone. */
function stopped(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill(signal);
  });
}

/** What the store counts for `identity` (messages), read while no server runs. */
function storedMessages(dataDir: string, identity: string): number {
  const db = new Database(join(dataDir, 'outgate.db'), { readonly: true });
  const row = db.prepare('SELECT COALESCE(SUM(messages), 0) AS m FROM sending_minutes WHERE identity = ?').get(identity) as { m: number };
  db.close();
  return row.m;
}

/** A data dir with a server that has journaled and applied `messages` messages of `login`, and stopped. */
async function journaledDataDir(t: { after: (fn: () => void) => void }, login: string, messages: number): Promise<{ dataDir: string; port: number; env: NodeJS.ProcessEnv }> {
  const dataDir = tempDataDir();
  t.after(() => rmSync(dataDir, { recursive: true, force: true }));
  const config = join(dataDir, 'outgate.json');
  writeFileSync(config, JSON.stringify({ serviceLimits: { messagesPerMinute: 1_000_000, recipientsPerDay: 1_000_000 } }));
  const env = { OUTGATE_CONFIG: config };
  assert.equal((await runCli(dataDir, ['Set-HostedOutboundSpamFilterPolicy', 'Default', '-RecipientLimitExternalPerHour', '10000', '-RecipientLimitPerDay', '10000'], env)).code, 0);
  const port = await freePort();
  const server = await start(dataDir, port, env);
  t.after(() => server.kill('SIGKILL'));
  await sendAll(port, login, messages);
  // Applied (the stored position moves past them) before the stop: a SIGTERM that lands while the
  // server is still starting its HTTP side ends it like a crash.
  await storedAtLeast(dataDir, login, messages);
  await stopped(server, 'SIGTERM');
  assert.equal(storedMessages(dataDir, login), messages);
  return { dataDir, port, env };
}

/** Waits until a running server's applier has `n` messages of `identity` in the store. */
async function storedAtLeast(dataDir: string, identity: string, n: number): Promise<void> {
  const db = new Database(join(dataDir, 'outgate.db'), { readonly: true });
  const count = db.prepare('SELECT COALESCE(SUM(messages), 0) AS m FROM sending_minutes WHERE identity = ?');
  try {
    for (const until = Date.now() + 30_000; (count.get(identity) as { m: number }).m < n; ) {
      assert.ok(Date.now() < until, `the applier did not apply ${n} acknowledged sends within 30 s`);
      await new Promise((r) => setTimeout(r, 20));
    }
  } finally {
    db.close();
  }
}

async function sendAll(port: number, login: string, messages: number): Promise<void> {
  const c = await PolicyClient.open(port);
  for (let i = 0; i < messages; i++) assert.equal((await sendMessage(c, { login, to: [`r${i}@example.com`] })).end, DUNNO);
  c.close();
}

test('a corrupt journal record does not stop the server: it is reported with file and offset, set aside, and the rest counted', async (t) => {
  const login = 'damaged@load.test';
  const { dataDir, port, env } = await journaledDataDir(t, login, 3);
  const journal = join(dataDir, 'sends.0.journal');
  const record = readFileSync(journal, 'utf8').split('\n')[0]!;
  const offset = readFileSync(journal).length + Buffer.byteLength(record) + 1;
  appendFileSync(journal, `${record}\n{"not":"a send"\n${record}\n`);

  const logs: LogEntry[] = [];
  const server = await start(dataDir, port, env, (e) => logs.push(e));
  t.after(() => server.kill('SIGKILL'));
  const reported = logs.filter((e) => e.msg?.startsWith('corrupt send journal record'));
  assert.deepEqual(reported.map((e) => [e.level, e.file, e.offset, e.setAside]), [[40, journal, offset, `${journal}.corrupt`]]);
  assert.equal(readFileSync(`${journal}.corrupt`, 'utf8'), '{"not":"a send"\n');
  await stopped(server, 'SIGTERM');
  assert.equal(storedMessages(dataDir, login), 3 + 2, 'the records on both sides of the damage are counted');
});

test('a journal cut shorter than what was applied is reported, and a later kill -9 loses no acknowledged count', async (t) => {
  const login = 'cut@load.test';
  const { dataDir, port, env } = await journaledDataDir(t, login, 10);
  const journal = join(dataDir, 'sends.0.journal');
  truncateSync(journal, 10);

  const logs: LogEntry[] = [];
  let server = await start(dataDir, port, env, (e) => logs.push(e));
  t.after(() => server.kill('SIGKILL'));
  const reported = logs.filter((e) => e.msg?.startsWith('send journal is shorter'));
  assert.deepEqual(reported.map((e) => [e.level, e.file, e.size, e.nextGeneration]), [[40, journal, 10, 1]]);
  await sendAll(port, login, 20);
  // Wait (on the store, not a clock) until the applier has these in SQLite, so the position moves on...
  await storedAtLeast(dataDir, login, 30);
  // ...then a few more are acknowledged and the server dies before it applies them.
  await sendAll(port, login, 3);
  await stopped(server, 'SIGKILL');

  server = await start(dataDir, port, env);
  await stopped(server, 'SIGTERM');
  assert.equal(storedMessages(dataDir, login), 10 + 20 + 3, 'nothing lost, nothing counted twice');
});
