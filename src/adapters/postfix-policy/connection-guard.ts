// Keeps the policy port available: caps connections overall and per client address, and closes
// connections that stall (a request unfinished past its deadline, or idle past the idle timeout).
// A refused or timed-out client gets no reply, as SMTPD_POLICY_README asks on trouble: Postfix
// reconnects (smtpd_policy_service_try_limit, default 2) and then applies its default action,
// 451 4.3.5, so the mail is deferred, never admitted unchecked.
import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import { LogThrottle } from '../../log-throttle.js';
import type { ConnectionBudget, ConnectionCaps } from '../../connection-caps.js';

export type CloseReason = 'max_connections' | 'max_connections_per_client' | 'request_timeout' | 'idle_timeout';

/** What the guard reports for monitoring; the Prometheus adapter implements it. */
export interface ConnectionMetrics {
  policyConnectionClosed(reason: CloseReason): void;
  policyConnectionsOpen(count: number): void;
}

export const NO_CONNECTION_METRICS: ConnectionMetrics = { policyConnectionClosed: () => undefined, policyConnectionsOpen: () => undefined };

export interface ConnectionTimeouts {
  idleTimeoutSeconds: number;
  requestTimeoutSeconds: number;
}

/** Per-connection times, written by the server on each read (plain numbers: no timer per request). */
export interface Tracked {
  /** performance.now() of the last complete request, or of the connect. */
  lastActive: number;
  /** performance.now() when the unfinished request began (its first byte, or the connect); 0 when none. */
  requestStarted: number;
  readonly client: string;
  closing: boolean;
  /** Set by the server: a request is being answered or waits its turn. */
  busy: () => boolean;
  /** Set by a drain: the server calls it whenever the connection has answered everything it received. */
  settled?: () => void;
}

const LOG_EVERY_MS = 10_000;

const WHY: Record<CloseReason, string> = {
  max_connections: 'policy connection refused: policy.maxConnections reached (no reply; Postfix retries, then defers with 451 4.3.5)',
  max_connections_per_client:
    'policy connection refused: policy.maxConnectionsPerClient reached for this address (no reply; Postfix retries, then defers with 451 4.3.5)',
  request_timeout: 'policy connection closed: request not complete within policy.requestTimeoutSeconds (no reply)',
  idle_timeout: 'policy connection closed: idle for policy.idleTimeoutSeconds',
};

export class ConnectionGuard {
  private readonly open = new Map<Socket, Tracked>();
  private readonly perClient = new Map<string, number>();
  private readonly throttles = new Map<CloseReason, LogThrottle>();
  private readonly sweepTimer: NodeJS.Timeout;
  private readonly idleMs: number;
  private readonly requestMs: number;

  constructor(
    readonly caps: ConnectionCaps,
    timeouts: ConnectionTimeouts,
    private readonly log: Logger,
    private readonly metrics: ConnectionMetrics,
    /** The total, shared with the other mail listener (the milter): one budget of descriptors. */
    private readonly budget: ConnectionBudget,
  ) {
    this.idleMs = timeouts.idleTimeoutSeconds * 1000;
    this.requestMs = timeouts.requestTimeoutSeconds * 1000;
    // One sweep rather than a timer per socket: socket.setTimeout re-arms its timer on every read and
    // write, which shows at tens of thousands of requests a second.
    this.sweepTimer = setInterval(() => this.sweep(), Math.max(250, Math.min(Math.min(this.idleMs, this.requestMs) / 4, 30_000)));
    this.sweepTimer.unref();
  }

  /** Tracks a new connection, or closes it at once (releasing its descriptor) when a cap is reached. */
  admit(socket: Socket): Tracked | undefined {
    const client = socket.remoteAddress ?? '';
    const fromClient = this.perClient.get(client) ?? 0;
    let refused: CloseReason | undefined;
    if (!this.budget.take()) refused = 'max_connections';
    else if (fromClient >= this.caps.perClient) {
      this.budget.give();
      refused = 'max_connections_per_client';
    }
    if (refused !== undefined) {
      socket.destroy();
      this.report(refused, client);
      return undefined;
    }
    const now = performance.now();
    const tracked: Tracked = { lastActive: now, requestStarted: now, client, closing: false, busy: () => false };
    this.open.set(socket, tracked);
    this.perClient.set(client, fromClient + 1);
    socket.once('close', () => this.release(socket, tracked));
    return tracked;
  }

  get size(): number {
    return this.open.size;
  }

  /** Stops the sweep and drops every connection (Postfix keeps them for minutes and reconnects); returns how many. */
  close(): number {
    clearInterval(this.sweepTimer);
    const n = this.open.size;
    for (const s of this.open.keys()) s.destroy();
    return n;
  }

  /** For a drain: ends each connection as soon as it has answered what it received (at once when idle). */
  endWhenSettled(): void {
    for (const [socket, c] of this.open) {
      c.settled = () => socket.end();
      if (!c.busy()) socket.end();
    }
  }

  private release(socket: Socket, tracked: Tracked): void {
    this.open.delete(socket);
    this.budget.give();
    const n = (this.perClient.get(tracked.client) ?? 1) - 1;
    if (n <= 0) this.perClient.delete(tracked.client);
    else this.perClient.set(tracked.client, n);
  }

  private sweep(): void {
    const now = performance.now();
    for (const [socket, c] of this.open) {
      if (c.closing) {
        socket.destroy(); // still open a sweep after end(): the peer is not reading
      } else if (c.requestStarted !== 0 && now - c.requestStarted >= this.requestMs) {
        // A slow sender (slow-loris) holds a descriptor as long as it trickles bytes; its request is
        // dropped unanswered, like any other request Postfix would never send.
        socket.destroy();
        this.report('request_timeout', c.client);
      } else if (now - c.lastActive >= this.idleMs) {
        c.closing = true;
        socket.end();
        this.report('idle_timeout', c.client);
      }
    }
    this.metrics.policyConnectionsOpen(this.open.size);
  }

  private report(reason: CloseReason, client: string): void {
    this.metrics.policyConnectionClosed(reason);
    if (reason === 'idle_timeout') {
      this.log.debug({ client }, WHY[reason]); // routine: Postfix keeps connections until we close them
      return;
    }
    let throttle = this.throttles.get(reason);
    if (throttle === undefined) this.throttles.set(reason, (throttle = new LogThrottle(LOG_EVERY_MS)));
    const occurrences = throttle.hit();
    if (occurrences > 0) this.log.warn({ reason, client, occurrences, open: this.open.size, caps: this.caps }, WHY[reason]);
  }
}
