// Three `outgate start` nodes on one throwaway PostgreSQL + Redis behave as one: a limit admits exactly
// N cluster-wide, an unblock made on one node is enforced on every node within a second, Redis down
// follows the fail mode and its return heals the cluster, and a node killed mid-load loses nothing
// acknowledged; the restriction raises one alert, not one per node.
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import pg from 'pg';
import { HANG_UP, PolicyClient, sendMessage } from '../src/adapters/postfix-policy/client.js';
import { ok, runCli, tempDataDir } from './support/outgate.js';
import { startPostgres } from './support/postgres.js';
import { startRedis, type ThrowawayRedis } from './support/redis.js';
import { spawnServer } from './support/server-process.js';

const DUNNO = 'action=DUNNO';
const DENIED = 'action=550 5.1.8 Access denied, bad outbound sender';
/** The limit of every sender at limited.test: recipients per hour, cluster-wide. */
const N = 12;

interface Node {
  readonly child: ChildProcess;
  readonly policyPort: number;
  readonly httpPort: number;
}

/** Every node started, killed before the databases stop (after-hooks run in the order they were added). */
const children: ChildProcess[] = [];

/**
 * `outgate start` on the shared store, every listener on a port the node binds itself, resolved once this
 * very process says its HTTP API listens. (Ports chosen before the start could be taken meanwhile by
 * another test file running at the same time: a node then died after its policy server was up, and its
 * clients saw hang-ups.)
 */
async function startNode(t: TestContext, env: NodeJS.ProcessEnv): Promise<Node> {
  const dataDir = tempDataDir();
  t.after(() => rmSync(dataDir, { recursive: true, force: true }));
  const node = await spawnServer(dataDir, env, {
    // Errors and worse stay visible: the reason behind a hang-up or a failed assertion.
    onLog: (entry, line) => {
      if ((entry.level ?? 0) >= 50) process.stderr.write(`${line.slice(0, 400)}\n`);
    },
  });
  children.push(node.child);
  return node;
}

let instances = 0;
/** One RCPT of a new message: what the node answers for `login` now. */
function rcpt(c: PolicyClient, login: string): Promise<string> {
  return c.ask({ sasl_username: login, sender: login, instance: `probe${++instances}`, protocol_state: 'RCPT', recipient: 'x@example.com', client_address: '127.0.0.1' });
}

/** The same on a connection of its own: a node failing closed hangs up without a reply (Postfix then defers). */
async function probe(port: number, login: string): Promise<string> {
  const c = await PolicyClient.open(port);
  try {
    return await rcpt(c, login);
  } finally {
    c.close();
  }
}

/** Asks until `accept` takes the answer, failing after `ms`; resolves with the time it took. */
async function until(what: string, ask: () => Promise<string>, accept: (a: string) => boolean, ms: number): Promise<number> {
  const started = performance.now();
  let last = '';
  while (!accept((last = await ask()))) {
    if (performance.now() - started > ms) assert.fail(`${what}: still '${last}' after ${ms} ms`);
  }
  return performance.now() - started;
}

