// Outbound spam filter rules (docs/spec.md §3): who a custom policy covers. Values of one condition are OR'ed,
// different conditions AND'ed, exceptions OR'ed; enabled rules are tried by priority (0 first) and the
// first match wins. Matching uses the From (here: envelope sender) address.
import { domainOf } from './address.js';
import type { OutboundSpamPolicy } from './policy.js';

export type RuleState = 'Enabled' | 'Disabled';

export interface SenderConditions {
  From: string[];
  FromMemberOf: string[];
  SenderDomainIs: string[];
  ExceptIfFrom: string[];
  ExceptIfFromMemberOf: string[];
  ExceptIfSenderDomainIs: string[];
}

export interface OutboundSpamRule extends SenderConditions {
  Id: string;
  TenantId: string;
  Name: string;
  HostedOutboundSpamFilterPolicy: string;
  Priority: number;
  State: RuleState;
  Comments: string;
  WhenCreatedUTC: string;
  WhenChangedUTC: string;
}

export const CONDITION_FIELDS = ['From', 'FromMemberOf', 'SenderDomainIs'] as const;
export const EXCEPTION_FIELDS = ['ExceptIfFrom', 'ExceptIfFromMemberOf', 'ExceptIfSenderDomainIs'] as const;

/** Group membership lookup: the group addresses a sender address belongs to. */
export type GroupsOf = (address: string) => ReadonlySet<string>;

const NO_GROUPS: ReadonlySet<string> = new Set();

/** A domain condition covers the domain and its subdomains (docs/spec.md §3: "subdomains included"). */
function domainMatches(domain: string, wanted: readonly string[]): boolean {
  return wanted.some((d) => domain === d || domain.endsWith(`.${d}`));
}

function anyOf(
  address: string | undefined,
  from: readonly string[],
  memberOf: readonly string[],
  domains: readonly string[],
  groups: () => ReadonlySet<string>,
): { used: boolean; matched: boolean } {
  const used = from.length + memberOf.length + domains.length > 0;
  if (!used || address === undefined) return { used, matched: false };
  return {
    used,
    matched:
      from.includes(address) ||
      domainMatches(domainOf(address), domains) ||
      (memberOf.length > 0 && memberOf.some((g) => groups().has(g))),
  };
}

export function ruleMatches(rule: SenderConditions, address: string | undefined, groupsOf: GroupsOf): boolean {
  if (address === undefined) return false;
  let cached: ReadonlySet<string> | undefined;
  const groups = (): ReadonlySet<string> => (cached ??= groupsOf(address));
  const checks: Array<[readonly string[], (a: string) => boolean]> = [
    [rule.From, (a) => rule.From.includes(a)],
    [rule.FromMemberOf, () => rule.FromMemberOf.some((g) => groups().has(g))],
    [rule.SenderDomainIs, (a) => domainMatches(domainOf(a), rule.SenderDomainIs)],
  ];
  const used = checks.filter(([values]) => values.length > 0);
  if (used.length === 0 || !used.every(([, test]) => test(address))) return false;
  return !anyOf(address, rule.ExceptIfFrom, rule.ExceptIfFromMemberOf, rule.ExceptIfSenderDomainIs, groups).matched;
}

/**
 * The policy that applies to a message from `address`: the first enabled rule by priority that
 * matches, else the default policy. "Outbound spam protection stops for a sender after the first
 * policy is applied" (docs/spec.md §3).
 */
export function selectPolicy(
  rules: readonly OutboundSpamRule[],
  policies: ReadonlyMap<string, OutboundSpamPolicy>,
  defaultPolicy: OutboundSpamPolicy,
  address: string | undefined,
  groupsOf: GroupsOf = () => NO_GROUPS,
): OutboundSpamPolicy {
  const ordered = [...rules].sort((a, b) => a.Priority - b.Priority);
  for (const rule of ordered) {
    if (rule.State !== 'Enabled') continue;
    const policy = policies.get(rule.HostedOutboundSpamFilterPolicy.toLowerCase());
    if (policy && ruleMatches(rule, address, groupsOf)) return policy;
  }
  return defaultPolicy;
}

/**
 * Places a rule at `priority` (default: last) among `others`, shifting those at or below it by one,
 * so priorities stay unique and contiguous from 0 (docs/spec.md §3: "reusing a priority shifts others +1").
 * Returns the new priority of every rule by id.
 */
export function placeRule(others: readonly { Id: string; Priority: number }[], id: string, priority?: number): Map<string, number> {
  const ordered = [...others].filter((r) => r.Id !== id).sort((a, b) => a.Priority - b.Priority);
  const at = priority === undefined ? ordered.length : Math.max(0, Math.min(priority, ordered.length));
  const ids = ordered.map((r) => r.Id);
  ids.splice(at, 0, id);
  return new Map(ids.map((rid, i) => [rid, i]));
}
