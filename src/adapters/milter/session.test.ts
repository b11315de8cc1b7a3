// The milter session as a driver of the message check: a refused packet (malformed, unknown, oversized)
// closes the connection and changes no count: what is committed is what the same stream cut just
// before that packet commits, and nothing stays held. Macros arrive in any order and at any stage.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { DecisionRecord } from '../../app/decision-record.js';
import { MessageCheck, type StageDecider } from '../../app/message-check.js';
import { NO_METRICS } from '../../app/metrics.js';
import { NO_LOG } from '../../app/ports.js';
import type { SendRequest } from '../../app/send-request.js';
import { PERMIT, refuse } from '../../domain/decision.js';
import { decodeReply, mta, packet } from './client.js';
import { decodeCommand, MilterProtocolError, PacketReader } from './codec.js';
import { MilterSession } from './session.js';
import { Cmd } from './protocol.js';

/** A use case that holds a message's recipients from its first RCPT and commits it at its end. */
function ledger() {
  const held = new Set<string>();
  const committed: string[] = [];
  const asked: SendRequest[] = [];
  const decider: StageDecider = {
    decideStage(req, m) {
      asked.push(req);
      if (req.login === 'restricted@outgate.test') return { decision: refuse('senderRestricted') };
      if (req.stage === 'rcpt') {
        m.heldBy = 'sender';
        held.add(m.id);
      }
      if (req.stage === 'end' && m.heldBy) {
        m.heldBy = undefined;
        held.delete(m.id);
        committed.push(`${m.id}:${req.recipientCount}`);
      }
      return { decision: PERMIT };
    },
    release(_key, id) {
      held.delete(id);
    },
  };
  const record = new DecisionRecord('closed', NO_METRICS, NO_LOG);
  let n = 0;
  const session = new MilterSession({ begin: (id, driver) => new MessageCheck(decider, record, id, driver) }, () => `m${++n}`);
  return { session, held, committed, asked };
}

/** Runs a byte stream through the session as the server does: the first refused packet ends it. */
function run(stream: Buffer) {
  const l = ledger();
  const reader = new PacketReader(1024);
  const replies: string[] = [];
  try {
    for (const p of reader.push(stream)) {
      const a = l.session.handle(decodeCommand(p));
      assert.ok(!(a instanceof Promise));
      if (a === 'close') break;
      if (a !== null) replies.push(decodeReply(new PacketReader().push(a)[0]!).kind);
    }
    if (reader.error) throw reader.error;
  } catch (err) {
    assert.ok(err instanceof MilterProtocolError, String(err));
  }
  l.session.close();
  return { ...l, replies };
}

const login = fc.constantFrom('alice@outgate.test', 'bob@outgate.test', 'restricted@outgate.test', '');
/** One message as Postfix sends it, macros first (their pairs in any order), ended, aborted or left open. */
const message = fc
  .tuple(
    login,
    fc.array(fc.constantFrom('a@example.com', 'b@outgate.test'), { maxLength: 3 }),
    fc.constantFrom('eob', 'abort', 'open'),
    fc.boolean(),
  )
  .map(([who, to, end, flip]) => {
    const mailMacros: Array<[string, string]> = [
      ['{auth_authen}', who],
      ['{client_addr}', '192.0.2.1'],
    ];
    if (flip) mailMacros.reverse();
    return [
      mta.macro(Cmd.MAIL, mailMacros),
      mta.mail(`<${who || 'x@example.org'}>`, 'SIZE=10'),
      ...to.flatMap((t) => [mta.macro(Cmd.RCPT, [['i', 'Q1']]), mta.rcpt(`<${t}>`)]),
      ...(end === 'eob' ? [mta.macro(Cmd.EOB, [['i', 'Q1']]), mta.eob(), mta.abort()] : end === 'abort' ? [mta.abort()] : []),
    ];
  });
const conversation = fc.array(message, { minLength: 1, maxLength: 5 }).map((ms) => [mta.optneg(), ...ms.flat()]);

const refused = fc.oneof(
  fc
    .integer({ min: 0, max: 255 })
    .filter((c) => !(Object.values(Cmd) as number[]).includes(c))
    .map((c) => packet(c)),
  fc.constant(packet(Cmd.RCPT, Buffer.from('<no-nul@example.com>'))),
  fc.constant(packet(Cmd.MACRO, Buffer.from('E{auth_authen}\0'))),
  fc.constant(packet(Cmd.EOB).subarray(0, 3)),
  fc.constant(Buffer.from([0, 0, 0x10, 0, Cmd.BODY])),
  fc.constant(Buffer.from([0, 0, 0, 0])),
  fc.constant(mta.optneg()),
);

test('a refused packet changes no count: the same as the stream cut before it, and nothing stays held', () => {
  fc.assert(
    fc.property(conversation, refused, fc.nat(), (packets, bad, at) => {
      const k = 1 + (at % packets.length);
      const before = run(Buffer.concat(packets.slice(0, k)));
      const withBad = run(Buffer.concat([...packets.slice(0, k), bad, ...packets.slice(k)]));
      assert.deepEqual(withBad.committed, before.committed);
      assert.deepEqual(withBad.replies, before.replies);
      assert.equal(withBad.held.size, 0);
      assert.equal(before.held.size, 0);
    }),
  );
});

