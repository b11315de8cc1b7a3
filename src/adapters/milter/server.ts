// The milter server (Sendmail milter protocol v6, as Postfix's smtpd_milters and Sendmail speak it):
// a thin driver like the policy server. Packets are read in order, one command answered at a time
// (the MTA waits for each reply; MACRO and ABORT have none); anything malformed is logged and the
// connection closed, which abandons the open message, so a refused packet never changes a count.
// A milter that is gone or silent is Postfix's milter_default_action (docs/postfix.md: tempfail).
import { randomBytes } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import type { Logger } from 'pino';
import { MAX_PACKET_BYTES, MilterProtocolError, PacketReader, decodeCommand, type Packet } from './codec.js';
import { MilterSession, type Answer, type ContentOptions, type MessageChecks } from './session.js';

export interface MilterServerOptions {
  /** Largest packet accepted (default MAX_PACKET_BYTES). */
  readonly maxPacketBytes?: number;
  /** Spam scanning is on: the message itself (header and body) goes to the check. */
  readonly content?: ContentOptions;
  /** Close a connection silent this long (Postfix keeps one per SMTP session; smtpd_timeout is 300 s). */
  readonly idleTimeoutSeconds?: number;
}

export interface MilterServer {
  readonly server: Server;
  close(): Promise<void>;
}

let nextCid = 1;

export function createMilterServer(checks: MessageChecks, opts: MilterServerOptions, log: Logger): MilterServer {
  // Message ids hold reservations in counters other nodes share: unique per process start, then counted.
  const node = randomBytes(6).toString('hex');
  let seq = 0;
  const nextId = (): string => `milter.${node}.${++seq}`;
  const connections = new Map<Socket, { lastActive: number }>();
  const server = createServer({ noDelay: true }, (socket) => {
    const c = { lastActive: performance.now() };
    connections.set(socket, c);
    socket.once('close', () => connections.delete(socket));
    handle(socket, c, new MilterSession(checks, nextId, opts.content), opts.maxPacketBytes ?? MAX_PACKET_BYTES, log.child({ cid: nextCid++ }));
  });
  server.on('error', (err) => log.error({ err }, 'milter server error'));
  const idleMs = (opts.idleTimeoutSeconds ?? 900) * 1000;
  const sweep = setInterval(
    () => {
      const now = performance.now();
      for (const [socket, c] of connections) if (now - c.lastActive >= idleMs) socket.destroy();
    },
    Math.max(250, Math.min(idleMs / 4, 30_000)),
  );
  sweep.unref();
  return {
    server,
    close: () =>
      new Promise((resolve) => {
        clearInterval(sweep);
        server.close(() => resolve());
        for (const s of connections.keys()) s.destroy();
      }),
  };
}

function handle(socket: Socket, c: { lastActive: number }, session: MilterSession, maxBytes: number, log: Logger): void {
  const reader = new PacketReader(maxBytes);
  // While a decision waits for the store, later packets wait here, in order.
  const queued: Packet[] = [];
  let waiting = false;
  // After QUIT: whatever follows is not read.
  let ended = false;
  socket.on('error', (err) => log.debug({ err }, 'milter client socket error'));
  socket.once('close', () => {
    if (reader.pending > 0) log.warn({ pendingBytes: reader.pending }, 'milter connection closed inside a packet');
    session.close();
  });

  const refuse = (err: unknown): void => {
    if (!(err instanceof MilterProtocolError)) throw err;
    log.warn({ reason: err.message, remote: socket.remoteAddress }, 'malformed milter packet: closing the connection');
    socket.destroy();
  };
  const write = (a: Answer): void => {
    if (socket.destroyed || ended) return;
    if (a === 'close') {
      ended = true;
      socket.end();
    } else if (a !== null) socket.write(a);
  };
  const run = (p: Packet, started: number): void => {
    let a: Answer | Promise<Answer>;
    try {
      a = session.handle(decodeCommand(p), started);
    } catch (err) {
      refuse(err);
      return;
    }
    if (!(a instanceof Promise)) {
      write(a);
      return;
    }
    waiting = true;
    // A message check never rejects: a store failure arrives as the fail mode's decision.
    void a.then((answer) => {
      write(answer);
      waiting = false;
      while (!waiting && queued.length > 0 && !socket.destroyed && !ended) run(queued.shift()!, performance.now());
    });
  };

  socket.on('data', (chunk: Buffer) => {
    if (socket.destroyed || ended) return;
    const now = performance.now();
    c.lastActive = now;
    for (const p of reader.push(chunk)) {
      if (socket.destroyed || ended) return;
      if (waiting) queued.push(p);
      else run(p, now);
    }
    // The packets before a broken length were sent whole and are answered; then the connection ends.
    if (reader.error) refuse(reader.error);
  });
}
