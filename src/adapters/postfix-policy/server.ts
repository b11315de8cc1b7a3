// The Postfix policy delegation server: a thin driver that turns attribute blocks into stages of a
// message check (one per Postfix `instance`) and decisions into `action=` lines; the fail mode, metrics
// and decision log are the message check's. Per SMTPD_POLICY_README, on trouble (malformed input, or
// the store unavailable when failing closed) it disconnects without a reply; Postfix then applies its
// default action (451 4.3.5), so a failure costs a retry, never a wrongly admitted message.
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { StringDecoder } from 'node:string_decoder';
import type { Logger } from 'pino';
import type { CheckResult, CheckSend, MessageCheck, SendRequest, Stage } from '../../app/check-send.js';
import { isUnavailable, type Decision } from '../../domain/decision.js';
import { replyLine } from '../../domain/replies.js';
import { decode, encodeAction, ProtocolError, type Attributes } from './codec.js';
import { ConnectionBudget, connectionCaps, softOpenFileLimit, type ConnectionCaps } from '../../connection-caps.js';
import { ConnectionGuard, NO_CONNECTION_METRICS, type ConnectionMetrics, type Tracked } from './connection-guard.js';

export interface PolicyServerOptions {
  maxRequestBytes: number;
  idleTimeoutSeconds: number;
  requestTimeoutSeconds: number;
  /** 0: derived from the open-file limit (see connection-caps.ts). */
  maxConnections: number;
  /** 0: half of the total. */
  maxConnectionsPerClient: number;
}

/** Postfix's protocol_state, as sent (upper case); any other case is accepted too. */
function stageOf(state: string): Stage {
  switch (state) {
    case 'RCPT':
      return 'rcpt';
    case 'END-OF-MESSAGE':
      return 'end';
    case 'MAIL':
      return 'mail';
    case 'DATA':
      return 'data';
    case 'CONNECT':
      return 'connect';
    case 'EHLO':
    case 'HELO':
      return 'helo';
    default:
      return state === state.toUpperCase() ? 'other' : stageOf(state.toUpperCase());
  }
}

export function toRequest(a: Attributes): SendRequest {
  const count = Number(a.recipient_count || '0');
  return {
    stage: stageOf(a.protocol_state),
    login: a.sasl_username || undefined,
    clientAddress: a.client_address || undefined,
    from: a.sender || undefined,
    recipient: a.recipient || undefined,
    recipientCount: Number.isSafeInteger(count) && count >= 0 ? count : 0,
    messageId: a.queue_id || a.instance || undefined,
  };
}

export function actionFor(d: Decision): string {
  return d.kind === 'permit' ? 'DUNNO' : replyLine(d.reply);
}

let nextCid = 1;
const DUNNO = Buffer.from(encodeAction('DUNNO'), 'latin1');

export interface PolicyServer {
  readonly server: Server;
  /** The connection caps in force (settings, or derived from the open-file limit). */
  readonly caps: ConnectionCaps;
  /** Open policy connections now. */
  readonly openConnections: () => number;
  /** The slots of policy.maxConnections, which the milter takes from too. */
  readonly budget: ConnectionBudget;
  /** Stops listening and drops open connections (Postfix keeps them for minutes and reconnects). */
  close(): Promise<void>;
  /**
   * Stops listening, answers every request already received, then closes each connection; what is
   * still open after `deadlineMs` is dropped (Postfix retries those: 451 4.3.5 at worst). Resolves
   * with how many were dropped.
   */
  drain(deadlineMs: number): Promise<number>;
}

