// Get-/New-/Set-/Remove-/Enable-/Disable-HostedOutboundSpamFilterRule (docs/spec.md §3): which senders a
// custom policy covers, in priority order (0 first, unique, contiguous).
import { Errors, fail } from '../errors.js';
import { addressList, bool, text, validateName } from '../domain/policy.js';
import { normalizeDomain, printable } from '../domain/address.js';
import { CONDITION_FIELDS, EXCEPTION_FIELDS, placeRule, type OutboundSpamRule, type SenderConditions } from '../domain/rule.js';
import type { DirectoryObject, DirectorySnapshot } from './ports.js';
import { changeDirectory, ensureUniqueName, findByIdentity, isoAt, newId, readDirectory, type AdminContext } from './directory-change.js';

export interface RuleInput extends Partial<Record<keyof SenderConditions, unknown>> {
  HostedOutboundSpamFilterPolicy?: unknown;
  Priority?: unknown;
  Enabled?: unknown;
  Comments?: unknown;
  Name?: unknown;
}

const COMMENTS_MAX = 1024;

export async function getRules(ctx: AdminContext, identity?: string, state?: string): Promise<OutboundSpamRule[]> {
  const { d, tenant } = await readDirectory(ctx);
  if (identity !== undefined) return [findByIdentity(d.rules, tenant.Id, identity, 'outbound spam filter rule')];
  const wanted = state === undefined ? undefined : oneState(state);
  return d.rules.filter((r) => r.TenantId === tenant.Id && (wanted === undefined || r.State === wanted)).sort((a, b) => a.Priority - b.Priority);
}

export function newRule(ctx: AdminContext, name: string, input: RuleInput): Promise<OutboundSpamRule> {
  const Name = validateName('Name', name);
  const conditions = validateConditions(input, true);
  return changeDirectory(ctx, (d, tenant, now) => {
    ensureUniqueName(d.rules, tenant.Id, Name, 'outbound spam filter rule');
    const policy = policyFor(d, tenant.Id, input.HostedOutboundSpamFilterPolicy);
    const bound = d.rules.find((r) => r.TenantId === tenant.Id && r.HostedOutboundSpamFilterPolicy.toLowerCase() === policy.toLowerCase());
    if (bound) fail(Errors.POLICY_IN_USE, `Policy '${policy}' is already used by rule '${bound.Name}'.`);
    const rule: OutboundSpamRule = {
      Id: newId(),
      TenantId: tenant.Id,
      Name,
      HostedOutboundSpamFilterPolicy: policy,
      Priority: 0,
      State: input.Enabled === undefined || bool('Enabled', input.Enabled) ? 'Enabled' : 'Disabled',
      ...emptyConditions(),
      ...conditions,
      Comments: input.Comments === undefined ? '' : text('Comments', input.Comments, COMMENTS_MAX, true),
      WhenCreatedUTC: isoAt(now),
      WhenChangedUTC: isoAt(now),
    };
    const tenantRules = d.rules.filter((r) => r.TenantId === tenant.Id);
    const upsert = reprioritize(tenantRules, rule, priority(input.Priority, tenantRules.length));
    return { upsert, operation: 'New-HostedOutboundSpamFilterRule', target: Name, before: null, after: rule, result: ruleIn(upsert, rule.Id) };
  });
}

export function setRule(ctx: AdminContext, identity: string, input: RuleInput): Promise<OutboundSpamRule> {
  const conditions = validateConditions(input, false);
  return changeDirectory(ctx, (d, tenant, now) => {
    const before = findByIdentity(d.rules, tenant.Id, identity, 'outbound spam filter rule');
    const Name = input.Name === undefined ? before.Name : validateName('Name', input.Name);
    ensureUniqueName(d.rules, tenant.Id, Name, 'outbound spam filter rule', before.Id);
    const policy = input.HostedOutboundSpamFilterPolicy === undefined ? before.HostedOutboundSpamFilterPolicy : policyFor(d, tenant.Id, input.HostedOutboundSpamFilterPolicy);
    const after: OutboundSpamRule = {
      ...before,
      ...conditions,
      Name,
      HostedOutboundSpamFilterPolicy: policy,
      Comments: input.Comments === undefined ? before.Comments : text('Comments', input.Comments, COMMENTS_MAX, true),
      WhenChangedUTC: isoAt(now),
    };
    if (![...CONDITION_FIELDS].some((f) => after[f].length > 0)) {
      fail(Errors.MISSING_PARAMETER, 'A rule needs at least one of From, FromMemberOf or SenderDomainIs.');
    }
    const tenantRules = d.rules.filter((r) => r.TenantId === tenant.Id);
    const upsert = input.Priority === undefined ? [{ kind: 'rule' as const, object: after }] : reprioritize(tenantRules, after, priority(input.Priority, tenantRules.length - 1));
    return { upsert, operation: 'Set-HostedOutboundSpamFilterRule', target: before.Name, before, after, result: ruleIn(upsert, after.Id) };
  });
}

