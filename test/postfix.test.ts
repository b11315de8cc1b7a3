// Outgate behind a real Postfix (Debian's, private instance on loopback) with exactly the shipped
// docs/postfix/main.cf.snippet: restricted after its limit, refused with 5.1.8 at RCPT, can still
// receive, released by the CLI, and each admitted message counted once.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { contosoWithExternalLimit, ok, startTestServer, type TestServer } from './support/outgate.js';
import { startPostfix, type PostfixInstance } from './support/postfix.js';
import { startSmtpSink, type SmtpSink } from './support/smtp-sink.js';
import { swaks, type SwaksResult } from './support/swaks.js';

const ALICE = { user: 'alice@outgate.test', password: 'alice-secret' };
const BOB = { user: 'bob@outgate.test', password: 'bob-secret' };
/** Two users of a second tenant, Contoso, whose tenant external recipient limit is 1. */
const TINA = { user: 'tina@contoso.test', password: 'tina-secret' };
const TOM = { user: 'tom@contoso.test', password: 'tom-secret' };
const TENANT_TEXT = "Your message can't be sent because your tenant exceeded its daily limit for sending email to external recipients (tenant external recipient rate limit)";
const ALICE_REFUSED = '550 5.1.8 <alice@outgate.test>: Sender address rejected: Access denied, bad outbound sender';

