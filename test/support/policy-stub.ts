// Minimal Postfix policy delegation server for harness tests: records requests, answers via a callback.
import net from 'node:net';

export type PolicyAttrs = Record<string, string>;
/** Returns the action text (without "action="); null means "never answer" (to exercise Postfix timeouts). */
export type PolicyHandler = (attrs: PolicyAttrs) => string | null | Promise<string | null>;

export interface PolicyStub {
  port: number;
  /** Every complete request, in arrival order, across all connections. */
  requests: PolicyAttrs[];
  setHandler(handler: PolicyHandler): void;
  close(): Promise<void>;
}

export async function startPolicyStub(handler: PolicyHandler = () => 'DUNNO'): Promise<PolicyStub> {
  let current = handler;
  const requests: PolicyAttrs[] = [];
  const sockets = new Set<net.Socket>();

  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.setEncoding('utf8');
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    let buffer = '';
    // Postfix may reuse one connection for many requests; answers must go out in request order.
    let queue: Promise<void> = Promise.resolve();
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      let end: number;
      while ((end = buffer.indexOf('\n\n')) !== -1) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const attrs = parseRequest(block);
        requests.push(attrs);
        queue = queue
          .then(async () => {
            const action = await current(attrs);
            if (action !== null && !socket.destroyed) socket.write(`action=${action}\n\n`);
          })
          // A throwing handler looks to Postfix like a dead policy server, which is the honest signal.
          .catch(() => void socket.destroy());
      }
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as net.AddressInfo).port;

  let closing: Promise<void> | undefined;
  return {
    port,
    requests,
    setHandler(h) {
      current = h;
    },
    close() {
      // Postfix keeps idle policy connections open, so server.close() alone would hang.
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      });
      return closing;
    },
  };
}

function parseRequest(block: string): PolicyAttrs {
  const attrs: PolicyAttrs = {};
  for (const line of block.split('\n')) {
    const eq = line.indexOf('=');
    // Values may contain '=', so split at the first one only.
    if (eq > 0) attrs[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return attrs;
}
