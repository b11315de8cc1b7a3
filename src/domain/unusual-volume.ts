// The second half of the early warning (docs/spec.md §5 "Suspicious email sending patterns detected"): a
// sender sending far above its own usual volume, before any limit is near. Usual = the busiest full
// hour of its recent history; a sender with less than a day of history has no usual volume yet.

export interface HourCount {
  /** Hours since the epoch. */
  readonly hour: number;
  readonly external: number;
  readonly internal: number;
}

export interface UnusualVolumeRule {
  /** Recipients in the last hour at least this many times the usual hourly maximum. */
  readonly factor: number;
  /** …and at least this many, so a quiet sender's few extra messages are not news. */
  readonly minRecipients: number;
}

const HOUR = 3_600_000;

export function unusualVolume(recipientsLastHour: number, history: readonly HourCount[], now: number, rule: UnusualVolumeRule): { usualMaxPerHour: number } | null {
  if (!(rule.factor > 0) || recipientsLastHour < rule.minRecipients) return null;
  // Hours that overlap the rolling last hour are what is being judged, not the baseline.
  const current = Math.floor(now / HOUR);
  const past = history.filter((h) => h.hour < current - 1);
  if (past.length === 0 || current - Math.min(...past.map((h) => h.hour)) < 24) return null;
  const usualMaxPerHour = Math.max(...past.map((h) => h.external + h.internal));
  return recipientsLastHour >= rule.factor * Math.max(usualMaxPerHour, 1) ? { usualMaxPerHour } : null;
}

export function unusualVolumeReason(recipientsLastHour: number, usualMaxPerHour: number, rule: UnusualVolumeRule, policy: string): string {
  return `SuspiciousSending;UnusualVolume;RecipientsLastHour=${recipientsLastHour};UsualMaxPerHour=${usualMaxPerHour};Factor=${rule.factor};Policy=${policy};`;
}
