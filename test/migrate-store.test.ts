// outgate migrate-store: an embedded install built with the real cmdlets and traffic, copied into a
// throwaway PostgreSQL + Redis; a node started on them refuses the same senders, keeps the counted
// windows, and verifies the same audit chain. Refused while the server runs and into a used target; a
// copy that fails at its commit leaves PostgreSQL and Redis empty, and running it again then works.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import pg from 'pg';
import { PolicyClient, sendMessage } from '../src/adapters/postfix-policy/client.js';
import { COPIED_TABLES } from '../src/adapters/store/migrate-store.js';
import { migrate, PgDb } from '../src/adapters/store/postgres/database.js';
import { RedisConnection } from '../src/adapters/store/redis/connection.js';
import { fails, ok, runCli, tempDataDir } from './support/outgate.js';
import { startPostgres } from './support/postgres.js';
import { startRedis } from './support/redis.js';
import { exitOf, freePort, startProcess } from './support/server-process.js';

const DUNNO = 'action=DUNNO';
const DENIED = 'action=550 5.1.8 Access denied, bad outbound sender';

interface Summary {
  verified: boolean;
  tables: Array<{ table: string; embedded: number; postgres: number }>;
  auditRecords: number;
  auditHead: string;
  redisSenders: number;
}

async function query<T extends pg.QueryResultRow>(url: string, text: string): Promise<T[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query<T>(text)).rows;
  } finally {
    await c.end();
  }
}

