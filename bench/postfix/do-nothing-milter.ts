// Do-nothing milter: the reference for Outgate's milter. Same codec and same option negotiation as
// Outgate (src/adapters/milter), so Postfix sends it the same events and macros; it answers CONTINUE
// to every event and decides nothing.
import net from 'node:net';
import { listen, serveFromArgv } from '../policy/servers/serve.js';
import { CONTINUE, MilterProtocolError, PacketReader, decodeCommand, encodeOptneg, type MtaCommand } from '../../src/adapters/milter/codec.js';
import { negotiate } from '../../src/adapters/milter/negotiation.js';

/** What Outgate's session answers, minus the decisions: nothing to MACRO/ABORT/QUIT_NC, close on QUIT. */
function answer(cmd: MtaCommand): Buffer | null | 'close' {
  switch (cmd.kind) {
    case 'optneg':
      return encodeOptneg(negotiate(cmd));
    case 'macro':
    case 'abort':
    case 'quit-nc':
      return null;
    case 'quit':
      return 'close';
    default:
      return CONTINUE;
  }
}

export function startDoNothingMilter(host: string, port: number): Promise<net.Server> {
  const server = net.createServer({ noDelay: true }, (sock) => {
    const reader = new PacketReader();
    sock.on('data', (chunk: Buffer) => {
      try {
        const out: Buffer[] = [];
        for (const p of reader.push(chunk)) {
          const a = answer(decodeCommand(p));
          if (a === 'close') {
            if (out.length > 0) sock.write(Buffer.concat(out));
            sock.end();
            return;
          }
          if (a !== null) out.push(a);
        }
        if (reader.error) throw reader.error;
        if (out.length === 1) sock.write(out[0]!);
        else if (out.length > 1) sock.write(Buffer.concat(out));
      } catch (e) {
        if (!(e instanceof MilterProtocolError)) throw e;
        console.error(`do-nothing milter: ${e.message}, disconnecting`);
        sock.destroy();
      }
    });
    sock.on('error', () => sock.destroy());
  });
  return listen(server, host, port);
}

await serveFromArgv(startDoNothingMilter);
