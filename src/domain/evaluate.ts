// The decision for one step of one message: pure, deterministic, `now` passed in.
// At RCPT the message's recipients so far are checked against the committed windows (so the recipient
// that would take a sender over is refused with 5.1.8 from Postfix's sender restrictions); at END of
// message the final recipients are checked again and, when admitted, returned for counting. A message
// is admitted only if every window stays within its limit after adding all its recipients.
import { defer, PERMIT, refuse, type Decision } from './decision.js';
import type { DomainEvent } from './events.js';
import { blocksExternalForwarding, type EffectiveLimits } from './policy.js';
import { reasonString, type LimitName } from './reason.js';
import { isActive, restrict, type Restriction, type Transition } from './restriction.js';
import type { Counts, WindowTotals } from './rolling-window.js';
import type { SenderRef } from './sender.js';
import type { ServiceLimits } from './service-limits.js';

/** Recipients of one message, split by the sender tenant's accepted domains. */
export interface Tally {
  readonly external: number;
  readonly internal: number;
}

export interface CheckInput {
  readonly stage: 'rcpt' | 'end';
  readonly now: number;
  readonly sender: SenderRef;
  readonly limits: EffectiveLimits;
  readonly service: ServiceLimits;
  readonly totals: WindowTotals;
  readonly message: Tally;
  readonly restriction: Restriction | undefined;
  /** Until when an unblocked sender is not restricted again (restriction.ts reprieveUntil). */
  readonly reprieveUntil?: number;
  readonly messageId?: string;
  /** Share of a limit (0-1) at which an admitted message raises the early warning; absent: none. */
  readonly earlyWarningShare?: number;
  /** At 'end': the header that marks the message an automatic forward (message-headers.ts), if one does. */
  readonly forwarded?: string;
}

export interface Verdict {
  readonly decision: Decision;
  /** At 'end' when permitted: what to add to the sender's windows. */
  readonly admit: Counts | null;
  /** Set when this message trips a Block* limit. */
  readonly restrict: Transition | null;
  readonly events: readonly DomainEvent[];
  /** Admitted but suspicious (over a limit under Alert, or an early warning): who gets a copy (the default policy's BCC). */
  readonly copyTo?: readonly string[];
}

const restrictedReply = (s: SenderRef) => (s.type === 'Connector' ? 'connectorRestricted' : 'senderRestricted');

export function evaluate(input: CheckInput): Verdict {
  const { sender, totals, message, limits, service, now } = input;
  const n = message.external + message.internal;
  const reason = (limit: LimitName, limitValue: number, policy?: string): string =>
    reasonString({ limit, limitValue, totals, messageRecipients: n, policy, messageId: input.messageId });

  if (isActive(input.restriction, now)) return verdict(refuse(restrictedReply(sender)));

  if (n > service.recipientsPerMessage) return verdict(refuse('tooManyRecipients'));

  // AutoForwardingMode (docs/spec.md §3): only external forwarding is blocked; internal forwards pass.
  if (input.stage === 'end' && input.forwarded !== undefined && message.external > 0 && sender.type === 'Mailbox' && blocksExternalForwarding(limits.autoForwarding)) {
    const event: DomainEvent = {
      type: 'SuspiciousForwarding',
      at: now,
      sender,
      policy: limits.policyName,
      reason: `ExternalForwardingBlocked;AutoForwardingMode=${limits.autoForwarding};ExternalRecipients=${message.external};ForwardedBy=${input.forwarded.replace(/[;\r\n]/g, ' ')};Last MessagetraceId=${input.messageId ?? ''};Policy=${limits.policyName};`,
    };
    return verdict(refuse('externalForwardingBlocked'), null, null, [event]);
  }

  if (sender.type === 'Mailbox') {
    if (totals.messagesLastMinute + 1 > service.messagesPerMinute) return verdict(defer('messageRateExceeded'));
    if (totals.recipientsLast24h + n > service.recipientsPerDay) {
      const event: DomainEvent = {
        type: 'ServiceLimitReached',
        at: now,
        sender,
        limit: 'RecipientsPerDay',
        reason: reason('RecipientsPerDay', service.recipientsPerDay),
      };
      return verdict(refuse('dailyRecipientLimit'), null, null, [event]);
    }
  }

  const tripped = trippedLimit(totals, message, limits);
  if (tripped !== null) {
    const why = reason(tripped.limit, tripped.value, limits.policyName);
    // Unblocked today from BlockUser: not restricted again before 00:00 UTC, only alerted (docs/spec.md §1).
    const reprieved = input.reprieveUntil !== undefined && now < input.reprieveUntil;
    if (limits.action === 'Alert' || reprieved) {
      // The message goes through; admins are told (once per message, at the end, not per recipient).
      if (input.stage === 'rcpt') return verdict(PERMIT);
      const event: DomainEvent = { type: 'SendingLimitExceeded', at: now, sender, reason: why, policy: limits.policyName };
      return suspicious(verdict(PERMIT, counts(message), null, [event]), limits);
    }
    const t = restrict(sender, { reason: why, policy: limits.policyName, action: limits.action, now });
    return verdict(refuse(restrictedReply(sender)), null, t, [t.event]);
  }

  if (input.stage !== 'end') return verdict(PERMIT);
  const near = input.earlyWarningShare === undefined ? null : nearLimit(totals, message, limits, input.earlyWarningShare);
  if (near === null) return verdict(PERMIT, counts(message));
  const warning: DomainEvent = {
    type: 'SuspiciousSending',
    at: now,
    sender,
    policy: limits.policyName,
    reason: `SuspiciousSending;EarlyWarningShare=${Math.round(input.earlyWarningShare! * 100)}%;${reason(near.limit, near.value, limits.policyName).replace(/^EmailSendingLimitExceeded;/, '')}`,
  };
  return suspicious(verdict(PERMIT, counts(message), null, [warning]), limits);
}

