// The audit log, on by default: every change by anyone is one hash-chained record; turning it off is
// itself audited; tampering with the store is found by Test-AuditLogIntegrity.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { PolicyClient, sendMessage } from '../src/adapters/postfix-policy/client.js';
import { GENESIS_HASH, recordHash } from '../src/app/audit.js';
import { toAuditRecord } from '../src/adapters/store/sql/rows.js';
import type { AuditLogTable } from '../src/adapters/store/sql/schema.js';
import { fails, ok, startTestServer, type TestServer } from './support/outgate.js';
import { sharedPostgresDatabase, stopSharedPostgres } from './support/postgres.js';

after(stopSharedPostgres);

/** The scenarios that only use cmdlets and the policy server run on each store backend. */
const BACKENDS: ReadonlyArray<{ name: string; start: () => Promise<TestServer> }> = [
  { name: 'embedded', start: () => startTestServer() },
  {
    name: 'postgres',
    start: async () => {
      const url = await sharedPostgresDatabase();
      return startTestServer({ 'store.databaseUrl': url }, undefined, { cliEnv: { OUTGATE_DATABASE_URL: url } });
    },
  },
];

interface Entry {
  Sequence: number;
  UserId: string;
  Role: string;
  Source: string;
  Operation: string;
  ObjectId: string;
  Before: Record<string, unknown> | null;
  After: Record<string, unknown> | null;
}

