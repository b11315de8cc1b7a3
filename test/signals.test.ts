// `outgate start` under the signals systemd sends: SIGHUP (systemctl reload) re-reads the configuration
// without dropping connections or counts; SIGTERM drains (policy requests in flight answered, open milter
// messages finished) and leaves every acknowledged send in the store.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { PolicyClient, sendMessage } from '../src/adapters/postfix-policy/client.js';
import { ok, runCli, tempDataDir } from './support/outgate.js';
import { exitOf, freePort, Load, spawnServer, startProcess, type LogEntry } from './support/server-process.js';
import { MilterClient, mta } from '../src/adapters/milter/client.js';
import { Cmd } from '../src/adapters/milter/protocol.js';

const RATE_LIMITED = 'action=451 4.7.1 Message rate limit exceeded, try again later';

/** Collects a server's log lines and resolves a wait once a line with `msg` arrives. */
class LogWatch {
  readonly lines: LogEntry[] = [];
  private readonly waiters: Array<{ msg: string; from: number; resolve: (e: LogEntry) => void }> = [];
  readonly onLog = (e: LogEntry): void => {
    this.lines.push(e);
    for (const w of [...this.waiters]) {
      if (e.msg === w.msg && this.lines.length > w.from) {
        this.waiters.splice(this.waiters.indexOf(w), 1);
        w.resolve(e);
      }
    }
  };
  /** The next line with `msg` logged after now. */
  next(msg: string): Promise<LogEntry> {
    return new Promise((resolve) => this.waiters.push({ msg, from: this.lines.length, resolve }));
  }
}

test('SIGHUP takes a changed limit on the open connection, keeps the counts, and names the settings that need a restart', { timeout: 60_000 }, async (t) => {
  const dataDir = tempDataDir();
  t.after(() => rmSync(dataDir, { recursive: true, force: true }));
  const config = join(dataDir, 'outgate.json');
  writeFileSync(config, JSON.stringify({ serviceLimits: { messagesPerMinute: 1000 } }));
  const env = { OUTGATE_CONFIG: config };
  const port = await freePort();
  const log = new LogWatch();
  const server = await startProcess(dataDir, port, env, log.onLog);
  t.after(() => server.kill('SIGKILL'));

  const c = await PolicyClient.open(port);
  t.after(() => c.close());
  for (let i = 0; i < 3; i++) assert.equal((await sendMessage(c, { login: 'pat@contoso.test', to: [`r${i}@example.com`] })).end, 'action=DUNNO');

  writeFileSync(config, JSON.stringify({ serviceLimits: { messagesPerMinute: 3 }, policy: { idleTimeoutSeconds: 900 } }));
  const reloaded = log.next('configuration reloaded');
  server.kill('SIGHUP');
  assert.deepEqual((await reloaded).changed, ['serviceLimits.messagesPerMinute']);
  const restart = log.lines.find((l) => Array.isArray(l.settings));
  assert.deepEqual(restart?.settings, ['policy.idleTimeoutSeconds']);
  assert.match(restart?.msg ?? '', /after a restart/);

  // The same connection, the same minute's three messages: the fourth is over the new limit.
  assert.equal(c.closed, false, 'the reload kept the connection');
  const fourth = await sendMessage(c, { login: 'pat@contoso.test', to: ['r4@example.com'] });
  assert.ok([...fourth.rcpt, fourth.end].includes(RATE_LIMITED), JSON.stringify(fourth));
  assert.equal((await sendMessage(c, { login: 'lee@contoso.test', to: ['r@example.com'] })).end, 'action=DUNNO', 'others still send');

  // A broken file is refused: the running configuration stays, and the server keeps answering.
  writeFileSync(config, '{ "serviceLimits": ');
  const failed = log.next('configuration reload failed: the running configuration stays as it was');
  server.kill('SIGHUP');
  assert.match(JSON.stringify((await failed).err), /OG_ERR_CONFIG_INVALID/);
  assert.equal((await sendMessage(c, { login: 'lee@contoso.test', to: ['s@example.com'] })).end, 'action=DUNNO');
  assert.equal(await exitOf(server, 'SIGTERM'), 0);
});

test('SIGTERM under load drains: it exits 0 on its own, with every acknowledged send in the store and the journal applied', { timeout: 60_000 }, async (t) => {
  const dataDir = tempDataDir();
  t.after(() => rmSync(dataDir, { recursive: true, force: true }));
  const config = join(dataDir, 'outgate.json');
  writeFileSync(config, JSON.stringify({ serviceLimits: { messagesPerMinute: 1_000_000, recipientsPerDay: 1_000_000 } }));
  const env = { OUTGATE_CONFIG: config };
  await ok(runCli(dataDir, ['Set-HostedOutboundSpamFilterPolicy', 'Default', '-RecipientLimitExternalPerHour', '10000', '-RecipientLimitPerDay', '10000'], env));
  const port = await freePort();
  const log = new LogWatch();
  const server = await startProcess(dataDir, port, env, log.onLog);
  t.after(() => server.kill('SIGKILL'));

  const idle = await PolicyClient.open(port); // an idle Postfix connection must not hold the stop up
  t.after(() => idle.close());
  const load = new Load(port);
  await load.reached(300);
  const stopped = log.next('stopped');
  const code = await exitOf(server, 'SIGTERM');
  await load.stop();
  assert.equal(code, 0);
  await stopped;
  assert.equal(log.lines.find((l) => l.dropped !== undefined), undefined, 'nothing was still busy at the drain deadline');
  assert.ok(idle.closed, 'the idle connection was closed by the drain');

  // Read straight after the exit, no restart: the journal was applied on the way out.
  const db = new Database(join(dataDir, 'outgate.db'), { readonly: true });
  const rows = db.prepare("SELECT identity, SUM(messages) AS m FROM sending_minutes WHERE identity LIKE '%@load.test' GROUP BY identity").all() as Array<{ identity: string; m: number }>;
  const position = new Map((db.prepare("SELECT key, value FROM meta WHERE key LIKE 'journal_%'").all() as Array<{ key: string; value: number }>).map((r) => [r.key, r.value]));
  db.close();
  const stored = new Map(rows.map((r) => [r.identity, r.m]));
  for (const [login, n] of load.acked) {
    const s = stored.get(login) ?? 0;
    assert.ok(s >= n && s <= n + (load.inFlight.get(login) ?? 0), `${login}: ${n} acknowledged (+${load.inFlight.get(login) ?? 0} unanswered), ${s} stored`);
  }
  const journal = readFileSync(join(dataDir, `sends.${position.get('journal_generation') ?? 0}.journal`));
  assert.equal(position.get('journal_offset'), journal.length, 'the store has applied the whole journal');
  t.diagnostic(`${load.total} messages acknowledged before SIGTERM`);
});

