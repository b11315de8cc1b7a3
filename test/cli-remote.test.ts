// `outgate connect`: the real CLI binary against a real listening server over the API. Same output and
// errors as local mode, the caller's role enforced, audited with source cli, and back to local on
// disconnect.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { PolicyClient, sendMessage } from '../src/adapters/postfix-policy/client.js';
import { ok, runCli, startTestServer, tempDataDir, type TestServer } from './support/outgate.js';

describe('remote CLI (outgate connect)', { timeout: 120_000 }, () => {
  let s: TestServer;
  let home = '';
  let elsewhere = '';
  let adminKey = '';
  let readerKey = '';
  // The admin's workstation: no store of its own (an empty data dir), its own config home.
  const remote = (...args: string[]) => runCli(elsewhere, args, { XDG_CONFIG_HOME: home, OUTGATE_CONNECTION_FILE: '' });

  before(async () => {
    s = await startTestServer();
    home = mkdtempSync(join(tmpdir(), 'outgate-home-'));
    elsewhere = tempDataDir();
    for (const [name, role] of [['ops', 'Security Administrator'], ['auditor', 'Security Reader']] as const) {
      assert.equal((await s.cli('New-AdminAccount', name, '-Role', role)).code, 0);
    }
    adminKey = (JSON.parse((await ok(s.cli('New-ApiKey', 'ops', '--format', 'json'))).stdout) as { Secret: string }).Secret;
    readerKey = (JSON.parse((await ok(s.cli('New-ApiKey', 'auditor', '--format', 'json'))).stdout) as { Secret: string }).Secret;
    await ok(s.cli('Set-HostedOutboundSpamFilterPolicy', 'Default', '-RecipientLimitExternalPerHour', '1'));
    const c = await PolicyClient.open(s.policyPort);
    for (const to of ['a@example.com', 'b@example.com']) await sendMessage(c, { login: 'victim@outgate.test', to: [to] });
    c.close();
  });
  after(async () => {
    await s?.stop();
    rmSync(home, { recursive: true, force: true });
    rmSync(elsewhere, { recursive: true, force: true });
  });

  it('refuses a wrong key or an unreachable server with a clear error, and saves nothing', async () => {
    const bad = await remote('connect', '--url', `http://127.0.0.1:${s.httpPort}`, '--api-key', 'og_000000000000_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx');
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /OG_ERR_UNAUTHENTICATED: That API key is not valid/);
    const down = await remote('connect', '--url', 'http://127.0.0.1:9', '--api-key', adminKey);
    assert.equal(down.code, 3);
    assert.match(down.stderr, /OG_ERR_REMOTE_UNAVAILABLE: Cannot reach http:\/\/127\.0\.0\.1:9/);
    assert.match((await remote('connect', '--url', 'ftp://x', '--api-key', adminKey)).stderr, /OG_ERR_INVALID_ARGUMENT: --url must start with https:\/\/ or http:\/\//);
    assert.equal((await remote('Get-BlockedSenderAddress')).stdout, '', 'still local: the empty local store has no restrictions');
  });

  it('connects, then shows exactly what local mode shows', async () => {
    const c = await remote('connect', '--url', `http://127.0.0.1:${s.httpPort}/`, '--api-key', adminKey);
    assert.equal(c.code, 0, c.stderr);
    assert.match(c.stdout, /^Connected to http:\/\/127\.0\.0\.1:\d+ as ops \(Security Administrator\)\./);
    assert.equal(statSync(join(home, 'outgate', 'connection.json')).mode & 0o777, 0o600, 'the key file is private');
    await s.alerts.runOnce();
    for (const args of [
      ['Get-BlockedSenderAddress'],
      ['Get-HostedOutboundSpamFilterPolicy'],
      ['Get-HostedOutboundSpamFilterPolicy', '-Identity', 'Default', '--format', 'json'],
      ['Get-ProtectionAlert'],
      ['Get-Alert', '--format', 'json'],
    ]) {
      const local = await s.cli(...args);
      const far = await remote(...args);
      assert.equal(far.code, 0, far.stderr);
      assert.equal(far.stdout, local.stdout, args.join(' '));
    }
    const who = await remote('Get-ConnectionInformation');
    assert.match(who.stdout, /^UserName +: ops$/m);
    assert.match(who.stdout, /^Source +: cli$/m);
  });

  it('gives the same errors and exit codes as local mode', async () => {
    for (const args of [['Remove-BlockedSenderAddress', '-SenderAddress', 'nobody@outgate.test'], ['Get-HostedOutboundSpamFilterPolicy', '-Identity', 'nope'], ['Set-HostedOutboundSpamFilterPolicy', 'Default', '-RecipientLimitPerDay', '99999']]) {
      const local = await s.cli(...args);
      const far = await remote(...args);
      assert.deepEqual([far.code, far.stderr], [local.code, local.stderr], args.join(' '));
      assert.notEqual(far.code, 0);
    }
    assert.equal((await remote('Get-Nothing')).code, 2, 'unknown cmdlets are refused before any call');
  });

  it('unblocks through the server: audited as the account, source cli, and mail flows again', async () => {
    const un = await remote('Remove-BlockedSenderAddress', '-SenderAddress', 'victim@outgate.test', '-Reason', 'password reset');
    assert.equal(un.code, 0, un.stderr);
    assert.match(un.stdout, /^Status +: Released$/m);
    const audit = JSON.parse((await ok(s.cli('Search-AdminAuditLog', '-Operations', 'Remove-BlockedSenderAddress', '-StartDate', '2026-01-01', '-EndDate', '2027-01-01', '--format', 'json'))).stdout) as Array<{ UserId: string; Source: string; ClientIP: string }>;
    assert.deepEqual([audit[0]!.UserId, audit[0]!.Source, audit[0]!.ClientIP], ['ops', 'cli', '127.0.0.1']);
    const c = await PolicyClient.open(s.policyPort);
    assert.equal((await sendMessage(c, { login: 'victim@outgate.test', to: ['c@example.com'] })).end, 'action=DUNNO');
    c.close();
  });

  it("holds a read-only key to its role, and --local and disconnect go back to the local store", async () => {
    assert.equal((await remote('connect', '--url', `http://127.0.0.1:${s.httpPort}`, '--api-key', readerKey)).code, 0);
    const denied = await remote('Set-HostedOutboundSpamFilterPolicy', 'Default', '-RecipientLimitPerDay', '5');
    assert.equal(denied.code, 1);
    assert.match(denied.stderr, /OG_ERR_FORBIDDEN: The role Security Reader cannot make changes/);
    assert.match((await remote('Get-HostedOutboundSpamFilterPolicy', '--local')).stdout, /Default/);
    assert.match((await remote('Get-ConnectionInformation', '--local')).stdout, /^Source +: cli$/m);
    assert.match((await remote('disconnect')).stdout, /^Disconnected/);
    assert.match((await remote('Get-ConnectionInformation')).stdout, /^Role +: Global Administrator$/m, 'local mode acts with the store files');
  });
});
