// Alert policies (docs/spec.md §5): the built-in Threat management policies every tenant has, what an admin may
// change on them ("The other settings for these policies can't be edited"), and custom policies on the
// same event kinds.
import { Errors, fail } from '../errors.js';
import { normalizeAddress, printable } from './address.js';
import { bool, oneOf, text, validateName } from './policy.js';

export const ALERT_EVENTS = ['UserRestricted', 'SendingLimitExceeded', 'SuspiciousSending', 'ConnectorRestricted', 'TenantRestricted', 'SuspiciousTenantSending', 'SuspiciousForwarding'] as const;
export type AlertEvent = (typeof ALERT_EVENTS)[number];
export const SEVERITIES = ['High', 'Medium', 'Low', 'Informational'] as const;
export type Severity = (typeof SEVERITIES)[number];
/** The daily notification limit choices (docs/spec.md §5); null = No limit. */
export const DAILY_LIMITS = [1, 5, 10, 25, 50, 150, 200] as const;
/** Recipients meaning the tenant's Global Administrators, resolved when the alert fires. */
export const TENANT_ADMINS = 'TenantAdmins';
/** AP: EOP aggregates repeat events for 15 minutes. */
export const DEFAULT_AGGREGATION_MINUTES = 15;
export const AGGREGATION_MAX_MINUTES = 1440;
const RECIPIENTS_MAX = 50;

export interface AlertPolicy {
  Identity: string;
  Name: string;
  Category: 'ThreatManagement';
  Severity: Severity;
  Description: string;
  IsSystemRule: boolean;
  Disabled: boolean;
  Event: AlertEvent;
  NotificationEnabled: boolean;
  NotifyUser: string[];
  DailyNotificationLimit: number | null;
  AggregationMinutes: number;
  TenantId: string;
  WhenChanged: string;
}

interface BuiltIn {
  readonly Name: string;
  readonly Severity: Severity;
  readonly Description: string;
}

/** The built-in policies: one per event kind; their Identity is the event name. Names and severities are EOP's. */
export const BUILT_IN: Readonly<Record<AlertEvent, BuiltIn>> = Object.freeze({
  UserRestricted: {
    Name: 'User restricted from sending email',
    Severity: 'High',
    Description: 'A user was restricted from sending outbound mail because it went over an outbound spam policy limit; it is listed on the Restricted entities page.',
  },
  SendingLimitExceeded: {
    Name: 'Email sending limit exceeded',
    Severity: 'Medium',
    Description: 'A sender sent more mail than is allowed by the outbound spam policy (action Alert) or reached a service limit.',
  },
  SuspiciousSending: {
    Name: 'Suspicious email sending patterns detected',
    Severity: 'Medium',
    Description: 'A sender is close to an outbound limit and is at risk of being restricted from sending email: an early warning.',
  },
  ConnectorRestricted: {
    Name: 'Suspicious connector activity',
    Severity: 'High',
    Description: 'Suspicious activity was detected on an inbound connector: mail is blocked from using the inbound connector.',
  },
  TenantRestricted: {
    Name: 'Tenant restricted from sending email',
    Severity: 'High',
    Description: 'The tenant went over its external recipient limit and is blocked from sending email to external recipients; a provider-level Global Administrator can unblock it on the Restricted entities page.',
  },
  SuspiciousTenantSending: {
    Name: 'Suspicious tenant sending patterns observed',
    Severity: 'High',
    Description: 'The tenant is close to its external recipient limit and is at risk of being restricted from sending email: an early warning.',
  },
  SuspiciousForwarding: {
    Name: 'Suspicious email forwarding activity',
    Severity: 'High',
    Description: 'A user automatically forwarded a message to an external recipient, which the outbound spam policy does not allow (AutoForwardingMode); the message was refused.',
  },
});

export function builtInPolicy(event: AlertEvent, tenantId: string, changedAt: string): AlertPolicy {
  const b = BUILT_IN[event];
  return {
    Identity: event,
    Name: b.Name,
    Category: 'ThreatManagement',
    Severity: b.Severity,
    Description: b.Description,
    IsSystemRule: true,
    Disabled: false,
    Event: event,
    NotificationEnabled: true,
    NotifyUser: [TENANT_ADMINS],
    DailyNotificationLimit: null,
    AggregationMinutes: DEFAULT_AGGREGATION_MINUTES,
    TenantId: tenantId,
    WhenChanged: changedAt,
  };
}

/** What an admin may send; undefined fields keep their value. */
export interface AlertPolicyInput {
  Name?: unknown;
  Event?: unknown;
  Severity?: unknown;
  Description?: unknown;
  Disabled?: unknown;
  NotificationEnabled?: unknown;
  NotifyUser?: unknown;
  DailyNotificationLimit?: unknown;
  AggregationMinutes?: unknown;
}

const EDITABLE_ON_BUILT_IN = new Set(['Disabled', 'NotificationEnabled', 'NotifyUser', 'DailyNotificationLimit']);

