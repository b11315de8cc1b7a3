// The shapes of the outbound policy API the anti-spam pages read.
export interface Policy {
  Name: string;
  Id: string;
  IsDefault: boolean;
  AdminDisplayName: string;
  RecipientLimitExternalPerHour: number;
  RecipientLimitInternalPerHour: number;
  RecipientLimitPerDay: number;
  ActionWhenThresholdReached: Action;
  AutoForwardingMode: 'Automatic' | 'On' | 'Off';
  WhenChangedUTC: string;
}
export interface Rule {
  Id: string;
  Name: string;
  HostedOutboundSpamFilterPolicy: string;
  Priority: number;
  State: 'Enabled' | 'Disabled';
  From?: string[];
  FromMemberOf?: string[];
  SenderDomainIs?: string[];
  ExceptIfFrom?: string[];
  ExceptIfFromMemberOf?: string[];
  ExceptIfSenderDomainIs?: string[];
}
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
