// What the use cases report for monitoring; the Prometheus adapter implements it, tests may ignore it.

export type DecisionOutcome = 'permit' | 'refuse' | 'defer' | 'failed';

export interface Metrics {
  decision(stage: string, outcome: DecisionOutcome, seconds: number): void;
  restricted(entityType: string): void;
  unblocked(entityType: string): void;
  storeError(operation: string): void;
  alertsRaised(count: number): void;
  /** A notification delivery attempt: Sent, Retry (stays Pending) or Failed. */
  notification(channel: string, outcome: 'Sent' | 'Retry' | 'Failed'): void;
}

export const NO_METRICS: Metrics = {
  decision: () => undefined,
  restricted: () => undefined,
  unblocked: () => undefined,
  storeError: () => undefined,
  alertsRaised: () => undefined,
  notification: () => undefined,
};
