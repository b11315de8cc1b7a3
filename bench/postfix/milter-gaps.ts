// Where a milter message's time goes: a do-nothing milter in this process, with Outgate's negotiation,
// behind a private Postfix with the shipped milter snippet; smtp-source sends messages (one session at a
// time by default), and each read is timed from the previous one on its connection, grouped by the commands it held.
// --skip-data asks Postfix to leave out the DATA event, as Outgate's negotiation once did: its macros then
// arrive alone and the next write waits ~40 ms (Nagle against the delayed ACK).
import { spawn } from 'node:child_process';
import net from 'node:net';
import { parseArgs } from 'node:util';
import { CONTINUE, PacketReader, decodeCommand, encodeOptneg } from '../../src/adapters/milter/codec.js';
import { negotiate } from '../../src/adapters/milter/negotiation.js';
import { Proto } from '../../src/adapters/milter/protocol.js';
import { startPostfix } from '../../test/support/postfix.js';
import { milterSnippet } from './milter.js';
import { HOST } from '../policy/servers/common.js';
import { FROM, TO } from './parts.js';

const { values: flags } = parseArgs({
  options: {
    messages: { type: 'string', default: '50' },
    sessions: { type: 'string', default: '1' },
    'skip-data': { type: 'boolean', default: false },
  },
});
const messages = Number(flags.messages);
const sessions = Number(flags.sessions);
if (!Number.isInteger(messages) || messages < 1 || messages > 10_000 || !Number.isInteger(sessions) || sessions < 1 || sessions > 64) {
  console.error('--messages: 1 to 10000; --sessions: 1 to 64');
  process.exit(2);
}
if (process.getuid?.() !== 0) {
  console.error('needs root (a private Postfix instance)');
  process.exit(2);
}

/** Gaps in ms before each read, by what the read held ("macro(M)+mail"). */
const gaps = new Map<string, number[]>();
const server = net.createServer({ noDelay: true }, (sock) => {
  const reader = new PacketReader();
  let last = performance.now();
  sock.on('data', (chunk: Buffer) => {
    const now = performance.now();
    const kinds: string[] = [];
    const out: Buffer[] = [];
    for (const p of reader.push(chunk)) {
      const c = decodeCommand(p);
      kinds.push(c.kind === 'macro' ? `macro(${String.fromCharCode(c.for)})` : c.kind);
      if (c.kind === 'optneg') {
        const n = negotiate(c);
        out.push(encodeOptneg(flags['skip-data'] ? { ...n, protocol: n.protocol | (c.protocol & Proto.NODATA) } : n));
      } else if (c.kind === 'quit') sock.end();
      else if (c.kind !== 'macro' && c.kind !== 'abort' && c.kind !== 'quit-nc') out.push(CONTINUE);
    }
    const key = kinds.join('+');
    gaps.set(key, [...(gaps.get(key) ?? []), now - last]);
    last = now;
    if (out.length > 0) sock.write(Buffer.concat(out));
  });
  sock.on('error', () => sock.destroy());
});
await new Promise<void>((resolve) => server.listen(0, HOST, resolve));
const port = (server.address() as net.AddressInfo).port;
const pf = await startPostfix({
  policyPort: port,
  relayPort: port,
  snippet: milterSnippet(port),
  extraMainCf: 'default_transport = discard\nrelay_transport = discard\n',
});
try {
  const t0 = performance.now();
  const code = await new Promise<number | null>((resolve) => {
    const child = spawn('smtp-source', ['-s', String(sessions), '-m', String(messages), '-f', FROM, '-t', TO, `${HOST}:${pf.port}`], { stdio: 'inherit' });
    child.on('close', resolve);
  });
  const ms = performance.now() - t0;
  console.log(
    `${messages} messages, ${sessions} session(s) at a time${flags['skip-data'] ? ', DATA event left out' : ''}: ${ms.toFixed(0)} ms, ` +
      `${((messages * 1000) / ms).toFixed(0)} messages/s (smtp-source exit ${code})`,
  );
  console.log('| read held | reads | gap before it, median ms | max ms |\n|---|---:|---:|---:|');
  for (const [key, v] of gaps) {
    const s = [...v].sort((a, b) => a - b);
    console.log(`| ${key} | ${s.length} | ${s[Math.floor(s.length / 2)]!.toFixed(2)} | ${s[s.length - 1]!.toFixed(2)} |`);
  }
} finally {
  await pf.stop();
  server.close();
}
