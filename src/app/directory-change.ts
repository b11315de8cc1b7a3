// The shape of every configuration change: read the directory, compute the change with the domain's
// rules, write it with its audit event in one transaction. A concurrent change makes the write fail on
// the revision check; the change is then computed again from fresh data (a few times, then CONFLICT).
import { randomUUID } from 'node:crypto';
import { printable } from '../domain/address.js';
import { Errors, fail, isOutgateError } from '../errors.js';
import type { Actor } from '../domain/events.js';
import { DEFAULT_TENANT_ID, type Tenant } from '../domain/tenant.js';
import type { Clock, DirectoryKind, DirectoryObject, DirectorySnapshot, Store } from './ports.js';
import { authorize, type Permission } from './roles.js';

export interface AdminContext {
  readonly store: Store;
  readonly clock: Clock;
  /** Who acts: recorded in the audit log and in restriction history. */
  readonly actor: Actor;
  /** The tenant the command acts in (name or id); the default tenant when omitted. */
  readonly tenant?: string;
  /** Unblocks of one entity allowed in 30 days before only a Global Administrator may unblock it (docs/spec.md §1); default 3. */
  readonly unblockLimit?: number;
  /** May an alert webhook post to this URL's target? Absent: no webhook target is allowed (fail closed). */
  readonly webhookTargetAllowed?: (url: string) => Promise<boolean>;
}

export interface ChangePlan<T> {
  upsert?: Array<{ kind: DirectoryKind; object: DirectoryObject }>;
  remove?: Array<{ kind: DirectoryKind; id: string }>;
  operation: string;
  target: string;
  before: unknown;
  after: unknown;
  result: T;
  /** The tenant the audit record belongs to, when not the one the command acts in (a provider changing a tenant). */
  tenantId?: string;
}

const ATTEMPTS = 3;

export async function changeDirectory<T>(
  ctx: AdminContext,
  plan: (d: DirectorySnapshot, tenant: Tenant, now: number) => ChangePlan<T>,
  permission: Permission = 'change',
): Promise<T> {
  authorize(ctx.actor, permission);
  for (let attempt = 1; ; attempt++) {
    const d = await ctx.store.loadDirectory();
    const tenant = tenantFor(ctx, d);
    const now = ctx.clock.now();
    const p = plan(d, tenant, now);
    try {
      await ctx.store.writeDirectory({
        revision: d.revision,
        upsert: p.upsert,
        remove: p.remove,
        event: {
          type: 'ConfigurationChanged',
          at: now,
          tenantId: p.tenantId ?? tenant.Id,
          actor: ctx.actor,
          operation: p.operation,
          target: p.target,
          before: p.before,
          after: p.after,
        },
      });
      return p.result;
    } catch (err) {
      if (!(isOutgateError(err) && err.code === Errors.CONFLICT.code) || attempt >= ATTEMPTS) throw err;
    }
  }
}

export async function readDirectory(ctx: AdminContext): Promise<{ d: DirectorySnapshot; tenant: Tenant }> {
  authorize(ctx.actor, 'read');
  const d = await ctx.store.loadDirectory();
  return { d, tenant: tenantFor(ctx, d) };
}

/**
 * The tenant a command acts in: the one asked for, else the actor's own, else the default tenant. An
 * actor bound to one tenant is told another tenant does not exist (404), so it cannot even learn its name.
 */
export function tenantFor(ctx: AdminContext, d: DirectorySnapshot): Tenant {
  const own = ctx.actor.tenantId;
  const t = resolveTenant(d, ctx.tenant ?? own ?? undefined);
  if (own !== null && t.Id !== own) fail(Errors.NOT_FOUND, `No tenant named '${printable(String(ctx.tenant))}'.`);
  return t;
}

/** The tenant filter of a list across tenants: the actor's own for a tenant admin, else the one asked for (or all). */
export function tenantFilter(ctx: AdminContext, d: DirectorySnapshot): string | undefined {
  if (ctx.actor.tenantId !== null || ctx.tenant !== undefined) return tenantFor(ctx, d).Id;
  return undefined;
}

export function resolveTenant(d: DirectorySnapshot, wanted: string | undefined): Tenant {
  const key = (wanted ?? DEFAULT_TENANT_ID).toLowerCase();
  const t = d.tenants.find((x) => x.Id.toLowerCase() === key || x.Name.toLowerCase() === key);
  if (!t) fail(Errors.NOT_FOUND, `No tenant named '${printable(String(wanted))}'.`);
  return t;
}

/** Finds an object by name (case-insensitive) or id within a tenant. */
export function findByIdentity<T extends { Id: string; Name: string; TenantId: string }>(
  items: readonly T[],
  tenantId: string,
  identity: string,
  what: string,
): T {
  const key = identity.trim().toLowerCase();
  const found = items.find((x) => x.TenantId === tenantId && (x.Id.toLowerCase() === key || x.Name.toLowerCase() === key));
  if (!found) fail(Errors.NOT_FOUND, `No ${what} '${identity}' exists in this tenant.`);
  return found;
}

export function ensureUniqueName(items: readonly { Name: string; TenantId: string; Id: string }[], tenantId: string, name: string, what: string, selfId?: string): void {
  if (items.some((x) => x.TenantId === tenantId && x.Id !== selfId && x.Name.toLowerCase() === name.toLowerCase())) {
    fail(Errors.ALREADY_EXISTS, `A ${what} named '${name}' already exists.`);
  }
}

export const newId = (): string => randomUUID();
export const isoAt = (now: number): string => new Date(now).toISOString();
