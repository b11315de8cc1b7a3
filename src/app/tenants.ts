// Tenants and first-run bootstrap: every tenant has its default outbound spam policy from birth.
import { DEFAULT_POLICY_NAME, DEFAULT_SETTINGS, validateName, type OutboundSpamPolicy } from '../domain/policy.js';
import { SYSTEM } from '../domain/events.js';
import { DEFAULT_TENANT_ID, type Tenant } from '../domain/tenant.js';
import { TENANT_LIMIT_MAX } from '../shared/tenant-limit.js';
import { Errors, fail } from '../errors.js';
import { changeDirectory, isoAt, newId, resolveTenant, type AdminContext } from './directory-change.js';
import { printable } from '../domain/address.js';
import { authorize } from './roles.js';
import type { Clock, Store } from './ports.js';

function defaultPolicy(tenantId: string, now: number): OutboundSpamPolicy {
  return {
    Id: newId(),
    TenantId: tenantId,
    Name: DEFAULT_POLICY_NAME,
    IsDefault: true,
    ...DEFAULT_SETTINGS,
    AdminDisplayName: 'Anti-spam outbound policy (Default)',
    WhenCreatedUTC: isoAt(now),
    WhenChangedUTC: isoAt(now),
  };
}

/** Creates the default tenant and its default policy on a new store; a no-op afterwards. */
export async function bootstrap(store: Store, clock: Clock): Promise<void> {
  const d = await store.loadDirectory();
  if (d.tenants.some((t) => t.Id === DEFAULT_TENANT_ID)) return;
  const ctx: AdminContext = { store, clock, actor: SYSTEM };
  const now = clock.now();
  const tenant: Tenant = { Id: DEFAULT_TENANT_ID, Name: 'Default', ExternalRecipientLimitPerDay: 0, WhenCreatedUTC: isoAt(now) };
  try {
    await store.writeDirectory({
      revision: d.revision,
      upsert: [
        { kind: 'tenant', object: tenant },
        { kind: 'policy', object: defaultPolicy(DEFAULT_TENANT_ID, now) },
      ],
      event: { type: 'ConfigurationChanged', at: now, tenantId: DEFAULT_TENANT_ID, actor: ctx.actor, operation: 'New-Tenant', target: 'Default', before: null, after: tenant },
    });
  } catch (err) {
    // Another process (the CLI and the server starting together) bootstrapped first.
    if ((await store.loadDirectory()).tenants.some((t) => t.Id === DEFAULT_TENANT_ID)) return;
    throw err;
  }
}

export function newTenant(ctx: AdminContext, name: string): Promise<Tenant> {
  const Name = validateName('Name', name);
  return changeDirectory({ ...ctx, tenant: undefined }, (d, _t, now) => {
    if (ctx.actor.tenantId !== null) fail(Errors.FORBIDDEN, 'Only a provider-level Global Administrator can create tenants.');
    if (d.tenants.some((t) => t.Name.toLowerCase() === Name.toLowerCase())) fail(Errors.ALREADY_EXISTS, `A tenant named '${Name}' already exists.`);
    const tenant: Tenant = { Id: newId(), Name, ExternalRecipientLimitPerDay: 0, WhenCreatedUTC: isoAt(now) };
    return {
      upsert: [
        { kind: 'tenant', object: tenant },
        { kind: 'policy', object: defaultPolicy(tenant.Id, now) },
      ],
      operation: 'New-Tenant',
      target: Name,
      before: null,
      after: tenant,
      result: tenant,
    };
  }, 'administer');
}

export async function getTenants(ctx: AdminContext): Promise<Tenant[]> {
  authorize(ctx.actor, 'read');
  const tenants = (await ctx.store.loadDirectory()).tenants;
  return tenants.filter((t) => ctx.actor.tenantId === null || t.Id === ctx.actor.tenantId);
}

export interface TenantSettings {
  /** External recipients per rolling 24 h for the whole tenant; 0 turns the limit off (docs/tenancy.md). */
  ExternalRecipientLimitPerDay?: unknown;
}

/**
 * Set-Tenant: the tenant external recipient limit. Provider level only: the limit protects the provider
 * from a compromised tenant, so the tenant's own admins cannot raise it. Audited like every change.
 */
export function setTenant(ctx: AdminContext, identity: string, input: TenantSettings): Promise<Tenant> {
  if (input.ExternalRecipientLimitPerDay === undefined) fail(Errors.MISSING_PARAMETER, 'Give -ExternalRecipientLimitPerDay (0 turns the tenant limit off).');
  const limit = tenantLimit(input.ExternalRecipientLimitPerDay);
  return changeDirectory({ ...ctx, tenant: undefined }, (d) => {
    if (ctx.actor.tenantId !== null) fail(Errors.FORBIDDEN, 'Only a provider-level Global Administrator can change a tenant.');
    const before = resolveTenant(d, identity);
    const after: Tenant = { ...before, ExternalRecipientLimitPerDay: limit };
    // The audit record is in the changed tenant, so its admins see who changed their limit.
    return { upsert: [{ kind: 'tenant', object: after }], operation: 'Set-Tenant', target: before.Name, before, after, result: after, tenantId: before.Id };
  }, 'administer');
}

function tenantLimit(v: unknown): number {
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > TENANT_LIMIT_MAX) {
    fail(Errors.OUT_OF_RANGE, `ExternalRecipientLimitPerDay must be a whole number from 0 (no tenant limit) to ${TENANT_LIMIT_MAX}; got '${printable(String(v))}'.`);
  }
  return n;
}
