// Get-/Set-/New-/Remove-ProtectionAlert: the tenant's alert policies (docs/spec.md §5). Every change is
// audited; the views say when auditing is off, because alerts then cannot fire.
import { randomUUID } from 'node:crypto';
import { changePolicy, customPolicy, findPolicy, tenantPolicies, type AlertPolicy, type AlertPolicyInput } from '../domain/alert-policy.js';
import { printable } from '../domain/address.js';
import { Errors, fail } from '../errors.js';
import type { AuditEntry } from './audit.js';
import { isoAt, tenantFor, type AdminContext } from './directory-change.js';
import { authorize } from './roles.js';
import type { Tenant } from '../domain/tenant.js';

export async function getAlertPolicies(ctx: AdminContext): Promise<{ auditEnabled: boolean; items: AlertPolicy[] }> {
  const { policies } = await load(ctx, 'read');
  return { auditEnabled: await ctx.store.auditEnabled(), items: policies };
}

export async function getAlertPolicy(ctx: AdminContext, identity: string): Promise<AlertPolicy & { auditEnabled: boolean }> {
  const { policies } = await load(ctx, 'read');
  return { ...find(policies, identity), auditEnabled: await ctx.store.auditEnabled() };
}

export async function setAlertPolicy(ctx: AdminContext, identity: string, input: AlertPolicyInput): Promise<AlertPolicy & { auditEnabled: boolean }> {
  const { tenant, policies } = await load(ctx, 'change');
  const before = find(policies, identity);
  const after = changePolicy(before, input, isoAt(ctx.clock.now()));
  await ctx.store.saveAlertPolicy(after, entry(ctx, tenant, 'Set-ProtectionAlert', after.Name, before, after));
  return { ...after, auditEnabled: await ctx.store.auditEnabled() };
}

export async function newAlertPolicy(ctx: AdminContext, input: AlertPolicyInput): Promise<AlertPolicy & { auditEnabled: boolean }> {
  const { tenant, policies } = await load(ctx, 'change');
  const policy = customPolicy(randomUUID(), tenant.Id, input, isoAt(ctx.clock.now()));
  // Names and identities share one namespace: -Identity takes either.
  const taken = (p: AlertPolicy) => [p.Name, p.Identity].some((x) => x.toLowerCase() === policy.Name.toLowerCase());
  if (policies.some(taken)) fail(Errors.ALREADY_EXISTS, `An alert policy named '${policy.Name}' already exists.`);
  await ctx.store.saveAlertPolicy(policy, entry(ctx, tenant, 'New-ProtectionAlert', policy.Name, null, policy));
  return { ...policy, auditEnabled: await ctx.store.auditEnabled() };
}

export async function removeAlertPolicy(ctx: AdminContext, identity: string): Promise<AlertPolicy & { auditEnabled: boolean }> {
  const { tenant, policies } = await load(ctx, 'change');
  const policy = find(policies, identity);
  if (policy.IsSystemRule) fail(Errors.ALERT_POLICY_BUILT_IN, `'${policy.Name}' is a built-in alert policy and cannot be removed; turn it off with Disabled instead.`);
  await ctx.store.removeAlertPolicy(tenant.Id, policy.Identity, entry(ctx, tenant, 'Remove-ProtectionAlert', policy.Name, policy, null));
  return { ...policy, auditEnabled: await ctx.store.auditEnabled() };
}

async function load(ctx: AdminContext, permission: 'read' | 'change'): Promise<{ tenant: Tenant; policies: AlertPolicy[] }> {
  authorize(ctx.actor, permission);
  const tenant = tenantFor(ctx, await ctx.store.loadDirectory());
  return { tenant, policies: tenantPolicies(await ctx.store.listAlertPolicies(tenant.Id), tenant.Id, tenant.WhenCreatedUTC) };
}

function find(policies: readonly AlertPolicy[], identity: string): AlertPolicy {
  const p = findPolicy(policies, identity);
  if (!p) fail(Errors.NOT_FOUND, `No alert policy '${printable(identity)}' exists in this tenant.`);
  return p;
}

export function entry(ctx: AdminContext, tenant: Tenant, operation: string, target: string, before: unknown, after: unknown): AuditEntry {
  return { at: ctx.clock.now(), tenantId: tenant.Id, actor: ctx.actor, operation, target, before, after, result: 'Succeeded' };
}
