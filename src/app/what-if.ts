// Policy what-if: before anyone saves a change, replay the last 7 days of stored hourly sending against
// it and say which senders it would have restricted, and when. The proposal is applied to a copy of
// the directory and resolved with the same Directory the live decisions use, so who a proposed rule
// covers is decided exactly as it would be after saving.
import { DEFAULT_SETTINGS, validateName, validatePolicySettings, type OutboundSpamPolicy, type SettingsInput } from '../domain/policy.js';
import { placeRule, type OutboundSpamRule } from '../domain/rule.js';
import type { ServiceLimits } from '../domain/service-limits.js';
import { replay, type WhatIfHit } from '../domain/what-if.js';
import { Errors, fail } from '../errors.js';
import { Directory } from './directory.js';
import { findByIdentity, readDirectory, type AdminContext } from './directory-change.js';
import type { DirectorySnapshot } from './ports.js';
import { emptyConditions, priority, validateConditions, type RuleInput } from './rules.js';

export interface WhatIfInput {
  /** An existing policy to change; absent: a new policy (then Rule is required). */
  Policy?: string;
  /** The new policy's name (shown in the result). */
  Name?: string;
  Settings?: SettingsInput;
  /** Who the policy covers: replaces the conditions of the policy's rule, or makes one. */
  Rule?: RuleInput;
  /** Where the policy's rule would sit (0 first); absent: where saving would put it (a new rule last). */
  Priority?: number;
}

export interface WhatIfResult {
  Policy: string;
  From: string;
  To: string;
  /** Senders with sending in the period that the proposed policy would cover. */
  SendersEvaluated: number;
  /** The rule's place among the tenant's rules (0 first), as saving would leave it; null for the default policy. */
  Priority: number | null;
  /** Policies tried before this one, in order: senders they cover are never judged by it. */
  EvaluatedAfter: string[];
  Count: number;
  Restricted: Array<{ EntityType: 'Mailbox'; Entity: string; At: string; Limit: string; Count: number; Threshold: number; Outcome: WhatIfHit['outcome'] }>;
  /** The same senders under the settings in force today, for comparison. */
  CurrentCount: number;
  Note: string;
}

const HOUR = 3_600_000;
const DAYS = 7;
const PROPOSED_ID = 'what-if-proposed';

export async function policyWhatIf(ctx: AdminContext, service: ServiceLimits, input: WhatIfInput): Promise<WhatIfResult> {
  const { d, tenant } = await readDirectory(ctx);
  const settings = validatePolicySettings(input.Settings ?? {});
  const now = ctx.clock.now();
  const stamp = new Date(now).toISOString();
  let policy: OutboundSpamPolicy;
  if (input.Policy !== undefined) {
    policy = { ...findByIdentity(d.policies, tenant.Id, input.Policy, 'outbound spam policy'), ...settings };
  } else {
    const Name = validateName('Name', input.Name ?? 'Proposed policy');
    policy = { Id: PROPOSED_ID, TenantId: tenant.Id, Name, IsDefault: false, ...DEFAULT_SETTINGS, ...settings, WhenCreatedUTC: stamp, WhenChangedUTC: stamp };
  }
  if (input.Policy === undefined && input.Rule === undefined) fail(Errors.MISSING_PARAMETER, 'A new policy needs a Rule: who it covers (From, FromMemberOf or SenderDomainIs).');
  const conditions = input.Rule === undefined ? undefined : validateConditions(input.Rule, input.Policy === undefined);
  const proposed = applyProposal(d, policy, conditions, input.Priority, stamp);
  const place = placeOf(proposed, policy);

  const current = new Directory(d, service);
  const next = new Directory(proposed, service);
  const lastHour = Math.floor(now / HOUR);
  const fromHour = lastHour - DAYS * 24 + 1;
  // A day's history before the period too, so its first hours see a full 24-hour window.
  const history = await ctx.store.sendingHistoryAll(fromHour - 24, tenant.Id);
  const restricted: WhatIfResult['Restricted'] = [];
  let evaluated = 0;
  let currentCount = 0;
  for (const { sender, hours } of history) {
    if (sender.type !== 'Mailbox' || !hours.some((h) => h.hour >= fromHour)) continue;
    const limits = next.limitsFor(sender, sender.identity);
    if (limits.policyName.toLowerCase() !== policy.Name.toLowerCase()) continue;
    evaluated++;
    const hits = replay(hours, limits, fromHour, lastHour);
    if (replay(hours, current.limitsFor(sender, sender.identity), fromHour, lastHour).length > 0) currentCount++;
    const first = hits[0];
    if (first) {
      restricted.push({ EntityType: 'Mailbox', Entity: sender.identity, At: new Date(first.at).toISOString(), Limit: first.limit, Count: first.count, Threshold: first.threshold, Outcome: first.outcome });
    }
  }
  restricted.sort((a, b) => a.At.localeCompare(b.At) || a.Entity.localeCompare(b.Entity));
  return {
    Policy: policy.Name,
    From: new Date(fromHour * HOUR).toISOString(),
    To: new Date((lastHour + 1) * HOUR).toISOString(),
    SendersEvaluated: evaluated,
    ...place,
    Count: restricted.length,
    Restricted: restricted,
    CurrentCount: currentCount,
    Note: 'Replayed from hourly counts: a burst split across two clock hours may not show here although the live minute-by-minute windows would catch it.',
  };
}

