// `outgate start` under the signals systemd sends: SIGHUP (systemctl reload) re-reads the configuration
// without dropping connections or counts; SIGTERM drains and leaves every acknowledged send in the store.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { PolicyClient, sendMessage } from '../src/adapters/postfix-policy/client.js';
import { ok, runCli, tempDataDir } from './support/outgate.js';
import { exitOf, freePort, Load, startProcess, type LogEntry } from './support/server-process.js';

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
