// The milter over a real socket, spoken as Postfix's milter8.c speaks it (our MTA-side client):
// option negotiation asks only for MAIL, RCPT and end of message and the macros read there; the same
// decisions as the policy service, with the reply table's lines as written; a message counted once
// at its end; abandoned messages and malformed packets count nothing.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { MilterClient, mta, packet, type MilterReply } from '../src/adapters/milter/client.js';
import { Cmd, MacroStage, Proto } from '../src/adapters/milter/protocol.js';
import { ok, startTestServer, type TestServer } from './support/outgate.js';

const CONTINUE: MilterReply = { kind: 'continue' };
const code = (text: string): MilterReply => ({ kind: 'replycode', text });
const RESTRICTED = code('550 5.1.8 Access denied, bad outbound sender');

describe('the milter, over a socket', { timeout: 60_000 }, () => {
  let og: TestServer;
  before(async () => {
    og = await startTestServer({ 'serviceLimits.recipientsPerMessage': 4 });
    await ok(og.cli('New-AcceptedDomain', 'Outgate', '-DomainName', 'outgate.test'));
    await ok(og.cli('Set-HostedOutboundSpamFilterPolicy', 'Default', '-RecipientLimitExternalPerHour', '3'));
  });
  after(() => og?.stop());

  const totals = (identity: string, type: 'Mailbox' | 'Connector' = 'Mailbox') =>
    og.checkSend.totalsOf({ tenantId: 'default', type, identity });
  const open = async (): Promise<MilterClient> => {
    const c = await MilterClient.open(og.milterPort);
    const neg = await c.ask(mta.optneg());
    assert.equal(neg.kind, 'optneg');
    return c;
  };
  /** MAIL as Postfix sends it: the MAIL macros first, then the command with its ESMTP arguments. */
  const mail = (c: MilterClient, login: string, from = login, client = '192.0.2.10') =>
    c.ask(
      mta.macro(Cmd.MAIL, [
        ['{auth_authen}', login],
        ['{client_addr}', client],
      ]),
      mta.mail(`<${from}>`, 'SIZE=100'),
    );
  const rcpt = (c: MilterClient, to: string, queueId = '') =>
    c.ask(...(queueId ? [mta.macro(Cmd.RCPT, [['i', queueId]])] : []), mta.rcpt(`<${to}>`));
  const eob = (c: MilterClient, queueId = '4XyZ1') => c.ask(mta.macro(Cmd.EOB, [['i', queueId]]), mta.eob());

  it('asks only for MAIL, RCPT, unanswered headers and end of message (ADDRCPT for BCC copies), and for the login, client address and queue id there', async () => {
    const c = await MilterClient.open(og.milterPort);
    const offered = 0x1fffff;
    assert.deepEqual(await c.ask(mta.optneg(6, 0x1ff, offered)), {
      kind: 'optneg',
      version: 6,
      actions: 0x100 | 0x04,
      protocol: Proto.NOCONNECT | Proto.NOHELO | Proto.NR_HDR | Proto.NOEOH | Proto.NOBODY | Proto.NOUNKNOWN,
      macros: [
        [MacroStage.ENVFROM, '{auth_authen} {client_addr}'],
        [MacroStage.ENVRCPT, 'i'],
        [MacroStage.EOM, 'i'],
      ],
    });
    await c.close();
    // An MTA without SETSYMLIST (protocol 2) is asked for CONNECT instead, where the client address is.
    const old = await MilterClient.open(og.milterPort);
    const neg = await old.ask(mta.optneg(2, 0x3f, 0x7f));
    assert.deepEqual(neg, {
      kind: 'optneg',
      version: 2,
      actions: 0x04,
      protocol: Proto.NOHELO | Proto.NOEOH | Proto.NOBODY,
      macros: [],
    });
    await old.close();
  });

  it('admits mail within the limits and counts it once, at end of message, with the recipients accepted', async () => {
    const c = await open();
    assert.deepEqual(await mail(c, 'alice@outgate.test'), CONTINUE);
    assert.deepEqual(await rcpt(c, 'a@example.com'), CONTINUE);
    assert.deepEqual(await rcpt(c, 'b@example.com', '4XyZ1'), CONTINUE);
    assert.deepEqual(await rcpt(c, 'carol@outgate.test', '4XyZ1'), CONTINUE);
    // Held (reserved) while the message is open; the message itself is counted at its end.
    assert.deepEqual(await totals('alice@outgate.test'), {
      externalLastHour: 2,
      internalLastHour: 1,
      externalLast24h: 2,
      internalLast24h: 1,
      recipientsLast24h: 3,
      messagesLastMinute: 0,
    });
    assert.deepEqual(await eob(c), CONTINUE);
    assert.deepEqual(await totals('alice@outgate.test'), {
      externalLastHour: 2,
      internalLastHour: 1,
      externalLast24h: 2,
      internalLast24h: 1,
      recipientsLast24h: 3,
      messagesLastMinute: 1,
    });
    // Postfix sends ABORT after a message when the client goes on: nothing more is counted.
    c.send(mta.abort());
    assert.deepEqual(await c.ask(mta.quit()), { kind: 'hang-up' });
    assert.deepEqual((await totals('alice@outgate.test')).messagesLastMinute, 1);
  });

  it('refuses with 5.1.8 the recipient that crosses the limit, then the message at its end, and every later MAIL FROM', async () => {
    const c = await open();
    assert.deepEqual(await mail(c, 'alice@outgate.test'), CONTINUE);
    assert.deepEqual(await rcpt(c, 'c@example.com'), CONTINUE);
    assert.deepEqual(await rcpt(c, 'd@example.com'), RESTRICTED);
    assert.deepEqual(await rcpt(c, 'e@example.com'), RESTRICTED);
    assert.deepEqual(await eob(c), RESTRICTED, 'the message Postfix accepted one recipient of is refused whole');
    c.send(mta.abort());
    for (const from of ['alice@outgate.test', 'ceo@outgate.test']) assert.deepEqual(await mail(c, 'alice@outgate.test', from), RESTRICTED);
    await c.close();
    assert.deepEqual(
      await totals('alice@outgate.test'),
      { externalLastHour: 2, internalLastHour: 1, externalLast24h: 2, internalLast24h: 1, recipientsLast24h: 3, messagesLastMinute: 1 },
      'refused mail is never counted',
    );
    const listed = JSON.parse((await ok(og.cli('Get-BlockedSenderAddress', '--format', 'json'))).stdout) as Array<{
      SenderAddress: string;
    }>;
    assert.deepEqual(
      listed.map((e) => e.SenderAddress),
      ['alice@outgate.test'],
    );
  });

  it('answers the other limits with the reply table: 5.5.3 past the recipients per message, 4.7.1 past the message rate', async () => {
    const c = await open();
    assert.deepEqual(await mail(c, 'bob@outgate.test'), CONTINUE);
    for (const to of ['b1', 'b2', 'b3', 'b4']) assert.deepEqual(await rcpt(c, `${to}@outgate.test`), CONTINUE);
    assert.deepEqual(await rcpt(c, 'b5@outgate.test'), code('550 5.5.3 RESOLVER.ADR.RecipLimit; too many recipients'));
    assert.deepEqual(await eob(c), CONTINUE);
    c.send(mta.abort());
    for (let i = 2; i <= 30; i++) {
      assert.deepEqual(await mail(c, 'bob@outgate.test'), CONTINUE);
      assert.deepEqual(await rcpt(c, 'b1@outgate.test'), CONTINUE);
      assert.deepEqual(await eob(c), CONTINUE, `message ${i}`);
      c.send(mta.abort());
    }
    assert.deepEqual(await mail(c, 'bob@outgate.test'), CONTINUE);
    assert.deepEqual(await rcpt(c, 'b1@outgate.test'), code('451 4.7.1 Message rate limit exceeded, try again later'));
    await c.close();
    assert.equal((await totals('bob@outgate.test')).messagesLastMinute, 30);
  });

  it('counts unauthenticated mail from a connector by {client_addr} and refuses it with 5.7.711 once restricted', async () => {
    await ok(og.cli('New-InboundConnector', 'Web app', '-SenderIPAddresses', '192.0.2.80', '-RecipientLimitExternalPerHour', '1'));
    const c = await open();
    assert.deepEqual(await mail(c, '', 'app@outgate.test', '192.0.2.80'), CONTINUE);
    assert.deepEqual(await rcpt(c, 'x@example.com'), CONTINUE);
    assert.deepEqual(await eob(c), CONTINUE);
    c.send(mta.abort());
    assert.deepEqual(await mail(c, '', 'app@outgate.test', '192.0.2.80'), CONTINUE);
    assert.deepEqual(await rcpt(c, 'y@example.com'), code('550 5.7.711 Access denied, bad inbound connector. AS(2204)'));
    c.send(mta.abort());
    assert.deepEqual(
      await mail(c, '', 'app@outgate.test', '192.0.2.80'),
      code('550 5.7.711 Access denied, bad inbound connector. AS(2204)'),
    );
    // Anyone else unauthenticated is not Outgate's to count.
    assert.deepEqual(await mail(c, '', 'someone@example.org', '192.0.2.99'), CONTINUE);
    assert.deepEqual(await rcpt(c, 'z@example.com'), CONTINUE);
    assert.deepEqual(await eob(c), CONTINUE);
    await c.close();
  });

  it('releases what an aborted or cut-off message held: its recipients stop counting at once', async () => {
    const held = async (c: MilterClient, login: string) => {
      assert.deepEqual(await mail(c, login), CONTINUE);
      assert.deepEqual(await rcpt(c, 'h1@example.com'), CONTINUE);
      assert.deepEqual(await rcpt(c, 'h2@example.com'), CONTINUE);
      assert.equal((await totals(login)).externalLastHour, 2, 'held while the message is open');
    };
    const c = await open();
    await held(c, 'dave@outgate.test');
    c.send(mta.abort());
    // The reply to the next command comes after the ABORT was handled.
    assert.deepEqual(await c.ask(mta.helo('client.example')), CONTINUE);
    assert.equal((await totals('dave@outgate.test')).externalLastHour, 0);
    await c.close();

    const cut = await open();
    await held(cut, 'erin@outgate.test');
    await cut.close();
    await waitFor(async () => (await totals('erin@outgate.test')).externalLastHour === 0);
  });

  it('closes the connection on a malformed, oversized or unknown packet, and counts nothing of that message', async () => {
    for (const [what, bad] of [
      ['unknown command', packet(0x5a)],
      ['RCPT without its NUL', packet(Cmd.RCPT, Buffer.from('<x@example.com>'))],
      ['oversized length', Buffer.from([0x7f, 0xff, 0xff, 0xff, Cmd.BODY])],
      ['zero length', Buffer.from([0, 0, 0, 0])],
      ['a second option negotiation', mta.optneg()],
    ] as const) {
      const c = await open();
      assert.deepEqual(await mail(c, 'frank@outgate.test'), CONTINUE);
      assert.deepEqual(await rcpt(c, 'f@example.com'), CONTINUE);
      assert.deepEqual(await c.ask(bad), { kind: 'hang-up' }, what);
      await waitFor(async () => (await totals('frank@outgate.test')).externalLastHour === 0);
    }
    // A command before option negotiation.
    const early = await MilterClient.open(og.milterPort);
    assert.deepEqual(await early.ask(mta.mail('<frank@outgate.test>')), { kind: 'hang-up' });
    assert.deepEqual(await totals('frank@outgate.test'), {
      externalLastHour: 0,
      internalLastHour: 0,
      externalLast24h: 0,
      internalLast24h: 0,
      recipientsLast24h: 0,
      messagesLastMinute: 0,
    });
  });

  it('starts afresh after QUIT_NC: the next SMTP session on the connection keeps nothing of the last one', async () => {
    const c = await open();
    assert.deepEqual(await mail(c, 'grace@outgate.test'), CONTINUE);
    assert.deepEqual(await rcpt(c, 'g@example.com'), CONTINUE);
    c.send(mta.quitNc());
    // No login this time: not counted, even though the last session's macros named one.
    assert.deepEqual(await c.ask(mta.mail('<grace@outgate.test>')), CONTINUE);
    assert.deepEqual(await c.ask(mta.rcpt('<g2@example.com>')), CONTINUE);
    assert.deepEqual(await c.ask(mta.eob()), CONTINUE);
    await c.close();
    assert.deepEqual(await totals('grace@outgate.test'), {
      externalLastHour: 0,
      internalLastHour: 0,
      externalLast24h: 0,
      internalLast24h: 0,
      recipientsLast24h: 0,
      messagesLastMinute: 0,
    });
  });
});

/** Polls a condition the server reaches after a socket close it cannot acknowledge. */
async function waitFor(cond: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 10));
  }
}
