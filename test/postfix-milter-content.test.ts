// The milter's content path behind a real Postfix (Debian's, private instance on loopback) with the
// shipped docs/postfix/milter.cf.snippet, with the exact replies the client reads: the policy chosen
// by the header From (with the Send As guard, counted against the login), external automatic
// forwards refused with 5.7.520 (and the alert), the BCC copy of suspicious mail through ADDRCPT, and
// 432 4.3.2 for one SMTP AUTH session too many (docs/postfix.md).
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { listAlerts } from '../src/app/alerts.js';
import { SYSTEM } from '../src/domain/events.js';
import { ok, startTestServer, type TestServer } from './support/outgate.js';
import { startPostfix, type PostfixInstance } from './support/postfix.js';
import { startSmtpSink, type SmtpSink } from './support/smtp-sink.js';
import { swaks, type SwaksResult } from './support/swaks.js';

const SNIPPET = new URL('../docs/postfix/milter.cf.snippet', import.meta.url);
const RESTRICTED = '550 5.1.8 Access denied, bad outbound sender';
const FORWARD_BLOCKED = '550 5.7.520 Access denied, Your organization does not allow external forwarding. Please contact your administrator for further assistance. AS(7555)';
const names = ['alice', 'bob', 'dan', 'erin', 'frank', 'gina', 'hank'] as const;
const U = Object.fromEntries(names.map((u) => [u, { user: `${u}@outgate.test`, password: `${u}-secret` }])) as Record<(typeof names)[number], { user: string; password: string }>;

