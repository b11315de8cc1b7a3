// Who is counted and restricted: the authenticated submitter (a Mailbox) or an inbound connector.
// Spec §3 (Send As): counts accumulate per authenticated submitter, not per From address.
import { tryNormalizeAddress } from './address.js';

export type EntityType = 'Mailbox' | 'Connector';

export interface SenderRef {
  readonly tenantId: string;
  readonly type: EntityType;
  /** Normalized address (or SASL login) for a Mailbox, connector id for a Connector. */
  readonly identity: string;
}

/** The key under which a sender's windows and restriction are kept. */
export function senderKey(s: SenderRef): string {
  return `${s.tenantId}\u0000${s.type}\u0000${s.identity}`;
}

/** Normalizes a SASL login: addresses like any address (case, IDN); bare logins are lower-cased. */
export function normalizeLogin(login: string): string {
  return tryNormalizeAddress(login) ?? login.trim().toLowerCase();
}
