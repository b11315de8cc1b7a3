// The shapes of the outbound policy API the anti-spam pages read: policies and rules are the server's
// strict response schemas (src/shared/api-schemas.ts), imported type-only.
export type { OutboundPolicy as Policy, OutboundRule as Rule } from '../../../../src/shared/api-schemas.js';
export type Action = 'BlockUserForToday' | 'BlockUser' | 'Alert';
export interface WhatIf {
  Count: number;
  SendersEvaluated: number;
  From: string;
  To: string;
  Restricted: Array<{ EntityType: string; Entity: string; At: string; Limit: string; Count: number; Threshold: number; Outcome: string }>;
  Note?: string;
  /** The rule's place (0 first) as saving would leave it; null for the default policy. */
  Priority: number | null;
  /** Policies tried before this one: the senders they cover are never judged by it. */
  EvaluatedAfter: string[];
}

export interface Settings {
  RecipientLimitExternalPerHour: number;
  RecipientLimitInternalPerHour: number;
  RecipientLimitPerDay: number;
  ActionWhenThresholdReached: Action;
  AutoForwardingMode: 'Automatic' | 'On' | 'Off';
}
