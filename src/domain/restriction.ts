// The restriction state machine of a Restricted entity (docs/spec.md §1, §3):
//   (none | Released) --restrict--> Restricted --unblock | expire--> Released
// BlockUserForToday expires at 00:00 UTC the next day; BlockUser waits for an admin. Releasing keeps
// the record and appends to its history; nothing here is ever deleted.
import type { Actor, DomainEvent, ReleaseKind } from './events.js';
import type { ThresholdAction } from './policy.js';
import type { EntityType, SenderRef } from './sender.js';

export type RestrictionStatus = 'Restricted' | 'Released';
export type BlockAction = Exclude<ThresholdAction, 'Alert'>;

export interface Restriction {
  readonly tenantId: string;
  readonly entityType: EntityType;
  readonly identity: string;
  readonly reason: string;
  readonly policy: string;
  readonly action: BlockAction;
  readonly status: RestrictionStatus;
  /** When the current (or last) restriction began. */
  readonly createdAt: number;
  readonly changedAt: number;
  /** When a BlockUserForToday restriction lifts by itself; null for BlockUser. */
  readonly expiresAt: number | null;
}

export interface HistoryEntry {
  readonly at: number;
  readonly event: 'Restricted' | ReleaseKind;
  readonly actor: string;
  readonly reason: string;
}

export interface Transition {
  readonly restriction: Restriction;
  readonly history: HistoryEntry;
  readonly event: DomainEvent;
}

const DAY = 86_400_000;

export const EXPIRED_REASON = 'BlockUserForToday restriction expired at 00:00 UTC';

/** 00:00 UTC of the day after `now` (docs/spec.md §3: "until the following day, based on UTC time"). */
export function nextUtcMidnight(now: number): number {
  return Math.floor(now / DAY) * DAY + DAY;
}

/**
 * Until when a released restriction keeps its sender from being restricted again: a mailbox an admin
 * unblocked from `BlockUser` "won't be restricted again for that day" (docs/spec.md §1), so until
 * 00:00 UTC after the unblock. Its limits still count and still raise alerts. BlockUser never expires,
 * so a released BlockUser restriction was always an admin's unblock.
 */
export function reprieveUntil(r: Restriction | undefined): number | undefined {
  if (r === undefined || r.status !== 'Released' || r.action !== 'BlockUser' || r.entityType !== 'Mailbox') return undefined;
  return nextUtcMidnight(r.changedAt);
}

export function isActive(r: Restriction | undefined, now: number): boolean {
  return r !== undefined && r.status === 'Restricted' && (r.expiresAt === null || now < r.expiresAt);
}

/** True when a BlockUserForToday restriction has run out but is not yet recorded as released. */
export function isExpired(r: Restriction, now: number): boolean {
  return r.status === 'Restricted' && r.expiresAt !== null && now >= r.expiresAt;
}

export function restrict(
  sender: SenderRef,
  args: { reason: string; policy: string; action: BlockAction; now: number },
): Transition {
  const expiresAt = args.action === 'BlockUserForToday' ? nextUtcMidnight(args.now) : null;
  const restriction: Restriction = {
    tenantId: sender.tenantId,
    entityType: sender.type,
    identity: sender.identity,
    reason: args.reason,
    policy: args.policy,
    action: args.action,
    status: 'Restricted',
    createdAt: args.now,
    changedAt: args.now,
    expiresAt,
  };
  return {
    restriction,
    history: { at: args.now, event: 'Restricted', actor: 'system', reason: args.reason },
    event: { type: 'SenderRestricted', at: args.now, sender, reason: args.reason, policy: args.policy, action: args.action, expiresAt },
  };
}

/**
 * Releases a restriction: by an admin (`Unblocked`) or by the clock (`Expired`, at its expiry time).
 * Returns undefined when there is nothing to release.
 */
export function release(
  r: Restriction,
  args: { how: ReleaseKind; actor: Actor; reason: string; now: number },
): Transition | undefined {
  if (r.status !== 'Restricted') return undefined;
  const at = args.how === 'Expired' && r.expiresAt !== null ? Math.min(r.expiresAt, args.now) : args.now;
  const sender: SenderRef = { tenantId: r.tenantId, type: r.entityType, identity: r.identity };
  return {
    restriction: { ...r, status: 'Released', changedAt: at },
    history: { at, event: args.how, actor: args.actor.name, reason: args.reason },
    event: { type: 'SenderReleased', at, sender, how: args.how, actor: args.actor, reason: args.reason },
  };
}
