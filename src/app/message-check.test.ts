import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PERMIT, refuse, UNAVAILABLE } from '../domain/decision.js';
import { DecisionRecord, type FailMode } from './decision-record.js';
import { MessageCheck, type StageDecider } from './message-check.js';
import type { DecisionOutcome, Metrics } from './metrics.js';
import type { Log } from './ports.js';
import type { CheckResult, SendRequest } from './send-request.js';

const RCPT: SendRequest = { stage: 'rcpt', login: 'a@outgate.test', recipient: 'x@example.com' };
const TOTALS = { externalLastHour: 3, internalLastHour: 0, externalLast24h: 3, internalLast24h: 0, recipientsLast24h: 3, messagesLastMinute: 1 };

function recording(failMode: FailMode, answer: (req: SendRequest, m: MessageCheck) => CheckResult | Promise<CheckResult>) {
  const lines: Array<[string, Record<string, unknown>, string]> = [];
  const decisions: Array<[string, DecisionOutcome]> = [];
  const storeErrors: string[] = [];
  const released: string[] = [];
  const log: Log = {
    debug: (f, m) => lines.push(['debug', f as Record<string, unknown>, m]),
    info: (f, m) => lines.push(['info', f as Record<string, unknown>, m]),
    warn: (f, m) => lines.push(['warn', f as Record<string, unknown>, m]),
    error: (f, m) => lines.push(['error', f as Record<string, unknown>, m]),
    isLevelEnabled: () => false,
  };
  const metrics = { decision: (stage: string, o: DecisionOutcome) => decisions.push([stage, o]), storeError: (op: string) => storeErrors.push(op) } as unknown as Metrics;
  const decider: StageDecider = {
    decideStage: answer,
    release: (key, id) => {
      released.push(`${key}/${id}`);
    },
  };
  const record = new DecisionRecord(failMode, metrics, log);
  return { message: new MessageCheck(decider, record, 'i1', 'test'), lines, decisions, storeErrors, released };
}

const storeDown = (): never => {
  throw new Error('database is locked');
};

test('a store failure is answered by the fail mode: closed by default defers, open lets through; both counted and logged', async () => {
  for (const [mode, decision] of [
    ['closed', UNAVAILABLE],
    ['open', PERMIT],
  ] as const) {
    const sync = recording(mode, storeDown);
    assert.deepEqual(sync.message.decide(RCPT), { decision });
    assert.deepEqual(sync.decisions, [['rcpt', 'failed']]);
    assert.deepEqual(sync.storeErrors, ['policy-decision']);
    assert.deepEqual(
      sync.lines.filter(([level]) => level === 'error').map(([, f]) => [f.instance, f.outcome]),
      [['i1', 'failed']],
    );
    const later = recording(mode, () => Promise.reject(new Error('database is locked')));
    assert.deepEqual(await later.message.decide(RCPT), { decision }, 'a failure that comes later resolves too: a driver never sees a rejection');
  }
  assert.deepEqual(
    recording('open', storeDown).lines.filter(([level]) => level === 'warn').map(([, , m]) => m),
    ['policy.failMode=open: on a store failure mail is let through (DUNNO) instead of deferred'],
    'failing open is said once, when the checks start',
  );
  assert.equal(recording('closed', storeDown).lines.length, 0);
});

test('an outage is logged once (then a line with a count every 10 s), while every failed decision is counted', () => {
  const r = recording('closed', storeDown);
  for (let i = 0; i < 100; i++) assert.deepEqual(r.message.decide(RCPT), { decision: UNAVAILABLE });
  assert.equal(r.decisions.length, 100);
  assert.equal(r.storeErrors.length, 100);
  assert.deepEqual(
    r.lines.filter(([level]) => level === 'error').map(([, f]) => f.occurrences),
    [1],
  );
});

test('each decision is counted once and a refusal is logged once with its reason and counts; permits only at debug', () => {
  let n = 0;
  const r = recording('closed', () =>
    ++n === 1 ? { decision: PERMIT, totals: TOTALS } : { decision: refuse('tooManyRecipients'), totals: TOTALS, tally: { external: 501, internal: 0 } },
  );
  const first = r.message.decide(RCPT);
  assert.ok(!(first instanceof Promise), 'a synchronous decision stays synchronous');
  r.message.decide(RCPT);
  assert.deepEqual(r.decisions, [
    ['rcpt', 'permit'],
    ['rcpt', 'refuse'],
  ]);
  assert.equal(r.lines.length, 1);
  const [level, fields, msg] = r.lines[0]!;
  assert.deepEqual([level, msg], ['info', 'policy decision']);
  assert.deepEqual(
    [fields.instance, fields.driver, fields.outcome, fields.reply, fields.reason, fields.counts, fields.recipients],
    ['i1', 'test', 'refuse', '550 5.5.3 RESOLVER.ADR.RecipLimit; too many recipients', 'tooManyRecipients', TOTALS, { external: 501, internal: 0 }],
  );
});

test('an abandoned message releases what it holds, once', () => {
  const r = recording('closed', (_req, m) => {
    m.heldBy = 'Mailbox:a@outgate.test';
    return { decision: PERMIT };
  });
  r.message.abandon();
  assert.deepEqual(r.released, [], 'nothing held yet');
  r.message.decide(RCPT);
  r.message.abandon();
  r.message.abandon();
  assert.deepEqual(r.released, ['Mailbox:a@outgate.test/i1']);
});

test('a release that fails is logged, not thrown at the driver', async () => {
  const lines: string[] = [];
  const log: Log = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: (_f, m) => lines.push(m), isLevelEnabled: () => false };
  const metrics = { decision: () => undefined, storeError: () => undefined } as unknown as Metrics;
  const failing: StageDecider = {
    decideStage: (_req, m) => {
      m.heldBy = 'k';
      return { decision: PERMIT };
    },
    release: () => Promise.reject(new Error('connection reset')),
  };
  const m = new MessageCheck(failing, new DecisionRecord('closed', metrics, log), 'i2', 'test');
  m.decide(RCPT);
  m.abandon();
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(lines, ['releasing an abandoned message failed: its recipients stay held until they expire']);
});
