// Prometheus metrics (prom-client): decisions by outcome, restrictions, unblocks, store errors,
// policy and HTTP connections refused or timed out, policy and HTTP latency histograms, plus Node's default
// process metrics.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { DecisionOutcome, Metrics } from '../../app/metrics.js';
import { DecisionMetrics } from './decision-metrics.js';

const HTTP_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

export class PrometheusMetrics implements Metrics {
  readonly registry = new Registry();
  private readonly decisions = new DecisionMetrics(this.registry);
  private readonly restrictions = new Counter({
    name: 'outgate_restrictions_total',
    help: 'Senders restricted, by entity type.',
    labelNames: ['entity_type'],
    registers: [this.registry],
  });
  private readonly unblocks = new Counter({
    name: 'outgate_unblocks_total',
    help: 'Restrictions lifted by an admin, by entity type.',
    labelNames: ['entity_type'],
    registers: [this.registry],
  });
  private readonly storeErrors = new Counter({
    name: 'outgate_store_errors_total',
    help: 'Store operations that failed.',
    labelNames: ['operation'],
    registers: [this.registry],
  });
  private readonly alerts = new Counter({
    name: 'outgate_alerts_raised_total',
    help: 'Alerts raised (new alerts, not events joining one).',
    registers: [this.registry],
  });
  private readonly notifications = new Counter({
    name: 'outgate_alert_notifications_total',
    help: 'Alert notification delivery attempts by channel and outcome (Sent, Retry, Failed).',
    labelNames: ['channel', 'outcome'],
    registers: [this.registry],
  });
  private readonly auditHeadSeq = new Gauge({
    name: 'outgate_audit_head_sequence',
    help: 'Sequence of the audit chain head last exported as an anchor (it never goes down unless records were removed).',
    registers: [this.registry],
  });
  private readonly policyClosed = new Counter({
    name: 'outgate_policy_connections_closed_total',
    help: 'Policy connections refused at a cap or closed by a timeout, by reason.',
    labelNames: ['reason'],
    registers: [this.registry],
  });
  private readonly policyOpen = new Gauge({ name: 'outgate_policy_connections', help: 'Open policy connections (sampled by the timeout sweep).', registers: [this.registry] });
  private readonly httpClosed = new Counter({
    name: 'outgate_http_connections_closed_total',
    help: 'HTTP connections refused at a cap or closed at the request deadline, by reason.',
    labelNames: ['reason'],
    registers: [this.registry],
  });
  private readonly milterRefused = new Counter({
    name: 'outgate_milter_connections_refused_total',
    help: 'Milter connections refused because policy and milter connections together reached policy.maxConnections.',
    registers: [this.registry],
  });
  private readonly httpOpen = new Gauge({ name: 'outgate_http_connections', help: 'Open HTTP connections.', registers: [this.registry] });
  readonly httpSeconds = new Histogram({
    name: 'outgate_http_request_seconds',
    help: 'HTTP API request latency.',
    labelNames: ['method', 'route', 'status'],
    buckets: HTTP_BUCKETS,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'outgate_' });
  }

  /** For the HTTP adapter: the exposition format and the request histogram. */
  exposition(): { contentType: string; text(): Promise<string> } {
    return { contentType: this.registry.contentType, text: () => this.registry.metrics() };
  }

  observeRequest(method: string, route: string, status: number, seconds: number): void {
    this.httpSeconds.observe({ method, route, status: String(status) }, seconds);
  }

  decision(stage: string, outcome: DecisionOutcome, seconds: number): void {
    this.decisions.record(stage, outcome, seconds);
  }

  restricted(entityType: string): void {
    this.restrictions.inc({ entity_type: entityType });
  }

  unblocked(entityType: string): void {
    this.unblocks.inc({ entity_type: entityType });
  }

  storeError(operation: string): void {
    this.storeErrors.inc({ operation });
  }

  alertsRaised(count: number): void {
    if (count > 0) this.alerts.inc(count);
  }

  policyConnectionClosed(reason: string): void {
    this.policyClosed.inc({ reason });
  }

  policyConnectionsOpen(count: number): void {
    this.policyOpen.set(count);
  }

  milterConnectionRefused(): void {
    this.milterRefused.inc();
  }

  httpConnectionClosed(reason: string): void {
    this.httpClosed.inc({ reason });
  }

  httpConnectionsOpen(count: number): void {
    this.httpOpen.set(count);
  }

    notification(channel: string, outcome: 'Sent' | 'Retry' | 'Failed'): void {
    this.notifications.inc({ channel, outcome });
  }

  auditHead(seq: number): void {
    this.auditHeadSeq.set(seq);
  }
}
