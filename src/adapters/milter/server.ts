// The milter server (Sendmail milter protocol v6, as Postfix's smtpd_milters and Sendmail speak it):
// a thin driver like the policy server. Packets are read in order, one command answered at a time
// (the MTA waits for each reply; MACRO and ABORT have none); anything malformed is logged and the
// connection closed, which abandons the open message, so a refused packet never changes a count.
// A milter that is gone or silent is Postfix's milter_default_action (docs/postfix.md: tempfail).
import { randomBytes } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import type { Logger } from 'pino';
import type { ConnectionBudget } from '../../connection-caps.js';
import { MAX_PACKET_BYTES, MilterProtocolError, PacketReader, decodeCommand, type Packet } from './codec.js';
import { MilterSession, type Answer, type ContentOptions, type MessageChecks } from './session.js';

export interface MilterServerOptions {
  /** Largest packet accepted (default MAX_PACKET_BYTES). */
  readonly maxPacketBytes?: number;
  /** Spam scanning is on: the message itself (header and body) goes to the check. */
  readonly content?: ContentOptions;
  /** Close a connection silent this long (Postfix keeps one per SMTP session; smtpd_timeout is 300 s). */
  readonly idleTimeoutSeconds?: number;
  /** Slots shared with the policy server (policy.maxConnections); with none free a connection is closed unanswered. Default: no cap. */
  readonly budget?: ConnectionBudget;
  /** Told of each connection refused at the cap (metric and rate-limited log: the composition root's). */
  readonly onRefused?: (client: string | undefined) => void;
}

export interface MilterServer {
  readonly server: Server;
  /** Open milter connections now. */
  readonly size: () => number;
  close(): Promise<void>;
  /**
   * Stops listening; lets each connection finish the message it is in (to its end-of-message answer),
   * then closes it; what is still open after `deadlineMs` is dropped (Postfix applies
   * milter_default_action: tempfail, the client retries). Resolves with how many were dropped.
   */
  drain(deadlineMs: number): Promise<number>;
}

/** A connection as the server's lifecycle sees it. */
interface Tracked {
  lastActive: number;
  /** Between MAIL and the end-of-message answer (or ABORT): a drain waits for it. */
  inMessage: boolean;
  /** Set by handle(): a packet is being answered or waits its turn, or a message is open. */
  busy: () => boolean;
  /** Set by a drain: called whenever the connection is no longer busy. */
  settled?: () => void;
}

let nextCid = 1;

export function createMilterServer(checks: MessageChecks, opts: MilterServerOptions, log: Logger): MilterServer {
  // Message ids hold reservations in counters other nodes share: unique per process start, then counted.
  const node = randomBytes(6).toString('hex');
  let seq = 0;
  const nextId = (): string => `milter.${node}.${++seq}`;
  const connections = new Map<Socket, Tracked>();
  const server = createServer({ noDelay: true }, (socket) => {
    // Over the cap the descriptor is released at once: Postfix applies milter_default_action (tempfail).
    if (opts.budget && !opts.budget.take()) {
      socket.destroy();
      opts.onRefused?.(socket.remoteAddress);
      return;
    }
    const c: Tracked = { lastActive: performance.now(), inMessage: false, busy: () => false };
    connections.set(socket, c);
    socket.once('close', () => {
      connections.delete(socket);
      opts.budget?.give();
    });
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
    size: () => connections.size,
    close: () =>
      new Promise((resolve) => {
        clearInterval(sweep);
        server.close(() => resolve());
        for (const s of connections.keys()) s.destroy();
      }),
    drain: (deadlineMs) =>
      new Promise((resolve) => {
        clearInterval(sweep);
        let dropped = 0;
        const late = setTimeout(() => {
          dropped = [...connections.values()].filter((c) => c.busy()).length;
          for (const s of connections.keys()) s.destroy();
        }, deadlineMs);
        server.close(() => {
          clearTimeout(late);
          resolve(dropped);
        });
        for (const [socket, c] of connections) {
          // end() then destroy(): a peer that never closes its side must not hold the drain to its deadline.
          c.settled = () => socket.end(() => socket.destroy());
          if (!c.busy()) c.settled();
        }
      }),
  };
}

function handle(socket: Socket, c: Tracked, session: MilterSession, maxBytes: number, log: Logger): void {
  const reader = new PacketReader(maxBytes);
  // While a decision waits for the store, later packets wait here, in order.
  const queued: Packet[] = [];
  let waiting = false;
  // After QUIT: whatever follows is not read.
  let ended = false;
  c.busy = () => waiting || queued.length > 0 || c.inMessage;
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
    let kind: string;
    try {
      const cmd = decodeCommand(p);
      kind = cmd.kind;
      a = session.handle(cmd, started);
    } catch (err) {
      refuse(err);
      return;
    }
    // Only for a drain: which packets open and close a message (the session decides everything else).
    if (kind === 'mail') c.inMessage = true;
    else if (kind === 'abort' || kind === 'quit' || kind === 'quit-nc') c.inMessage = false;
    const answered = (answer: Answer): void => {
      write(answer);
      if (kind === 'eob') c.inMessage = false;
    };
    if (!(a instanceof Promise)) {
      answered(a);
      return;
    }
    waiting = true;
    // A message check never rejects: a store failure arrives as the fail mode's decision.
    void a.then((answer) => {
      answered(answer);
      waiting = false;
      while (!waiting && queued.length > 0 && !socket.destroyed && !ended) run(queued.shift()!, performance.now());
      if (!c.busy()) c.settled?.();
    });
  };

  socket.on('data', (chunk: Buffer) => {
    // Ended by a drain: what arrives after could not be answered (the MTA sees the close: tempfail).
    if (socket.destroyed || ended || socket.writableEnded) return;
    const now = performance.now();
    c.lastActive = now;
    for (const p of reader.push(chunk)) {
      if (socket.destroyed || ended) return;
      if (waiting) queued.push(p);
      else run(p, now);
    }
    // The packets before a broken length were sent whole and are answered; then the connection ends.
    if (reader.error) refuse(reader.error);
    else if (!c.busy()) c.settled?.();
  });
}
