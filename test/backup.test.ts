// outgate backup under load and outgate restore: nothing acknowledged is missing from a backup, a
// restore gives back the same store, and a restore refuses a running server and any file that is not
// an intact Outgate store.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { copyFileSync, existsSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { PolicyClient, sendMessage } from '../src/adapters/postfix-policy/client.js';
import { backupBeforeMigration } from '../src/adapters/store/sqlite/upgrade-backup.js';
import { fails, ok, runCli, tempDataDir, TEST_EPOCH } from './support/outgate.js';
import { exitOf, freePort, Load, spawnServer, startProcess, type LogEntry } from './support/server-process.js';

const DENIED = 'action=550 5.1.8 Access denied, bad outbound sender';

function storeFile(dataDir: string): string {
  return join(dataDir, 'outgate.db');
}

function messagesBySender(dataDir: string): Map<string, number> {
  const db = new Database(storeFile(dataDir), { readonly: true });
  const rows = db.prepare('SELECT identity, SUM(messages) AS m FROM sending_minutes GROUP BY identity').all() as Array<{ identity: string; m: number }>;
  db.close();
  return new Map(rows.map((r) => [r.identity, r.m]));
}

/** Every row of every table, in key order; the journal position is where each store's own journal is. */
function dump(dataDir: string): Record<string, unknown[]> {
  const db = new Database(storeFile(dataDir), { readonly: true });
  const out: Record<string, unknown[]> = {};
  for (const { name } of db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as Array<{ name: string }>) {
    const where = name === 'meta' ? " WHERE key NOT IN ('journal_generation', 'journal_offset')" : '';
    const columns = (db.prepare(`PRAGMA table_info("${name}")`).all() as unknown[]).map((_, i) => i + 1);
    out[name] = db.prepare(`SELECT * FROM "${name}"${where} ORDER BY ${columns.join(', ')}`).all();
  }
  db.close();
  return out;
}

test('a backup taken under load restores to the same store: every acknowledged send, the restrictions, an intact audit chain', { timeout: 120_000 }, async (t) => {
  const dataDir = tempDataDir();
  const backups = tempDataDir();
  t.after(() => rmSync(dataDir, { recursive: true, force: true }));
  t.after(() => rmSync(backups, { recursive: true, force: true }));
  const config = join(backups, 'outgate.json');
  writeFileSync(config, JSON.stringify({ serviceLimits: { messagesPerMinute: 1_000_000, recipientsPerDay: 1_000_000 } }));
  const env = { OUTGATE_CONFIG: config };
  const cli = (dir: string, ...a: string[]) => runCli(dir, a, env);
  await ok(cli(dataDir, 'Set-HostedOutboundSpamFilterPolicy', 'Default', '-RecipientLimitExternalPerHour', '10000', '-RecipientLimitPerDay', '10000'));
  await ok(cli(dataDir, 'New-HostedOutboundSpamFilterPolicy', 'Tight', '-RecipientLimitExternalPerHour', '1', '-ActionWhenThresholdReached', 'BlockUser'));
  await ok(cli(dataDir, 'New-HostedOutboundSpamFilterRule', 'Tight', '-HostedOutboundSpamFilterPolicy', 'Tight', '-SenderDomainIs', 'victim.test'));

  const port = await freePort();
  const server = await startProcess(dataDir, port, env);
  t.after(() => server.kill('SIGKILL'));
  const victim = await PolicyClient.open(port);
  await sendMessage(victim, { login: 'v@victim.test', to: ['a@example.com'] });
  assert.deepEqual((await sendMessage(victim, { login: 'v@victim.test', to: ['b@example.com'] })).rcpt, [DENIED]);
  victim.close();

  const load = new Load(port);
  await load.reached(300);
  const before = new Map(load.acked);
  const file = join(backups, 'under-load.db');
  const taken = JSON.parse((await ok(cli(dataDir, 'backup', file, '--format', 'json'))).stdout) as { Verified: boolean; RestrictedEntities: number; JournalSends: number };
  const after = new Map(load.acked);
  const inFlight = new Map(load.inFlight);
  await load.stop();
  assert.equal(taken.Verified, true);
  assert.equal(taken.RestrictedEntities, 1);
  t.diagnostic(`${[...before.values()].reduce((a, b) => a + b, 0)} messages acknowledged before the backup began; it took ${taken.JournalSends} sends from the journal`);

  // Restored into an empty data directory: what was acknowledged before the backup began is all there.
  const restored = tempDataDir();
  t.after(() => rmSync(restored, { recursive: true, force: true }));
  await ok(cli(restored, 'restore', file));
  const stored = messagesBySender(restored);
  for (const [login, n] of before) assert.ok((stored.get(login) ?? 0) >= n, `${login}: ${n} acknowledged before the backup, ${stored.get(login) ?? 0} in it`);
  for (const [login, s] of stored) {
    if (!login.endsWith('@load.test')) continue;
    const most = (after.get(login) ?? 0) + (inFlight.get(login) ?? 0);
    assert.ok(s <= most, `${login}: ${s} in the backup, but only ${most} acknowledged or in flight when it ended`);
  }
  const blocked = JSON.parse((await ok(cli(restored, 'Get-BlockedSenderAddress', '--format', 'json'))).stdout) as Array<{ SenderAddress: string }>;
  assert.deepEqual(blocked.map((b) => b.SenderAddress), ['v@victim.test']);
  assert.match((await ok(cli(restored, 'Test-AuditLogIntegrity'))).stdout, /^ok\s*: true$/m);

  // The restored store serves: the restriction holds, and a restore is refused while it runs.
  const port2 = await freePort();
  const second = await startProcess(restored, port2, env);
  t.after(() => second.kill('SIGKILL'));
  const c = await PolicyClient.open(port2);
  assert.deepEqual((await sendMessage(c, { login: 'v@victim.test', to: ['c@example.com'] })).rcpt, [DENIED]);
  assert.equal((await sendMessage(c, { login: 'user1@load.test', to: ['x@example.com'] })).end, 'action=DUNNO');
  c.close();
  const refused = await fails(cli(restored, 'restore', file), 3);
  assert.match(refused.stderr, /OG_ERR_STORE_LOCKED: Another Outgate server \(pid \d+\) is running .* Stop it before restoring/);
  assert.equal(await exitOf(second, 'SIGTERM'), 0);

  // Taken from a stopped server, a backup restores row for row.
  assert.equal(await exitOf(server, 'SIGTERM'), 0);
  const quiet = join(backups, 'stopped.db');
  await ok(cli(dataDir, 'backup', quiet));
  const copy = tempDataDir();
  t.after(() => rmSync(copy, { recursive: true, force: true }));
  await ok(cli(copy, 'restore', quiet));
  assert.deepEqual(dump(copy), dump(dataDir));

  // Restoring over a store keeps the one it replaces.
  const over = await ok(cli(restored, 'restore', quiet, '--format', 'json'));
  const previous = (JSON.parse(over.stdout) as { PreviousStore: string }).PreviousStore;
  assert.ok(existsSync(join(previous, 'outgate.db')), `the replaced store is kept in ${previous}`);
  assert.deepEqual(dump(restored), dump(dataDir));
});

