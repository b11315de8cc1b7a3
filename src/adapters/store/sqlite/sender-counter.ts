// One sender's state in the embedded counters, kept flat: the rolling windows of domain/rolling-window.ts
// (same rules: minute buckets for the hour and the day, seconds for the message rate), its open
// messages' holds and the hashes of its latest commits. Most tracked senders sent a message or two, so
// the newest minute bucket, message second and commit hash are fields of this one object, and only a
// sender with more keeps arrays: a sender costs one object, not eight (an array grown by push reserves
// 17 slots, 150 bytes, for its first element).
import { DAY_MINUTES, HOUR_MINUTES, minuteOf, type Counts, type MinuteBucket, type WindowTotals } from '../../../domain/rolling-window.js';

/** Past this many recipients a hold looks them up in a Set; below, a scan of an array is cheaper to build. */
const SMALL_HOLD = 16;

/** The recipients one open message holds. */
export class Hold {
  private list: string[] | null = null;
  private set: Set<string> | null = null;
  external = 0;
  internal = 0;
  constructor(
    readonly message: string,
    public expiresAt: number,
  ) {}

  has(recipient: string): boolean {
    if (this.set !== null) return this.set.has(recipient);
    return this.list !== null && this.list.includes(recipient);
  }

  /** Adds a recipient not held yet (has() is false). */
  add(recipient: string): void {
    if (this.set !== null) this.set.add(recipient);
    else if (this.list === null) this.list = [recipient];
    else if (this.list.length < SMALL_HOLD) this.list.push(recipient);
    else {
      this.set = new Set(this.list).add(recipient);
      this.list = null;
    }
  }
}

/**
 * How many of a sender's latest commits are remembered, so a repeated END-OF-MESSAGE (Postfix resends a
 * request after a policy timeout) adds nothing. Per sender, so memory follows the active senders, not the
 * message rate; a message is remembered by a 32-bit hash of its id, not the id.
 */
export const RECENT_COMMITS = 8;

/** FNV-1a over the id's UTF-16 code units: two ids of one sender's last 8 messages colliding is ~2e-9. */
function idHash(id: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193);
  return h | 0;
}

/** Fields of a flat bucket: [minute, external, internal, messages]. */
const B = 4;

export class SenderCounter {
  /** The newest minute bucket (-1: none). */
  private minute = -1;
  private external = 0;
  private internal = 0;
  private messages = 0;
  /** Older buckets, ascending, flat [minute, external, internal, messages, …]; null when none. */
  private older: number[] | null = null;
  /** Recipients in every bucket (the day window once pruned), external and internal apart. */
  private dayExternal = 0;
  private dayInternal = 0;
  /** The newest second with messages (-1: none), and older ones as flat [second, count, …] pairs. */
  private second = -1;
  private secondMessages = 0;
  private olderSeconds: number[] | null = null;
  /** The latest commit's hash; the latest RECENT_COMMITS, oldest first, once there is more than one. */
  private commitHash = 0;
  private commits: number[] | null = null;
  private committed = false;
  /** Open messages, usually none. */
  holds: Hold[] | null = null;
  /** The store's send sequence once this sender's latest commit is handed to it (eviction waits for it). */
  lastSend = 0;

  /** Remembers a commit; false when this message was committed already. */
  firstCommit(message: string): boolean {
    const h = idHash(message);
    if (!this.committed) {
      this.committed = true;
      this.commitHash = h;
      return true;
    }
    if (this.commits === null) {
      if (this.commitHash === h) return false;
      this.commits = [this.commitHash, h];
      return true;
    }
    if (this.commits.includes(h)) return false;
    if (this.commits.length === RECENT_COMMITS) this.commits.shift();
    this.commits.push(h);
    return true;
  }

  /** The hashes remembered (tests: bounded, numbers). */
  recentCommits(): number[] {
    return this.commits ?? (this.committed ? [this.commitHash] : []);
  }

  /** Adds an admitted message's recipients and its messages at `now`. */
  add(now: number, c: Counts): void {
    this.addToMinute(minuteOf(now), c.external, c.internal, c.messages);
    if (c.messages > 0) this.addSecond(Math.floor(now / 1000), c.messages);
  }

  /** Restores a durable bucket; its messages are taken as late in the minute as possible. */
  restore(b: MinuteBucket): void {
    this.addToMinute(b.minute, b.external, b.internal, b.messages);
    if (b.messages > 0) this.addSecond((b.minute + 1) * 60 - 1, b.messages);
  }

