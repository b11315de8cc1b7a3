import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Registry } from 'prom-client';
import { DecisionMetrics } from './decision-metrics.js';

test('decisions are exposed as a counter by stage and outcome and a cumulative histogram by stage', async () => {
  const registry = new Registry();
  const m = new DecisionMetrics(registry);
  m.record('rcpt', 'permit', 0.00004);
  m.record('rcpt', 'permit', 0.0003);
  m.record('rcpt', 'refuse', 0.002);
  m.record('end', 'failed', 7);
  const text = await registry.metrics();
  for (const line of [
    'outgate_policy_decisions_total{stage="rcpt",outcome="permit"} 2',
    'outgate_policy_decisions_total{stage="rcpt",outcome="refuse"} 1',
    'outgate_policy_decisions_total{stage="end",outcome="failed"} 1',
    'outgate_policy_decision_seconds_bucket{le="0.00005",stage="rcpt"} 1',
    'outgate_policy_decision_seconds_bucket{le="0.0005",stage="rcpt"} 2',
    'outgate_policy_decision_seconds_bucket{le="0.0025",stage="rcpt"} 3',
    'outgate_policy_decision_seconds_bucket{le="+Inf",stage="rcpt"} 3',
    'outgate_policy_decision_seconds_count{stage="rcpt"} 3',
    'outgate_policy_decision_seconds_bucket{le="1",stage="end"} 0',
    'outgate_policy_decision_seconds_bucket{le="+Inf",stage="end"} 1',
    'outgate_policy_decision_seconds_sum{stage="end"} 7',
  ]) {
    assert.ok(text.includes(`${line}\n`), `missing ${line}`);
  }
  assert.ok(!text.includes('outcome="defer"'), 'outcomes never seen are not exposed');
  assert.match(text, /# TYPE outgate_policy_decision_seconds histogram/);
  const json = await registry.getMetricsAsJSON();
  const hist = json.find((x) => x.name === 'outgate_policy_decision_seconds')!;
  assert.equal(hist.values.find((v) => v.labels.stage === 'end' && (v as { metricName?: string }).metricName === 'outgate_policy_decision_seconds_count')?.value, 1);
  // A second scrape reads the same totals: collecting does not reset what was recorded.
  assert.equal(await registry.metrics(), text);
});