test('restore refuses a file that is not an intact Outgate store and changes nothing', { timeout: 60_000 }, async (t) => {
  const source = tempDataDir();
  const target = tempDataDir();
  t.after(() => rmSync(source, { recursive: true, force: true }));
  t.after(() => rmSync(target, { recursive: true, force: true }));
  await ok(runCli(source, ['New-AcceptedDomain', '-Name', 'Contoso', '-DomainName', 'contoso.com']));
  const good = join(source, 'good.db');
  await ok(runCli(source, ['backup', good]));

  const text = join(source, 'notes.txt');
  writeFileSync(text, 'not a database\n'.repeat(100));
  assert.match((await fails(runCli(target, ['restore', text]))).stderr, /OG_ERR_BACKUP_INVALID: .*notes\.txt/);

  const other = join(source, 'other.db');
  const db = new Database(other);
  db.exec('CREATE TABLE t (x)');
  db.close();
  assert.match((await fails(runCli(target, ['restore', other]))).stderr, /OG_ERR_BACKUP_INVALID: .*not an Outgate store/);

  const edited = join(source, 'edited.db');
  copyFileSync(good, edited);
  const e = new Database(edited);
  e.prepare('UPDATE audit_log SET actor = ? WHERE seq = 1').run('someone else');
  e.close();
  assert.match((await fails(runCli(target, ['restore', edited]))).stderr, /OG_ERR_BACKUP_INVALID: .*audit chain is broken at record 1/);

  const newer = join(source, 'newer.db');
  copyFileSync(good, newer);
  const n = new Database(newer);
  n.pragma('user_version = 999');
  n.close();
  assert.match((await fails(runCli(target, ['restore', newer]))).stderr, /OG_ERR_BACKUP_INVALID: .*newer Outgate/);

  assert.deepEqual(readdirSync(target), [], 'nothing was written to the data directory');
  await ok(runCli(target, ['restore', good]));
  assert.match((await ok(runCli(target, ['Get-AcceptedDomain']))).stdout, /contoso\.com/);
});

