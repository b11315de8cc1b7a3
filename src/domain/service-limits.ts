// Service limits: operator-set ceilings that apply whatever the policy says (docs/spec.md §4), and the
// defaults a policy limit of 0 stands for (docs/spec.md §3: "0 = the service defaults are used").

export interface ServiceLimits {
  /** Recipients per rolling 24 h per mailbox; over it mail is refused with 5.1.90 until it drops below. */
  readonly recipientsPerDay: number;
  /** Messages per rolling minute per mailbox; over it mail is deferred (4xx), never restricted. */
  readonly messagesPerMinute: number;
  /** Recipients in one message; more are refused with 5.5.3. */
  readonly recipientsPerMessage: number;
  /** SMTP AUTH sessions of one login at once (docs/spec.md §4: 3); one more is answered 432 4.3.2. */
  readonly concurrentConnections: number;
  /** What RecipientLimitExternalPerHour = 0 means. */
  readonly defaultExternalPerHour: number;
  /** What RecipientLimitInternalPerHour = 0 means. */
  readonly defaultInternalPerHour: number;
  /** What RecipientLimitPerDay = 0 means. */
  readonly defaultPerDay: number;
  /** Limits of an inbound connector whose own limit is 0. */
  readonly connectorExternalPerHour: number;
  readonly connectorInternalPerHour: number;
  readonly connectorPerDay: number;
}

export const DEFAULT_SERVICE_LIMITS: ServiceLimits = Object.freeze({
  recipientsPerDay: 10_000,
  messagesPerMinute: 30,
  recipientsPerMessage: 500,
  concurrentConnections: 3,
  defaultExternalPerHour: 500,
  defaultInternalPerHour: 1_000,
  defaultPerDay: 1_000,
  connectorExternalPerHour: 5_000,
  connectorInternalPerHour: 10_000,
  connectorPerDay: 50_000,
});

/** Whether one more SMTP AUTH session of a login may start while `open` of its sessions are open. */
export function admitsSession(open: number, s: ServiceLimits): boolean {
  return open < s.concurrentConnections;
}
