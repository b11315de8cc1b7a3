// Port: the audit log (a hash chain) and the domain events recorded into it.
import type { DomainEvent } from '../../domain/events.js';
import type { AuditEntry, AuditRecord, IntegrityReport } from '../audit.js';

export interface AuditQuery {
  tenantId?: string;
  /** ms since the epoch, inclusive. */
  from?: number;
  /** ms since the epoch, exclusive. */
  to?: number;
  operations?: readonly string[];
  actors?: readonly string[];
  targets?: readonly string[];
  limit?: number;
}

export interface AuditStore {
  recordEvents(events: readonly DomainEvent[]): Promise<void>;
  searchAudit(q: AuditQuery): Promise<AuditRecord[]>;
  /** Verifies the whole audit chain; `records` counts only `countTenant`'s records when given. */
  verifyAudit(countTenant?: string): Promise<IntegrityReport>;
  auditEnabled(): Promise<boolean>;
  /** Turns auditing on or off, recording the switch (always, even when turning it off; one entry per tenant). */
  setAuditEnabled(enabled: boolean, entries: readonly AuditEntry[]): Promise<void>;
}
