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
import { resolveRecipients } from './alert-engine.js';

/**
 * A policy as admins see it, with whom its email reaches now: NotifyUser resolved to addresses, and the
 * entries that resolve to no one with the reason (TenantAdmins without an address is the usual one), so
 * "Email notifications On" never hides that the email goes nowhere.
 */
export type AlertPolicyView = AlertPolicy & { Recipients: string[]; UnresolvedRecipients: Array<{ Name: string; Reason: string }> };
type One = AlertPolicyView & { auditEnabled: boolean };

export async function getAlertPolicies(ctx: AdminContext): Promise<{ auditEnabled: boolean; items: AlertPolicyView[] }> {
  const { policies } = await load(ctx, 'read');
  const accounts = await ctx.store.listAccounts();
  return { auditEnabled: await ctx.store.auditEnabled(), items: policies.map((p) => withRecipients(p, accounts)) };
}

export async function getAlertPolicy(ctx: AdminContext, identity: string): Promise<One> {
  const { policies } = await load(ctx, 'read');
  return one(ctx, find(policies, identity));
}

export async function setAlertPolicy(ctx: AdminContext, identity: string, input: AlertPolicyInput): Promise<One> {
  const { tenant, policies } = await load(ctx, 'change');
  const before = find(policies, identity);
  const after = changePolicy(before, input, isoAt(ctx.clock.now()));
  await ctx.store.saveAlertPolicy(after, entry(ctx, tenant, 'Set-ProtectionAlert', after.Name, before, after));
  return one(ctx, after);
}

export async function newAlertPolicy(ctx: AdminContext, input: AlertPolicyInput): Promise<One> {
  const { tenant, policies } = await load(ctx, 'change');
  const policy = customPolicy(randomUUID(), tenant.Id, input, isoAt(ctx.clock.now()));
  // Names and identities share one namespace: -Identity takes either.
  const taken = (p: AlertPolicy) => [p.Name, p.Identity].some((x) => x.toLowerCase() === policy.Name.toLowerCase());
  if (policies.some(taken)) fail(Errors.ALREADY_EXISTS, `An alert policy named '${policy.Name}' already exists.`);
  await ctx.store.saveAlertPolicy(policy, entry(ctx, tenant, 'New-ProtectionAlert', policy.Name, null, policy));
  return one(ctx, policy);
}

export async function removeAlertPolicy(ctx: AdminContext, identity: string): Promise<One> {
  const { tenant, policies } = await load(ctx, 'change');
  const policy = find(policies, identity);
  if (policy.IsSystemRule) fail(Errors.ALERT_POLICY_BUILT_IN, `'${policy.Name}' is a built-in alert policy and cannot be removed; turn it off with Disabled instead.`);
  await ctx.store.removeAlertPolicy(tenant.Id, policy.Identity, entry(ctx, tenant, 'Remove-ProtectionAlert', policy.Name, policy, null));
  return one(ctx, policy);
}

async function one(ctx: AdminContext, p: AlertPolicy): Promise<One> {
  return { ...withRecipients(p, await ctx.store.listAccounts()), auditEnabled: await ctx.store.auditEnabled() };
}

function withRecipients(p: AlertPolicy, accounts: Parameters<typeof resolveRecipients>[2]): AlertPolicyView {
  const { addresses, unresolved } = resolveRecipients(p.NotifyUser, p.TenantId, accounts);
  return { ...p, Recipients: addresses, UnresolvedRecipients: unresolved.map((u) => ({ Name: u.name, Reason: u.why })) };
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
