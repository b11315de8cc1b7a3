// Policy decisions, counted on the hot path in plain numbers and read by prom-client only at scrape
// time. prom-client's own observe() validates and hashes labels on every call; at tens of thousands of
// decisions a second that was about 5 % of the policy server's CPU.
import { Counter, Histogram, type MetricType, type Registry } from 'prom-client';
import type { DecisionOutcome } from '../../app/metrics.js';

// Policy decisions take tens of microseconds; a slow store shows in the upper buckets.
export const DECISION_BUCKETS: readonly number[] = [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.05, 0.25, 1];
const OUTCOMES: readonly DecisionOutcome[] = ['permit', 'refuse', 'defer', 'failed'];

interface StageStats {
  readonly outcomes: Float64Array;
  /** Per bucket, not cumulative; the last one is +Inf. */
  readonly buckets: Float64Array;
  sum: number;
  count: number;
}

interface ExportedValue {
  value: number;
  labels: Record<string, string | number>;
  metricName?: string;
}

export class DecisionMetrics {
  private readonly stages = new Map<string, StageStats>();
  private readonly counter: Counter<'stage' | 'outcome'>;

  constructor(registry: Registry) {
    const stats = this.stages;
    this.counter = new Counter({
      name: 'outgate_policy_decisions_total',
      help: 'Policy decisions by stage and outcome.',
      labelNames: ['stage', 'outcome'],
      registers: [registry],
      collect() {
        this.reset();
        for (const [stage, s] of stats) OUTCOMES.forEach((outcome, i) => s.outcomes[i]! > 0 && this.inc({ stage, outcome }, s.outcomes[i]!));
      },
    });
    new DecisionHistogram(stats, registry);
  }

  record(stage: string, outcome: DecisionOutcome, seconds: number): void {
    let s = this.stages.get(stage);
    if (s === undefined) {
      s = { outcomes: new Float64Array(OUTCOMES.length), buckets: new Float64Array(DECISION_BUCKETS.length + 1), sum: 0, count: 0 };
      this.stages.set(stage, s);
    }
    const o = outcomeIndex(outcome);
    s.outcomes[o] = s.outcomes[o]! + 1;
    let b = 0;
    while (b < DECISION_BUCKETS.length && seconds > DECISION_BUCKETS[b]!) b++;
    s.buckets[b] = s.buckets[b]! + 1;
    s.sum += seconds;
    s.count++;
  }
}

function outcomeIndex(o: DecisionOutcome): number {
  switch (o) {
    case 'permit':
      return 0;
    case 'refuse':
      return 1;
    case 'defer':
      return 2;
    default:
      return 3;
  }
}

/**
 * A prom-client histogram whose values come from DecisionMetrics: the registry asks a histogram for
 * `getForPromString()` (text exposition) or `get()` (JSON), and both are answered from the counts.
 */
const NAME = 'outgate_policy_decision_seconds';
const HELP = 'Time from request to answer in the policy server.';

class DecisionHistogram extends Histogram<'stage'> {
  constructor(
    private readonly stats: ReadonlyMap<string, StageStats>,
    registry: Registry,
  ) {
    super({ name: NAME, help: HELP, labelNames: ['stage'], buckets: [...DECISION_BUCKETS], registers: [registry] });
  }

  private values(): ExportedValue[] {
    const out: ExportedValue[] = [];
    // `le` first, then the stage, as prom-client's own histogram writes them.
    const labels = (stage: string, le?: number | string): Record<string, string | number> => (le === undefined ? { stage } : { le, stage });
    for (const [stage, s] of this.stats) {
      let acc = 0;
      DECISION_BUCKETS.forEach((le, i) => {
        acc += s.buckets[i]!;
        out.push({ value: acc, labels: labels(stage, le), metricName: `${NAME}_bucket` });
      });
      out.push({ value: s.count, labels: labels(stage, '+Inf'), metricName: `${NAME}_bucket` });
      out.push({ value: s.sum, labels: labels(stage), metricName: `${NAME}_sum` });
      out.push({ value: s.count, labels: labels(stage), metricName: `${NAME}_count` });
    }
    return out;
  }

  override get(): ReturnType<Histogram<'stage'>['get']> {
    // prom-client's typings declare MetricType as a numeric enum; at run time it writes the string.
    return Promise.resolve({ name: NAME, help: HELP, type: 'histogram' as unknown as MetricType, values: this.values(), aggregator: 'sum', collect: () => undefined });
  }

  getForPromString(): ReturnType<Histogram<'stage'>['get']> {
    return this.get();
  }
}
