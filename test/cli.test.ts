// The cmdlet CLI as an admin uses it: PowerShell-style parameters, list/table/JSON output, errors
// with stable codes and non-zero exits, and hostile input refused or shown as inert text.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { fails, ok, runCli, tempDataDir } from './support/outgate.js';

function cliOn(t: { after: (fn: () => void) => void }) {
  const dir = tempDataDir();
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return (...args: string[]) => runCli(dir, args);
}

test('parameter names and cmdlet names are case-insensitive; -Name:value and positional identity work', async (t) => {
  const cli = cliOn(t);
  const made = await cli('new-hostedoutboundspamfilterpolicy', 'Sales', '-recipientlimitperday:250', '-ACTIONWHENTHRESHOLDREACHED', 'alert');
  assert.equal(made.code, 0, made.stderr);
  assert.match(made.stdout, /^Id +: [0-9a-f-]{36}$/m);
  assert.match(made.stdout, /^RecipientLimitPerDay +: 250$/m);
  assert.match(made.stdout, /^ActionWhenThresholdReached +: Alert$/m);
  const table = await ok(cli('Get-HostedOutboundSpamFilterPolicy'));
  const lines = table.stdout.trimEnd().split('\n');
  assert.match(lines[0]!, /^Name +IsDefault +RecipientLimitExternalPerHour/);
  assert.match(lines[1]!, /^-+ -+/);
  assert.deepEqual(lines.slice(2).map((l) => l.split(/ +/)[0]), ['Sales', 'Default'], 'default policy last: lowest priority');
  const json = JSON.parse((await ok(cli('Get-HostedOutboundSpamFilterPolicy', '-Identity', 'sales', '--format', 'json'))).stdout);
  assert.equal(json[0].Name, 'Sales');
});

test('errors: stable code, a sentence, non-zero exit; nothing is written', async (t) => {
  const cli = cliOn(t);
  const cases: Array<[string[], number, RegExp]> = [
    [['Set-HostedOutboundSpamFilterPolicy', 'Default', '-RecipientLimitExternalPerHour', '10001'], 1, /OG_ERR_OUT_OF_RANGE: RecipientLimitExternalPerHour must be a whole number from 0 to 10000/],
    [['Set-HostedOutboundSpamFilterPolicy', 'Default', '-ActionWhenThresholdReached', 'Nuke'], 1, /OG_ERR_INVALID_ARGUMENT: ActionWhenThresholdReached must be one of BlockUserForToday, BlockUser, Alert/],
    [['Remove-BlockedSenderAddress', '-SenderAddress', 'nobody@outgate.test'], 1, /OG_ERR_SENDER_NOT_BLOCKED: Sender nobody@outgate.test is not on the Restricted entities list/],
    [['Remove-BlockedSenderAddress', '-SenderAddress', '<script>alert(1)</script>'], 1, /OG_ERR_INVALID_ADDRESS: SenderAddress '<script>alert\(1\)<\/script>' is not a valid email address/],
    [['Remove-BlockedSenderAddress'], 1, /OG_ERR_MISSING_PARAMETER: Remove-BlockedSenderAddress needs -SenderAddress/],
    [['Get-BlockedSenderAddress', '-Sender', 'x'], 2, /OG_ERR_UNKNOWN_PARAMETER: Get-BlockedSenderAddress has no parameter '-Sender'/],
    [['Remove-HostedOutboundSpamFilterPolicy', 'Default'], 1, /OG_ERR_DEFAULT_POLICY_IMMUTABLE/],
    [['Get-HostedOutboundSpamFilterPolicy', 'Nope'], 1, /OG_ERR_NOT_FOUND: No outbound spam policy 'Nope' exists in this tenant/],
    [['New-InboundConnector', 'Bad', '-SenderIPAddresses', '10.0.0.0/33'], 1, /OG_ERR_INVALID_CIDR: SenderIPAddresses: '10.0.0.0\/33'/],
    [['New-HostedOutboundSpamFilterPolicy', 'x'.repeat(65)], 1, /OG_ERR_OUT_OF_RANGE: Name must be at most 64 characters/],
    [['New-HostedOutboundSpamFilterPolicy', 'evil\u001b[31m'], 1, /OG_ERR_INVALID_ARGUMENT: Name must not contain control characters/],
    [['Frobnicate-Everything'], 2, /OG_ERR_UNKNOWN_COMMAND/],
  ];
  for (const [args, code, message] of cases) {
    const r = await cli(...args);
    assert.equal(r.code, code, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message);
    assert.equal(r.stdout, '');
  }
  const policies = JSON.parse((await ok(cli('Get-HostedOutboundSpamFilterPolicy', '--format', 'json'))).stdout);
  assert.equal(policies.length, 1);
  assert.equal(policies[0].RecipientLimitExternalPerHour, 0);
});

