// Get-/New-/Set-/Remove-HostedOutboundSpamFilterPolicy (docs/spec.md §3).
import { Errors, fail } from '../errors.js';
import {
  DEFAULT_POLICY_NAME,
  DEFAULT_SETTINGS,
  validateName,
  validatePolicySettings,
  type OutboundSpamPolicy,
  type SettingsInput,
} from '../domain/policy.js';
import { changeDirectory, ensureUniqueName, findByIdentity, isoAt, newId, readDirectory, type AdminContext } from './directory-change.js';

export async function getPolicies(ctx: AdminContext, identity?: string): Promise<OutboundSpamPolicy[]> {
  const { d, tenant } = await readDirectory(ctx);
  if (identity !== undefined) return [findByIdentity(d.policies, tenant.Id, identity, 'outbound spam policy')];
  // Default last, as it has the lowest priority.
  return d.policies.filter((p) => p.TenantId === tenant.Id).sort((a, b) => Number(a.IsDefault) - Number(b.IsDefault));
}

/**
 * The BCC copy "works only in the default outbound spam policy" (docs/spec.md §3), so a custom policy
 * refuses it rather than store a setting that would never act.
 */
function refuseBccOnCustom(policyName: string, valid: Partial<OutboundSpamPolicy>): void {
  if (valid.BccSuspiciousOutboundMail === true || (valid.BccSuspiciousOutboundAdditionalRecipients?.length ?? 0) > 0) {
    fail(
      Errors.INVALID_ARGUMENT,
      `BccSuspiciousOutboundMail works only in the default outbound spam policy; '${policyName}' is a custom policy. Set it on '${DEFAULT_POLICY_NAME}'.`,
    );
  }
}

/**
 * `RecommendedPolicyType` is accepted as New-HostedOutboundSpamFilterPolicy accepts it and ignored:
 * Microsoft keeps it for its Standard/Strict presets ("Don't use this parameter yourself", docs/spec.md §3).
 */
export function newPolicy(ctx: AdminContext, name: string, input: SettingsInput & { RecommendedPolicyType?: unknown }): Promise<OutboundSpamPolicy> {
  const Name = validateName('Name', name);
  const { RecommendedPolicyType: _ignored, ...settings } = input;
  const valid = validatePolicySettings(settings);
  refuseBccOnCustom(Name, valid);
  return changeDirectory(ctx, (d, tenant, now) => {
    ensureUniqueName(d.policies, tenant.Id, Name, 'outbound spam policy');
    const policy: OutboundSpamPolicy = {
      Id: newId(),
      TenantId: tenant.Id,
      Name,
      IsDefault: false,
      ...DEFAULT_SETTINGS,
      ...valid,
      WhenCreatedUTC: isoAt(now),
      WhenChangedUTC: isoAt(now),
    };
    return { upsert: [{ kind: 'policy', object: policy }], operation: 'New-HostedOutboundSpamFilterPolicy', target: Name, before: null, after: policy, result: policy };
  });
}

export function setPolicy(ctx: AdminContext, identity: string, settings: SettingsInput): Promise<OutboundSpamPolicy> {
  const valid = validatePolicySettings(settings);
  return changeDirectory(ctx, (d, tenant, now) => {
    const before = findByIdentity(d.policies, tenant.Id, identity, 'outbound spam policy');
    if (!before.IsDefault) refuseBccOnCustom(before.Name, valid);
    const after: OutboundSpamPolicy = { ...before, ...valid, WhenChangedUTC: isoAt(now) };
    return { upsert: [{ kind: 'policy', object: after }], operation: 'Set-HostedOutboundSpamFilterPolicy', target: before.Name, before, after, result: after };
  });
}

export function removePolicy(ctx: AdminContext, identity: string): Promise<OutboundSpamPolicy> {
  return changeDirectory(ctx, (d, tenant) => {
    const policy = findByIdentity(d.policies, tenant.Id, identity, 'outbound spam policy');
    if (policy.IsDefault) fail(Errors.DEFAULT_POLICY_IMMUTABLE, `The default policy '${DEFAULT_POLICY_NAME}' cannot be removed.`);
    const rule = d.rules.find((r) => r.TenantId === tenant.Id && r.HostedOutboundSpamFilterPolicy.toLowerCase() === policy.Name.toLowerCase());
    if (rule) fail(Errors.POLICY_IN_USE, `Policy '${policy.Name}' is used by rule '${rule.Name}'; remove the rule first.`);
    return { remove: [{ kind: 'policy', id: policy.Id }], operation: 'Remove-HostedOutboundSpamFilterPolicy', target: policy.Name, before: policy, after: null, result: policy };
  });
}
