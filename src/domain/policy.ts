// Outbound spam policies (docs/spec.md §3): the settings half. The default policy is always on, lowest
// priority, cannot be deleted; custom policies are bound to rules (rule.ts) that decide who they cover.
import { Errors, fail } from '../errors.js';
import { normalizeAddress, printable } from './address.js';
import type { ServiceLimits } from './service-limits.js';

export const THRESHOLD_ACTIONS = ['BlockUserForToday', 'BlockUser', 'Alert'] as const;
export type ThresholdAction = (typeof THRESHOLD_ACTIONS)[number];
export const AUTO_FORWARDING_MODES = ['Automatic', 'On', 'Off'] as const;
export type AutoForwardingMode = (typeof AUTO_FORWARDING_MODES)[number];

export const DEFAULT_POLICY_NAME = 'Default';
export const RECIPIENT_LIMIT_MAX = 10_000;
export const NAME_MAX = 64;

/** The settings an admin may change, named as the cmdlet parameters are. */
export interface PolicySettings {
  AdminDisplayName: string;
  RecipientLimitExternalPerHour: number;
  RecipientLimitInternalPerHour: number;
  RecipientLimitPerDay: number;
  ActionWhenThresholdReached: ThresholdAction;
  AutoForwardingMode: AutoForwardingMode;
  BccSuspiciousOutboundMail: boolean;
  BccSuspiciousOutboundAdditionalRecipients: string[];
  NotifyOutboundSpam: boolean;
  NotifyOutboundSpamRecipients: string[];
}

export interface OutboundSpamPolicy extends PolicySettings {
  Id: string;
  TenantId: string;
  Name: string;
  IsDefault: boolean;
  WhenCreatedUTC: string;
  WhenChangedUTC: string;
}

export const DEFAULT_SETTINGS: PolicySettings = Object.freeze({
  AdminDisplayName: '',
  RecipientLimitExternalPerHour: 0,
  RecipientLimitInternalPerHour: 0,
  RecipientLimitPerDay: 0,
  ActionWhenThresholdReached: 'BlockUserForToday',
  AutoForwardingMode: 'Automatic',
  BccSuspiciousOutboundMail: false,
  BccSuspiciousOutboundAdditionalRecipients: [],
  NotifyOutboundSpam: false,
  NotifyOutboundSpamRecipients: [],
}) as PolicySettings;

export type SettingsInput = Partial<Record<keyof PolicySettings, unknown>>;

/** Validates a partial settings change; refuses with a message naming the field. */
export function validatePolicySettings(input: SettingsInput): Partial<PolicySettings> {
  const out: Partial<PolicySettings> = {};
  for (const [field, value] of Object.entries(input)) {
    if (value === undefined) continue;
    switch (field as keyof PolicySettings) {
      case 'RecipientLimitExternalPerHour':
      case 'RecipientLimitInternalPerHour':
      case 'RecipientLimitPerDay':
        out[field as 'RecipientLimitPerDay'] = recipientLimit(field, value);
        break;
      case 'ActionWhenThresholdReached':
        out.ActionWhenThresholdReached = oneOf(field, value, THRESHOLD_ACTIONS);
        break;
      case 'AutoForwardingMode':
        out.AutoForwardingMode = oneOf(field, value, AUTO_FORWARDING_MODES);
        break;
      case 'BccSuspiciousOutboundMail':
      case 'NotifyOutboundSpam':
        out[field as 'NotifyOutboundSpam'] = bool(field, value);
        break;
      case 'BccSuspiciousOutboundAdditionalRecipients':
      case 'NotifyOutboundSpamRecipients':
        out[field as 'NotifyOutboundSpamRecipients'] = addressList(field, value);
        break;
      case 'AdminDisplayName':
        out.AdminDisplayName = text(field, value, 1024, true);
        break;
      default:
        fail(Errors.UNKNOWN_PARAMETER, `'${printable(field)}' is not a setting of an outbound spam policy.`);
    }
  }
  return out;
}

export function recipientLimit(field: string, value: unknown): number {
  const n = typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > RECIPIENT_LIMIT_MAX) {
    fail(Errors.OUT_OF_RANGE, `${field} must be a whole number from 0 to ${RECIPIENT_LIMIT_MAX} (0 means the service default); got '${printable(String(value))}'.`);
  }
  return n;
}

