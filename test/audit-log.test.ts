// The audit log, on by default: every change by anyone is one hash-chained record; turning it off is
// itself audited; tampering with the store is found by Test-AuditLogIntegrity.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { PolicyClient, sendMessage } from './support/policy-client.js';
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
      return startTestServer({ 'store.databaseUrl': url }, undefined, { OUTGATE_DATABASE_URL: url });
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
    assert.match(String(restricted!.After!.Reason), /^EmailSendingLimitExceeded;ExceedingLimitType=External;/);
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
