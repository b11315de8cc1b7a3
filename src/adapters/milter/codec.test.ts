// The milter codec against what an MTA may send: every command Postfix writes decodes the same however
// TCP cuts it; truncated input waits; oversized lengths, unknown commands and malformed data are
// MilterProtocolErrors, never a crash; macros decode the same in any order.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { REPLIES, replyLine, type ReplyId } from '../../domain/replies.js';
import { decodeReply, mta, packet } from './client.js';
import { decodeCommand, encodeReplyCode, MAX_PACKET_BYTES, MilterProtocolError, PacketReader, type MtaCommand } from './codec.js';
import { negotiate } from './negotiation.js';
import { Action, Cmd, Proto } from './protocol.js';

const text = fc.string({ unit: fc.constantFrom('a', 'b', '@', '.', '<', '>', '{', '}', ' ', '=', 'é', '1') });
const pairs = fc.uniqueArray(fc.tuple(text, text), { selector: ([k]) => k.replace(/^\{(.+)\}$/, '$1'), maxLength: 6 });

/** Any command Postfix sends, as a packet and the value it must decode to. */
const command: fc.Arbitrary<[Buffer, MtaCommand]> = fc.oneof(
  fc
    .tuple(fc.integer({ min: 2, max: 6 }), fc.nat(), fc.nat())
    .map(([v, a, p]): [Buffer, MtaCommand] => [mta.optneg(v, a, p), { kind: 'optneg', version: v, actions: a, protocol: p }]),
  fc
    .tuple(fc.constantFrom(Cmd.MAIL, Cmd.RCPT, Cmd.EOB, Cmd.CONNECT), pairs)
    .map(([c, ps]): [Buffer, MtaCommand] => [
      mta.macro(c, ps),
      { kind: 'macro', for: c, macros: new Map(ps.map(([k, v]) => [k.replace(/^\{(.+)\}$/, '$1'), v])) },
    ]),
  fc
    .tuple(text, fc.constantFrom('127.0.0.1', '2001:db8::1'), fc.integer({ min: 0, max: 65535 }))
    .map(([h, a, p]): [Buffer, MtaCommand] => [
      mta.connect(h, a, p),
      { kind: 'connect', hostname: h, family: a.includes(':') ? 'inet6' : 'inet', port: p, address: a },
    ]),
  text.map((h): [Buffer, MtaCommand] => [mta.helo(h), { kind: 'helo', name: h }]),
  fc.array(text, { minLength: 1, maxLength: 4 }).map((a): [Buffer, MtaCommand] => [mta.mail(...a), { kind: 'mail', args: a }]),
  fc.array(text, { minLength: 1, maxLength: 4 }).map((a): [Buffer, MtaCommand] => [mta.rcpt(...a), { kind: 'rcpt', args: a }]),
  fc.tuple(text, text).map(([n, v]): [Buffer, MtaCommand] => [mta.header(n, v), { kind: 'header', name: n, value: v }]),
  fc.string().map((b): [Buffer, MtaCommand] => [mta.body(b), { kind: 'body', bytes: Buffer.byteLength(b), data: Buffer.from(b) }]),
  text.map((l): [Buffer, MtaCommand] => [mta.unknown(l), { kind: 'unknown', line: l }]),
  fc.constantFrom<[Buffer, MtaCommand]>(
    [mta.data(), { kind: 'data' }],
    [mta.eoh(), { kind: 'eoh' }],
    [mta.eob(), { kind: 'eob' }],
    [mta.abort(), { kind: 'abort' }],
    [mta.quit(), { kind: 'quit' }],
    [mta.quitNc(), { kind: 'quit-nc' }],
  ),
);

/** Splits `b` at the given cut points: how TCP may deliver it. */
function chunks(b: Buffer, cuts: number[]): Buffer[] {
  const at = [...new Set(cuts.map((c) => c % (b.length + 1)))].sort((x, y) => x - y);
  const out: Buffer[] = [];
  let from = 0;
  for (const c of [...at, b.length]) {
    out.push(b.subarray(from, c));
    from = c;
  }
  return out;
}

test('every command Postfix sends decodes to the same value however the stream is cut', () => {
  fc.assert(
    fc.property(fc.array(command, { minLength: 1, maxLength: 8 }), fc.array(fc.nat()), (cmds, cuts) => {
      const stream = Buffer.concat(cmds.map(([b]) => b));
      const reader = new PacketReader();
      const got = chunks(stream, cuts)
        .flatMap((c) => reader.push(c))
        .map(decodeCommand);
      assert.deepEqual(
        got,
        cmds.map(([, v]) => v),
      );
      assert.equal(reader.pending, 0);
    }),
  );
});

test('a truncated stream yields the whole packets before the cut and waits for the rest, without error', () => {
  fc.assert(
    fc.property(fc.array(command, { minLength: 1, maxLength: 6 }), fc.nat(), (cmds, cut) => {
      const stream = Buffer.concat(cmds.map(([b]) => b));
      const upTo = cut % stream.length;
      const reader = new PacketReader();
      const got = reader.push(stream.subarray(0, upTo));
      let whole = 0;
      let n = 0;
      for (const [b] of cmds) {
        if (whole + b.length > upTo) break;
        whole += b.length;
        n++;
      }
      assert.equal(got.length, n);
      assert.equal(reader.pending, upTo - whole);
    }),
  );
});

