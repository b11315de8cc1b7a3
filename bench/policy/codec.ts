// The policy codec alone: decode() per request of this bench's shape (29 attributes, Postfix 3.7 order), against
// the do-nothing server's whole parse (finding each request's empty line) in the same run. No sockets, one process.
// Usage: npx tsx bench/policy/codec.ts [--rounds 30] [--requests 100000]
import { parseArgs } from 'node:util';
import { decode } from '../../src/adapters/postfix-policy/codec.js';
import { eomRequest, rcptRequest } from './request.js';

const { values: flags } = parseArgs({ options: { rounds: { type: 'string', default: '30' }, requests: { type: 'string', default: '100000' } } });
const rounds = Number(flags.rounds);
const perRound = Number(flags.requests);

// As the server sees them: flat strings decoded from the bytes of one chunk (RCPT, RCPT, END-OF-MESSAGE).
const eom = eomRequest(2);
const requests: string[] = [];
for (let i = 0; i < 1000; i++) {
  const v = { sender: `user${i}@example.com`, sasl_username: `user${i}@example.com`, instance: `${i.toString(16)}.6789abcd.12345.0`, recipient: i % 3 === 2 ? '' : `rcpt${i}@example.net` };
  requests.push(Buffer.from(i % 3 === 2 ? eom(v) : rcptRequest(v)).toString('utf8'));
}

function doNothing(s: string): number {
  let n = 0;
  for (let i = s.indexOf('\n\n'); i >= 0; i = s.indexOf('\n\n', i + 2)) n++;
  return n;
}

const contenders: Array<[string, (s: string) => number]> = [
  ['do-nothing scan', doNothing],
  ['decode()', (s) => decode(s, 65536).requests.length],
];
// Best of the rounds, the two alternated: the minimum is what the code costs, the rest is the machine.
const best = contenders.map(() => Infinity);
let decoded = 0;
for (let round = 0; round < rounds; round++) {
  contenders.forEach(([, f], k) => {
    const t = performance.now();
    for (let i = 0; i < perRound; i++) decoded += f(requests[i % requests.length]!);
    best[k] = Math.min(best[k]!, ((performance.now() - t) * 1e6) / perRound);
  });
}
if (decoded !== rounds * perRound * contenders.length) throw new Error(`decoded ${decoded} requests, expected ${rounds * perRound * contenders.length}`);
console.log(`${requests[0]!.length}-byte requests, best of ${rounds} rounds of ${perRound}`);
for (const [k, [name]] of contenders.entries()) console.log(`${name.padEnd(16)} ${best[k]!.toFixed(0).padStart(6)} ns/request  ${(best[k]! / best[0]!).toFixed(2)}×`);