test('each ended message is counted once, with the recipients answered CONTINUE; a restricted sender is refused at MAIL', () => {
  fc.assert(
    fc.property(conversation, (packets) => {
      const r = run(Buffer.concat(packets));
      const ends = r.asked.filter((q) => q.stage === 'end');
      assert.equal(r.committed.length, ends.filter((q) => q.login !== 'restricted@outgate.test' && q.recipientCount! > 0).length);
      for (const q of r.asked) {
        assert.equal(q.clientAddress, '192.0.2.1', 'macros found whatever their order');
        if (q.stage === 'end') assert.equal(q.messageId, 'Q1');
      }
      assert.equal(r.held.size, 0);
    }),
  );
  const r = run(
    Buffer.concat([
      mta.optneg(),
      mta.macro(Cmd.MAIL, [['{auth_authen}', 'restricted@outgate.test']]),
      mta.mail('<restricted@outgate.test>'),
    ]),
  );
  assert.deepEqual(r.replies, ['optneg', 'replycode']);
});

test('a store failure is the fail mode: closed answers the table 451 4.3.0 as written, open continues; the message is released', () => {
  for (const [mode, want] of [
    ['closed', { kind: 'replycode', text: '451 4.3.0 Temporary server error, try again later' }],
    ['open', { kind: 'continue' }],
  ] as const) {
    const released: string[] = [];
    const decider: StageDecider = {
      decideStage(req, m) {
        if (req.stage === 'rcpt') {
          m.heldBy = 'sender';
          return { decision: PERMIT };
        }
        if (req.stage === 'end') throw new Error('database is locked');
        return { decision: PERMIT };
      },
      release: (_key, id) => void released.push(id),
    };
    const record = new DecisionRecord(mode, NO_METRICS, NO_LOG);
    const session = new MilterSession({ begin: (id, driver) => new MessageCheck(decider, record, id, driver) }, () => 'm1');
    const say = (b: Buffer) => {
      const a = session.handle(decodeCommand(new PacketReader().push(b)[0]!));
      assert.ok(!(a instanceof Promise));
      return a === null || a === 'close' ? a : decodeReply(new PacketReader().push(a)[0]!);
    };
    say(mta.optneg());
    say(mta.macro(Cmd.MAIL, [['{auth_authen}', 'alice@outgate.test']]));
    assert.deepEqual(say(mta.mail('<alice@outgate.test>')), { kind: 'continue' });
    assert.deepEqual(say(mta.rcpt('<a@example.com>')), { kind: 'continue' });
    assert.deepEqual(say(mta.eob()), want, mode);
    assert.deepEqual(released, ['m1'], 'what the undecided message held is released at once');
  }
});

test('with scanning on, the message reaches the check whole; spam is marked and copies added before the reply', () => {
  const asked: SendRequest[] = [];
  const decider: StageDecider = {
    decideStage(req) {
      asked.push(req);
      if (req.stage !== 'end') return { decision: PERMIT };
      return { decision: PERMIT, spam: { spam: true, score: 15, action: 'reject' }, copyTo: ['sec@outgate.test'] };
    },
    release: () => undefined,
  };
  let entered = 0;
  let left = 0;
  const record = new DecisionRecord('closed', NO_METRICS, NO_LOG);
  const session = new MilterSession(
    {
      begin: (id, driver) => new MessageCheck(decider, record, id, driver),
      enterSession: () => (entered++, { decision: PERMIT, leave: () => void left++ }),
    },
    () => 'm1',
    { maxMessageBytes: 1024, highRiskHeader: 'X-Outgate-Outbound-Spam' },
  );
  const packets = (b: Buffer | null | 'close') => (b === null || b === 'close' ? [] : new PacketReader().push(b));
  const say = (b: Buffer) => {
    const a = session.handle(decodeCommand(new PacketReader().push(b)[0]!));
    assert.ok(!(a instanceof Promise));
    return packets(a);
  };
  const neg = decodeReply(say(mta.optneg(6, 0x1ff, 0x1fffff))[0]!);
  assert.ok(neg.kind === 'optneg' && (neg.actions & 0x05) === 0x05 && (neg.protocol & 0x10) === 0, 'body, ADDHDRS and ADDRCPT asked for');
  for (let n = 0; n < 2; n++) {
    say(mta.macro(Cmd.MAIL, [['{auth_authen}', 'alice@outgate.test']]));
    say(mta.mail('<alice@outgate.test>'));
    say(mta.rcpt('<a@example.com>'));
    assert.deepEqual(say(mta.header('From', 'Alice <alice@outgate.test>')), [], 'headers unanswered (NR_HDR)');
    say(mta.header('Subject', 'hi'));
    say(mta.body('line 1\r\n'));
    say(mta.body('line 2\r\n'));
    const end = say(mta.eob());
    assert.deepEqual(
      end.map((p) => [String.fromCharCode(p.command), p.data.toString('utf8')]),
      [
        ['h', 'X-Outgate-Outbound-Spam\0Yes; score=15.00; action=reject\0'],
        ['+', '<sec@outgate.test>\0'],
        ['c', ''],
      ],
    );
    say(mta.abort());
  }
  const last = asked.at(-1)!;
  assert.equal(last.content?.toString('utf8'), 'From: Alice <alice@outgate.test>\r\nSubject: hi\r\n\r\nline 1\r\nline 2\r\n');
  assert.deepEqual(last.headers, [['From', 'Alice <alice@outgate.test>']], 'only the headers read are kept apart');
  assert.equal(entered, 1, 'one SMTP session, one slot, whatever the number of messages');
  say(mta.quitNc());
  assert.equal(left, 1, 'given back when the session ends');
});