describe('the milter reads the message header behind a real Postfix', { timeout: 240_000 }, () => {
  let sink: SmtpSink;
  let og: TestServer;
  let pf: PostfixInstance;

  before(async () => {
    sink = await startSmtpSink();
    og = await startTestServer({ 'serviceLimits.concurrentConnections': 2 });
    const snippet = (await readFile(SNIPPET, 'utf8')).replaceAll('127.0.0.1:10041', `127.0.0.1:${og.milterPort}`);
    pf = await startPostfix({ policyPort: og.policyPort, relayPort: sink.port, users: Object.values(U), snippet });
    await ok(og.cli('New-AcceptedDomain', 'Outgate', '-DomainName', 'outgate.test'));
    await ok(og.cli('Set-HostedOutboundSpamFilterPolicy', 'Default', '-RecipientLimitExternalPerHour', '3', '-ActionWhenThresholdReached', 'Alert', '-BccSuspiciousOutboundMail', '$true', '-BccSuspiciousOutboundAdditionalRecipients', 'sec@outgate.test'));
    // The CEO's address is held to a strict policy; Frank's own address may forward.
    await ok(og.cli('New-HostedOutboundSpamFilterPolicy', 'Strict', '-RecipientLimitExternalPerHour', '1', '-ActionWhenThresholdReached', 'BlockUser'));
    await ok(og.cli('New-HostedOutboundSpamFilterRule', 'Strict', '-HostedOutboundSpamFilterPolicy', 'Strict', '-From', 'ceo@outgate.test'));
    await ok(og.cli('New-HostedOutboundSpamFilterPolicy', 'Forwarders', '-AutoForwardingMode', 'On'));
    await ok(og.cli('New-HostedOutboundSpamFilterRule', 'Forwarders', '-HostedOutboundSpamFilterPolicy', 'Forwarders', '-From', 'frank@outgate.test'));
    await ok(og.cli('Add-RecipientPermission', '-Identity', 'ceo@outgate.test', '-Trustee', 'alice@outgate.test', '-AccessRights', 'SendAs'));
  });

  after(async () => {
    await pf?.stop();
    await og?.stop();
    await sink?.close();
  });

  const send = (who: { user: string; password: string }, to: string[], headers: string[] = []): Promise<SwaksResult> =>
    swaks({ port: pf.port, from: who.user, to, authUser: who.user, authPassword: who.password, extraArgs: headers.flatMap((h) => ['--header', h]) });
  const explain = async (r: SwaksResult): Promise<string> => `swaks:\n${r.transcript}\n--- maillog ---\n${await pf.log()}`;
  const totals = (identity: string) => og.checkSend.totalsOf({ tenantId: 'default', type: 'Mailbox', identity });

  it('selects the policy by the header From when the login may send as it, and counts the login either way', async () => {
    const asCeo = ['From: The CEO <ceo@outgate.test>'];
    const alice = await send(U.alice, ['a1@example.com', 'a2@example.com'], asCeo);
    assert.equal(alice.rcpt['a2@example.com']?.text, '250 2.1.5 Ok', 'at RCPT only the envelope sender is known: the default policy');
    assert.equal(alice.endOfData?.text, RESTRICTED, await explain(alice));
    const r = await og.store.getRestriction({ tenantId: 'default', type: 'Mailbox', identity: 'alice@outgate.test' });
    assert.match(r?.reason ?? '', /RecipientLimitExternalPerHour=1;.*Policy=Strict;/);
    assert.equal(r?.action, 'BlockUser', "the CEO's policy, restricting Alice (the login)");

    // Bob may not send as the CEO: his own (default) policy holds, and the message counts as his.
    const bob = await send(U.bob, ['b1@example.com', 'b2@example.com'], asCeo);
    assert.ok(bob.accepted, await explain(bob));
    assert.equal((await totals('bob@outgate.test')).externalLastHour, 2);
    assert.equal((await totals('ceo@outgate.test')).externalLastHour, 0);
  });

  it('refuses an external automatic forward with the exact 5.7.520 reply, passes internal ones and a policy with forwarding On, and raises the alert', async () => {
    const fwd = ['From: Someone <someone@example.org>', 'Auto-Submitted: auto-forwarded'];
    const out = await send(U.dan, ['x@example.com'], fwd);
    assert.equal(out.rcpt['x@example.com']?.text, '250 2.1.5 Ok');
    assert.equal(out.endOfData?.text, FORWARD_BLOCKED, await explain(out));
    const resent = await send(U.dan, ['carol@outgate.test', 'y@example.com'], ['Resent-From: dan@outgate.test']);
    assert.equal(resent.endOfData?.text, FORWARD_BLOCKED, await explain(resent));
    const inside = await send(U.dan, ['carol@outgate.test'], fwd);
    assert.ok(inside.accepted, `internal forwarding always passes\n${await explain(inside)}`);
    assert.deepEqual(await totals('dan@outgate.test'), { externalLastHour: 0, internalLastHour: 1, externalLast24h: 0, internalLast24h: 1, recipientsLast24h: 1, messagesLastMinute: 1 }, 'refused forwards are not counted');

    const frank = await send(U.frank, ['z@example.com'], fwd);
    assert.ok(frank.accepted, `AutoForwardingMode On on Frank's own policy\n${await explain(frank)}`);

    await og.alerts.runOnce();
    const { items } = await listAlerts({ store: og.store, clock: og.clock, actor: SYSTEM });
    const alert = items.find((a) => a.PolicyName === 'Suspicious email forwarding activity');
    assert.deepEqual([alert?.Severity, alert?.Entity], ['High', 'dan@outgate.test']);
    // Both refusals join one alert (aggregation); which one's Reason it shows depends on whether the
    // background worker saw the first before the second arrived.
    assert.match(alert?.Reason ?? '', /^ExternalForwardingBlocked;AutoForwardingMode=Automatic;ExternalRecipients=1;ForwardedBy=(Auto-Submitted: auto-forwarded|Resent-From: dan@outgate\.test);/);
  });

  it('copies a message over the limits that still goes out (Alert) to the default policy BCC recipients, and no other', async () => {
    const first = await send(U.erin, ['e1@example.com', 'e2@example.com'], ['Subject: first']);
    assert.ok(first.accepted, await explain(first));
    const second = await send(U.erin, ['e3@example.com', 'e4@example.com'], ['Subject: second']);
    assert.ok(second.accepted, await explain(second));
    const copy = await sink.waitFor((m) => m.to.includes('e3@example.com'), 15_000);
    assert.deepEqual(copy.to.sort(), ['e3@example.com', 'e4@example.com', 'sec@outgate.test']);
    const plain = await sink.waitFor((m) => m.to.includes('e1@example.com'), 15_000);
    assert.deepEqual(plain.to.sort(), ['e1@example.com', 'e2@example.com']);
    assert.equal((await totals('erin@outgate.test')).externalLastHour, 4, 'the copy is not counted');
  });

  it('answers 432 4.3.2 at MAIL FROM to one SMTP AUTH session too many of a login, and admits it again once one ends', async () => {
    const open: SmtpSession[] = [];
    try {
      for (let i = 0; i < 2; i++) {
        const s = await SmtpSession.open(pf.port, U.gina);
        open.push(s);
        assert.equal(await s.say('MAIL FROM:<gina@outgate.test>'), '250 2.1.0 Ok');
      }
      const third = await SmtpSession.open(pf.port, U.gina);
      open.push(third);
      assert.equal(await third.say('MAIL FROM:<gina@outgate.test>'), '432 4.3.2 Concurrent connections limit exceeded.');
      const other = await SmtpSession.open(pf.port, U.hank);
      open.push(other);
      assert.equal(await other.say('MAIL FROM:<hank@outgate.test>'), '250 2.1.0 Ok', 'another login is not affected');

      assert.equal(await open[0]!.say('QUIT'), '221 2.0.0 Bye');
      // Postfix tells the milter the session ended after it answered the client: wait for that, each
      // try a fresh session (one refused at MAIL FROM holds nothing).
      let reply = '';
      for (const deadline = Date.now() + 20_000; reply !== '250 2.1.0 Ok' && Date.now() < deadline; ) {
        const again = await SmtpSession.open(pf.port, U.gina);
        open.push(again);
        reply = await again.say('MAIL FROM:<gina@outgate.test>');
        if (reply !== '250 2.1.0 Ok') again.close();
      }
      assert.equal(reply, '250 2.1.0 Ok');
    } finally {
      for (const s of open) s.close();
    }
  });

  it('speaks the protocol as Postfix expects: no milter warning in its log', async () => {
    const log = await pf.log();
    assert.doesNotMatch(log, /warning: .*milter/i, log);
  });
});

