// Port: the directory (tenants, accepted domains, outbound spam policies and rules, connectors,
// groups), read whole and written with optimistic concurrency on one revision number.
import type { DomainEvent } from '../../domain/events.js';
import type { OutboundSpamPolicy } from '../../domain/policy.js';
import type { RecipientPermission } from '../../domain/recipient-permission.js';
import type { OutboundSpamRule } from '../../domain/rule.js';
import type { AcceptedDomain, DistributionGroup, InboundConnector, Tenant } from '../../domain/tenant.js';

/** Everything a decision needs to know about configuration, loaded whole (it is small). */
export interface DirectorySnapshot {
  /** Bumped by every directory write; a write based on an older revision is refused (CONFLICT). */
  readonly revision: number;
  readonly tenants: readonly Tenant[];
  readonly domains: readonly AcceptedDomain[];
  readonly policies: readonly OutboundSpamPolicy[];
  readonly rules: readonly OutboundSpamRule[];
  readonly connectors: readonly InboundConnector[];
  readonly groups: readonly DistributionGroup[];
  /** Send As grants (Add-RecipientPermission): who may send as whom, for policy selection. */
  readonly permissions: readonly RecipientPermission[];
}

export type DirectoryKind = 'tenant' | 'domain' | 'policy' | 'rule' | 'connector' | 'group' | 'permission';
export type DirectoryObject = Tenant | AcceptedDomain | OutboundSpamPolicy | OutboundSpamRule | InboundConnector | DistributionGroup | RecipientPermission;

/** A change to write in one transaction with its audit event. */
export interface DirectoryWrite {
  /** The revision the change was computed from. */
  readonly revision: number;
  readonly upsert?: ReadonlyArray<{ kind: DirectoryKind; object: DirectoryObject }>;
  readonly remove?: ReadonlyArray<{ kind: DirectoryKind; id: string }>;
  readonly event: DomainEvent;
}

/** Policies and rules live in the directory: one snapshot, one revision, so a decision never sees half a change. */
export interface DirectoryStore {
  loadDirectory(): Promise<DirectorySnapshot>;
  /** Refused with OG_ERR_CONFLICT, writing nothing, when the stored revision is no longer `w.revision`. */
  writeDirectory(w: DirectoryWrite): Promise<void>;
}