/** True once every established connection to local `port` has nothing left unread (the server has read what was sent). */
function allRead(port: number): boolean {
  const local = `0100007F:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  return readFileSync('/proc/net/tcp', 'latin1')
    .split('\n')
    .slice(1)
    .map((l) => l.trim().split(/\s+/))
    .filter((f) => f[1] === local && f[3] === '01')
    .every((f) => f[4]!.endsWith(':00000000'));
}

test('SIGTERM with a policy request mid-decision and a milter message open: both are answered and counted, then it exits 0', { timeout: 60_000 }, async (t) => {
  const dataDir = tempDataDir();
  t.after(() => rmSync(dataDir, { recursive: true, force: true }));
  const config = join(dataDir, 'outgate.json');
  // The server waits for the write lock the test holds (not the 5 s default); no early-warning writes.
  writeFileSync(config, JSON.stringify({ store: { busyTimeoutMs: 30_000 }, alerts: { earlyWarningPercent: 0 } }));
  const env = { OUTGATE_CONFIG: config };
  await ok(runCli(dataDir, ['Set-HostedOutboundSpamFilterPolicy', 'Default', '-RecipientLimitExternalPerHour', '1', '-ActionWhenThresholdReached', 'BlockUser'], env));
  const log = new LogWatch();
  const { child: server, policyPort, milterPort } = await spawnServer(dataDir, env, { onLog: log.onLog });
  t.after(() => server.kill('SIGKILL'));

  const c = await PolicyClient.open(policyPort);
  t.after(() => c.close());
  assert.equal((await sendMessage(c, { login: 'pat@contoso.test', to: ['a@example.com'] })).end, 'action=DUNNO');
  const m = await MilterClient.open(milterPort);
  t.after(() => void m.close());
  assert.equal((await m.ask(mta.optneg())).kind, 'optneg');
  assert.deepEqual(await m.ask(mta.macro(Cmd.MAIL, [['{auth_authen}', 'mil@contoso.test']]), mta.mail('<mil@contoso.test>')), { kind: 'continue' });
  assert.deepEqual(await m.ask(mta.rcpt('<b@example.com>')), { kind: 'continue' });

  // Pat's second recipient restricts Pat: that decision writes the restriction, and waits for the
  // lock the test holds. SIGTERM arrives once the server has read the request.
  const lock = new Database(join(dataDir, 'outgate.db'));
  t.after(() => lock.close());
  lock.exec('BEGIN IMMEDIATE');
  const reply = c.ask({ protocol_state: 'RCPT', sasl_username: 'pat@contoso.test', sender: 'pat@contoso.test', recipient: 'c@example.com', instance: 'second' }, 30_000);
  for (let tries = 0; !allRead(policyPort); tries++) {
    assert.ok(tries < 1000, 'the server never read the request');
    await new Promise((r) => setTimeout(r, 10));
  }
  const stopping = log.next('stopping: no new connections, answering requests in flight');
  const exited = exitOf(server, 'SIGTERM');
  lock.exec('ROLLBACK');
  assert.equal(await reply, 'action=550 5.1.8 Access denied, bad outbound sender', 'the request in flight is answered');
  await stopping;
  // The milter message open at SIGTERM may still end: its end of message is answered and counted.
  assert.deepEqual(await m.ask(mta.macro(Cmd.EOB, [['i', '4Q1']]), mta.eob()), { kind: 'continue' });
  await m.ended; // then the drain closes the connection
  assert.equal(await exited, 0);
  assert.equal(log.lines.find((l) => l.dropped !== undefined), undefined, 'nothing was dropped at the drain deadline');

  const db = new Database(join(dataDir, 'outgate.db'), { readonly: true });
  const messages = new Map((db.prepare('SELECT identity, SUM(messages) AS m FROM sending_minutes GROUP BY identity').all() as Array<{ identity: string; m: number }>).map((r) => [r.identity, r.m]));
  const restricted = db.prepare("SELECT status FROM restrictions WHERE identity = 'pat@contoso.test'").pluck().get();
  db.close();
  assert.deepEqual(Object.fromEntries(messages), { 'pat@contoso.test': 1, 'mil@contoso.test': 1 });
  assert.equal(restricted, 'Restricted');
});
