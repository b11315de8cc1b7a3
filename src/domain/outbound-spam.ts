// Outbound spam verdicts (docs/spec.md §3: suspicious outbound mail goes through the high-risk pool,
// and a sender sending spam is restricted; §2: the Reason keys OutboundSpamLast24Hours,
// OutboundMailLast24Hours, OutboundSpamPercent). Pure: the scanner's answer and `now` come in.
import type { DomainEvent } from './events.js';
import type { ThresholdAction } from './policy.js';
import { restrict, type BlockAction, type Transition } from './restriction.js';
import type { SenderRef } from './sender.js';

/** What a content scanner (Rspamd) said about one message. */
export interface SpamVerdict {
  readonly spam: boolean;
  readonly score: number;
  /** The scanner's action (Rspamd: `reject`, `add header`, `no action`, …). */
  readonly action: string;
}

/** When a sender's spam share restricts it: at least `floorMessages` scanned in 24 h, and `percent` of them spam. */
export interface SpamThreshold {
  readonly floorMessages: number;
  readonly percent: number;
}

const HOUR = 3_600_000;

/** Scanned and spam messages of one sender over a rolling 24 hours, in hour buckets. */
export class SpamTally {
  private readonly buckets = new Map<number, { scanned: number; spam: number }>();

  add(now: number, spam: boolean): void {
    const h = Math.floor(now / HOUR);
    const b = this.buckets.get(h) ?? { scanned: 0, spam: 0 };
    b.scanned++;
    if (spam) b.spam++;
    this.buckets.set(h, b);
    for (const k of this.buckets.keys()) if (k <= h - 24) this.buckets.delete(k);
  }

  last24h(now: number): { scanned: number; spam: number } {
    const h = Math.floor(now / HOUR);
    let scanned = 0;
    let spam = 0;
    for (const [k, b] of this.buckets) {
      if (k <= h - 24 || k > h) continue;
      scanned += b.scanned;
      spam += b.spam;
    }
    return { scanned, spam };
  }

  get empty(): boolean {
    return this.buckets.size === 0;
  }
}

/** EOP's spam Reason (docs/spec.md §2), then Outgate's keys. */
export function spamReason(t: { scanned: number; spam: number }, messageId: string | undefined, policy: string): string {
  const percent = t.scanned === 0 ? 0 : Math.round((t.spam * 100) / t.scanned);
  return `OutboundSpamLast24Hours=${t.spam};OutboundMailLast24Hours=${t.scanned};OutboundSpamPercent=${percent};Last Spam Message MessagetraceId:${messageId ?? ''};Policy=${policy};`;
}

/**
 * After a spam message: the sender is restricted when its share over the last 24 hours reaches the
 * threshold with at least the floor of scanned messages. The block follows the policy's action; under
 * `Alert` a spammer is still blocked until an admin acts (EOP restricts senders of spam whatever the
 * policy says). The early warning is raised with it (**Suspicious email sending patterns detected**).
 */
export function assessSpam(args: {
  sender: SenderRef;
  tally: { scanned: number; spam: number };
  threshold: SpamThreshold;
  action: ThresholdAction;
  policy: string;
  messageId: string | undefined;
  now: number;
}): { restrict: Transition | null; events: DomainEvent[] } {
  const { tally: t, threshold: th } = args;
  if (t.scanned < th.floorMessages || t.spam * 100 < th.percent * t.scanned) return { restrict: null, events: [] };
  const reason = spamReason(t, args.messageId, args.policy);
  const action: BlockAction = args.action === 'Alert' ? 'BlockUser' : args.action;
  const transition = restrict(args.sender, { reason, policy: args.policy, action, now: args.now });
  const warning: DomainEvent = { type: 'SuspiciousSending', at: args.now, sender: args.sender, policy: args.policy, reason: `SuspiciousSending;OutboundSpam;${reason}` };
  return { restrict: transition, events: [warning] };
}
