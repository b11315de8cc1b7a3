// The shapes of the outbound policy API the anti-spam pages read: policies, rules and the what-if answer
// are the server's strict response schemas (src/shared/api-schemas.ts), imported type-only.
import type { OutboundPolicy } from '../../../../src/shared/api-schemas.js';
export type { OutboundPolicy as Policy, OutboundRule as Rule, WhatIf } from '../../../../src/shared/api-schemas.js';
export type Action = OutboundPolicy['ActionWhenThresholdReached'];
/** The settings the forms edit: a policy's limits and actions. */
export type Settings = Pick<
  OutboundPolicy,
  'RecipientLimitExternalPerHour' | 'RecipientLimitInternalPerHour' | 'RecipientLimitPerDay' | 'ActionWhenThresholdReached' | 'AutoForwardingMode'
>;
