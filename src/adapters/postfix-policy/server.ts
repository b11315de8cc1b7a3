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

const STAGES: Record<string, Stage> = {
  CONNECT: 'connect',
  EHLO: 'helo',
  HELO: 'helo',
  MAIL: 'mail',
  RCPT: 'rcpt',
  DATA: 'data',
  'END-OF-MESSAGE': 'end',
};

export function toRequest(a: Attributes): SendRequest {
  const count = Number(a.recipient_count || '0');
  return {
    stage: STAGES[a.protocol_state] ?? STAGES[a.protocol_state.toUpperCase()] ?? 'other',
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
}

export function createPolicyServer(checkSend: CheckSend, opts: PolicyServerOptions, log: Logger, metrics: Metrics = NO_METRICS): PolicyServer {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    handle(socket, checkSend, opts, log.child({ cid: nextCid++ }), metrics);
  });
  server.on('error', (err) => log.error({ err }, 'policy server error'));
  return {
    server,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      }),
  };
}

function handle(socket: Socket, checkSend: CheckSend, opts: PolicyServerOptions, log: Logger, metrics: Metrics): void {
  const decoder = new StringDecoder('utf8');
  let buffer = '';
  let conversation = new Conversation('');
  // Requests on one connection are answered in order, one at a time; `busy` holds the one waiting
  // for the store, and later requests (a client that pipelines) queue behind it.
  let busy: Promise<void> | null = null;
  socket.setNoDelay(true);
  socket.setTimeout(opts.idleTimeoutSeconds * 1000, () => socket.end());
  socket.on('error', (err) => log.debug({ err }, 'policy client socket error'));

  const reply = (req: SendRequest, instance: string, result: CheckResult, started: number): void => {
    metrics.decision(req.stage, result.decision.kind, (performance.now() - started) / 1000);
    const action = actionFor(result.decision);
    if (result.decision.kind !== 'permit') log.info({ instance, stage: req.stage, sender: result.sender, action }, 'policy decision');
    if (!socket.destroyed) socket.write(result.decision.kind === 'permit' ? DUNNO : encodeAction(action));
  };
  const failed = (err: unknown, instance: string, stage: string, started: number): void => {
    metrics.decision(stage, 'failed', (performance.now() - started) / 1000);
    metrics.storeError('policy-decision');
    if (opts.failMode === 'open') {
      log.error({ err, instance }, 'store failure: answering DUNNO (policy.failMode=open)');
      if (!socket.destroyed) socket.write(encodeAction('DUNNO'));
    } else {
      log.error({ err, instance }, 'store failure: disconnecting without a reply so Postfix defers (policy.failMode=closed)');
      socket.destroy();
    }
  };
  /** Answers at once when the decision needs no write; returns a promise only when it waits. */
  const answer = (attrs: Attributes): Promise<void> | undefined => {
    const instance = attrs.instance;
    if (instance !== conversation.id) conversation = new Conversation(instance);
    const req = toRequest(attrs);
    const started = performance.now();
    let result: CheckResult | Promise<CheckResult>;
    try {
      result = checkSend.check(req, conversation);
    } catch (err) {
      failed(err, instance, req.stage, started);
      return undefined;
    }
    if (!(result instanceof Promise)) {
      reply(req, instance, result, started);
      return undefined;
    }
    return result.then(
      (r) => reply(req, instance, r, started),
      (err: unknown) => failed(err, instance, req.stage, started),
    );
  };

  socket.on('data', (chunk: Buffer) => {
    if (socket.destroyed) return;
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
      if (busy) {
        const prev: Promise<void> = busy;
        const next: Promise<void> = prev.then(() => answer(attrs)).finally(() => {
          if (busy === next) busy = null;
        });
        busy = next;
        continue;
      }
      const pending = answer(attrs);
      if (pending) {
        const next: Promise<void> = pending.finally(() => {
          if (busy === next) busy = null;
        });
        busy = next;
      }
    }
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
