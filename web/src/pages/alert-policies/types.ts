// The shapes of the alert policy API the alert pages read.
export interface AlertPolicy {
  Identity: string;
  Name: string;
  Category: 'ThreatManagement';
  Severity: 'High' | 'Medium' | 'Low' | 'Informational';
  Description: string;
  IsSystemRule: boolean;
  Disabled: boolean;
  Event: string;
  NotificationEnabled: boolean;
  NotifyUser: string[];
  DailyNotificationLimit: number | null;
  AggregationMinutes: number;
  TenantId: string;
  WhenChanged: string;
  /** The addresses NotifyUser resolves to now (empty: the email goes to no one). */
  Recipients: string[];
  UnresolvedRecipients: Array<{ Name: string; Reason: string }>;
}

export interface PolicyList {
  auditEnabled: boolean;
  smtpConfigured: boolean;
  items: AlertPolicy[];
}