export function setRuleState(ctx: AdminContext, identity: string, enabled: boolean): Promise<OutboundSpamRule> {
  return changeDirectory(ctx, (d, tenant, now) => {
    const before = findByIdentity(d.rules, tenant.Id, identity, 'outbound spam filter rule');
    const after: OutboundSpamRule = { ...before, State: enabled ? 'Enabled' : 'Disabled', WhenChangedUTC: isoAt(now) };
    const operation = enabled ? 'Enable-HostedOutboundSpamFilterRule' : 'Disable-HostedOutboundSpamFilterRule';
    return { upsert: [{ kind: 'rule', object: after }], operation, target: before.Name, before, after, result: after };
  });
}

export function removeRule(ctx: AdminContext, identity: string): Promise<OutboundSpamRule> {
  return changeDirectory(ctx, (d, tenant) => {
    const rule = findByIdentity(d.rules, tenant.Id, identity, 'outbound spam filter rule');
    // Close the gap so priorities stay contiguous.
    const rest = d.rules.filter((r) => r.TenantId === tenant.Id && r.Id !== rule.Id).sort((a, b) => a.Priority - b.Priority);
    const upsert = rest.flatMap((r, i) => (r.Priority === i ? [] : [{ kind: 'rule' as const, object: { ...r, Priority: i } }]));
    return { remove: [{ kind: 'rule', id: rule.Id }], upsert, operation: 'Remove-HostedOutboundSpamFilterRule', target: rule.Name, before: rule, after: null, result: rule };
  });
}

function reprioritize(tenantRules: readonly OutboundSpamRule[], rule: OutboundSpamRule, at: number): Array<{ kind: 'rule'; object: DirectoryObject }> {
  const order = placeRule(tenantRules, rule.Id, at);
  const all = [...tenantRules.filter((r) => r.Id !== rule.Id), rule];
  return all.flatMap((r) => {
    const p = order.get(r.Id)!;
    return r.Id === rule.Id || r.Priority !== p ? [{ kind: 'rule' as const, object: { ...r, Priority: p } }] : [];
  });
}

function ruleIn(upsert: ReadonlyArray<{ object: DirectoryObject }>, id: string): OutboundSpamRule {
  return upsert.find((u) => u.object.Id === id)!.object as OutboundSpamRule;
}

/** A rule's priority from input: absent means last (`max`), as New-HostedOutboundSpamFilterRule places it. */
export function priority(value: unknown, max: number): number {
  if (value === undefined) return max;
  const n = typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > max) {
    fail(Errors.OUT_OF_RANGE, `Priority must be a whole number from 0 to ${max}; got '${printable(String(value))}'.`);
  }
  return n;
}

function policyFor(d: DirectorySnapshot, tenantId: string, value: unknown): string {
  if (value === undefined) fail(Errors.MISSING_PARAMETER, 'HostedOutboundSpamFilterPolicy is required.');
  const policy = findByIdentity(d.policies, tenantId, String(value), 'outbound spam policy');
  if (policy.IsDefault) fail(Errors.DEFAULT_POLICY_IMMUTABLE, 'The default policy applies to everyone and cannot be bound to a rule.');
  return policy.Name;
}

function oneState(v: string): 'Enabled' | 'Disabled' {
  const s = v.trim().toLowerCase();
  if (s === 'enabled') return 'Enabled';
  if (s === 'disabled') return 'Disabled';
  fail(Errors.INVALID_ARGUMENT, `State must be Enabled or Disabled; got '${printable(v)}'.`);
}

export function emptyConditions(): SenderConditions {
  return { From: [], FromMemberOf: [], SenderDomainIs: [], ExceptIfFrom: [], ExceptIfFromMemberOf: [], ExceptIfSenderDomainIs: [] };
}

export function validateConditions(input: RuleInput, requireOne: boolean): Partial<SenderConditions> {
  const out: Partial<SenderConditions> = {};
  for (const f of [...CONDITION_FIELDS, ...EXCEPTION_FIELDS]) {
    const v = input[f];
    if (v === undefined) continue;
    out[f] = f.endsWith('SenderDomainIs') ? domainList(f, v) : addressList(f, v);
  }
  if (requireOne && !CONDITION_FIELDS.some((f) => (out[f]?.length ?? 0) > 0)) {
    fail(Errors.MISSING_PARAMETER, 'A rule needs at least one of From, FromMemberOf or SenderDomainIs.');
  }
  return out;
}

function domainList(field: string, value: unknown): string[] {
  const items = Array.isArray(value) ? value : String(value).split(',');
  const out = items
    .map((v) => String(v).trim())
    .filter((v) => v !== '')
    .map((v) => normalizeDomain(v) ?? fail(Errors.INVALID_ARGUMENT, `${field}: '${printable(v)}' is not a domain name.`));
  return [...new Set(out)];
}
