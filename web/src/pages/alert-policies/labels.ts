// The words and choices the alert policy pages share.

/** The event kinds a custom policy can watch, in the words the built-in policies use. */
export const ALERT_EVENTS: Array<[string, string]> = [
  ['UserRestricted', 'A user is restricted from sending email'],
  ['SendingLimitExceeded', 'A sender goes over a sending limit'],
  ['SuspiciousSending', 'Suspicious email sending patterns are detected'],
  ['ConnectorRestricted', 'A connector is restricted from sending email'],
];
export const SEVERITIES = ['High', 'Medium', 'Low', 'Informational'];
export const LIMITS: Array<number | null> = [null, 1, 5, 10, 25, 50, 150, 200];
export const limitText = (n: number | null): string => (n === null ? 'No limit' : String(n));
export const SEVERITY_COLOR = { High: 'danger', Medium: 'warning', Low: 'informative', Informational: 'subtle' } as const;
