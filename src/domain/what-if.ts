// Policy what-if: replays a sender's stored hourly counts against proposed limits and says when it
// would have been restricted. Pure. Hour buckets are what is kept for 7 days, so a burst that
// straddles two clock hours can pass here yet trip the live minute-by-minute windows: the replay
// under-reports rather than invents restrictions.
import { trippedLimit, type Tally } from './evaluate.js';
import type { EffectiveLimits } from './policy.js';
import type { WindowTotals } from './rolling-window.js';

export interface HourCounts {
  /** Hours since the epoch. */
  readonly hour: number;
  readonly external: number;
  readonly internal: number;
}

export type LimitName = 'RecipientLimitExternalPerHour' | 'RecipientLimitInternalPerHour' | 'RecipientLimitPerDay';

export interface WhatIfHit {
  /** The hour (ms since the epoch, its start) the limit would have been passed in. */
  readonly at: number;
  readonly limit: LimitName;
  /** What the sender sent in that window, and what the limit allows. */
  readonly count: number;
  readonly threshold: number;
  /** Restricted (BlockUserForToday, BlockUser) or only alerted (Alert). */
  readonly outcome: 'Restricted' | 'Alert';
}

const HOUR = 3_600_000;
const DAY_HOURS = 24;

/**
 * Walks the hours from `fromHour` to `toHour` (inclusive). A BlockUserForToday restriction ends at the
 * next 00:00 UTC and the replay goes on from there, counting only what was sent after it (the mail of
 * the blocked hours would have been refused); BlockUser ends the replay; Alert records one hit per
 * limit per UTC day and goes on.
 */
export function replay(hours: readonly HourCounts[], limits: EffectiveLimits, fromHour: number, toHour: number): WhatIfHit[] {
  const byHour = new Map(hours.map((h) => [h.hour, h]));
  const hits: WhatIfHit[] = [];
  const alerted = new Set<string>();
  let countFrom = fromHour - DAY_HOURS + 1;
  for (let h = fromHour; h <= toHour; h++) {
    const now = byHour.get(h);
    if (!now) continue;
    const day = { external: 0, internal: 0 };
    for (let k = Math.max(h - DAY_HOURS + 1, countFrom); k <= h; k++) {
      const c = byHour.get(k);
      if (c) {
        day.external += c.external;
        day.internal += c.internal;
      }
    }
    const over = firstOver(now, day, limits);
    if (!over) continue;
    if (limits.action === 'Alert') {
      const key = `${Math.floor(h / DAY_HOURS)}:${over.limit}`;
      if (!alerted.has(key)) hits.push({ at: h * HOUR, ...over, outcome: 'Alert' });
      alerted.add(key);
      continue;
    }
    hits.push({ at: h * HOUR, ...over, outcome: 'Restricted' });
    if (limits.action === 'BlockUser') break;
    // BlockUserForToday: back at the next midnight UTC, with only what it sends from then on.
    const nextDay = (Math.floor(h / DAY_HOURS) + 1) * DAY_HOURS;
    countFrom = nextDay;
    h = nextDay - 1;
  }
  return hits;
}

/** The limit the hour passes, judged by the live decision's own test (evaluate's trippedLimit). */
function firstOver(h: HourCounts, day: Tally, l: EffectiveLimits): Pick<WhatIfHit, 'limit' | 'count' | 'threshold'> | undefined {
  const totals: WindowTotals = {
    externalLastHour: h.external,
    internalLastHour: h.internal,
    externalLast24h: day.external,
    internalLast24h: day.internal,
    recipientsLast24h: day.external + day.internal,
    messagesLastMinute: 0,
  };
  const tripped = trippedLimit(totals, { external: 0, internal: 0 }, l);
  if (tripped === null) return undefined;
  const threshold = tripped.value;
  if (tripped.limit === 'RecipientLimitExternalPerHour') return { limit: tripped.limit, count: h.external, threshold };
  if (tripped.limit === 'RecipientLimitInternalPerHour') return { limit: tripped.limit, count: h.internal, threshold };
  return { limit: 'RecipientLimitPerDay', count: totals.recipientsLast24h, threshold };
}