/** The directory as it would be with the proposed policy (and its rule's conditions) saved. */
function applyProposal(
  d: DirectorySnapshot,
  policy: OutboundSpamPolicy,
  conditions: ReturnType<typeof validateConditions> | undefined,
  at: number | undefined,
  stamp: string,
): DirectorySnapshot {
  const policies = [...d.policies.filter((p) => p.Id !== policy.Id), policy];
  const tenantRules = d.rules.filter((r) => r.TenantId === policy.TenantId);
  const existing = tenantRules.find((r) => r.HostedOutboundSpamFilterPolicy.toLowerCase() === policy.Name.toLowerCase());
  if (conditions === undefined && (existing === undefined || at === undefined)) return { ...d, policies };
  const rule: OutboundSpamRule = existing
    ? { ...existing, ...emptyConditions(), ...(conditions ?? existing), State: 'Enabled' }
    : { Id: PROPOSED_ID, TenantId: policy.TenantId, Name: policy.Name, HostedOutboundSpamFilterPolicy: policy.Name, Priority: 0, State: 'Enabled', ...emptyConditions(), ...conditions, Comments: '', WhenCreatedUTC: stamp, WhenChangedUTC: stamp };
  // Placed exactly where saving would place it: a new rule last unless a priority is given (the same
  // rule as New-/Set-HostedOutboundSpamFilterRule), an existing rule where it is.
  const others = tenantRules.filter((r) => r.Id !== rule.Id);
  const order = placeRule(tenantRules, rule.Id, priority(at ?? existing?.Priority, others.length));
  const rules = [...d.rules.filter((r) => r.TenantId !== policy.TenantId), ...[...tenantRules.filter((r) => r.Id !== rule.Id), rule].map((r) => ({ ...r, Priority: order.get(r.Id) ?? r.Priority }))];
  return { ...d, policies, rules };
}

/** Where the proposed policy sits in the proposed directory, and which enabled policies come first. */
function placeOf(d: DirectorySnapshot, policy: OutboundSpamPolicy): Pick<WhatIfResult, 'Priority' | 'EvaluatedAfter'> {
  const rules = d.rules.filter((r) => r.TenantId === policy.TenantId).sort((a, b) => a.Priority - b.Priority);
  const own = rules.find((r) => r.HostedOutboundSpamFilterPolicy.toLowerCase() === policy.Name.toLowerCase());
  const before = rules.filter((r) => r.State === 'Enabled' && (own === undefined || r.Priority < own.Priority) && r !== own);
  return { Priority: own ? own.Priority : null, EvaluatedAfter: before.map((r) => r.HostedOutboundSpamFilterPolicy) };
}