/** One SMTP session held open: EHLO and AUTH PLAIN done, then one command and its (last) reply line at a time. */
class SmtpSession {
  private buffer = '';
  private waiting: ((line: string) => void) | null = null;
  private readonly lines: string[] = [];
  private constructor(private readonly socket: Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => {
      this.buffer += d;
      let at: number;
      while ((at = this.buffer.indexOf('\r\n')) !== -1) {
        const line = this.buffer.slice(0, at);
        this.buffer = this.buffer.slice(at + 2);
        // Only the last line of a multi-line reply ("250-…" continues).
        if (/^\d{3}-/.test(line)) continue;
        if (this.waiting) {
          const w = this.waiting;
          this.waiting = null;
          w(line);
        } else this.lines.push(line);
      }
    });
    socket.on('error', () => undefined);
  }

  static async open(port: number, who: { user: string; password: string }): Promise<SmtpSession> {
    const socket = await new Promise<Socket>((resolve, reject) => {
      const s = connect({ host: '127.0.0.1', port }, () => resolve(s));
      s.once('error', reject);
    });
    const s = new SmtpSession(socket);
    assert.match(await s.next(), /^220 /);
    assert.match(await s.say('EHLO client.outgate.test'), /^250 /);
    const token = Buffer.from(`\0${who.user}\0${who.password}`).toString('base64');
    assert.equal(await s.say(`AUTH PLAIN ${token}`), '235 2.7.0 Authentication successful');
    return s;
  }

  say(command: string): Promise<string> {
    this.socket.write(`${command}\r\n`);
    return this.next();
  }

  close(): void {
    this.socket.destroy();
  }

  private next(): Promise<string> {
    const l = this.lines.shift();
    if (l !== undefined) return Promise.resolve(l);
    return new Promise((resolve) => (this.waiting = resolve));
  }
}