export function createPolicyServer(
  checkSend: CheckSend,
  opts: PolicyServerOptions,
  log: Logger,
  connectionMetrics: ConnectionMetrics = NO_CONNECTION_METRICS,
): PolicyServer {
  const caps = connectionCaps(opts, opts.maxConnections > 0 ? undefined : softOpenFileLimit());
  const budget = new ConnectionBudget(caps.total);
  const guard = new ConnectionGuard(caps, opts, log, connectionMetrics, budget);
  const server = createServer({ noDelay: true }, (socket) => {
    const connection = guard.admit(socket);
    if (connection !== undefined) handle(socket, connection, checkSend, opts, log.child({ cid: nextCid++ }));
  });
  server.on('error', (err) => log.error({ err }, 'policy server error'));
  return {
    server,
    caps,
    budget,
    openConnections: () => guard.size,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        guard.close();
      }),
    drain: (deadlineMs) =>
      new Promise((resolve) => {
        let dropped = 0;
        const late = setTimeout(() => (dropped = guard.close()), deadlineMs);
        server.close(() => {
          clearTimeout(late);
          guard.close();
          resolve(dropped);
        });
        guard.endWhenSettled();
      }),
  };
}

function handle(socket: Socket, connection: Tracked, checkSend: CheckSend, opts: PolicyServerOptions, log: Logger): void {
  const decoder = new StringDecoder('utf8');
  let buffer = '';
  // The message Postfix is asking about on this connection (one `instance` per message).
  let message: MessageCheck | null = null;
  // Requests on one connection are answered in order, one at a time: while one waits for the store,
  // later ones (from a client that pipelines) wait in `queued`.
  let waiting = false;
  const queued: Attributes[] = [];
  connection.busy = () => waiting || queued.length > 0;
  socket.on('error', (err) => log.debug({ err }, 'policy client socket error'));
  // A message still open when Postfix hangs up will not end here: free what it holds now.
  socket.once('close', () => message?.abandon());

  const reply = (result: CheckResult): void => {
    if (socket.destroyed) return;
    const d = result.decision;
    if (d.kind === 'permit') socket.write(DUNNO);
    // Postfix's way to say "try later" is no reply at all: it then applies its default_action.
    else if (isUnavailable(d)) socket.destroy();
    else socket.write(encodeAction(actionFor(d)));
  };
  const replyThenResume = (result: CheckResult): void => {
    reply(result);
    resume();
  };
  const resume = (): void => {
    waiting = false;
    while (!waiting && queued.length > 0 && !socket.destroyed) answer(queued.shift()!, performance.now());
    if (!connection.busy()) connection.settled?.();
  };
  /** Answers at once when the decision needs no write; otherwise holds the connection until it can. */
  const answer = (attrs: Attributes, started: number): void => {
    if (message === null || attrs.instance !== message.id) {
      // Postfix moved on to another message: the one before it, unless it ended, was abandoned.
      message?.abandon();
      message = checkSend.begin(attrs.instance, 'postfix');
    }
    const result = message.decide(toRequest(attrs), started);
    if (!(result instanceof Promise)) {
      reply(result);
      return;
    }
    waiting = true;
    // The message check never rejects: a store failure arrives as the fail mode's decision.
    void result.then(replyThenResume);
  };

  socket.on('data', (chunk: Buffer) => {
    // Ended by a drain: what arrives after could not be answered (the client sees the close and retries).
    if (socket.destroyed || socket.writableEnded) return;
    const now = performance.now();
    buffer += decoder.write(chunk);
    let requests: Attributes[];
    try {
      ({ requests, rest: buffer } = decode(buffer, opts.maxRequestBytes));
    } catch (err) {
      if (!(err instanceof ProtocolError)) throw err;
      log.warn({ reason: err.message, remote: socket.remoteAddress }, 'malformed policy request: disconnecting without a reply');
      buffer = '';
      socket.destroy();
      return;
    }
    // The request deadline runs from a request's first byte (or the connect) to its empty line.
    if (requests.length > 0) {
      connection.lastActive = now;
      connection.requestStarted = buffer.length === 0 ? 0 : now;
    } else if (connection.requestStarted === 0) {
      connection.requestStarted = now;
    }
    for (const attrs of requests) {
      if (waiting) queued.push(attrs);
      else answer(attrs, now);
    }
    if (!connection.busy()) connection.settled?.();
  });
}

export function listen(server: Server, host: string, port: number): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port }, () => {
      server.off('error', reject);
      resolve(server.address() as AddressInfo);
    });
  });
}