test('three nodes on PostgreSQL + Redis behave as one', { timeout: 120_000 }, async (t) => {
  const [db, firstRedis] = await Promise.all([startPostgres(), startRedis()]);
  let redis: ThrowawayRedis = firstRedis;
  t.after(async () => {
    for (const c of children) c.kill('SIGKILL');
    await redis.stop();
    await db.stop();
  });
  const url = await db.createDatabase();
  const home = mkdtempSync(join(tmpdir(), 'outgate-cluster-'));
  t.after(() => rmSync(home, { recursive: true, force: true }));
  const config = join(home, 'outgate.json');
  writeFileSync(config, JSON.stringify({ serviceLimits: { messagesPerMinute: 1_000_000, recipientsPerDay: 1_000_000 } }));
  const env = { OUTGATE_DATABASE_URL: url, OUTGATE_REDIS_URL: redis.url, OUTGATE_CONFIG: config };
  // Cmdlets from a machine of their own (an empty data directory): the shared store is all they see.
  const cli = (...args: string[]) => runCli(home, args, env);

  await ok(cli('Set-HostedOutboundSpamFilterPolicy', 'Default', '-RecipientLimitExternalPerHour', '10000', '-RecipientLimitPerDay', '10000'));
  await ok(cli('New-HostedOutboundSpamFilterPolicy', 'Tight', '-RecipientLimitExternalPerHour', String(N), '-ActionWhenThresholdReached', 'BlockUser'));
  await ok(cli('New-HostedOutboundSpamFilterRule', 'Tight', '-HostedOutboundSpamFilterPolicy', 'Tight', '-SenderDomainIs', 'limited.test'));
  await ok(cli('New-AdminAccount', 'ops', '-Role', 'Security Administrator'));
  const apiKey = (JSON.parse((await ok(cli('New-ApiKey', 'ops', '--format', 'json'))).stdout) as { Secret: string }).Secret;

  const nodes = await Promise.all([0, 1, 2].map(() => startNode(t, env)));
  const clients = await Promise.all(nodes.map((n) => PolicyClient.open(n.policyPort)));
  t.after(() => clients.forEach((c) => c.close()));

  await t.test(`a sender limited to ${N} recipients an hour sends at most ${N} across the nodes, and reaches the limit`, async () => {
    const hot = 'hot@limited.test';
    const rcpts: string[] = [];
    let ends = 0;
    // Four connections per node, four one-recipient messages each, all at once: 48 asks for 12 places.
    const worker = async (port: number, w: number): Promise<void> => {
      const c = await PolicyClient.open(port);
      for (let i = 0; i < 4; i++) {
        const common = { sasl_username: hot, sender: hot, instance: `hot.${port}.${w}.${i}`, client_address: '127.0.0.1' };
        const answer = await c.ask({ ...common, protocol_state: 'RCPT', recipient: `r${w}.${i}@example.com` });
        rcpts.push(answer);
        if (answer !== DUNNO) continue;
        if ((await c.ask({ ...common, protocol_state: 'END-OF-MESSAGE', recipient: `r${w}.${i}@example.com`, recipient_count: 1 })) === DUNNO) ends++;
      }
      c.close();
    };
    await Promise.all(nodes.flatMap((n) => [0, 1, 2, 3].map((w) => worker(n.policyPort, w))));
    // The cap is reached: N recipients are held at RCPT before anything is refused. A message admitted at
    // RCPT and then refused at its END (another node restricted the sender meanwhile) frees its place, and
    // a node that has not yet heard of the restriction may give that place to another recipient, so more
    // than N can be admitted at RCPT; what goes out (acknowledged at END) never exceeds N.
    assert.ok(rcpts.filter((a) => a === DUNNO).length >= N, 'the limit is reached');
    assert.ok(ends <= N, `${ends} messages went out, limit ${N}`);
    assert.deepEqual([...new Set(rcpts.filter((a) => a !== DUNNO))], [DENIED], 'every other recipient is refused as restricted');
    // A message admitted at RCPT whose sender another node restricted before its END is refused there.
    assert.equal(await historyOf(url, hot), ends, 'PostgreSQL holds every message acknowledged at its end');
    for (const c of clients) await until('restricted on every node', () => rcpt(c, hot), (a) => a === DENIED, 1_000);
  });

  await t.test('an unblock on one node is enforced on every node in under a second', async () => {
    const started = performance.now();
    const res = await fetch(`http://127.0.0.1:${nodes[0]!.httpPort}/api/v1/restricted-entities/Mailbox/hot@limited.test/unblock`, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ reason: 'password reset' }),
    });
    assert.equal(res.status, 200, await res.text());
    const answered = performance.now() - started;
    // Measured from the request (the commit is inside it) to each node's first admission.
    const seen = await Promise.all(clients.map((c) => until('admitted after the unblock', () => rcpt(c, 'hot@limited.test'), (a) => a === DUNNO, 2_000)));
    const worst = answered + Math.max(...seen);
    t.diagnostic(`unblock answered in ${answered.toFixed(1)} ms; enforced on every node ${worst.toFixed(1)} ms after the request (per node after the answer: ${seen.map((s) => s.toFixed(1)).join(', ')} ms)`);
    assert.ok(worst < 1_000, `enforced everywhere after ${worst.toFixed(0)} ms`);
  });

  await t.test('Redis down: a new sender is deferred, a restricted one still refused; Redis back: the cluster recovers', async () => {
    const victim = 'victim@limited.test';
    const to = Array.from({ length: N + 1 }, (_, i) => `v${i}@example.com`);
    assert.equal((await sendMessage(clients[0]!, { login: victim, to })).rcpt.at(-1), DENIED);
    for (const c of clients) await until('the restriction reached every node', () => rcpt(c, victim), (a) => a === DENIED, 1_000);

    const port = redis.port;
    await redis.stop();
    for (const n of nodes) {
      // Fail closed on the policy protocol is a hang-up without a reply: Postfix answers its own 4xx.
      assert.equal(await probe(n.policyPort, 'newcomer@load.test'), HANG_UP, 'fail closed, never DUNNO');
      assert.equal(await probe(n.policyPort, victim), DENIED, 'a known restriction stands from the node cache');
    }
    redis = await startRedis(port);
    for (const n of nodes) await until('admits again once Redis is back', () => probe(n.policyPort, 'newcomer@load.test'), (a) => a === DUNNO, 10_000);
  });

  await t.test('a node killed mid-load loses nothing acknowledged', async () => {
    const acked = new Map<string, number>();
    const inFlight = new Map<string, number>();
    const add = (m: Map<string, number>, k: string, d: number) => m.set(k, (m.get(k) ?? 0) + d);
    let total = 0;
    let killAt: () => void = () => undefined;
    const enough = new Promise<void>((resolve) => (killAt = resolve));
    let stop = false;
    const worker = async (port: number, w: number): Promise<void> => {
      const c = await PolicyClient.open(port);
      for (let i = 0; !stop && i < 400; i++) {
        const login = `u${(w * 31 + i) % 200}@load.test`;
        const common = { sasl_username: login, sender: login, instance: `load.${port}.${w}.${i}`, client_address: '127.0.0.1' };
        if ((await c.ask({ ...common, protocol_state: 'RCPT', recipient: 'x@example.com' })) !== DUNNO) break;
        add(inFlight, login, 1);
        const end = await c.ask({ ...common, protocol_state: 'END-OF-MESSAGE', recipient: 'x@example.com', recipient_count: 1 });
        if (end === HANG_UP) break; // unknown: it may or may not have been recorded, so it stays in flight
        add(inFlight, login, -1);
        assert.equal(end, DUNNO);
        add(acked, login, 1);
        if (++total === 150) killAt();
      }
      c.close();
    };
    const workers = nodes.flatMap((n, i) => [0, 1, 2].map((w) => worker(n.policyPort, i * 3 + w)));
    const done = Promise.all(workers);
    // The kill comes once enough is acknowledged; load that stops early fails below instead of hanging.
    await Promise.race([enough, done]);
    assert.ok(total >= 150, `load ran before the kill (${total} acknowledged)`);
    nodes[2]!.child.kill('SIGKILL');
    stop = true;
    await done;
    t.diagnostic(`${total} messages acknowledged around the kill`);
    const stored = await historyByLogin(url);
    for (const [login, n] of acked) {
      const s = stored.get(login) ?? 0;
      assert.ok(s >= n, `${login}: ${n} acknowledged, ${s} in PostgreSQL`);
      assert.ok(s <= n + (inFlight.get(login) ?? 0), `${login}: ${s} in PostgreSQL, more than acknowledged plus in flight`);
    }
  });

  await t.test('the restrictions raised one alert each, not one per node', async () => {
    type Alert = { Entity: string; EventCount: number; PolicyIdentity: string };
    const alerts = async () => JSON.parse((await ok(cli('Get-Alert', '--format', 'json'))).stdout) as Alert[];
    const deadline = performance.now() + 10_000;
    let list = await alerts();
    while (list.filter((a) => a.PolicyIdentity === 'UserRestricted').length < 2 && performance.now() < deadline) list = await alerts();
    const of = (entity: string) => list.filter((a) => a.Entity === entity && a.PolicyIdentity === 'UserRestricted').map((a) => a.EventCount);
    assert.deepEqual(of('hot@limited.test'), [1]);
    assert.deepEqual(of('victim@limited.test'), [1]);
  });
});

/** Messages PostgreSQL's sending history holds for one sender. */
async function historyOf(url: string, identity: string): Promise<number> {
  return (await historyByLogin(url)).get(identity) ?? 0;
}

async function historyByLogin(url: string): Promise<Map<string, number>> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const r = await c.query<{ identity: string; m: string }>('SELECT identity, SUM(messages) AS m FROM sending_minutes GROUP BY identity');
    return new Map(r.rows.map((row) => [row.identity, Number(row.m)]));
  } finally {
    await c.end();
  }
}