  totals(now: number): WindowTotals {
    const minute = minuteOf(now);
    this.prune(minute);
    let externalLastHour = 0;
    let internalLastHour = 0;
    if (this.minute > minute - HOUR_MINUTES) {
      externalLastHour = this.external;
      internalLastHour = this.internal;
      const o = this.older;
      if (o !== null) {
        for (let i = o.length - B; i >= 0 && o[i]! > minute - HOUR_MINUTES; i -= B) {
          externalLastHour += o[i + 1]!;
          internalLastHour += o[i + 2]!;
        }
      }
    }
    return {
      externalLastHour,
      internalLastHour,
      externalLast24h: this.dayExternal,
      internalLast24h: this.dayInternal,
      recipientsLast24h: this.dayExternal + this.dayInternal,
      messagesLastMinute: this.messagesLastMinute(now),
    };
  }

  /** True when nothing is left in any window. */
  isEmpty(now: number): boolean {
    this.prune(minuteOf(now));
    return this.minute === -1 && this.messagesLastMinute(now) === 0;
  }

  /** True when the newest bucket is before `minute` (or there is none). */
  quietSince(minute: number): boolean {
    return this.minute < minute;
  }

  private messagesLastMinute(now: number): number {
    const from = Math.floor(now / 1000) - 59;
    if (this.second < from) {
      this.second = -1;
      this.secondMessages = 0;
      this.olderSeconds = null;
      return 0;
    }
    let n = this.secondMessages;
    const o = this.olderSeconds;
    if (o !== null) {
      let drop = 0;
      while (drop < o.length && o[drop]! < from) drop += 2;
      if (drop === o.length) this.olderSeconds = null;
      else {
        if (drop > 0) o.splice(0, drop);
        for (let i = 1; i < o.length; i += 2) n += o[i]!;
      }
    }
    return n;
  }

  private addSecond(second: number, messages: number): void {
    if (second === this.second) this.secondMessages += messages;
    else if (second > this.second) {
      if (this.second >= 0) {
        if (this.olderSeconds === null) this.olderSeconds = [this.second, this.secondMessages];
        else this.olderSeconds.push(this.second, this.secondMessages);
      }
      this.second = second;
      this.secondMessages = messages;
    } else {
      // A clock step backwards, or restore out of order: kept sorted, merged with an equal second.
      const o = (this.olderSeconds ??= []);
      let i = 0;
      while (i < o.length && o[i]! < second) i += 2;
      if (i < o.length && o[i] === second) o[i + 1]! += messages;
      else o.splice(i, 0, second, messages);
    }
  }

  private addToMinute(minute: number, external: number, internal: number, messages: number): void {
    this.dayExternal += external;
    this.dayInternal += internal;
    if (minute === this.minute) {
      this.external += external;
      this.internal += internal;
      this.messages += messages;
    } else if (minute > this.minute) {
      if (this.minute >= 0) {
        if (this.older === null) this.older = [this.minute, this.external, this.internal, this.messages];
        else this.older.push(this.minute, this.external, this.internal, this.messages);
      }
      this.minute = minute;
      this.external = external;
      this.internal = internal;
      this.messages = messages;
    } else {
      // Older than the newest bucket: kept ascending, merged with an equal minute.
      const o = (this.older ??= []);
      let i = 0;
      while (i < o.length && o[i]! < minute) i += B;
      if (i < o.length && o[i] === minute) {
        o[i + 1]! += external;
        o[i + 2]! += internal;
        o[i + 3]! += messages;
      } else o.splice(i, 0, minute, external, internal, messages);
    }
  }

  /** Drops buckets that left the day window. */
  private prune(minute: number): void {
    const edge = minute - DAY_MINUTES;
    if (this.minute > edge || this.minute === -1) {
      const o = this.older;
      if (o === null || o[0]! > edge) return;
      let drop = 0;
      while (drop < o.length && o[drop]! <= edge) {
        this.dayExternal -= o[drop + 1]!;
        this.dayInternal -= o[drop + 2]!;
        drop += B;
      }
      if (drop === o.length) this.older = null;
      else o.splice(0, drop);
      return;
    }
    // Everything is older than a day.
    this.minute = -1;
    this.external = this.internal = this.messages = 0;
    this.older = null;
    this.dayExternal = this.dayInternal = 0;
  }
}
