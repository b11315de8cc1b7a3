// Looks at the senders active now and warns (a SuspiciousSending audit record, which raises the alert)
// about any sending far above its own usual volume; once per sender per hour.
import type { DomainEvent } from '../domain/events.js';
import type { EffectiveLimits } from '../domain/policy.js';
import type { WindowTotals } from '../domain/rolling-window.js';
import { senderKey, type SenderRef } from '../domain/sender.js';
import { unusualVolume, unusualVolumeReason, type UnusualVolumeRule } from '../domain/unusual-volume.js';
import type { Clock, Store } from './ports.js';

const HISTORY_HOURS = 24 * 7;
const COOLDOWN_MS = 3_600_000;

export class UnusualVolumeWatch {
  private readonly warned = new Map<string, number>();

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly rule: UnusualVolumeRule,
  ) {}

  /** Checks the active senders; returns how many were warned about. */
  async sweep(active: Iterable<{ sender: SenderRef; totals: WindowTotals; limits: EffectiveLimits }>): Promise<number> {
    const now = this.clock.now();
    const events: DomainEvent[] = [];
    for (const { sender, totals, limits } of active) {
      const lastHour = totals.externalLastHour + totals.internalLastHour;
      if (lastHour < this.rule.minRecipients) continue;
      const key = senderKey(sender);
      if (now - (this.warned.get(key) ?? -Infinity) < COOLDOWN_MS) continue;
      const history = await this.store.sendingHistory(sender, Math.floor(now / 3_600_000) - HISTORY_HOURS);
      const found = unusualVolume(lastHour, history, now, this.rule);
      if (!found) continue;
      this.warned.set(key, now);
      events.push({ type: 'SuspiciousSending', at: now, sender, policy: limits.policyName, reason: unusualVolumeReason(lastHour, found.usualMaxPerHour, this.rule, limits.policyName) });
    }
    for (const [k, at] of this.warned) if (now - at >= COOLDOWN_MS) this.warned.delete(k);
    await this.store.recordEvents(events);
    return events.length;
  }
}
