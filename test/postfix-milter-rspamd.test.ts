// Outbound spam verdicts from a real Rspamd (a throwaway instance on loopback) through the milter
// behind a real Postfix: ham goes the usual way; GTUBE is judged spam, marked, and routed to the
// high-risk relay by the documented milter_header_checks FILTER; a sender whose spam share crosses
// the threshold (over the floor) is restricted with EOP's spam Reason and raises the early warning.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { listAlerts } from '../src/app/alerts.js';
import { SYSTEM } from '../src/domain/events.js';
import { ok, startTestServer, type TestServer } from './support/outgate.js';
import { startPostfix, type PostfixInstance } from './support/postfix.js';
import { GTUBE, startRspamd, type RspamdInstance } from './support/rspamd.js';
import { startSmtpSink, type SmtpSink } from './support/smtp-sink.js';
import { swaks, type SwaksResult } from './support/swaks.js';

const SNIPPET = new URL('../docs/postfix/milter.cf.snippet', import.meta.url);
const ALICE = { user: 'alice@outgate.test', password: 'alice-secret' };
const BOB = { user: 'bob@outgate.test', password: 'bob-secret' };

describe('outbound spam verdicts from a real Rspamd through the milter', { timeout: 240_000 }, () => {
  let rspamd: RspamdInstance;
  let sink: SmtpSink;
  let highRisk: SmtpSink;
  let og: TestServer;
  let pf: PostfixInstance;

  before(async () => {
    rspamd = await startRspamd();
    sink = await startSmtpSink();
    highRisk = await startSmtpSink();
    og = await startTestServer({ 'rspamd.url': rspamd.url, 'rspamd.spamFloorMessages': 3, 'rspamd.spamPercent': 50 });
    const snippet = (await readFile(SNIPPET, 'utf8')).replaceAll('127.0.0.1:10041', `127.0.0.1:${og.milterPort}`);
    // The high-risk route of docs/postfix.md: the header the milter adds picks the relay.
    const extraMainCf = `milter_header_checks = regexp:{ {/^X-Outgate-Outbound-Spam: Yes/ FILTER smtp:[127.0.0.1]:${highRisk.port}} }`;
    pf = await startPostfix({ policyPort: og.policyPort, relayPort: sink.port, users: [ALICE, BOB], snippet, extraMainCf });
    await ok(og.cli('New-AcceptedDomain', 'Outgate', '-DomainName', 'outgate.test'));
  });

  after(async () => {
    await pf?.stop();
    await og?.stop();
    await sink?.close();
    await highRisk?.close();
    await rspamd?.stop();
  });

  const send = (who: typeof ALICE, to: string, body: string): Promise<SwaksResult> =>
    swaks({ port: pf.port, from: who.user, to: [to], authUser: who.user, authPassword: who.password, body, extraArgs: ['--header', `Subject: ${to}`] });
  const explain = async (r: SwaksResult): Promise<string> => `swaks:\n${r.transcript}\n--- maillog ---\n${await pf.log()}`;

  it('sends ham the usual way and GTUBE, judged spam, marked through the high-risk relay', async () => {
    const ham = await send(ALICE, 'ham@example.com', 'Lunch at noon?\n');
    assert.ok(ham.accepted, await explain(ham));
    const plain = await sink.waitFor((m) => m.to.includes('ham@example.com'), 15_000);
    assert.doesNotMatch(plain.raw, /X-Outgate-Outbound-Spam/i);

    const spam = await send(ALICE, 'spam1@example.com', `${GTUBE}\n`);
    assert.ok(spam.accepted, `under the threshold spam still goes out, by the high-risk route\n${await explain(spam)}`);
    const marked = await highRisk.waitFor((m) => m.to.includes('spam1@example.com'), 15_000);
    assert.match(marked.raw, /^X-Outgate-Outbound-Spam: Yes; score=15\.00; action=reject\r?$/m);
    assert.ok(!sink.messages.some((m) => m.to.includes('spam1@example.com')), 'not through the normal relay');
  });

  it('restricts the sender whose spam share crosses the threshold over the floor, with EOP\'s Reason and the early warning', async () => {
    const second = await send(ALICE, 'spam2@example.com', `${GTUBE}\n`);
    assert.ok(second.accepted, await explain(second));
    await highRisk.waitFor((m) => m.to.includes('spam2@example.com'), 15_000);
    const r = await og.store.getRestriction({ tenantId: 'default', type: 'Mailbox', identity: 'alice@outgate.test' });
    assert.match(r?.reason ?? '', /^OutboundSpamLast24Hours=2;OutboundMailLast24Hours=3;OutboundSpamPercent=67;Last Spam Message MessagetraceId:[0-9A-F]+;Policy=Default;$/);
    const next = await send(ALICE, 'later@example.com', 'hello again\n');
    assert.equal(next.mailFrom?.text, '550 5.1.8 Access denied, bad outbound sender', await explain(next));

    const other = await send(BOB, 'friend@example.com', `${GTUBE}\n`);
    assert.ok(other.accepted, 'one spam message of another sender is under the floor');

    await og.alerts.runOnce();
    const { items } = await listAlerts({ store: og.store, clock: og.clock, actor: SYSTEM });
    assert.deepEqual(
      items.filter((a) => a.Entity === 'alice@outgate.test').map((a) => a.PolicyName).sort(),
      ['Suspicious email sending patterns detected', 'User restricted from sending email'],
    );
  });

  it('speaks the protocol as Postfix expects: no milter warning in its log', async () => {
    const log = await pf.log();
    assert.doesNotMatch(log, /warning: .*milter/i, log);
  });
});