test('rules keep unique, contiguous priorities; a policy bound to a rule cannot be removed', async (t) => {
  const cli = cliOn(t);
  for (const n of ['A', 'B', 'C']) {
    assert.equal((await cli('New-HostedOutboundSpamFilterPolicy', n)).code, 0);
  }
  await ok(cli('New-HostedOutboundSpamFilterRule', 'A', '-HostedOutboundSpamFilterPolicy', 'A', '-SenderDomainIs', 'a.example'));
  await ok(cli('New-HostedOutboundSpamFilterRule', 'B', '-HostedOutboundSpamFilterPolicy', 'B', '-From', 'x@b.example,y@b.example'));
  const c = await cli('New-HostedOutboundSpamFilterRule', 'C', '-HostedOutboundSpamFilterPolicy', 'C', '-FromMemberOf', 'sales@c.example', '-Priority', '0');
  assert.equal(c.code, 0, c.stderr);
  const order = async () => (JSON.parse((await ok(cli('Get-HostedOutboundSpamFilterRule', '--format', 'json'))).stdout) as Array<{ Name: string; Priority: number }>).map((r) => `${r.Priority}:${r.Name}`);
  assert.deepEqual(await order(), ['0:C', '1:A', '2:B']);
  assert.equal((await cli('Set-HostedOutboundSpamFilterRule', 'B', '-Priority', '0')).code, 0);
  assert.deepEqual(await order(), ['0:B', '1:C', '2:A']);
  assert.equal((await cli('Remove-HostedOutboundSpamFilterRule', 'C')).code, 0);
  assert.deepEqual(await order(), ['0:B', '1:A']);
  const inUse = await fails(cli('Remove-HostedOutboundSpamFilterPolicy', 'A'));
  assert.match(inUse.stderr, /OG_ERR_POLICY_IN_USE: Policy 'A' is used by rule 'A'; remove the rule first/);
  const disabled = await ok(cli('Disable-HostedOutboundSpamFilterRule', '-Identity', 'A'));
  assert.match(disabled.stdout, /^State +: Disabled$/m);
  assert.deepEqual((JSON.parse((await ok(cli('Get-HostedOutboundSpamFilterRule', '-State', 'Disabled', '--format', 'json'))).stdout) as Array<{ Name: string }>).map((r) => r.Name), ['A']);
});

test('concurrent conflicting admin changes: every command either lands or says why; nothing is lost', async (t) => {
  const cli = cliOn(t);
  await ok(cli('Get-Tenant'));
  const runs = await Promise.all(Array.from({ length: 6 }, (_, i) => cli('New-AcceptedDomain', `D${i}`, '-DomainName', i % 2 ? 'same.example' : `d${i}.example`)));
  const landed = runs.filter((r) => r.code === 0).length;
  const refused = runs.filter((r) => /OG_ERR_ALREADY_EXISTS|OG_ERR_CONFLICT/.test(r.stderr)).length;
  assert.equal(landed + refused, 6, runs.map((r) => r.stderr).join('\n'));
  const domains = (JSON.parse((await ok(cli('Get-AcceptedDomain', '--format', 'json'))).stdout) as Array<{ DomainName: string }>).map((d) => d.DomainName).sort();
  assert.deepEqual(domains, ['d0.example', 'd2.example', 'd4.example', 'same.example']);
});

test('outgate start that cannot start prints the OG_ERR_* code and a sentence, never a stack', async (t) => {
  const dir = tempDataDir();
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const busy = createServer();
  await new Promise<void>((r) => busy.listen(0, '127.0.0.1', r));
  t.after(() => busy.close());
  const taken = `127.0.0.1:${(busy.address() as AddressInfo).port}`;
  const quiet = { OUTGATE_LOG_LEVEL: 'silent', OUTGATE_MILTER_LISTEN: '' };
  for (const [setting, env] of [
    ['policy.listen', { OUTGATE_POLICY_LISTEN: taken, OUTGATE_HTTP_LISTEN: '127.0.0.1:0' }],
    ['http.listen', { OUTGATE_POLICY_LISTEN: '127.0.0.1:0', OUTGATE_HTTP_LISTEN: taken }],
    ['milter.listen', { OUTGATE_POLICY_LISTEN: '127.0.0.1:0', OUTGATE_MILTER_LISTEN: taken, OUTGATE_HTTP_LISTEN: '127.0.0.1:0' }],
  ] as const) {
    const r = await fails(runCli(dir, ['start'], { ...quiet, ...env }), 3);
    assert.equal(r.stderr, `outgate: OG_ERR_LISTEN_FAILED: Cannot listen on ${taken} (${setting}): the address is already in use (is another Outgate or another service running there?).\n`);
  }
  const bad = await fails(runCli(dir, ['start'], { ...quiet, OUTGATE_POLICY_LISTEN: 'nowhere' }), 3);
  assert.match(bad.stderr, /^outgate: OG_ERR_CONFIG_INVALID: Configuration policy\.listen: /);
  assert.doesNotMatch(bad.stderr, /\n\s+at /);
});
