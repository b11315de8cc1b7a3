// Port: restricted entities, their history, and the sending history reports read.
import type { HistoryEntry, Restriction, Transition } from '../../domain/restriction.js';
import type { EntityType, SenderRef } from '../../domain/sender.js';

export interface HourlyCount {
  /** Hours since the epoch. */
  readonly hour: number;
  readonly external: number;
  readonly internal: number;
  readonly messages: number;
}

export interface RestrictionView extends Restriction {
  readonly history: readonly HistoryEntry[];
}

export interface RestrictionQuery {
  tenantId?: string;
  entityType?: EntityType;
  identity?: string;
  /** Only those restricted now (status Restricted and not expired). */
  activeAt?: number;
}

/** The columns the Restricted entities list sorts by (Entity: the address, or the connector's name). */
export const RESTRICTION_SORTS = ['Entity', 'EntityType', 'Reason', 'CreatedDatetime', 'ChangedDatetime', 'ExpiresDatetime', 'Status', 'Policy'] as const;
export type RestrictionSort = (typeof RESTRICTION_SORTS)[number];

/** One page of the Restricted entities list: filtered, searched, sorted and cut by the store. */
export interface RestrictionPageQuery {
  tenantId?: string;
  entityType?: RestrictionQuery['entityType'];
  /** Restricted at `now` (status Restricted, not expired) or Released (the rest); both when absent. */
  status?: 'Restricted' | 'Released';
  now: number;
  /** Case-insensitive text in the address (or connector id), the connector's name or the reason. */
  search?: string;
  sort: RestrictionSort;
  order: 'asc' | 'desc';
  offset: number;
  limit: number;
}

export interface RestrictionStore {
  /**
   * Durably applies a restriction transition. A restriction applies only while the sender is not
   * restricted at that moment; a release only while the stored state is still `from` (what the caller
   * read). Otherwise nothing is written and it returns false: a concurrent action got there first.
   * `resetWindows` clears the sender's sending windows in the same transaction.
   */
  applyTransition(t: Transition, opts: { from?: Restriction; resetWindows: boolean }): Promise<boolean>;
  getRestriction(sender: SenderRef): Promise<Restriction | undefined>;
  listRestrictions(q: RestrictionQuery): Promise<RestrictionView[]>;
  /** A page of the list with the total that match; ties broken by name then identity, so pages never overlap. */
  pageRestrictions(q: RestrictionPageQuery): Promise<{ total: number; items: RestrictionView[] }>;
  /** Restrictions whose BlockUserForToday time ran out but are still recorded as Restricted. */
  listExpired(now: number): Promise<Restriction[]>;
}

/** What senders sent, per hour, for reports (not the enforcement windows: see SendingCounters). */
export interface SendingHistory {
  /** Recipients and messages per hour since `fromHour`. */
  sendingHistory(sender: SenderRef, fromHour: number): Promise<HourlyCount[]>;
  /** Every sender's hourly counts since `fromHour`, optionally of one tenant (policy what-if). */
  sendingHistoryAll(fromHour: number, tenantId?: string): Promise<Array<{ sender: SenderRef; hours: HourlyCount[] }>>;
}
