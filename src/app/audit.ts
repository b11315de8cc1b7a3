// The audit log: every change as one record (when, who, role, source, tenant, operation, target,
// before, after, result), append-only and hash-chained so that an edited, removed or reordered record
// is found by Test-AuditLogIntegrity. Records are made from domain events, in the transaction of the
// change itself.
import { createHash } from 'node:crypto';
import { SYSTEM, type Actor, type DomainEvent } from '../domain/events.js';

export interface AuditEntry {
  readonly at: number;
  readonly tenantId: string;
  readonly actor: Actor;
  readonly operation: string;
  readonly target: string;
  readonly before: unknown;
  readonly after: unknown;
  readonly result: 'Succeeded' | 'Failed';
}

/** A stored record: the entry's fields as text, its place in the chain, and the chain hashes. */
export interface AuditRecord {
  readonly seq: number;
  readonly at: number;
  readonly tenantId: string;
  readonly actor: string;
  readonly role: string;
  readonly source: string;
  readonly sourceIp: string | null;
  readonly operation: string;
  readonly target: string;
  /** Canonical JSON (sorted keys), or null. */
  readonly before: string | null;
  readonly after: string | null;
  readonly result: string;
  readonly prevHash: string;
  readonly hash: string;
}

export const GENESIS_HASH = '0'.repeat(64);
/** Turning auditing off is itself audited, so this operation is written even while it is off. */
export const AUDIT_CONFIG_OPERATION = 'Set-AdminAuditLogConfig';

const entityTarget = (e: { sender: { type: string; identity: string } }): string => `${e.sender.type}:${e.sender.identity}`;

/**
 * EOP's names for the service's own outbound-spam events (docs/spec.md §5): record type 51
 * `HygieneEvent`, operation `HygieneTenantEvents` with `Event` (e.g. `Listed`) and `EventValue` (the
 * user). Outgate keeps its own operation names and writes these beside them, in `After`, so searches
 * written for EOP find the records (Search-AdminAuditLog -Operations HygieneTenantEvents).
 */
export const HYGIENE_TENANT_EVENTS = 'HygieneTenantEvents';
/** The Outgate operations that are EOP HygieneTenantEvents. */
export const HYGIENE_OPERATIONS = ['SenderRestricted', 'SendingLimitExceeded', 'SuspiciousSending', 'SuspiciousForwarding', 'ServiceLimitReached', 'RestrictionExpired'] as const;
const hygiene = (event: string, e: { sender: { identity: string } }) => ({ RecordType: 'HygieneEvent', EopOperation: HYGIENE_TENANT_EVENTS, Event: event, EventValue: e.sender.identity });

export function auditEntryOf(e: DomainEvent): AuditEntry {
  const base = { at: e.at, result: 'Succeeded' as const, before: null };
  switch (e.type) {
    case 'SenderRestricted':
      return {
        ...base,
        tenantId: e.sender.tenantId,
        actor: SYSTEM,
        operation: 'SenderRestricted',
        target: entityTarget(e),
        after: { Reason: e.reason, Policy: e.policy, Action: e.action, ExpiresDatetime: e.expiresAt === null ? null : new Date(e.expiresAt).toISOString(), ...hygiene('Listed', e) },
      };
    case 'SenderReleased':
      return {
        ...base,
        tenantId: e.sender.tenantId,
        actor: e.actor,
        operation: e.how === 'Expired' ? 'RestrictionExpired' : e.sender.type === 'Mailbox' ? 'Remove-BlockedSenderAddress' : 'Remove-BlockedConnector',
        target: entityTarget(e),
        // An admin's unblock is a cmdlet record; EOP's record for it is not documented (docs/spec.md §5).
        after: { Status: 'Released', Reason: e.reason, ...(e.how === 'Expired' ? hygiene('Expired', e) : {}) },
      };
    case 'SendingLimitExceeded':
      return { ...base, tenantId: e.sender.tenantId, actor: SYSTEM, operation: 'SendingLimitExceeded', target: entityTarget(e), after: { Reason: e.reason, Policy: e.policy, ...hygiene('SendingLimitExceeded', e) } };
    case 'SuspiciousSending':
      return { ...base, tenantId: e.sender.tenantId, actor: SYSTEM, operation: 'SuspiciousSending', target: entityTarget(e), after: { Reason: e.reason, Policy: e.policy, ...hygiene('SuspiciousSending', e) } };
    case 'SuspiciousForwarding':
      return { ...base, tenantId: e.sender.tenantId, actor: SYSTEM, operation: 'SuspiciousForwarding', target: entityTarget(e), after: { Reason: e.reason, Policy: e.policy, ...hygiene('SuspiciousForwarding', e) } };
    case 'ServiceLimitReached':
      return { ...base, tenantId: e.sender.tenantId, actor: SYSTEM, operation: 'ServiceLimitReached', target: entityTarget(e), after: { Limit: e.limit, Reason: e.reason, ...hygiene('ServiceLimitReached', e) } };
    case 'ConfigurationChanged':
      return { ...base, tenantId: e.tenantId, actor: e.actor, operation: e.operation, target: e.target, before: e.before, after: e.after };
  }
}

