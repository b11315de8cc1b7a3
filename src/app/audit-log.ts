// Search-AdminAuditLog, Test-AuditLogIntegrity, Get-/Set-AdminAuditLogConfig.
import { printable } from '../domain/address.js';
import { bool } from '../domain/policy.js';
import { Errors, fail } from '../errors.js';
import { AUDIT_CONFIG_OPERATION, HYGIENE_OPERATIONS, HYGIENE_TENANT_EVENTS, type AuditRecord, type IntegrityReport } from './audit.js';
import { brokenAnchor, formatAnchor, parseAnchors } from './audit-anchor.js';
import { tenantFilter, type AdminContext } from './directory-change.js';
import { authorize } from './roles.js';

export interface AuditSearch {
  StartDate?: unknown;
  EndDate?: unknown;
  Operations?: unknown;
  UserIds?: unknown;
  ObjectIds?: unknown;
  ResultSize?: unknown;
}

/** An audit record as admins read it. */
export interface AuditLogEntry {
  Sequence: number;
  CreationDate: string;
  TenantId: string;
  UserId: string;
  Role: string;
  Source: string;
  ClientIP: string | null;
  Operation: string;
  ObjectId: string;
  Before: unknown;
  After: unknown;
  ResultStatus: string;
  Hash: string;
}

const RESULT_MAX = 50_000;

export async function searchAuditLog(ctx: AdminContext, q: AuditSearch): Promise<AuditLogEntry[]> {
  const from = q.StartDate === undefined ? undefined : date('StartDate', q.StartDate);
  const to = q.EndDate === undefined ? undefined : date('EndDate', q.EndDate);
  if (from !== undefined && to !== undefined && from >= to) fail(Errors.INVALID_ARGUMENT, 'StartDate must be before EndDate.');
  const limit = q.ResultSize === undefined ? 1000 : size(q.ResultSize);
  authorize(ctx.actor, 'read');
  const tenantId = tenantFilter(ctx, await ctx.store.loadDirectory());
  const records = await ctx.store.searchAudit({
    tenantId,
    from,
    to,
    operations: withEopNames(list(q.Operations)),
    actors: list(q.UserIds),
    targets: list(q.ObjectIds),
    limit,
  });
  return records.map(present);
}

/** EOP's `HygieneTenantEvents` stands for the Outgate operations recorded under it (audit.ts). */
function withEopNames(ops: string[] | undefined): string[] | undefined {
  if (!ops?.some((o) => o.toLowerCase() === HYGIENE_TENANT_EVENTS.toLowerCase())) return ops;
  return [...new Set([...ops.filter((o) => o.toLowerCase() !== HYGIENE_TENANT_EVENTS.toLowerCase()), ...HYGIENE_OPERATIONS])];
}

/**
 * The whole chain is verified for everyone (a tenant's records are only as safe as the chain), but a
 * tenant's admin is told its own record count and not the head, which moves with other tenants' activity.
 */
/**
 * Verifies the chain, and that it still holds each `Anchor` exported earlier (audit-anchor.ts). A
 * provider-level administrator is also given the head as the next anchor to keep outside the database.
 */
export async function testAuditLogIntegrity(
  ctx: AdminContext,
  params: { Anchor?: unknown } = {},
): Promise<IntegrityReport | { ok: true; records: number; anchor?: string; anchorsChecked?: number }> {
  authorize(ctx.actor, 'read');
  const anchors = parseAnchors(params.Anchor);
  const own = ctx.actor.tenantId;
  if (own !== null) {
    // The head and the anchors describe every tenant's records: a tenant learns only its own count.
    if (anchors.length > 0) fail(Errors.FORBIDDEN, 'Anchors name the service-wide chain: a provider-level administrator checks them.');
    const report = await ctx.store.verifyAudit(own);
    return report.ok ? { ok: true, records: report.records } : report;
  }
  const report = await ctx.store.verifyAudit();
  if (!report.ok) return report;
  const broken = await brokenAnchor(ctx.store, anchors);
  if (broken) return { ok: false, records: report.records, brokenAt: broken.anchor.seq, reason: broken.reason };
  // Sequences run 1..n without gaps in a verified chain, so the head is record n.
  return {
    ...report,
    anchor: report.records === 0 ? undefined : formatAnchor({ seq: report.records, hash: report.head }),
    anchorsChecked: anchors.length,
  };
}

export async function getAuditConfig(
  ctx: AdminContext,
): Promise<{ UnifiedAuditLogIngestionEnabled: boolean; AlertsCanFire: boolean; Note: string }> {
  authorize(ctx.actor, 'read');
  const on = await ctx.store.auditEnabled();
  return {
    UnifiedAuditLogIngestionEnabled: on,
    AlertsCanFire: on,
    Note: on
      ? 'Audit logging is on: every change is recorded and alerts can fire.'
      : 'Audit logging is OFF: changes are not recorded and alerts cannot fire.',
  };
}

export async function setAuditConfig(ctx: AdminContext, enabled: unknown): Promise<ReturnType<typeof getAuditConfig>> {
  const on = bool('UnifiedAuditLogIngestionEnabled', enabled);
  // Auditing is service-wide: a tenant's admin switching it would blind every other tenant.
  authorize(ctx.actor, 'administer');
  if (ctx.actor.tenantId !== null)
    fail(Errors.FORBIDDEN, 'Audit logging is service-wide: only a provider-level Global Administrator can switch it.');
  const before = await ctx.store.auditEnabled();
  const { tenants } = await ctx.store.loadDirectory();
  const at = ctx.clock.now();
  // One record in every tenant, so each tenant's own audit search shows who switched its auditing.
  await ctx.store.setAuditEnabled(
    on,
    tenants.map((t) => ({
      at,
      tenantId: t.Id,
      actor: ctx.actor,
      operation: AUDIT_CONFIG_OPERATION,
      target: 'AdminAuditLogConfig',
      before: { UnifiedAuditLogIngestionEnabled: before },
      after: { UnifiedAuditLogIngestionEnabled: on },
      result: 'Succeeded' as const,
    })),
  );
  return getAuditConfig(ctx);
}

function present(r: AuditRecord): AuditLogEntry {
  return {
    Sequence: r.seq,
    CreationDate: new Date(r.at).toISOString(),
    TenantId: r.tenantId,
    UserId: r.actor,
    Role: r.role,
    Source: r.source,
    ClientIP: r.sourceIp,
    Operation: r.operation,
    ObjectId: r.target,
    Before: r.before === null ? null : JSON.parse(r.before),
    After: r.after === null ? null : JSON.parse(r.after),
    ResultStatus: r.result,
    Hash: r.hash,
  };
}

function date(field: string, v: unknown): number {
  const t = Date.parse(String(v));
  if (Number.isNaN(t))
    fail(Errors.INVALID_ARGUMENT, `${field} '${printable(String(v))}' is not a date (use e.g. 2026-11-28 or 2026-11-28T10:00:00Z).`);
  return t;
}

function size(v: unknown): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > RESULT_MAX)
    fail(Errors.OUT_OF_RANGE, `ResultSize must be a whole number from 1 to ${RESULT_MAX}.`);
  return n;
}

function list(v: unknown): string[] | undefined {
  if (v === undefined) return undefined;
  const items = (Array.isArray(v) ? v : String(v).split(',')).map((x) => String(x).trim()).filter((x) => x !== '');
  return items.length > 0 ? items : undefined;
}
