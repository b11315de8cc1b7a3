// Do-nothing policy server: the speed ceiling a Node policy server can reach on this protocol; scans for the empty line and answers DUNNO.
import net from 'node:net';
import { listen, serveFromArgv } from './serve.js';

const REPLY = Buffer.from('action=DUNNO\n\n', 'latin1');
/** A request is ~600 bytes; far more without an empty line is "trouble": log and disconnect, as the protocol says. */
const MAX_PENDING = 64 * 1024;

export function startDoNothing(host: string, port: number): Promise<net.Server> {
  const server = net.createServer({ noDelay: true }, (sock) => {
    let pending = '';
    sock.on('data', (chunk: Buffer) => {
      const s = pending.length === 0 ? chunk.toString('latin1') : pending + chunk.toString('latin1');
      let from = 0;
      let replies = 0;
      for (let i = s.indexOf('\n\n'); i >= 0; i = s.indexOf('\n\n', from)) {
        replies++;
        from = i + 2;
      }
      pending = from === s.length ? '' : s.slice(from);
      if (pending.length > MAX_PENDING) {
        console.error('do-nothing: request without end, disconnecting');
        sock.destroy();
        return;
      }
      // Postfix never pipelines, but a client that does still gets one reply per request, in order.
      if (replies === 1) sock.write(REPLY);
      else if (replies > 1) sock.write(Buffer.concat(Array.from({ length: replies }, () => REPLY)));
    });
    sock.on('error', () => sock.destroy());
  });
  return listen(server, host, port);
}

await serveFromArgv(startDoNothing);
