// Outgate as a milter behind a real Postfix (Debian's, private instance on loopback) with exactly the
// shipped docs/postfix/milter.cf.snippet: the exact `550 5.1.8 Access denied, bad outbound sender` at
// RCPT TO, at end of data and at MAIL FROM, each admitted message counted once, and what the client
// sees for every other reply and when the milter is down (the table in docs/postfix.md).
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { contosoWithExternalLimit, ok, startTestServer, type TestServer } from './support/outgate.js';
import { startPostfix, type PostfixInstance } from './support/postfix.js';
import { startSmtpSink, type SmtpSink } from './support/smtp-sink.js';
import { swaks, type SwaksResult } from './support/swaks.js';

const SNIPPET = new URL('../docs/postfix/milter.cf.snippet', import.meta.url);
const RESTRICTED = '550 5.1.8 Access denied, bad outbound sender';
const users = ['alice', 'bob', 'dan', 'erin', 'frank'].map((u) => ({ user: `${u}@outgate.test`, password: `${u}-secret` }));
const [ALICE, BOB, DAN, ERIN, FRANK] = users as [
  (typeof users)[0],
  (typeof users)[0],
  (typeof users)[0],
  (typeof users)[0],
  (typeof users)[0],
];

/** Two users of a second tenant, Contoso, whose tenant external recipient limit is 1. */
const TINA = { user: 'tina@contoso.test', password: 'tina-secret' };
const TOM = { user: 'tom@contoso.test', password: 'tom-secret' };
const TENANT_REFUSED =
  "550 5.7.233 Your message can't be sent because your tenant exceeded its daily limit for sending email to external recipients (tenant external recipient rate limit)";

const milterSnippet = async (port: number): Promise<string> =>
  (await readFile(SNIPPET, 'utf8')).replaceAll('127.0.0.1:10041', `127.0.0.1:${port}`);

