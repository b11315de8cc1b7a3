// The counters part of the backend contract: what every SendingCounters must do, whether the windows live
// in the process (embedded) or on a shared Redis. The store contract runs it on each store's own counters;
// a counters-only backend runs it alone with a harness. Fixed clock, real concurrent calls, no sleeps.
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { NO_CAPS, type HourlyCount, type RecipientCaps, type SendingCounters } from '../../app/ports.js';
import { senderKey, tenantRef, type SenderRef } from '../../domain/sender.js';

/** One fresh set of counters per test, and what the contract needs around them. */
export interface CountersHarness {
  readonly counters: SendingCounters;
  /** Restarts the sender's windows as an admin's unblock does; resolves once the counters follow it. */
  resetWindows(sender: SenderRef, at: number): Promise<void>;
  /** The sender's durable hourly counts (what reports read), once every acknowledged commit is in. */
  history(sender: SenderRef, fromHour: number): Promise<HourlyCount[]>;
  /** The same counters as another node sees them (a second connection), when the backend is shared. */
  otherNode?(): Promise<SendingCounters>;
}

/** 2026-11-28 09:00 UTC, as the rest of the tests: never the real date. */
const T = Date.UTC(2026, 10, 28, 9, 0, 0);
const MIN = 60_000;
const ref = (identity: string): SenderRef => ({ tenantId: 'default', type: 'Mailbox', identity });
const alice = ref('alice@contract.test');
const ALICE = senderKey(alice);
const caps = (externalPerHour: number): RecipientCaps => ({ ...NO_CAPS, externalPerHour });