/** JSON with object keys sorted at every level, so the same value always hashes the same. */
export function canonicalJson(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  const sort = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sort);
    if (v !== null && typeof v === 'object') {
      return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sort((v as Record<string, unknown>)[k])]));
    }
    return v;
  };
  return JSON.stringify(sort(value));
}

type Hashed = Omit<AuditRecord, 'hash'>;

export function recordHash(r: Hashed): string {
  const fields = [r.seq, r.at, r.tenantId, r.actor, r.role, r.source, r.sourceIp, r.operation, r.target, r.before, r.after, r.result];
  return createHash('sha256').update(`${r.prevHash}\n${fields.map((f) => JSON.stringify(f)).join('\t')}`).digest('hex');
}

/** Makes the next record of the chain from an entry. */
export function chain(entry: AuditEntry, seq: number, prevHash: string): AuditRecord {
  const r: Hashed = {
    seq,
    at: entry.at,
    tenantId: entry.tenantId,
    actor: entry.actor.name,
    role: entry.actor.role,
    source: entry.actor.source,
    sourceIp: entry.actor.ip,
    operation: entry.operation,
    target: entry.target,
    before: canonicalJson(entry.before),
    after: canonicalJson(entry.after),
    result: entry.result,
    prevHash,
  };
  return { ...r, hash: recordHash(r) };
}

export type IntegrityReport =
  | { readonly ok: true; readonly records: number; readonly head: string }
  | { readonly ok: false; readonly records: number; readonly brokenAt: number; readonly reason: string };

/**
 * Walks the chain in order. Finds an edited record (its hash no longer matches), a removed or
 * inserted one (a gap in the sequence, or a link to the wrong predecessor) and a cut tail (the last
 * record is not the head the store remembers).
 */
export function verifyChain(records: Iterable<AuditRecord>, head: { seq: number; hash: string }, countTenant?: string): IntegrityReport {
  const walk = new ChainWalk(countTenant);
  for (const r of records) if (!walk.add(r)) break;
  return walk.end(head);
}

/**
 * verifyChain one record at a time, for a log read in pages (a store streams it rather than holding
 * it all in memory): `add` answers false once the chain is broken, `end` gives the report.
 */
export class ChainWalk {
  private prev = { seq: 0, hash: GENESIS_HASH };
  private n = 0;
  private broken: IntegrityReport | undefined;

  constructor(private readonly countTenant?: string) {}

  add(r: AuditRecord): boolean {
    if (this.broken) return false;
    // The whole chain is checked; `records` counts only one tenant's when asked (a tenant's view).
    if (this.countTenant === undefined || r.tenantId === this.countTenant) this.n++;
    const prev = this.prev;
    const fail = (reason: string): false => {
      this.broken = { ok: false, records: this.n, brokenAt: r.seq, reason };
      return false;
    };
    if (r.seq !== prev.seq + 1) return fail(`record ${prev.seq + 1} is missing (next is ${r.seq})`);
    if (r.prevHash !== prev.hash) return fail('it does not link to the record before it');
    if (recordHash(r) !== r.hash) return fail('its content does not match its hash (edited)');
    this.prev = { seq: r.seq, hash: r.hash };
    return true;
  }

  end(head: { seq: number; hash: string }): IntegrityReport {
    if (this.broken) return this.broken;
    const prev = this.prev;
    if (prev.seq !== head.seq || prev.hash !== head.hash) {
      return { ok: false, records: this.n, brokenAt: prev.seq + 1, reason: `the log ends at record ${prev.seq} but ${head.seq} were written (records removed from the end)` };
    }
    return { ok: true, records: this.n, head: prev.hash };
  }
}