describe('Outgate as a milter behind a real Postfix', { timeout: 180_000 }, () => {
  let sink: SmtpSink;
  let og: TestServer;
  let pf: PostfixInstance;

  before(async () => {
    sink = await startSmtpSink();
    og = await startTestServer({
      'serviceLimits.recipientsPerMessage': 4,
      'serviceLimits.messagesPerMinute': 3,
      'serviceLimits.recipientsPerDay': 10,
    });
    pf = await startPostfix({ policyPort: og.policyPort, relayPort: sink.port, users: [...users, TINA, TOM], snippet: await milterSnippet(og.milterPort) });
    await ok(og.cli('New-AcceptedDomain', 'Outgate', '-DomainName', 'outgate.test'));
    await ok(og.cli('Set-HostedOutboundSpamFilterPolicy', 'Default', '-RecipientLimitExternalPerHour', '3'));
  });

  after(async () => {
    await pf?.stop();
    await og?.stop();
    await sink?.close();
  });

  const send = (who: typeof ALICE, to: string[], from = who.user, port = pf.port): Promise<SwaksResult> =>
    swaks({ port, from, to, authUser: who.user, authPassword: who.password });
  const explain = async (r: SwaksResult): Promise<string> => `swaks:\n${r.transcript}\n--- maillog ---\n${await pf.log()}`;
  const totals = (identity: string) => og.checkSend.totalsOf({ tenantId: 'default', type: 'Mailbox', identity });

  it('admits mail within the limits and counts each message once, at end of data', async () => {
    const r = await send(ALICE, ['a@example.com', 'b@example.com', 'carol@outgate.test']);
    assert.ok(r.accepted, await explain(r));
    await sink.waitFor((m) => m.to.includes('a@example.com'), 15_000);
    assert.deepEqual(await totals('alice@outgate.test'), {
      externalLastHour: 2,
      internalLastHour: 1,
      externalLast24h: 2,
      internalLast24h: 1,
      recipientsLast24h: 3,
      messagesLastMinute: 1,
    });
  });

  it('refuses the recipient that crosses the limit with the exact 5.1.8 reply, and the message at end of data with it too', async () => {
    const r = await send(ALICE, ['c@example.com', 'd@example.com']);
    assert.equal(r.rcpt['c@example.com']?.text, '250 2.1.5 Ok', await explain(r));
    assert.equal(r.rcpt['d@example.com']?.text, RESTRICTED, await explain(r));
    assert.equal(r.endOfData?.text, RESTRICTED, await explain(r));
    assert.equal(r.accepted, false);
  });

  it('refuses the restricted sender at MAIL FROM with the exact 5.1.8 reply, even as someone else, and counts nothing', async () => {
    for (const from of [ALICE.user, 'ceo@outgate.test']) {
      const r = await send(ALICE, ['e@example.com'], from);
      assert.equal(r.mailFrom?.text, RESTRICTED, await explain(r));
      assert.equal(r.accepted, false);
    }
    assert.equal((await totals('alice@outgate.test')).messagesLastMinute, 1, 'refused mail is never counted');
    const r = await send(BOB, ['alice@outgate.test']);
    assert.ok(r.accepted, `the restricted user still receives mail\n${await explain(r)}`);
  });

  it('passes the other replies through as written: 5.5.3, 5.1.90, 4.7.1, 5.7.711', async () => {
    const many = await send(FRANK, ['f1@outgate.test', 'f2@outgate.test', 'f3@outgate.test', 'f4@outgate.test', 'f5@outgate.test']);
    assert.equal(many.rcpt['f5@outgate.test']?.text, '550 5.5.3 RESOLVER.ADR.RecipLimit; too many recipients', await explain(many));
    assert.ok(many.accepted, await explain(many));

    og.clock.advance(60_000);
    for (const to of [
      ['d1', 'd2', 'd3', 'd4'],
      ['d5', 'd6', 'd7', 'd8'],
    ])
      assert.ok(
        (
          await send(
            DAN,
            to.map((d) => `${d}@outgate.test`),
          )
        ).accepted,
      );
    const daily = await send(DAN, ['d9@outgate.test', 'd10@outgate.test', 'd11@outgate.test']);
    assert.equal(
      daily.rcpt['d11@outgate.test']?.text,
      "550 5.1.90 Your message can't be sent because you've reached your daily limit for message recipients",
      await explain(daily),
    );

    for (let i = 0; i < 3; i++) assert.ok((await send(ERIN, [`e${i}@outgate.test`])).accepted);
    const rate = await send(ERIN, ['e4@outgate.test']);
    assert.equal(rate.rcpt['e4@outgate.test']?.text, '451 4.7.1 Message rate limit exceeded, try again later', await explain(rate));

    await ok(og.cli('New-InboundConnector', 'Web app', '-SenderIPAddresses', '127.0.0.1', '-RecipientLimitExternalPerHour', '1'));
    const relay = (to: string) => swaks({ port: pf.port, from: 'app@outgate.test', to: [to] });
    assert.ok((await relay('j@example.com')).accepted);
    const connector = await relay('k@example.com');
    assert.equal(
      connector.rcpt['k@example.com']?.text,
      '550 5.7.711 Access denied, bad inbound connector. AS(2204)',
      await explain(connector),
    );
    const blocked = await relay('l@example.com');
    assert.equal(blocked.mailFrom?.text, '550 5.7.711 Access denied, bad inbound connector. AS(2204)', await explain(blocked));
  });

  it('refuses a tenant over its external recipient limit with the exact 5.7.233 reply at RCPT TO, while internal mail flows', async () => {
    await contosoWithExternalLimit(og, 1);
    const within = await send(TINA, ['t1@example.com']);
    assert.ok(within.accepted, await explain(within));
    const over = await send(TINA, ['in@contoso.test', 't2@example.com']);
    assert.equal(over.rcpt['in@contoso.test']?.text, '250 2.1.5 Ok', await explain(over));
    assert.equal(over.rcpt['t2@example.com']?.text, TENANT_REFUSED, await explain(over));
    assert.ok(over.accepted, `the internal recipient is delivered\n${await explain(over)}`);
    await sink.waitFor((m) => m.to.includes('in@contoso.test'), 15_000);
    // Restricted: the tenant's other senders pass MAIL FROM and are refused at their first external recipient.
    const other = await send(TOM, ['t3@example.com']);
    assert.equal(other.mailFrom?.text, '250 2.1.0 Ok', await explain(other));
    assert.equal(other.rcpt['t3@example.com']?.text, TENANT_REFUSED, await explain(other));
    assert.equal(other.accepted, false);
  });

  it('speaks the protocol as Postfix expects: no milter warning in its log', async () => {
    const log = await pf.log();
    assert.match(log, /milter-reject: END-OF-MESSAGE .*: 5\.1\.8 Access denied, bad outbound sender;/, log);
    assert.doesNotMatch(log, /warning: .*milter/i, log);
  });

  it('lets nothing through when the milter is down (milter_default_action = tempfail): AUTH 454, MAIL FROM 451', async () => {
    const port = await closedPort();
    const down = await startPostfix({ policyPort: og.policyPort, relayPort: sink.port, users, snippet: await milterSnippet(port) });
    try {
      // Postfix refuses the session at CONNECT (milter-reject); it still answers EHLO, then refuses AUTH
      // and every MAIL FROM.
      const r = await send(BOB, ['x@example.com'], BOB.user, down.port);
      assert.equal(r.auth?.text, '454 4.3.0 Try again later', `${r.transcript}\n${await down.log()}`);
      assert.equal(r.accepted, false);
      const anon = await swaks({ port: down.port, from: 'app@outgate.test', to: ['x@example.com'] });
      assert.equal(anon.mailFrom?.text, '451 4.7.1 Service unavailable - try again later', `${anon.transcript}\n${await down.log()}`);
      assert.equal(anon.accepted, false);
    } finally {
      await down.stop();
    }
  });
});

/** A loopback port nothing listens on (probed, then released). */
function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}