/** Applies a change to a policy; a built-in one refuses anything but status and notifications. */
export function changePolicy(p: AlertPolicy, input: AlertPolicyInput, changedAt: string): AlertPolicy {
  const given = Object.entries(input).filter(([, v]) => v !== undefined).map(([k]) => k);
  if (p.IsSystemRule) {
    const locked = given.filter((k) => !EDITABLE_ON_BUILT_IN.has(k));
    if (locked.length > 0) {
      fail(Errors.ALERT_POLICY_BUILT_IN, `'${p.Name}' is a built-in alert policy: only Disabled, NotificationEnabled, NotifyUser and DailyNotificationLimit can be changed (not ${locked.join(', ')}).`);
    }
  } else if (input.Name !== undefined || input.Event !== undefined) {
    fail(Errors.INVALID_ARGUMENT, 'Name and Event of an alert policy cannot be changed; make a new policy instead.');
  }
  const after: AlertPolicy = {
    ...p,
    Severity: input.Severity === undefined ? p.Severity : oneOf('Severity', input.Severity, SEVERITIES),
    Description: input.Description === undefined ? p.Description : text('Description', input.Description, 1024, true),
    Disabled: input.Disabled === undefined ? p.Disabled : bool('Disabled', input.Disabled),
    NotificationEnabled: input.NotificationEnabled === undefined ? p.NotificationEnabled : bool('NotificationEnabled', input.NotificationEnabled),
    NotifyUser: input.NotifyUser === undefined ? p.NotifyUser : notifyUsers(input.NotifyUser),
    DailyNotificationLimit: input.DailyNotificationLimit === undefined ? p.DailyNotificationLimit : dailyLimit(input.DailyNotificationLimit),
    AggregationMinutes: input.AggregationMinutes === undefined ? p.AggregationMinutes : aggregationMinutes(input.AggregationMinutes),
    WhenChanged: changedAt,
  };
  // Opted in to email with nobody to tell would fail every time, silently from the admin's view.
  if (after.NotificationEnabled && after.NotifyUser.length === 0) fail(Errors.MISSING_PARAMETER, 'NotifyUser needs at least one recipient while NotificationEnabled is on (TenantAdmins, an address or an account name).');
  return after;
}

/** A custom policy on one of the event kinds, with the built-in defaults for what is not given. */
export function customPolicy(id: string, tenantId: string, input: AlertPolicyInput, changedAt: string): AlertPolicy {
  const Name = validateName('Name', input.Name);
  const Event = oneOf('Event', input.Event, ALERT_EVENTS);
  if (input.Severity === undefined) fail(Errors.MISSING_PARAMETER, 'Severity is required (High, Medium, Low or Informational).');
  const base: AlertPolicy = { ...builtInPolicy(Event, tenantId, changedAt), Identity: id, Name, Description: '', IsSystemRule: false };
  return changePolicy(base, { ...input, Name: undefined, Event: undefined }, changedAt);
}

export function notifyUsers(v: unknown): string[] {
  const items = (Array.isArray(v) ? v : String(v).split(',')).map((x) => String(x).trim()).filter((x) => x !== '');
  if (items.length > RECIPIENTS_MAX) fail(Errors.OUT_OF_RANGE, `NotifyUser takes at most ${RECIPIENTS_MAX} recipients.`);
  const out = items.map((x) => {
    if (x.toLowerCase() === TENANT_ADMINS.toLowerCase()) return TENANT_ADMINS;
    if (x.includes('@')) return normalizeAddress(x, 'NotifyUser');
    // An admin account name, resolved to its email address when the alert fires.
    if (!/^[a-z0-9._+-]{1,64}$/i.test(x)) fail(Errors.INVALID_ARGUMENT, `NotifyUser '${printable(x)}' is neither TenantAdmins, an email address nor an admin account name.`);
    return x.toLowerCase();
  });
  return [...new Set(out)];
}

export function dailyLimit(v: unknown): number | null {
  if (v === null || (typeof v === 'string' && ['nolimit', 'no limit', '$null', 'null', ''].includes(v.trim().toLowerCase()))) return null;
  const n = Number(v);
  if (!(DAILY_LIMITS as readonly number[]).includes(n)) {
    fail(Errors.OUT_OF_RANGE, `DailyNotificationLimit must be NoLimit (null) or one of ${DAILY_LIMITS.join(', ')}; got '${printable(String(v))}'.`);
  }
  return n;
}

function aggregationMinutes(v: unknown): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > AGGREGATION_MAX_MINUTES) fail(Errors.OUT_OF_RANGE, `AggregationMinutes must be a whole number from 1 to ${AGGREGATION_MAX_MINUTES}.`);
  return n;
}

/** A tenant's policies: each built-in one (as stored once changed, else its defaults), then the custom ones. */
export function tenantPolicies(stored: readonly AlertPolicy[], tenantId: string, tenantCreatedAt: string): AlertPolicy[] {
  const mine = stored.filter((p) => p.TenantId === tenantId);
  const builtIns = ALERT_EVENTS.map((e) => mine.find((p) => p.IsSystemRule && p.Identity === e) ?? builtInPolicy(e, tenantId, tenantCreatedAt));
  return [...builtIns, ...mine.filter((p) => !p.IsSystemRule).sort((a, b) => a.Name.localeCompare(b.Name))];
}

/** Finds a policy by identity or name (case-insensitive). */
export function findPolicy(policies: readonly AlertPolicy[], identity: string): AlertPolicy | undefined {
  const key = identity.trim().toLowerCase();
  return policies.find((p) => p.Identity.toLowerCase() === key || p.Name.toLowerCase() === key);
}
