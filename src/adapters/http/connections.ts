// Keeps the HTTP port available, like the policy port's guard: connections are capped overall
// (server.maxConnections) and per client address, and a request must arrive whole within a deadline
// (headersTimeout/requestTimeout), so many or slow clients can neither take every descriptor nor
// keep admins, Prometheus and the send check out. A refused connection is closed unanswered.
import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import type { ConnectionCaps } from '../../connection-caps.js';
import { LogThrottle } from '../../log-throttle.js';

export type HttpCloseReason = 'max_connections' | 'max_connections_per_client' | 'request_timeout';

/** What the guard reports for monitoring; the Prometheus adapter implements it. */
export interface HttpConnectionMetrics {
  httpConnectionClosed(reason: HttpCloseReason): void;
  httpConnectionsOpen(count: number): void;
}

export interface HttpConnectionLimits {
  readonly caps: ConnectionCaps;
  /** Headers and body must be in this long after the request's first byte; slower ones get 408 and are closed. */
  readonly requestTimeoutSeconds: number;
  readonly metrics: HttpConnectionMetrics;
}

/** Idle keep-alive connections close after this long: above the 60 s idle timeout of common proxies. */
const KEEP_ALIVE_MS = 72_000;
/** A connection with no traffic either way this long (a client that never reads its answer) is closed. */
const INACTIVE_MS = 300_000;
const LOG_EVERY_MS = 10_000;

const WHY: Record<HttpCloseReason, string> = {
  max_connections: 'HTTP connection refused: http.maxConnections reached',
  max_connections_per_client: 'HTTP connection refused: http.maxConnectionsPerClient reached for this address',
  request_timeout: 'HTTP request not complete within http.requestTimeoutSeconds: answered 408 and closed',
};

/** Fastify options for the deadlines: they are set when the server is created. */
export function httpTimeouts(requestTimeoutSeconds: number): {
  requestTimeout: number;
  keepAliveTimeout: number;
  connectionTimeout: number;
  http: { headersTimeout: number; requestTimeout: number; connectionsCheckingInterval: number };
} {
  const ms = requestTimeoutSeconds * 1000;
  return {
    requestTimeout: ms,
    keepAliveTimeout: KEEP_ALIVE_MS,
    connectionTimeout: INACTIVE_MS,
    // Node checks the deadlines every connectionsCheckingInterval (30 s by default): a quarter of the
    // deadline keeps a slow client's hold close to it.
    http: { headersTimeout: ms, requestTimeout: ms, connectionsCheckingInterval: Math.max(250, Math.min(ms / 4, 5_000)) },
  };
}

/** Applies the caps to the server: refused connections are counted and logged (one line per 10 s per reason). */
export function guardConnections(server: Server, limits: HttpConnectionLimits, log: Logger): void {
  const { caps, metrics } = limits;
  const perClient = new Map<string, number>();
  let open = 0;
  const throttles = new Map<HttpCloseReason, LogThrottle>();
  const report = (reason: HttpCloseReason, client: string | undefined): void => {
    metrics.httpConnectionClosed(reason);
    let throttle = throttles.get(reason);
    if (throttle === undefined) throttles.set(reason, (throttle = new LogThrottle(LOG_EVERY_MS)));
    const occurrences = throttle.hit();
    if (occurrences > 0) log.warn({ reason, client, occurrences, open, caps }, WHY[reason]);
  };

  server.maxConnections = caps.total;
  // Node closes a connection over maxConnections before it is a socket; 'drop' says so.
  server.on('drop', (data?: { remoteAddress?: string }) => report('max_connections', data?.remoteAddress));
  server.on('connection', (socket) => {
    const client = socket.remoteAddress ?? '';
    const n = perClient.get(client) ?? 0;
    if (n >= caps.perClient) {
      socket.destroy();
      report('max_connections_per_client', client);
      return;
    }
    perClient.set(client, n + 1);
    metrics.httpConnectionsOpen(++open);
    socket.once('close', () => {
      const left = (perClient.get(client) ?? 1) - 1;
      if (left <= 0) perClient.delete(client);
      else perClient.set(client, left);
      metrics.httpConnectionsOpen(--open);
    });
  });
  // Fastify's own clientError handler answers the 408; this one only counts it.
  server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
    if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') report('request_timeout', (socket as Socket).remoteAddress);
  });
}