/**
 * A suspicious message that still goes out is copied to the default policy's BCC recipients
 * (BccSuspiciousOutboundMail: "suspicious outbound messages that exceed these limits", docs/spec.md §3).
 * One that trips a Block* limit is refused and goes nowhere, so only these can be copied.
 */
function suspicious(v: Verdict, limits: EffectiveLimits): Verdict {
  return limits.bccSuspicious && limits.bccSuspicious.length > 0 ? { ...v, copyTo: limits.bccSuspicious } : v;
}

/**
 * The first limit an admitted message brings to `share` of its value or more while staying below it:
 * the sender is at risk of being restricted (docs/spec.md §5, "Suspicious email sending patterns detected").
 */
export function nearLimit(t: WindowTotals, m: Tally, l: EffectiveLimits, share: number): { limit: LimitName; value: number } | null {
  if (!(share > 0 && share < 1)) return null;
  const checks: Array<[LimitName, number, number]> = [
    ['RecipientLimitExternalPerHour', t.externalLastHour + m.external, l.externalPerHour],
    ['RecipientLimitInternalPerHour', t.internalLastHour + m.internal, l.internalPerHour],
    ['RecipientLimitPerDay', t.recipientsLast24h + m.external + m.internal, l.perDay],
  ];
  for (const [limit, used, value] of checks) if (used >= share * value && used < value) return { limit, value };
  return null;
}

/** The first limit the message would exceed: external per hour, internal per hour, then per day. */
export function trippedLimit(t: WindowTotals, m: Tally, l: EffectiveLimits): { limit: LimitName; value: number } | null {
  if (t.externalLastHour + m.external > l.externalPerHour) return { limit: 'RecipientLimitExternalPerHour', value: l.externalPerHour };
  if (t.internalLastHour + m.internal > l.internalPerHour) return { limit: 'RecipientLimitInternalPerHour', value: l.internalPerHour };
  if (t.recipientsLast24h + m.external + m.internal > l.perDay) return { limit: 'RecipientLimitPerDay', value: l.perDay };
  return null;
}

function counts(m: Tally): Counts {
  return { external: m.external, internal: m.internal, messages: 1 };
}

const NO_EVENTS: readonly DomainEvent[] = Object.freeze([]);

function verdict(decision: Decision, admit: Counts | null = null, t: Transition | null = null, events: readonly DomainEvent[] = NO_EVENTS): Verdict {
  return { decision, admit, restrict: t, events };
}

/**
 * The final split of a message's recipients. Postfix reports only how many it accepted
 * (`recipient_count`); the split comes from the RCPT requests of the same message. When they
 * disagree (a later restriction rejected some, or RCPT was not seen) we err towards external, the
 * limit that protects reputation.
 */
export function reconcileTally(seen: Tally, accepted: number): Tally {
  if (accepted <= 0) return { external: 0, internal: 0 };
  const total = seen.external + seen.internal;
  if (total === accepted) return seen;
  if (total > accepted) {
    const external = Math.min(seen.external, accepted);
    return { external, internal: accepted - external };
  }
  return { external: seen.external + (accepted - total), internal: seen.internal };
}
