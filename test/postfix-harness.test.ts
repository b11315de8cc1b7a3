// Proves the Postfix test harness against a real private Postfix, and pins the wire texts the product relies on.
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { startPolicyStub, type PolicyAttrs, type PolicyStub } from './support/policy-stub.js';
import { startPostfix, type PostfixInstance } from './support/postfix.js';
import { startSmtpSink, type SmtpSink } from './support/smtp-sink.js';
import { swaks, type SwaksResult } from './support/swaks.js';

const ALICE = { user: 'alice@outgate.test', password: 'alice-secret' };
const BAD_SENDER = '550 5.1.8 Access denied, bad outbound sender';

describe('postfix harness (real Postfix on loopback)', { timeout: 120_000 }, () => {
  let sink: SmtpSink;
  let stub: PolicyStub;
  let pf: PostfixInstance;

  before(async () => {
    sink = await startSmtpSink();
    stub = await startPolicyStub();
    pf = await startPostfix({ policyPort: stub.port, relayPort: sink.port, users: [ALICE] });
  });

  after(async () => {
    await pf?.stop();
    await stub?.close();
    await sink?.close();
  });

  // Each case installs its own answer and starts with an empty request log.
  function answer(fn: (a: PolicyAttrs) => string): void {
    stub.requests.splice(0);
    stub.setHandler(fn);
  }

  function send(to: string[], extra: { auth?: boolean } = {}): Promise<SwaksResult> {
    const auth = extra.auth === false ? {} : { authUser: ALICE.user, authPassword: ALICE.password };
    return swaks({ port: pf.port, from: ALICE.user, to, ...auth });
  }

  async function explain(r: SwaksResult): Promise<string> {
    return `swaks transcript:\n${r.transcript}\n--- maillog ---\n${await pf.log()}`;
  }

  it('(a) relays an authenticated 2-recipient message and asks the policy server per RCPT and once at END-OF-MESSAGE', async () => {
    answer(() => 'DUNNO');
    const to = ['bob@example.net', 'carol@example.org'];
    const r = await send(to);
    assert.equal(r.auth?.code, 235, await explain(r));
    assert.ok(r.accepted, await explain(r));
    const got = await sink.waitFor((m) => to.every((t) => m.to.includes(t)), 10_000);
    assert.equal(got.from, ALICE.user);
    assert.match(got.raw, /Outgate harness test message/);

    const rcpt = stub.requests.filter((q) => q.protocol_state === 'RCPT');
    assert.deepEqual(rcpt.map((q) => q.recipient).sort(), [...to].sort());
    for (const q of rcpt) {
      assert.equal(q.request, 'smtpd_access_policy');
      assert.equal(q.sasl_username, ALICE.user);
      assert.equal(q.sender, ALICE.user);
    }
    const eom = stub.requests.filter((q) => q.protocol_state === 'END-OF-MESSAGE');
    assert.equal(eom.length, 1, JSON.stringify(stub.requests, null, 1));
    assert.equal(eom[0]?.recipient_count, '2');
    assert.equal(eom[0]?.sasl_username, ALICE.user);
  });

  it("(b) a 550 5.1.8 at RCPT (sender restrictions) reaches the client with Postfix's sender prefix", async () => {
    answer((a) => (a.protocol_state === 'RCPT' ? BAD_SENDER : 'DUNNO'));
    const r = await send(['bob@example.net']);
    assert.equal(
      r.rcpt['bob@example.net']?.text,
      `550 5.1.8 <${ALICE.user}>: Sender address rejected: Access denied, bad outbound sender`,
      await explain(r),
    );
    assert.equal(r.accepted, false);
  });

  it('(c) a 550 5.1.8 at END-OF-MESSAGE is rewritten by Postfix to 5.0.0', async () => {
    answer((a) => (a.protocol_state === 'END-OF-MESSAGE' ? BAD_SENDER : 'DUNNO'));
    const r = await send(['bob@example.net', 'carol@example.org']);
    assert.equal(r.rcpt['bob@example.net']?.code, 250, await explain(r));
    assert.equal(
      r.endOfData?.text,
      '550 5.0.0 <END-OF-MESSAGE>: End-of-data rejected: Access denied, bad outbound sender',
      await explain(r),
    );
    assert.equal(r.accepted, false);
  });

  // Texts the product may send from smtpd_sender_restrictions at RCPT, and what the client then sees.
  const rcptCases: Array<[string, string]> = [
    [
      "550 5.1.90 Your message can't be sent because you've reached your daily limit for message recipients",
      // Postfix keeps only sender-valid X.1.Y details (X.1.8 survives, see (b)); X.1.90 becomes X.1.0.
      `550 5.1.0 <${ALICE.user}>: Sender address rejected: Your message can't be sent because you've reached your daily limit for message recipients`,
    ],
    [
      '550 5.5.3 RESOLVER.ADR.RecipLimit; too many recipients',
      `550 5.5.3 <${ALICE.user}>: Sender address rejected: RESOLVER.ADR.RecipLimit; too many recipients`,
    ],
    ['451 4.7.1 Rate limit reached, retry later', `451 4.7.1 <${ALICE.user}>: Sender address rejected: Rate limit reached, retry later`],
  ];
  for (const [action, seen] of rcptCases) {
    it(`(d) sender-restriction action "${action}"`, async () => {
      answer((a) => (a.protocol_state === 'RCPT' ? action : 'DUNNO'));
      const r = await send(['bob@example.net']);
      assert.equal(r.rcpt['bob@example.net']?.text, seen, await explain(r));
    });
  }

  // The same actions at END-OF-MESSAGE, for comparison (not address context: X.1.Y becomes X.0.0).
  const eomCases: Array<[string, string]> = [
    [
      "550 5.1.90 Your message can't be sent because you've reached your daily limit for message recipients",
      "550 5.0.0 <END-OF-MESSAGE>: End-of-data rejected: Your message can't be sent because you've reached your daily limit for message recipients",
    ],
    [
      '550 5.5.3 RESOLVER.ADR.RecipLimit; too many recipients',
      '550 5.5.3 <END-OF-MESSAGE>: End-of-data rejected: RESOLVER.ADR.RecipLimit; too many recipients',
    ],
    ['451 4.7.1 Rate limit reached, retry later', '451 4.7.1 <END-OF-MESSAGE>: End-of-data rejected: Rate limit reached, retry later'],
  ];
  for (const [action, seen] of eomCases) {
    it(`(d') end-of-data action "${action}"`, async () => {
      answer((a) => (a.protocol_state === 'END-OF-MESSAGE' ? action : 'DUNNO'));
      const r = await send(['bob@example.net']);
      assert.equal(r.endOfData?.text, seen, await explain(r));
    });
  }

  it('(e) with the policy server down the client gets 451 4.3.5', async () => {
    const deadPort = await closedPort();
    const down = await startPostfix({ policyPort: deadPort, relayPort: sink.port, users: [ALICE] });
    try {
      const r = await swaks({
        port: down.port,
        from: ALICE.user,
        to: ['bob@example.net'],
        authUser: ALICE.user,
        authPassword: ALICE.password,
      });
      assert.equal(
        r.rcpt['bob@example.net']?.text,
        `451 4.3.5 <${ALICE.user}>: Sender address rejected: Server configuration problem`,
        `${r.transcript}\n${await down.log()}`,
      );
    } finally {
      await down.stop();
    }
  });

  it('starts instances in parallel with distinct ports and dirs, and stop() is idempotent', async () => {
    const [x, y] = await Promise.all([
      startPostfix({ policyPort: stub.port, relayPort: sink.port, mynetworks: ['192.0.2.0/24'] }),
      startPostfix({ policyPort: stub.port, relayPort: sink.port }),
    ]);
    try {
      assert.notEqual(x.port, y.port);
      assert.notEqual(x.dir, y.dir);
      // Loopback is not in x's mynetworks, so unauthenticated relay must be refused there and not in y.
      answer(() => 'DUNNO');
      const rx = await swaks({ port: x.port, from: 'nobody@example.com', to: ['bob@example.net'] });
      assert.equal(rx.rcpt['bob@example.net']?.text, '554 5.7.1 <bob@example.net>: Relay access denied', rx.transcript);
      const ry = await swaks({ port: y.port, from: 'nobody@example.com', to: ['bob@example.net'] });
      assert.equal(ry.rcpt['bob@example.net']?.code, 250, ry.transcript);
    } finally {
      await Promise.all([x.stop(), y.stop()]);
    }
    await x.stop();
    assert.match(await x.log(), /starting the Postfix mail system/);
  });
});

// A port nothing listens on: bind, note the port, release it.
function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer().once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}
