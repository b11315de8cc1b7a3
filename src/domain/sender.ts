// Who is counted and restricted: the authenticated submitter (a Mailbox) or an inbound connector.
// Spec §3 (Send As): counts accumulate per authenticated submitter, not per From address.
import { tryNormalizeAddress } from './address.js';

/** Tenant: the tenant as a whole, counted and restricted for its external recipients (docs/tenancy.md). */
export type EntityType = 'Mailbox' | 'Connector' | 'Tenant';

export const ENTITY_TYPES: readonly EntityType[] = ['Mailbox', 'Connector', 'Tenant'];

export function isEntityType(v: unknown): v is EntityType {
  return v === 'Mailbox' || v === 'Connector' || v === 'Tenant';
}

export interface SenderRef {
  readonly tenantId: string;
  readonly type: EntityType;
  /** Normalized address (or SASL login) for a Mailbox, connector id for a Connector, the tenant id for a Tenant. */
  readonly identity: string;
}

/** The tenant as one subject of the counters and of a restriction: its identity is its id. */
export function tenantRef(tenantId: string): SenderRef {
  return { tenantId, type: 'Tenant', identity: tenantId };
}

/** The key under which a sender's windows and restriction are kept. */
export function senderKey(s: SenderRef): string {
  return `${s.tenantId}\u0000${s.type}\u0000${s.identity}`;
}

/** Normalizes a SASL login: addresses like any address (case, IDN); bare logins are lower-cased. */
export function normalizeLogin(login: string): string {
  return tryNormalizeAddress(login) ?? login.trim().toLowerCase();
}