/** `shared`: the counters live outside the process, so several nodes use them at once (the embedded ones do not). */
export function countersContract(name: string, open: (t: TestContext) => Promise<CountersHarness>, opts: { shared: boolean }): void {
  const prefix = `[${name}]`;

  test(`${prefix} check-and-reserve holds exactly as many recipients as the cap allows under concurrent calls`, async (t) => {
    const { counters } = await open(t);
    const asks = Array.from({ length: 20 }, (_, i) =>
      Promise.resolve(counters.reserve({ sender: alice, key: ALICE, message: `m${i}`, recipient: `r${i}@example.com`, internal: false, now: T, caps: caps(7) })),
    );
    const results = await Promise.all(asks);
    assert.equal(results.filter((r) => r.reserved).length, 7);
    for (const r of results.filter((x) => !x.reserved)) assert.deepEqual(r.tally, { external: 1, internal: 0 }, 'a refusal reports the tally it would have made');
    assert.equal((await counters.totals(ALICE, '', T)).externalLastHour, 7, 'open messages hold their recipients');
    const again = await counters.reserve({ sender: alice, key: ALICE, message: 'm0', recipient: 'r0@example.com', internal: false, now: T, caps: caps(7) });
    assert.equal(again.reserved, true, 'a recipient asked about twice is held once');
    assert.deepEqual(again.tally, { external: 1, internal: 0 });
  });

  test(`${prefix} a commit counts its message once, frees its holds, and a release frees an abandoned message`, async (t) => {
    const h = await open(t);
    const counters = h.counters;
    for (const r of ['a', 'b']) await counters.reserve({ sender: alice, key: ALICE, message: 'c1', recipient: `${r}@example.com`, internal: r === 'b', now: T, caps: NO_CAPS });
    await counters.reserve({ sender: alice, key: ALICE, message: 'c2', recipient: 'z@example.com', internal: false, now: T, caps: NO_CAPS });
    assert.deepEqual(await counters.totals(ALICE, 'c1', T), { externalLastHour: 1, internalLastHour: 0, externalLast24h: 1, internalLast24h: 0, recipientsLast24h: 1, messagesLastMinute: 0 }, "the other message's hold, not its own");
    const commit = { sender: alice, key: ALICE, message: 'c1', at: T, counts: { external: 1, internal: 1, messages: 1 } };
    await Promise.all([counters.commit(commit, []), counters.commit(commit, [])]);
    await counters.commit(commit, []);
    await counters.release(ALICE, 'c2');
    assert.deepEqual(await counters.totals(ALICE, '', T + 1000), { externalLastHour: 1, internalLastHour: 1, externalLast24h: 1, internalLast24h: 1, recipientsLast24h: 2, messagesLastMinute: 1 });
    assert.deepEqual([...(await counters.active(T + 1000))].map((a) => a.sender.identity), [alice.identity]);
    const hours = await h.history(alice, Math.floor(T / 3_600_000));
    assert.deepEqual(hours.map((x) => [x.external, x.internal, x.messages]), [[1, 1, 1]], 'durable, once');
  });

  test(`${prefix} reservations expire by themselves`, async (t) => {
    const { counters } = await open(t);
    const ask = (message: string, now: number) => counters.reserve({ sender: alice, key: ALICE, message, recipient: `${message}@example.com`, internal: false, now, caps: caps(1) });
    assert.equal((await ask('old', T)).reserved, true);
    assert.equal((await ask('new', T + 1000)).reserved, false, 'held by the open message');
    const later = T + counters.reservationTtlMs + 1;
    assert.equal((await counters.totals(ALICE, '', later)).externalLastHour, 0);
    assert.equal((await ask('new', later)).reserved, true, 'the abandoned message no longer holds it');
  });

  test(`${prefix} an unblock that resets the windows frees what the sender held and counted`, async (t) => {
    const h = await open(t);
    const counters = h.counters;
    await counters.commit({ sender: alice, key: ALICE, message: 'w1', at: T, counts: { external: 3, internal: 0, messages: 1 } }, []);
    await counters.reserve({ sender: alice, key: ALICE, message: 'w2', recipient: 'h@example.com', internal: false, now: T, caps: NO_CAPS });
    await h.resetWindows(alice, T + 2000);
    assert.equal((await counters.totals(ALICE, '', T + 3000)).recipientsLast24h, 0);
  });

  test(`${prefix} windows roll a minute at a time: the message rate over 60 s, the hour, the day`, async (t) => {
    const { counters } = await open(t);
    await counters.commit({ sender: alice, key: ALICE, message: 'a', at: T, counts: { external: 3, internal: 2, messages: 1 } }, []);
    const at = async (ms: number) => counters.totals(ALICE, '', T + ms);
    assert.deepEqual(await at(0), { externalLastHour: 3, internalLastHour: 2, externalLast24h: 3, internalLast24h: 2, recipientsLast24h: 5, messagesLastMinute: 1 });
    assert.equal((await at(59_999)).messagesLastMinute, 1);
    assert.equal((await at(60_000)).messagesLastMinute, 0);
    assert.deepEqual(await at(59 * MIN), { externalLastHour: 3, internalLastHour: 2, externalLast24h: 3, internalLast24h: 2, recipientsLast24h: 5, messagesLastMinute: 0 });
    // Out of the hour, still in the day: the day keeps its own internal/external split (the Reason's …CountToday).
    assert.deepEqual(await at(60 * MIN), { externalLastHour: 0, internalLastHour: 0, externalLast24h: 3, internalLast24h: 2, recipientsLast24h: 5, messagesLastMinute: 0 });
    assert.equal((await at(1439 * MIN)).recipientsLast24h, 5);
    assert.deepEqual([...(await counters.active(T + 1439 * MIN))].map((a) => a.totals), [{ externalLastHour: 0, internalLastHour: 0, externalLast24h: 3, internalLast24h: 2, recipientsLast24h: 5, messagesLastMinute: 0 }]);
    assert.equal((await at(1440 * MIN)).recipientsLast24h, 0);
    assert.deepEqual([...(await counters.active(T + 1440 * MIN))], [], 'nothing left in any window');
  });

  test(`${prefix} listing only the senders with enough recipients in the last hour`, async (t) => {
    const { counters } = await open(t);
    const bob = ref('bob@contract.test');
    const carol = ref('carol@contract.test');
    await counters.commit({ sender: alice, key: ALICE, message: 'b1', at: T, counts: { external: 2, internal: 1, messages: 1 } }, []);
    await counters.commit({ sender: bob, key: senderKey(bob), message: 'b2', at: T, counts: { external: 2, internal: 0, messages: 1 } }, []);
    await counters.commit({ sender: carol, key: senderKey(carol), message: 'b3', at: T - 90 * MIN, counts: { external: 5, internal: 0, messages: 1 } }, []);
    const busy = [...(await counters.active(T + MIN, 3))];
    assert.deepEqual(busy.map((a) => [a.sender.identity, a.totals.externalLastHour + a.totals.internalLastHour, a.totals.recipientsLast24h]), [[alice.identity, 3, 3]]);
    assert.equal([...(await counters.active(T + MIN))].length, 3, 'without a bar: all three');
  });

  test(`${prefix} every cap refuses the recipient that would pass it: per message, message rate, internal, day`, async (t) => {
    const { counters } = await open(t);
    const ask = (s: SenderRef, message: string, recipient: string, internal: boolean, c: Partial<RecipientCaps>, now = T) =>
      Promise.resolve(counters.reserve({ sender: s, key: senderKey(s), message, recipient, internal, now, caps: { ...NO_CAPS, ...c } }));

    const p = ref('per-message@contract.test');
    assert.equal((await ask(p, 'p', 'a@x.test', false, { perMessage: 2 })).reserved, true);
    assert.equal((await ask(p, 'p', 'b@x.test', true, { perMessage: 2 })).reserved, true);
    const third = await ask(p, 'p', 'c@x.test', false, { perMessage: 2 });
    assert.deepEqual([third.reserved, third.tally], [false, { external: 2, internal: 1 }]);

    const r = ref('rate@contract.test');
    await counters.commit({ sender: r, key: senderKey(r), message: 'r1', at: T, counts: { external: 1, internal: 0, messages: 1 } }, []);
    const second = await ask(r, 'r2', 'a@x.test', false, { messagesPerMinute: 1 }, T + 1000);
    assert.deepEqual([second.reserved, second.totals.messagesLastMinute], [false, 1], 'this message would be the second in a minute');
    assert.equal((await ask(r, 'r2', 'a@x.test', false, { messagesPerMinute: 1 }, T + MIN)).reserved, true);

    const i = ref('internal@contract.test');
    assert.equal((await ask(i, 'i', 'a@corp.test', true, { internalPerHour: 1 })).reserved, true);
    assert.equal((await ask(i, 'i', 'b@corp.test', true, { internalPerHour: 1 })).reserved, false);
    const external = await ask(i, 'i', 'c@x.test', false, { internalPerHour: 1 });
    assert.deepEqual([external.reserved, external.tally], [true, { external: 1, internal: 1 }], 'an external recipient is not held to the internal cap');

    const d = ref('day@contract.test');
    await counters.commit({ sender: d, key: senderKey(d), message: 'd1', at: T - 120 * MIN, counts: { external: 5, internal: 0, messages: 1 } }, []);
    assert.equal((await ask(d, 'd2', 'a@x.test', false, { perDay: 6, externalPerHour: 1 })).reserved, true, 'the hour window no longer holds the first five');
    const over = await ask(d, 'd2', 'b@x.test', true, { perDay: 6 });
    assert.deepEqual([over.reserved, over.totals.recipientsLast24h, over.tally], [false, 5, { external: 1, internal: 1 }]);
  });

  test(`${prefix} a tenant is one more subject: its external recipients per day are held, counted, listed and reset as its own`, async (t) => {
    const h = await open(t);
    const counters = h.counters;
    const tenant = tenantRef('contoso');
    const key = senderKey(tenant);
    const ask = (message: string, recipient: string, now = T) =>
      Promise.resolve(counters.reserve({ sender: tenant, key, message, recipient, internal: false, now, caps: { ...NO_CAPS, perDay: 3 } }));
    await counters.commit({ sender: tenant, key, message: 't1', at: T - 23 * 60 * MIN, counts: { external: 2, internal: 0, messages: 1 } }, []);
    assert.equal((await ask('t2', 'a@x.test')).reserved, true);
    const over = await ask('t2', 'b@x.test');
    assert.deepEqual([over.reserved, over.totals.recipientsLast24h, over.tally.external], [false, 2, 2], 'the day holds 2, this message 1: no room for a 4th');
    await counters.commit({ sender: tenant, key, message: 't2', at: T, counts: { external: 1, internal: 0, messages: 1 } }, []);
    const listed = [...(await counters.active(T))].map((a) => a.sender);
    assert.deepEqual(listed, [tenant], 'the tenant reads back as a Tenant, not a mailbox');
    assert.equal((await ask('t3', 'c@x.test', T + 60 * MIN)).reserved, true, 'the day rolls: the first two are out of it');
    await h.resetWindows(tenant, T + 61 * MIN);
    assert.equal((await counters.totals(key, '', T + 62 * MIN)).recipientsLast24h, 0, 'an unblock restarts the count');
  });

  if (!opts.shared) return;
  test(`${prefix} a message's recipients count once whichever node asks, and its commit counts once`, async (t) => {
    const h = await open(t);
    if (!h.otherNode) throw new Error('shared counters need a harness that opens a second node');
    const [a, b] = [h.counters, await h.otherNode()];
    const nodes = [a, b];
    // 120 asks from two connections at once, for 24 messages of 5 recipients: the cap admits exactly 50.
    const asks = Array.from({ length: 120 }, (_, i) =>
      Promise.resolve(nodes[i % 2]!.reserve({ sender: alice, key: ALICE, message: `n${Math.floor(i / 5)}`, recipient: `r${i % 5}@example.com`, internal: false, now: T, caps: caps(50) })),
    );
    const results = await Promise.all(asks);
    assert.equal(results.filter((r) => r.reserved).length, 50);
    assert.equal((await b.totals(ALICE, '', T)).externalLastHour, 50, 'exactly the cap is held, seen from the other node');
    const first = results.findIndex((r) => r.reserved);
    const message = `n${Math.floor(first / 5)}`;
    const mine = results.filter((r, i) => r.reserved && `n${Math.floor(i / 5)}` === message).length;
    const commit = { sender: alice, key: ALICE, message, at: T, counts: { external: mine, internal: 0, messages: 1 } };
    await Promise.all([a.commit(commit, []), b.commit(commit, [])]);
    assert.deepEqual(await a.totals(ALICE, '', T), { externalLastHour: 50, internalLastHour: 0, externalLast24h: 50, internalLast24h: 0, recipientsLast24h: 50, messagesLastMinute: 1 });
  });
}
