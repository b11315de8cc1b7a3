// Domain events: every state change, and every limit reached, as a value. The app layer stores them
// with the change in one transaction (the audit log and alerts are built from them).
import type { SenderRef } from './sender.js';
import type { ThresholdAction } from './policy.js';

export type ReleaseKind = 'Unblocked' | 'Expired';

/** Who did something, as the audit log records it. */
export interface Actor {
  readonly name: string;
  readonly role: string;
  readonly source: 'system' | 'cli' | 'api' | 'portal';
  readonly ip: string | null;
  /** The tenant the actor administers; null for a provider-level actor who may act in any tenant. */
  readonly tenantId: string | null;
  /** The admin account acting, when there is one (API, portal). */
  readonly accountId?: string;
}

/** The service itself: restrictions it places, expiries, limits reached. */
export const SYSTEM: Actor = Object.freeze({ name: 'system', role: 'System', source: 'system', ip: null, tenantId: null });

export type DomainEvent =
  | {
      readonly type: 'SenderRestricted';
      readonly at: number;
      readonly sender: SenderRef;
      readonly reason: string;
      readonly policy: string;
      readonly action: ThresholdAction;
      readonly expiresAt: number | null;
    }
  | {
      readonly type: 'SenderReleased';
      readonly at: number;
      readonly sender: SenderRef;
      readonly how: ReleaseKind;
      readonly actor: Actor;
      readonly reason: string;
    }
  | {
      /** ActionWhenThresholdReached = Alert: the message went through; admins are told. */
      readonly type: 'SendingLimitExceeded';
      readonly at: number;
      readonly sender: SenderRef;
      readonly reason: string;
      readonly policy: string;
    }
  | {
      readonly type: 'ServiceLimitReached';
      readonly at: number;
      readonly sender: SenderRef;
      readonly limit: 'RecipientsPerDay' | 'MessagesPerMinute' | 'RecipientsPerMessage';
      readonly reason: string;
    }
  | {
      /** Early warning: a sender reached a share of a limit (default 80%) without going over it yet. */
      readonly type: 'SuspiciousSending';
      readonly at: number;
      readonly sender: SenderRef;
      readonly reason: string;
      readonly policy: string;
    }
  | {
      /** An automatic forward to an external recipient refused under AutoForwardingMode Off/Automatic. */
      readonly type: 'SuspiciousForwarding';
      readonly at: number;
      readonly sender: SenderRef;
      readonly reason: string;
      readonly policy: string;
    }
  | {
      /** An admin changed configuration (policies, rules, domains, connectors, groups). */
      readonly type: 'ConfigurationChanged';
      readonly at: number;
      readonly tenantId: string;
      readonly actor: Actor;
      readonly operation: string;
      readonly target: string;
      readonly before: unknown;
      readonly after: unknown;
    };

export type EventType = DomainEvent['type'];

/** Non-state events (a limit reached again and again) are recorded once per sender per this long. */
export const EVENT_COOLDOWN_MS = 15 * 60_000;

/** The events EVENT_COOLDOWN_MS thins out: a sender's repeated limit and early-warning events, not its state changes. */
export function isRepeatable(e: DomainEvent): e is Extract<DomainEvent, { type: 'SendingLimitExceeded' | 'ServiceLimitReached' | 'SuspiciousSending' }> {
  return e.type === 'SendingLimitExceeded' || e.type === 'ServiceLimitReached' || e.type === 'SuspiciousSending';
}
