// A sender's recent sending, as minute buckets (recipients) and second buckets (messages), so hour and
// day totals roll forward a minute at a time and the per-minute message rate a second at a time: no
// window ever resets at a cliff. Pure: every call takes `now` (ms since the epoch).

export const MINUTE = 60_000;
export const HOUR_MINUTES = 60;
export const DAY_MINUTES = 1_440;

export interface Counts {
  readonly external: number;
  readonly internal: number;
  readonly messages: number;
}

export interface WindowTotals {
  readonly externalLastHour: number;
  readonly internalLastHour: number;
  /** The rolling 24 hours, split as the hour is (the Reason's `…CountToday` keys); their sum is recipientsLast24h. */
  readonly externalLast24h: number;
  readonly internalLast24h: number;
  readonly recipientsLast24h: number;
  readonly messagesLastMinute: number;
}

export interface MinuteBucket {
  minute: number;
  external: number;
  internal: number;
  messages: number;
}

export const minuteOf = (now: number): number => Math.floor(now / MINUTE);

export class SendingWindow {
  /** Ascending by minute; nothing older than 24 h after prune(). */
  private readonly buckets: MinuteBucket[] = [];
  private dayExternal = 0;
  private dayInternal = 0;
  /** Flat [second, count, second, count, …], ascending, last 60 s only. */
  private seconds: number[] = [];

  /** Adds an admitted message's recipients and one message at `now`. */
  add(now: number, c: Counts): void {
    this.addToMinute(minuteOf(now), c);
    const second = Math.floor(now / 1000);
    const n = this.seconds.length;
    if (n >= 2 && this.seconds[n - 2] === second) this.seconds[n - 1]! += c.messages;
    else if (c.messages > 0) this.seconds.push(second, c.messages);
  }

  /** Restores a durable bucket at start-up; message times within it are assumed as late as possible. */
  restore(b: MinuteBucket): void {
    this.addToMinute(b.minute, b);
    if (b.messages > 0) {
      const second = (b.minute + 1) * 60 - 1;
      const i = this.seconds.length;
      this.seconds.push(second, b.messages);
      if (i >= 2 && this.seconds[i - 2]! > second) this.sortSeconds();
    }
  }

  totals(now: number): WindowTotals {
    const minute = minuteOf(now);
    this.prune(minute);
    let externalLastHour = 0;
    let internalLastHour = 0;
    for (let i = this.buckets.length - 1; i >= 0; i--) {
      const b = this.buckets[i]!;
      if (b.minute <= minute - HOUR_MINUTES) break;
      externalLastHour += b.external;
      internalLastHour += b.internal;
    }
    const fromSecond = Math.floor(now / 1000) - 59;
    while (this.seconds.length > 0 && this.seconds[0]! < fromSecond) this.seconds.splice(0, 2);
    let messagesLastMinute = 0;
    for (let i = 1; i < this.seconds.length; i += 2) messagesLastMinute += this.seconds[i]!;
    return {
      externalLastHour,
      internalLastHour,
      externalLast24h: this.dayExternal,
      internalLast24h: this.dayInternal,
      recipientsLast24h: this.dayExternal + this.dayInternal,
      messagesLastMinute,
    };
  }

  /** True when nothing is left in any window: the sender's entry can be dropped from memory. */
  isEmpty(now: number): boolean {
    this.prune(minuteOf(now));
    return this.buckets.length === 0 && this.totals(now).messagesLastMinute === 0;
  }

  private addToMinute(minute: number, c: Counts): void {
    const last = this.buckets[this.buckets.length - 1];
    if (last && last.minute === minute) {
      last.external += c.external;
      last.internal += c.internal;
      last.messages += c.messages;
    } else {
      this.buckets.push({ minute, external: c.external, internal: c.internal, messages: c.messages });
      // A clock step backwards (or restore out of order) must not break the ascending invariant.
      if (last && last.minute > minute) this.sortAndMerge();
    }
    this.dayExternal += c.external;
    this.dayInternal += c.internal;
  }

  private prune(minute: number): void {
    let drop = 0;
    while (drop < this.buckets.length && this.buckets[drop]!.minute <= minute - DAY_MINUTES) {
      const b = this.buckets[drop]!;
      this.dayExternal -= b.external;
      this.dayInternal -= b.internal;
      drop++;
    }
    if (drop > 0) this.buckets.splice(0, drop);
  }

  private sortAndMerge(): void {
    this.buckets.sort((a, b) => a.minute - b.minute);
    for (let i = this.buckets.length - 1; i > 0; i--) {
      const a = this.buckets[i - 1]!;
      const b = this.buckets[i]!;
      if (a.minute === b.minute) {
        a.external += b.external;
        a.internal += b.internal;
        a.messages += b.messages;
        this.buckets.splice(i, 1);
      }
    }
  }

  private sortSeconds(): void {
    const pairs: Array<[number, number]> = [];
    for (let i = 0; i < this.seconds.length; i += 2) pairs.push([this.seconds[i]!, this.seconds[i + 1]!]);
    pairs.sort((a, b) => a[0] - b[0]);
    this.seconds = pairs.flat();
  }
}
