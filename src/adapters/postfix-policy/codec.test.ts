import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { decode, encodeAction, ProtocolError } from './codec.js';

const block = (attrs: Array<[string, string]>) => `${attrs.map(([k, v]) => `${k}=${v}`).join('\n')}\n\n`;
const base: Array<[string, string]> = [
  ['request', 'smtpd_access_policy'],
  ['protocol_state', 'RCPT'],
  ['sasl_username', 'alice@outgate.test'],
  ['recipient', ''],
];

test('several requests in one chunk, any order, unknown attributes ignored, empty values allowed', () => {
  const input = block(base) + block([...base].reverse().concat([['x_future_attribute', 'a=b']]));
  const { requests, rest } = decode(input, 65536);
  assert.equal(requests.length, 2);
  assert.equal(rest, '');
  assert.equal(requests[1]!.sasl_username, 'alice@outgate.test');
  assert.equal(requests[1]!.recipient, '');
  assert.equal(requests[1]!.protocol_state, 'RCPT');
  assert.equal(decode('request=smtpd_access_policy\nsender=a=b@x.example\nsender=c@x.example\n\n', 100).requests[0]!.sender, 'c@x.example', 'a repeated name keeps the last value');
  assert.equal(decode('request=smtpd_access_policy\nrecipient=x=y\n\n', 100).requests[0]!.recipient, 'x=y', 'a value may contain =');
  const hostile = decode('request=smtpd_access_policy\n__proto__=x\nconstructor=y\ntoString=z\n\n', 200).requests[0]!;
  assert.equal(Object.getPrototypeOf(hostile), Object.prototype, 'attribute names never reach the prototype');
  assert.equal(typeof hostile.toString, 'function');
});

test('property: any split of the byte stream yields the same requests', () => {
  const input = block(base) + block([['request', 'smtpd_access_policy'], ['sender', 'bob@example.com']]);
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 1, max: input.length - 1 }), { maxLength: 6 }), (cuts) => {
      const points = [...new Set(cuts)].sort((a, b) => a - b);
      let buffer = '';
      const seen: string[] = [];
      let prev = 0;
      for (const p of [...points, input.length]) {
        buffer += input.slice(prev, p);
        prev = p;
        const d = decode(buffer, 65536);
        buffer = d.rest;
        seen.push(...d.requests.map((r) => r.sender || r.sasl_username));
      }
      assert.deepEqual(seen, ['alice@outgate.test', 'bob@example.com']);
    }),
  );
});

test('malformed input is a protocol error, never a request', () => {
  for (const bad of ['garbage\n\n', '=value\nrequest=smtpd_access_policy\n\n', 'request=other\n\n', 'sender=x\n\n', 'request=smtpd_access_policy\nsender=a\u0000b\n\n', '\n\n']) {
    assert.throws(() => decode(bad, 65536), ProtocolError, JSON.stringify(bad));
  }
  assert.throws(() => decode(`request=smtpd_access_policy\nsender=${'x'.repeat(2000)}`, 1024), /larger than 1024/);
  assert.throws(() => decode(`request=smtpd_access_policy\nsender=${'x'.repeat(2000)}\n\n`, 1024), /larger than 1024/);
});

test('values Postfix never sends are protocol errors: a count that is not a number, control characters', () => {
  const req = (line: string) => `request=smtpd_access_policy\nprotocol_state=END-OF-MESSAGE\n${line}\n\n`;
  for (const bad of ['recipient_count=-1', 'recipient_count=1e3', 'recipient_count=0x10', 'recipient_count= 5', 'recipient_count=1.5', 'recipient_count=99999999999']) {
    assert.throws(() => decode(req(bad), 65536), /recipient_count/, bad);
  }
  for (const bad of ['sasl_username=alice\r@outgate.test', 'sasl_username=alice\u0007@outgate.test', 'sender=a\tb@x.example', 'recipient=r@x.example\u007f', 'instance=a\u001bb']) {
    assert.throws(() => decode(req(bad), 65536), /control character/, JSON.stringify(bad));
  }
  // What Postfix does send stays accepted: digits, empty values, a CRLF line end from a hand-typed test.
  for (const good of ['recipient_count=0', 'recipient_count=', 'recipient_count=1000', 'sasl_username=alice@outgate.test\r', 'sasl_username=']) {
    assert.equal(decode(req(good), 65536).requests.length, 1, good);
  }
});

test('the reply is one action line and an empty line', () => {
  assert.equal(encodeAction('550 5.1.8 Access denied, bad outbound sender'), 'action=550 5.1.8 Access denied, bad outbound sender\n\n');
});

test('each attribute Outgate reads is matched by its whole name, not by its length or a suffix', () => {
  const known = { request: 'smtpd_access_policy', protocol_state: 'RCPT', sasl_username: 'u@x.example', client_address: '192.0.2.1', sender: 's@x.example', recipient: 'r@y.example', recipient_count: '3', queue_id: 'ABC123', instance: '1a.2b' };
  // Names of the same lengths (and sasl_sender, which ends in "sender") must be ignored.
  const decoys = { sendex: 'no', requesx: 'no', queue_ix: 'no', instancf: 'no', recipienx: 'no', sasl_sender: 'no', sasl_usernamf: 'no', protocol_statf: 'no', client_addresx: 'no', recipient_counx: 'no' };
  const lines = [...Object.entries(decoys), ...Object.entries(known)].map(([k, v]) => `${k}=${v}`);
  const attrs = decode(`${lines.join('\n')}\n\n`, 4096).requests[0]!;
  assert.deepEqual({ ...attrs }, known);
  const reversed = decode(`${lines.reverse().join('\n')}\n\n`, 4096).requests[0]!;
  assert.deepEqual({ ...reversed }, known);
});