for (const backend of BACKENDS) {
  test(`changes by the CLI and by the system are recorded with who, role, source, before and after [${backend.name}]`, async (t) => {
    const s = await backend.start();
    t.after(() => s.stop());
    assert.equal((await s.cli('Set-HostedOutboundSpamFilterPolicy', 'Default', '-RecipientLimitExternalPerHour', '1')).code, 0);
    const c = await PolicyClient.open(s.policyPort);
    t.after(() => c.close());
    await sendMessage(c, { login: 'mallory@outgate.test', to: ['a@example.com'] });
    await sendMessage(c, { login: 'mallory@outgate.test', to: ['b@example.com'] });
    assert.equal((await s.cli('Remove-BlockedSenderAddress', 'mallory@outgate.test', '-Reason', 'reset password')).code, 0);

    const log = JSON.parse((await ok(s.cli('Search-AdminAuditLog', '--format', 'json'))).stdout) as Entry[];
    const ops = log.map((e) => e.Operation).reverse();
    assert.deepEqual(ops, [
      'New-Tenant',
      'New-AdminAccount',
      'Set-HostedOutboundSpamFilterPolicy',
      'SenderRestricted',
      'Remove-BlockedSenderAddress',
    ]);
    const [unblock, restricted, policy] = log;
    assert.deepEqual(
      [unblock!.Source, unblock!.Role, unblock!.ObjectId, unblock!.After],
      ['cli', 'Global Administrator', 'Mailbox:mallory@outgate.test', { Reason: 'reset password', Status: 'Released' }],
    );
    assert.deepEqual([restricted!.UserId, restricted!.Source], ['system', 'system']);
    assert.match(String(restricted!.After!.Reason), /^EmailSendingLimitExceeded;InternalRecipientCountToday=\d+;ExternalRecipientCountToday=\d+;ExceedingLimitType=External;Last MessagetraceId=[^;]*;LastMessageRcptCount=\d+;/);
    assert.equal(policy!.Before!.RecipientLimitExternalPerHour, 0);
    assert.equal(policy!.After!.RecipientLimitExternalPerHour, 1);

    const filtered = JSON.parse(
      (
        await ok(
          s.cli(
            'Search-AdminAuditLog',
            '-Operations',
            'SenderRestricted,Remove-BlockedSenderAddress',
            '-ObjectIds',
            'Mailbox:mallory@outgate.test',
            '--format',
            'json',
          ),
        )
      ).stdout,
    ) as Entry[];
    assert.deepEqual(
      filtered.map((e) => e.Operation),
      ['Remove-BlockedSenderAddress', 'SenderRestricted'],
    );
    const csv = (await ok(s.cli('Search-AdminAuditLog', '-Operations', 'SenderRestricted', '--format', 'csv'))).stdout.split('\r\n');
    assert.match(csv[0]!, /^Sequence,CreationDate,TenantId,UserId,Role,Source,ClientIP,Operation,ObjectId,Before,After,ResultStatus,Hash$/);
    assert.match(csv[1]!, /,SenderRestricted,Mailbox:mallory@outgate.test,,"\{""Action"":""BlockUserForToday""/);
    const bad = await fails(s.cli('Search-AdminAuditLog', '-StartDate', 'yesterday-ish'));
    assert.match(bad.stderr, /OG_ERR_INVALID_ARGUMENT: StartDate 'yesterday-ish' is not a date/);
  });

  test(`turning auditing off is audited, nothing else is recorded while off, and the config says alerts cannot fire [${backend.name}]`, async (t) => {
    const s = await backend.start();
    t.after(() => s.stop());
    const off = await ok(s.cli('Set-AdminAuditLogConfig', '-UnifiedAuditLogIngestionEnabled', '$false'));
    assert.match(off.stdout, /^UnifiedAuditLogIngestionEnabled : false$/m);
    assert.match(off.stdout, /^Note +: Audit logging is OFF: changes are not recorded and alerts cannot fire\.$/m);
    await ok(s.cli('New-AcceptedDomain', 'Quiet', '-DomainName', 'quiet.example'));
    await ok(s.cli('Set-AdminAuditLogConfig', '-UnifiedAuditLogIngestionEnabled:$true'));
    await ok(s.cli('New-AcceptedDomain', 'Loud', '-DomainName', 'loud.example'));
    const ops = (JSON.parse((await ok(s.cli('Search-AdminAuditLog', '--format', 'json'))).stdout) as Entry[])
      .map((e) => `${e.Operation}:${JSON.stringify(e.After)}`)
      .reverse();
    // New-Tenant and the first admin account come from the first start.
    assert.deepEqual(ops.slice(2), [
      'Set-AdminAuditLogConfig:{"UnifiedAuditLogIngestionEnabled":false}',
      'Set-AdminAuditLogConfig:{"UnifiedAuditLogIngestionEnabled":true}',
      `New-AcceptedDomain:${ops[4]!.slice('New-AcceptedDomain:'.length)}`,
    ]);
    assert.match(ops[4]!, /loud\.example/);
    const integrity = await s.cli('Test-AuditLogIntegrity', '--format', 'json');
    assert.equal(integrity.code, 0);
    assert.equal(JSON.parse(integrity.stdout).ok, true);
  });
}

test('editing, deleting or cutting records in the store is detected and the first broken record named', async (t) => {
  const s = await startTestServer();
  t.after(() => s.stop());
  for (const d of ['a', 'b', 'c', 'd']) await ok(s.cli('New-AcceptedDomain', d, '-DomainName', `${d}.example`));
  const db = new Database(join(s.dataDir, 'outgate.db'));
  t.after(() => db.close());
  const check = async () => {
    const r = await s.cli('Test-AuditLogIntegrity', '--format', 'json');
    return { code: r.code, report: JSON.parse(r.stdout) as { ok: boolean; brokenAt?: number; reason?: string } };
  };
  assert.deepEqual((await check()).report.ok, true);

  db.prepare("UPDATE audit_log SET actor = 'someone-else' WHERE seq = 3").run();
  assert.deepEqual(await check(), {
    code: 4,
    report: { ok: false, records: 3, brokenAt: 3, reason: 'its content does not match its hash (edited)' },
  });
  const original = (await ok(s.cli('Search-AdminAuditLog', '--format', 'json'))).stdout;
  assert.ok(original.includes('someone-else'), 'the edit is visible but flagged');

  db.prepare('UPDATE audit_log SET actor = (SELECT actor FROM audit_log WHERE seq = 4) WHERE seq = 3').run();
  assert.equal((await check()).report.ok, true, 'restored');
  const last = (db.prepare('SELECT MAX(seq) AS m FROM audit_log').get() as { m: number }).m;
  db.prepare('DELETE FROM audit_log WHERE seq = ?').run(last);
  assert.equal((await check()).report.brokenAt, last, 'a cut tail');
  db.prepare('DELETE FROM audit_log WHERE seq = 2').run();
  assert.equal((await check()).report.brokenAt, 3, 'a gap');
});

test('whoever can write the database can rewrite the chain or cut it and move the head back; an anchor kept outside finds both', async (t) => {
  const s = await startTestServer();
  t.after(() => s.stop());
  for (const d of ['a', 'b', 'c', 'd']) await ok(s.cli('New-AcceptedDomain', d, '-DomainName', `${d}.example`));
  type Report = { ok: boolean; records: number; anchor?: string; anchorsChecked?: number; brokenAt?: number; reason?: string };
  const check = async (...anchors: string[]): Promise<{ code: number; report: Report }> => {
    const r = await s.cli('Test-AuditLogIntegrity', ...(anchors.length ? ['-Anchor', anchors.join(',')] : []), '--format', 'json');
    return { code: r.code, report: JSON.parse(r.stdout) as Report };
  };
  const { report: before } = await check();
  assert.equal(before.ok, true);
  assert.match(before.anchor!, new RegExp(`^${before.records}:[0-9a-f]{64}$`), 'the head, to keep outside the database');
  assert.deepEqual((await check(before.anchor!)).report.anchorsChecked, 1);
  assert.equal((await fails(s.cli('Test-AuditLogIntegrity', '-Anchor', '12:beef'))).stderr.includes('OG_ERR_INVALID_ARGUMENT'), true);

  const db = new Database(join(s.dataDir, 'outgate.db'));
  t.after(() => db.close());
  const rows = () => db.prepare('SELECT * FROM audit_log ORDER BY seq').all() as AuditLogTable[];
  /** The attacker's tool: recomputes every hash from `from` on and moves the head to match. */
  const rechain = (from: number) => {
    let prev = rows().find((r) => r.seq === from - 1)?.hash ?? GENESIS_HASH;
    for (const r of rows().filter((x) => x.seq >= from)) {
      const hash = recordHash({ ...toAuditRecord(r), prevHash: prev });
      db.prepare('UPDATE audit_log SET prev_hash = ?, hash = ? WHERE seq = ?').run(prev, hash, r.seq);
      prev = hash;
    }
    const last = rows().at(-1)!;
    db.prepare('UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1').run(last.seq, last.hash);
  };

  // Rewrite: an edited record with every later hash recomputed passes the chain check alone.
  db.prepare("UPDATE audit_log SET actor = 'someone-else' WHERE seq = 2").run();
  rechain(2);
  assert.equal((await check()).report.ok, true, 'the chain alone cannot see a consistent rewrite');
  assert.deepEqual(await check(before.anchor!), {
    code: 4,
    report: {
      ok: false,
      records: before.records,
      brokenAt: before.records,
      reason: `record ${before.records} no longer has the hash exported as an anchor (the chain was rewritten from there or earlier)`,
    },
  });

  // Cut: the tail removed and the head moved back.
  db.prepare('DELETE FROM audit_log WHERE seq > 2').run();
  rechain(3);
  assert.equal((await check()).report.ok, true, 'nor a cut tail with the head moved back');
  const cut = await check(before.anchor!);
  assert.deepEqual(
    [cut.code, cut.report.brokenAt, cut.report.reason],
    [4, before.records, `record ${before.records}, exported as an anchor, is no longer in the log (the log was cut)`],
  );
});