test('a length of zero or above the limit is refused at once, before its data arrives', () => {
  fc.assert(
    fc.property(fc.oneof(fc.constant(0), fc.integer({ min: MAX_PACKET_BYTES + 1, max: 0xffffffff })), (length) => {
      const head = Buffer.alloc(4);
      head.writeUInt32BE(length, 0);
      const reader = new PacketReader();
      assert.deepEqual(
        reader.push(Buffer.concat([mta.abort(), head])).map((p) => p.command),
        [Cmd.ABORT],
        'the whole packets before it still count',
      );
      assert.ok(reader.error instanceof MilterProtocolError);
      assert.throws(() => reader.push(mta.abort()), MilterProtocolError);
    }),
  );
  assert.equal(new PacketReader(16).push(packet(Cmd.BODY, Buffer.alloc(15))).length, 1);
  const small = new PacketReader(16);
  small.push(packet(Cmd.BODY, Buffer.alloc(16)).subarray(0, 4));
  assert.match(String(small.error), /packet of 17 bytes is larger than 16/);
});

test('unknown commands and malformed data are MilterProtocolErrors; nothing else is ever thrown', () => {
  const known = new Set<number>(Object.values(Cmd));
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 255 }).filter((c) => !known.has(c)),
      fc.uint8Array({ maxLength: 20 }),
      (c, data) => {
        assert.throws(() => decodeCommand({ command: c, data: Buffer.from(data) }), /unknown command/);
      },
    ),
  );
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
      try {
        const reader = new PacketReader(64);
        for (const p of reader.push(Buffer.from(bytes))) decodeCommand(p);
        assert.ok(reader.error === undefined || reader.error instanceof MilterProtocolError);
      } catch (err) {
        assert.ok(err instanceof MilterProtocolError, String(err));
      }
    }),
  );
  for (const [bad, why] of [
    [packet(Cmd.OPTNEG, Buffer.alloc(11)), /11 bytes, 12 expected/],
    [packet(Cmd.MAIL), /no address/],
    [packet(Cmd.RCPT, Buffer.from('<x@example.com>')), /string without its NUL/],
    [packet(Cmd.MACRO), /no command code/],
    [packet(Cmd.MACRO, Buffer.from('M{auth_authen}\0')), /has no value/],
    [packet(Cmd.HEADER, Buffer.from('Subject\0')), /1 strings, 2 expected/],
    [packet(Cmd.CONNECT, Buffer.from('host\0')), /no address family/],
    [packet(Cmd.CONNECT, Buffer.from('host\0X')), /unknown address family/],
    [packet(Cmd.ABORT, Buffer.from('x')), /1 unexpected bytes/],
  ] as const) {
    assert.throws(
      () => decodeCommand(new PacketReader().push(bad)[0]!),
      (err: unknown) => err instanceof MilterProtocolError && why.test(err.message),
    );
  }
});

test('every reply of the table is sent as written; a line Postfix would refuse is never encoded', () => {
  for (const id of Object.keys(REPLIES) as ReplyId[]) {
    const [p] = new PacketReader().push(encodeReplyCode(replyLine(id)));
    assert.deepEqual(decodeReply(p!), { kind: 'replycode', text: replyLine(id) });
  }
  assert.deepEqual(decodeReply(new PacketReader().push(encodeReplyCode('550 5.1.8 100% sure'))[0]!), {
    kind: 'replycode',
    text: '550 5.1.8 100%% sure',
  });
  for (const bad of ['250 2.0.0 Ok', '550 4.1.8 class mismatch', '550 5.1.8 two\r\nlines', '550 Access denied'])
    assert.throws(() => encodeReplyCode(bad));
});

test('option negotiation asks only for flags the MTA offered, and for macros only where it can', () => {
  fc.assert(
    fc.property(fc.integer({ min: 2, max: 10 }), fc.nat(), fc.nat(), (version, actions, protocol) => {
      const n = negotiate({ kind: 'optneg', version, actions, protocol });
      assert.equal(n.version, Math.min(version, 6));
      assert.equal(n.protocol & ~protocol, 0, 'no flag the MTA did not offer');
      assert.equal(n.protocol & (Proto.NOMAIL | Proto.NORCPT), 0, 'MAIL and RCPT are always wanted');
      const symlist = version >= 6 && (actions & Action.SETSYMLIST) !== 0;
      assert.equal(n.macros.length > 0, symlist);
      // Without the macro list the client address comes from CONNECT: it is never refused then.
      if (!symlist) assert.equal(n.protocol & Proto.NOCONNECT, 0);
    }),
  );
  assert.throws(() => negotiate({ kind: 'optneg', version: 1, actions: 0, protocol: 0 }), MilterProtocolError);
});
