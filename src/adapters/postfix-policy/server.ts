// The Postfix policy delegation server: a thin driver that turns attribute blocks into checkSend
// requests and decisions into `action=` lines. Per SMTPD_POLICY_README, on trouble (malformed input,
// store failure when failing closed) it logs and disconnects without a reply; Postfix then applies its
// default action (451 4.3.5), so a failure costs a retry, never a wrongly admitted message.
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { StringDecoder } from 'node:string_decoder';
import type { Logger } from 'pino';
import type { CheckResult, CheckSend, SendRequest, Stage } from '../../app/check-send.js';
import { NO_METRICS, type Metrics } from '../../app/metrics.js';
import { Conversation } from '../../domain/conversation.js';
import type { Decision } from '../../domain/decision.js';
import { replyLine } from '../../domain/replies.js';
import { decode, encodeAction, ProtocolError, type Attributes } from './codec.js';

export interface PolicyServerOptions {
  failMode: 'closed' | 'open';
  maxRequestBytes: number;
  idleTimeoutSeconds: number;
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
  /** Stops listening and drops open connections (Postfix keeps them for minutes and reconnects). */
  close(): Promise<void>;
  /**
   * Stops listening, answers every request already received, then closes each connection; what is
   * still open after `deadlineMs` is dropped (Postfix retries those: 451 4.3.5 at worst). Resolves
   * with how many were dropped.
   */
  drain(deadlineMs: number): Promise<number>;
}

export function createPolicyServer(checkSend: CheckSend, opts: PolicyServerOptions, log: Logger, metrics: Metrics = NO_METRICS): PolicyServer {
  const connections = new Map<Socket, Connection>();
  const server = createServer({ noDelay: true }, (socket) => {
    const connection = handle(socket, checkSend, opts, log.child({ cid: nextCid++ }), metrics);
    connections.set(socket, connection);
    socket.once('close', () => connections.delete(socket));
  });
  server.on('error', (err) => log.error({ err }, 'policy server error'));
  // Idle connections are closed by one sweep rather than a timer per socket: socket.setTimeout re-arms
  // its timer on every read and write, which shows at tens of thousands of requests a second.
  const idleMs = opts.idleTimeoutSeconds * 1000;
  const sweep = setInterval(
    () => {
      const now = performance.now();
      for (const [socket, c] of connections) if (now - c.lastActive >= idleMs) socket.end();
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
    drain: (deadlineMs) =>
      new Promise((resolve) => {
        clearInterval(sweep);
        let dropped = 0;
        const late = setTimeout(() => {
          for (const s of connections.keys()) {
            dropped++;
            s.destroy();
          }
        }, deadlineMs);
        server.close(() => {
          clearTimeout(late);
          resolve(dropped);
        });
        for (const [socket, c] of connections) {
          c.settled = () => socket.end();
          if (!c.busy()) socket.end();
        }
      }),
  };
}

interface Connection {
  /** performance.now() of the last request received. */
  lastActive: number;
  /** A request is being answered or waits its turn. */
  busy(): boolean;
  /** Set by a drain: called whenever the connection has answered everything it received. */
  settled?: () => void;
}

function handle(socket: Socket, checkSend: CheckSend, opts: PolicyServerOptions, log: Logger, metrics: Metrics): Connection {
  const decoder = new StringDecoder('utf8');
  let buffer = '';
  let conversation = new Conversation('');
  // Requests on one connection are answered in order, one at a time: while one waits for the store,
  // later ones (from a client that pipelines) wait in `queued`.
  let waiting = false;
  const queued: Attributes[] = [];
  const connection: Connection = { lastActive: performance.now(), busy: () => waiting || queued.length > 0 };
  socket.on('error', (err) => log.debug({ err }, 'policy client socket error'));

  const reply = (req: SendRequest, instance: string, result: CheckResult, started: number): void => {
    metrics.decision(req.stage, result.decision.kind, (performance.now() - started) / 1000);
    if (result.decision.kind === 'permit') {
      if (!socket.destroyed) socket.write(DUNNO);
      return;
    }
    const action = actionFor(result.decision);
    log.info({ instance, stage: req.stage, sender: result.sender, action }, 'policy decision');
    if (!socket.destroyed) socket.write(encodeAction(action));
  };
  const failed = (err: unknown, instance: string, stage: string, started: number): void => {
    metrics.decision(stage, 'failed', (performance.now() - started) / 1000);
    metrics.storeError('policy-decision');
    if (opts.failMode === 'open') {
      log.error({ err, instance }, 'store failure: answering DUNNO (policy.failMode=open)');
      if (!socket.destroyed) socket.write(DUNNO);
    } else {
      log.error({ err, instance }, 'store failure: disconnecting without a reply so Postfix defers (policy.failMode=closed)');
      socket.destroy();
    }
  };
  const resume = (): void => {
    waiting = false;
    while (!waiting && queued.length > 0 && !socket.destroyed) answer(queued.shift()!, performance.now());
    if (!connection.busy()) connection.settled?.();
  };
  /** Answers at once when the decision needs no write; otherwise holds the connection until it can. */
  const answer = (attrs: Attributes, started: number): void => {
    const instance = attrs.instance;
    if (instance !== conversation.id) conversation = new Conversation(instance);
    const req = toRequest(attrs);
    let result: CheckResult | Promise<CheckResult>;
    try {
      result = checkSend.check(req, conversation);
    } catch (err) {
      failed(err, instance, req.stage, started);
      return;
    }
    if (!(result instanceof Promise)) {
      reply(req, instance, result, started);
      return;
    }
    waiting = true;
    result.then(
      (r) => {
        reply(req, instance, r, started);
        resume();
      },
      (err: unknown) => {
        failed(err, instance, req.stage, started);
        resume();
      },
    );
  };

  socket.on('data', (chunk: Buffer) => {
    // Ended by a drain: what arrives after could not be answered (the client sees the close and retries).
    if (socket.destroyed || socket.writableEnded) return;
    const now = performance.now();
    connection.lastActive = now;
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
    for (const attrs of requests) {
      if (waiting) queued.push(attrs);
      else answer(attrs, now);
    }
    if (!connection.busy()) connection.settled?.();
  });
  return connection;
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