describe('Outgate behind a real Postfix', { timeout: 180_000 }, () => {
  let sink: SmtpSink;
  let og: TestServer;
  let pf: PostfixInstance;

  before(async () => {
    sink = await startSmtpSink();
    og = await startTestServer();
    pf = await startPostfix({ policyPort: og.policyPort, relayPort: sink.port, users: [ALICE, BOB, TINA, TOM] });
    assert.equal((await og.cli('New-AcceptedDomain', 'Outgate', '-DomainName', 'outgate.test')).code, 0);
    assert.equal((await og.cli('Set-HostedOutboundSpamFilterPolicy', 'Default', '-RecipientLimitExternalPerHour', '3')).code, 0);
  });

  after(async () => {
    await pf?.stop();
    await og?.stop();
    await sink?.close();
  });

  const send = (who: typeof ALICE, to: string[], from = who.user): Promise<SwaksResult> =>
    swaks({ port: pf.port, from, to, authUser: who.user, authPassword: who.password });
  const explain = async (r: SwaksResult): Promise<string> => `swaks:\n${r.transcript}\n--- maillog ---\n${await pf.log()}`;
  const delivered = (to: string) => sink.waitFor((m) => m.to.includes(to), 15_000);
  const totals = (identity: string) => og.checkSend.totalsOf({ tenantId: 'default', type: 'Mailbox', identity });

  it('admits mail within the limits and counts each message once, at end of data', async () => {
    const r = await send(ALICE, ['a@example.com', 'b@example.com', 'carol@outgate.test']);
    assert.ok(r.accepted, await explain(r));
    await delivered('a@example.com');
    assert.deepEqual(await totals('alice@outgate.test'), { externalLastHour: 2, internalLastHour: 1, externalLast24h: 2, internalLast24h: 1, recipientsLast24h: 3, messagesLastMinute: 1 });
  });

  it('refuses with 5.1.8 the recipient that takes the sender over, and restricts the sender', async () => {
    const r = await send(ALICE, ['c@example.com', 'd@example.com']);
    assert.equal(r.rcpt['c@example.com']?.text, '250 2.1.5 Ok', await explain(r));
    assert.equal(r.rcpt['d@example.com']?.text, ALICE_REFUSED, await explain(r));
    // Postfix accepted one recipient before the trip; the whole message is refused at end of data.
    assert.equal(r.endOfData?.text, '550 5.0.0 <END-OF-MESSAGE>: End-of-data rejected: Access denied, bad outbound sender', await explain(r));
    assert.equal(r.accepted, false);
    const listed = JSON.parse((await ok(og.cli('Get-BlockedSenderAddress', '--format', 'json'))).stdout) as Array<{ SenderAddress: string; Reason: string }>;
    assert.deepEqual(listed.map((e) => e.SenderAddress), ['alice@outgate.test']);
    assert.match(listed[0]!.Reason, /^EmailSendingLimitExceeded;InternalRecipientCountToday=\d+;ExternalRecipientCountToday=\d+;ExceedingLimitType=External;Last MessagetraceId=[0-9A-F]*;LastMessageRcptCount=\d+;RecipientLimitExternalPerHour=3;/);
  });

  it('refuses every later message from the restricted sender with the same 5.1.8 reply, even as someone else', async () => {
    for (const [to, from] of [[['e@example.com'], ALICE.user], [['carol@outgate.test'], ALICE.user], [['f@example.com'], 'ceo@outgate.test']] as const) {
      const r = await send(ALICE, [...to], from);
      assert.equal(r.rcpt[to[0]]?.text, ALICE_REFUSED.replace('<alice@outgate.test>', `<${from}>`), await explain(r));
      assert.equal(r.accepted, false);
    }
    assert.equal((await totals('alice@outgate.test')).messagesLastMinute, 1, 'refused mail is never counted');
  });

  it('lets the restricted user still receive mail', async () => {
    const r = await send(BOB, ['alice@outgate.test']);
    assert.ok(r.accepted, await explain(r));
    await delivered('alice@outgate.test');
  });

  it('lets mail through again once an admin unblocks the sender with Remove-BlockedSenderAddress', async () => {
    const u = await og.cli('Remove-BlockedSenderAddress', '-SenderAddress', 'alice@outgate.test', '-Reason', 'password reset');
    assert.equal(u.code, 0, u.stderr);
    const r = await send(ALICE, ['g@example.com', 'h@example.com', 'i@example.com']);
    assert.ok(r.accepted, await explain(r));
    await delivered('i@example.com');
    assert.equal((await totals('alice@outgate.test')).externalLastHour, 3, 'windows restarted at the unblock');
  });

  it('counts unauthenticated mail from a connector as the connector and refuses it with 5.7.711 once restricted', async () => {
    const made = await og.cli('New-InboundConnector', 'Web app', '-SenderIPAddresses', '127.0.0.1', '-RecipientLimitExternalPerHour', '2');
    assert.equal(made.code, 0, made.stderr);
    const relay = (to: string[]) => swaks({ port: pf.port, from: 'app@outgate.test', to });
    const admitted = await relay(['j@example.com', 'k@example.com']);
    assert.ok(admitted.accepted, await explain(admitted));
    const r = await relay(['l@example.com']);
    assert.equal(r.rcpt['l@example.com']?.text, '550 5.7.711 <app@outgate.test>: Sender address rejected: Access denied, bad inbound connector. AS(2204)', await explain(r));
    const blocked = JSON.parse((await ok(og.cli('Get-BlockedConnector', '--format', 'json'))).stdout) as Array<{ ConnectorName: string }>;
    assert.deepEqual(blocked.map((b) => b.ConnectorName), ['Web app']);
    // Authenticated users on the same host are still judged as themselves.
    const user = await send(BOB, ['m@example.com']);
    assert.ok(user.accepted, await explain(user));
  });

  it('refuses a tenant over its external recipient limit with 5.7.233 at RCPT TO, for every sender of the tenant, while internal mail flows', async () => {
    await contosoWithExternalLimit(og, 1);
    const within = await send(TINA, ['t1@example.com']);
    assert.ok(within.accepted, await explain(within));
    // The second external recipient passes the limit: refused, the tenant restricted; the internal one goes.
    const over = await send(TINA, ['in@contoso.test', 't2@example.com']);
    assert.equal(over.rcpt['in@contoso.test']?.text, '250 2.1.5 Ok', await explain(over));
    assert.equal(over.rcpt['t2@example.com']?.text, `550 5.7.233 <tina@contoso.test>: Sender address rejected: ${TENANT_TEXT}`, await explain(over));
    assert.ok(over.accepted, `the internal recipient is delivered\n${await explain(over)}`);
    await delivered('in@contoso.test');
    // Restricted: another sender of the tenant is refused the same way at its first external recipient.
    const other = await send(TOM, ['t3@example.com']);
    assert.equal(other.rcpt['t3@example.com']?.text, `550 5.7.233 <tom@contoso.test>: Sender address rejected: ${TENANT_TEXT}`, await explain(other));
    assert.equal(other.accepted, false);
    const blocked = JSON.parse((await ok(og.cli('Get-BlockedTenant', '--format', 'json'))).stdout) as Array<{ TenantName: string }>;
    assert.deepEqual(blocked.map((b) => b.TenantName), ['Contoso']);
  });
});