/** Makes the store in `dataDir` look as schema 4 left it: before migrations 5 (Send As grants) and 6 (the tenant limit). */
function downgradeToSchema4(dataDir: string): void {
  const db = new Database(storeFile(dataDir));
  db.exec('DROP TABLE recipient_permissions');
  db.exec('ALTER TABLE tenants DROP COLUMN external_recipients_per_day');
  db.pragma('user_version = 4');
  db.close();
}

const schemaOf = (file: string): { version: number; tables: string[] } => {
  const db = new Database(file, { readonly: true });
  const version = db.pragma('user_version', { simple: true }) as number;
  const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as Array<{ name: string }>).map((r) => r.name);
  db.close();
  return { version, tables };
};

test('an older store is backed up before its schema is migrated; the backup keeps the old schema and the last 3 are kept', { timeout: 90_000 }, async (t) => {
  const dataDir = tempDataDir();
  t.after(() => rmSync(dataDir, { recursive: true, force: true }));
  await ok(runCli(dataDir, ['New-AcceptedDomain', '-Name', 'Contoso', '-DomainName', 'contoso.com']));
  const latest = schemaOf(storeFile(dataDir)).version;
  downgradeToSchema4(dataDir);

  const logged: LogEntry[] = [];
  const { child } = await spawnServer(dataDir, {}, { onLog: (e) => logged.push(e) });
  t.after(() => child.kill('SIGKILL'));
  assert.equal(await exitOf(child, 'SIGTERM'), 0);
  const line = logged.find((e) => typeof e.backup === 'string');
  assert.match(line?.msg ?? '', /older Outgate: backed it up before migrating/);
  const first = line!.backup as string;
  assert.equal(dirname(first), join(dataDir, 'backups'));
  assert.match(basename(first), new RegExp(`^pre-upgrade\\.schema-4-to-${latest}\\.outgate-\\d+\\.\\d+\\.\\d+\\..+\\.db$`));
  assert.deepEqual(schemaOf(first).version, 4, 'the backup is the store as the older Outgate left it');
  assert.ok(!schemaOf(first).tables.includes('recipient_permissions'));
  assert.equal(schemaOf(storeFile(dataDir)).version, latest, 'then the store was migrated');

  // The backup restores, and a cmdlet (not only the server) backs up before it migrates too.
  const restored = tempDataDir();
  t.after(() => rmSync(restored, { recursive: true, force: true }));
  await ok(runCli(restored, ['restore', first]));
  assert.equal(schemaOf(storeFile(restored)).version, 4);
  const after = await ok(runCli(restored, ['Get-AcceptedDomain']));
  assert.match(after.stdout, /contoso\.com/);
  assert.match(after.stderr, /backed it up before migrating its schema/);
  assert.equal(schemaOf(storeFile(restored)).version, latest);

  // Three more upgrades of the same store: the oldest backup goes, the last 3 stay.
  downgradeToSchema4(dataDir);
  for (let i = 1; i <= 3; i++) assert.ok(await backupBeforeMigration(dataDir, new Date(TEST_EPOCH + i * 60_000)));
  const kept = readdirSync(join(dataDir, 'backups'));
  assert.equal(kept.length, 3, kept.join(', '));
  assert.ok(!kept.includes(basename(first)), 'the oldest was pruned');
  assert.equal(await backupBeforeMigration(restored), null, 'a store already at this schema is not backed up');
});

test('an older Outgate refuses a store a newer one migrated: OG_ERR_STORE_TOO_NEW, and nothing changes', { timeout: 60_000 }, async (t) => {
  const dataDir = tempDataDir();
  t.after(() => rmSync(dataDir, { recursive: true, force: true }));
  await ok(runCli(dataDir, ['New-AcceptedDomain', '-Name', 'Contoso', '-DomainName', 'contoso.com']));
  const db = new Database(storeFile(dataDir));
  db.pragma('user_version = 999');
  db.close();
  const listen = { OUTGATE_POLICY_LISTEN: '127.0.0.1:0', OUTGATE_MILTER_LISTEN: '127.0.0.1:0', OUTGATE_HTTP_LISTEN: '127.0.0.1:0' };
  const start = await fails(runCli(dataDir, ['start'], listen), 3);
  assert.match(start.stderr, /^outgate: OG_ERR_STORE_TOO_NEW: The store in .* has schema version 999, newer than this Outgate .* knows \(\d+\): .*outgate restore/m);
  const cmdlet = await fails(runCli(dataDir, ['Get-AcceptedDomain']), 3);
  assert.match(cmdlet.stderr, /^Get-AcceptedDomain: OG_ERR_STORE_TOO_NEW: /);
  assert.equal(schemaOf(storeFile(dataDir)).version, 999);
  assert.equal(existsSync(join(dataDir, 'backups')), false, 'no backup, no migration');
});