export function oneOf<T extends string>(field: string, value: unknown, allowed: readonly T[]): T {
  const match = allowed.find((a) => typeof value === 'string' && a.toLowerCase() === value.trim().toLowerCase());
  if (match === undefined) {
    fail(Errors.INVALID_ARGUMENT, `${field} must be one of ${allowed.join(', ')}; got '${printable(String(value))}'.`);
  }
  return match;
}

export function bool(field: string, value: unknown): boolean {
  if (typeof value === 'boolean') return value;
  const s = typeof value === 'string' ? value.trim().toLowerCase() : '';
  if (['$true', 'true', '1', 'yes'].includes(s)) return true;
  if (['$false', 'false', '0', 'no'].includes(s)) return false;
  fail(Errors.INVALID_ARGUMENT, `${field} must be $true or $false; got '${printable(String(value))}'.`);
}

export function addressList(field: string, value: unknown): string[] {
  const items = Array.isArray(value) ? value : String(value).split(',');
  const out = items.map((v) => String(v).trim()).filter((v) => v !== '').map((v) => normalizeAddress(v, field));
  return [...new Set(out)];
}

/** A name or free text: no control characters, bounded length. */
const BIDI_CONTROLS = /[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]/;

export function text(field: string, value: unknown, max: number, allowEmpty = false): string {
  if (typeof value !== 'string') fail(Errors.INVALID_ARGUMENT, `${field} must be text.`);
  const s = value.trim();
  if (!allowEmpty && s === '') fail(Errors.MISSING_PARAMETER, `${field} must not be empty.`);
  if (s.length > max) fail(Errors.OUT_OF_RANGE, `${field} must be at most ${max} characters; got ${s.length}.`);
  if (/[\u0000-\u001f\u007f]/.test(s)) fail(Errors.INVALID_ARGUMENT, `${field} must not contain control characters.`);
  // Bidirectional controls make a name display differently from what it is (e.g. "Default" reversed).
  if (BIDI_CONTROLS.test(s)) fail(Errors.INVALID_ARGUMENT, `${field} must not contain bidirectional control characters (U+202A–U+202E, U+2066–U+2069, U+200E, U+200F, U+061C).`);
  return s;
}

export function validateName(field: string, value: unknown): string {
  return text(field, value, NAME_MAX);
}

/** The limits a sender covered by this policy is held to, with 0 replaced by the service default. */
export interface EffectiveLimits {
  readonly externalPerHour: number;
  readonly internalPerHour: number;
  readonly perDay: number;
  readonly action: ThresholdAction;
  readonly policyName: string;
  /** The policy's AutoForwardingMode; absent where no policy applies (an inbound connector's own limits). */
  readonly autoForwarding?: AutoForwardingMode;
  /** Where copies of suspicious messages go: the default policy's BCC recipients when it is on, else none. */
  readonly bccSuspicious?: readonly string[];
}

type LimitSettings = Pick<
  PolicySettings,
  'RecipientLimitExternalPerHour' | 'RecipientLimitInternalPerHour' | 'RecipientLimitPerDay' | 'ActionWhenThresholdReached'
> &
  Partial<Pick<OutboundSpamPolicy, 'AutoForwardingMode' | 'BccSuspiciousOutboundMail' | 'BccSuspiciousOutboundAdditionalRecipients' | 'IsDefault'>>;

export function effectiveLimits(p: LimitSettings & { Name: string }, s: ServiceLimits): EffectiveLimits {
  // BccSuspiciousOutboundMail "works only in the default outbound spam policy" (docs/spec.md §3).
  const bcc = p.IsDefault === true && p.BccSuspiciousOutboundMail === true ? (p.BccSuspiciousOutboundAdditionalRecipients ?? []) : [];
  return {
    externalPerHour: p.RecipientLimitExternalPerHour || s.defaultExternalPerHour,
    internalPerHour: p.RecipientLimitInternalPerHour || s.defaultInternalPerHour,
    perDay: p.RecipientLimitPerDay || s.defaultPerDay,
    action: p.ActionWhenThresholdReached,
    policyName: p.Name,
    autoForwarding: p.AutoForwardingMode ?? 'Automatic',
    ...(bcc.length > 0 ? { bccSuspicious: bcc } : {}),
  };
}

/** `Automatic` is "now the same as Off" (docs/spec.md §3): only `On` lets automatic forwards out. */
export function blocksExternalForwarding(mode: AutoForwardingMode | undefined): boolean {
  return mode === 'Automatic' || mode === 'Off';
}