test('migrate-store carries an embedded install into PostgreSQL + Redis, whole, once, and only when safe', { timeout: 240_000 }, async (t) => {
  const dataDir = tempDataDir();
  const home = mkdtempSync(join(tmpdir(), 'outgate-migrate-'));
  t.after(() => rmSync(dataDir, { recursive: true, force: true }));
  t.after(() => rmSync(home, { recursive: true, force: true }));
  const config = join(home, 'outgate.json');
  writeFileSync(config, JSON.stringify({ serviceLimits: { messagesPerMinute: 1_000_000, recipientsPerDay: 1_000_000 } }));
  const env = { OUTGATE_CONFIG: config };
  const cli = (...a: string[]) => runCli(dataDir, a, env);

  // The embedded install, as an admin builds it.
  await ok(cli('Set-HostedOutboundSpamFilterPolicy', 'Default', '-RecipientLimitExternalPerHour', '10000', '-RecipientLimitPerDay', '10000'));
  await ok(cli('New-HostedOutboundSpamFilterPolicy', 'Tight', '-RecipientLimitExternalPerHour', '3', '-ActionWhenThresholdReached', 'BlockUser'));
  await ok(cli('New-HostedOutboundSpamFilterRule', 'Tight', '-HostedOutboundSpamFilterPolicy', 'Tight', '-SenderDomainIs', 'tight.test'));
  await ok(cli('New-AcceptedDomain', 'Corp', '-DomainName', 'corp.test'));
  await ok(cli('Add-RecipientPermission', 'boss@corp.test', '-Trustee', 'svc@corp.test', '-AccessRights', 'SendAs'));
  await ok(cli('New-AdminAccount', 'ops', '-Role', 'Security Administrator'));
  const apiKey = (JSON.parse((await ok(cli('New-ApiKey', 'ops', '--format', 'json'))).stdout) as { Secret: string }).Secret;

  // Traffic: one sender restricted, another two recipients into its three an hour.
  const port = await freePort();
  const server = await startProcess(dataDir, port, env);
  t.after(() => server.kill('SIGKILL'));
  const c = await PolicyClient.open(port);
  assert.deepEqual((await sendMessage(c, { login: 'victim@tight.test', to: ['a@example.com', 'b@example.com', 'c@example.com', 'd@example.com'] })).rcpt.at(-1), DENIED);
  for (const to of ['a@example.com', 'b@example.com']) assert.equal((await sendMessage(c, { login: 'busy@tight.test', to: [to] })).end, DUNNO);
  c.close();
  const alerts = async (dir: string, e: NodeJS.ProcessEnv) => JSON.parse((await ok(runCli(dir, ['Get-Alert', '--format', 'json'], e))).stdout || '[]') as Array<{ Entity: string; PolicyIdentity: string }>;
  const deadline = performance.now() + 20_000;
  while (!(await alerts(dataDir, env)).some((a) => a.Entity === 'victim@tight.test') && performance.now() < deadline);

  const [db, redis] = await Promise.all([startPostgres(), startRedis()]);
  t.after(async () => {
    await redis.stop();
    await db.stop();
  });
  const url = await db.createDatabase();
  const migrateStore = (...extra: string[]) => cli('migrate-store', '--to', url, '--redis', redis.url, ...extra);

  const running = await fails(migrateStore(), 3);
  assert.match(running.stderr, /OG_ERR_STORE_LOCKED: Another Outgate server \(pid \d+\) is running on .* Stop it before migrating/);
  assert.equal(await exitOf(server, 'SIGTERM'), 0);

  const blocked = (await ok(cli('Get-BlockedSenderAddress', '--format', 'json'))).stdout;
  const before = JSON.parse((await ok(cli('Test-AuditLogIntegrity', '--format', 'json'))).stdout) as { ok: boolean; records: number; head: string };
  assert.equal(before.ok, true);
  const alertsBefore = await alerts(dataDir, env);
  assert.ok(alertsBefore.some((a) => a.Entity === 'victim@tight.test'), 'the restriction raised its alert before the copy');

  const r = await RedisConnection.open({ url: redis.url });
  t.after(() => r.close());
  await t.test('a copy that fails at its commit is rolled back: PostgreSQL and Redis are left empty', async () => {
    const pgdb = new PgDb({ url, poolSize: 1 });
    await migrate(pgdb);
    await pgdb.close();
    // Fires at COMMIT, after every row and the Redis windows are written.
    await query(url, `CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'disk full (test)'; END $$;
      CREATE CONSTRAINT TRIGGER refuse AFTER INSERT ON tenants DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION refuse()`);
    const failed = await fails(migrateStore(), 3);
    assert.match(failed.stderr, /The migration failed and was rolled back, leaving the target empty \(run it again once fixed\): .*disk full \(test\)/);
    for (const table of COPIED_TABLES) assert.deepEqual(await query(url, `SELECT 1 FROM "${table}" LIMIT 1`), [], `${table} is empty`);
    assert.equal(await r.command<number>(undefined, ['DBSIZE']), 0, 'the windows written to Redis were taken back');
    await query(url, 'DROP TRIGGER refuse ON tenants');
  });

  let summary!: Summary;
  await t.test('run again, it copies every row, verifies the audit chain and seeds the counter windows', async () => {
    const out = await ok(migrateStore('--format', 'json'));
    summary = JSON.parse(out.stdout) as Summary;
    assert.equal(summary.verified, true);
    for (const row of summary.tables) assert.equal(row.postgres, row.embedded, row.table);
    const rows = new Map(summary.tables.map((row) => [row.table, row.embedded]));
    assert.ok(rows.get('audit_log')! >= 8 && rows.get('restrictions') === 1 && rows.get('api_keys') === 1 && rows.get('recipient_permissions') === 1 && rows.get('alerts')! >= 1, JSON.stringify(summary.tables));
    assert.equal(summary.auditRecords, before.records);
    assert.equal(summary.auditHead, `${before.records}:${before.head}`);
    // victim's message was refused at its fourth recipient, so never counted: only busy has windows.
    assert.equal(summary.redisSenders, 1);
    assert.match(out.stderr, /\[#{20}\] 100% {2}alert_notification_days/, 'a progress bar on stderr');
  });

  await t.test('into a target that is no longer empty it is refused', async () => {
    const again = await fails(migrateStore());
    assert.match(again.stderr, /OG_ERR_CONFLICT: Redis already holds Outgate counters \("og:.*" under prefix 'og:'\): migrate into an unused Redis\. Nothing was copied\./);
    const pgOnly = await fails(cli('migrate-store', '--to', url));
    assert.match(pgOnly.stderr, /OG_ERR_CONFLICT: The PostgreSQL database is not empty \(it has tenants, .*\): migrate into a new, empty database\. Nothing was copied\./);
  });

  await t.test('a node started on PostgreSQL + Redis enforces what the embedded server did', async (st) => {
    const nodeDir = tempDataDir();
    st.after(() => rmSync(nodeDir, { recursive: true, force: true }));
    const shared = { ...env, OUTGATE_DATABASE_URL: url, OUTGATE_REDIS_URL: redis.url };
    const [nodePort, httpPort] = [await freePort(), await freePort()];
    const node = await startProcess(nodeDir, nodePort, { ...shared, OUTGATE_HTTP_LISTEN: `127.0.0.1:${httpPort}` });
    // Stopped at the end of this subtest, before PostgreSQL and Redis are.
    st.after(() => exitOf(node, 'SIGKILL'));
    const onNode = (...a: string[]) => runCli(nodeDir, a, shared);

    assert.equal((await ok(onNode('Get-BlockedSenderAddress', '--format', 'json'))).stdout, blocked);
    const integrity = await ok(onNode('Test-AuditLogIntegrity', '-Anchor', `${before.records}:${before.head}`, '--format', 'json'));
    assert.equal((JSON.parse(integrity.stdout) as { ok: boolean }).ok, true, integrity.stdout);
    assert.deepEqual(await alerts(nodeDir, shared), alertsBefore, 'the same alerts, none raised again');

    const p = await PolicyClient.open(nodePort);
    assert.deepEqual((await sendMessage(p, { login: 'victim@tight.test', to: ['e@example.com'] })).rcpt, [DENIED]);
    // busy sent 2 of its 3 an hour on the embedded server: one more goes, the next restricts it.
    assert.deepEqual((await sendMessage(p, { login: 'busy@tight.test', to: ['c@example.com', 'd@example.com'] })).rcpt, [DUNNO, DENIED]);
    p.close();

    const res = await fetch(`http://127.0.0.1:${httpPort}/api/v1/restricted-entities`, { headers: { authorization: `Bearer ${apiKey}` } });
    assert.equal(res.status, 200, 'the API key made on the embedded install signs in');
  });
});
