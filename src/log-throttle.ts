// Rate-limits a log line that can repeat many times a second (a failing checkpoint every 200 ms, a
// flood of refused connections): the first occurrence is logged at once, then at most one line per
// interval carrying how many occurrences it stands for. Metrics count every occurrence.

export class LogThrottle {
  private last = -Infinity;
  private since = 0;

  constructor(
    private readonly intervalMs: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /**
   * Records one occurrence. Returns how many occurrences the caller's log line stands for (this one
   * and those suppressed since the last line), or 0 when the line is to be suppressed.
   */
  hit(): number {
    this.since++;
    const t = this.now();
    if (t - this.last < this.intervalMs) return 0;
    this.last = t;
    const count = this.since;
    this.since = 0;
    return count;
  }

  /** Occurrences not yet reported by a log line; resets the count (for a "recovered" line). */
  drain(): number {
    const count = this.since;
    this.since = 0;
    this.last = -Infinity;
    return count;
  }
}
