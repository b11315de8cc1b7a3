// Webhook targets: internal addresses in every spelling are refused before any connection, every
// address a name resolves to is checked, the connection goes to the checked address, and the error
// kept on the alert does not tell a refused target from a closed port.
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { DELIVERY_FAILED, postWebhook } from './webhook-poster.js';
import { checkedTarget, TargetPolicy, targetAllowed, webhookPolicy, type Resolve } from './webhook-target.js';

const none = new TargetPolicy([]);
/** A resolver that knows only the names given; no test touches real DNS. */
const fakeDns =
  (names: Record<string, string[]>): Resolve =>
  async (host) => {
    const all = names[host];
    if (!all) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
    return all.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };
const dns = fakeDns({ localhost: ['127.0.0.1', '::1'], 'hooks.example': ['93.184.216.34'], 'split.example': ['93.184.216.34', '10.0.0.7'], 'internal.example': ['127.0.0.1'] });

test('internal targets in every spelling are refused by default; public ones are allowed', async () => {
  const refused = [
    'http://127.0.0.1/',
    'http://127.1:10040/',
    'http://localhost/',
    'http://[::1]/',
    'http://2130706433/',
    'http://0x7f000001/',
    'http://0177.0.0.1/',
    'http://169.254.169.254/latest/meta-data/',
    'http://10.1.2.3/',
    'http://172.16.0.1/',
    'http://192.168.1.1/',
    'http://100.64.0.1/',
    'http://0.0.0.0/',
    'http://224.0.0.1/',
    'http://255.255.255.255/',
    'http://[::]/',
    'http://[::ffff:127.0.0.1]/',
    'http://[::ffff:a9fe:a9fe]/',
    'http://[fe80::1]/',
    'http://[fd00::1]/',
    'http://[ff02::1]/',
    'http://[64:ff9b::7f00:1]/',
    'https://split.example/',
    'https://nowhere.example/',
  ];
  for (const url of refused) assert.equal(await targetAllowed(url, none, dns), false, url);
  for (const url of ['https://hooks.example/alerts', 'http://93.184.216.34:8080/', 'http://[2606:4700::1111]/']) assert.equal(await targetAllowed(url, none, dns), true, url);
});

test('the allow-list lets an operator name internal targets by CIDR or host name, and nothing more', async () => {
  const cidr = new TargetPolicy(['127.0.0.1/32', '10.0.0.0/8', '::1']);
  assert.equal(await targetAllowed('http://127.0.0.1:9000/', cidr, dns), true);
  assert.equal(await targetAllowed('http://[::1]/', cidr, dns), true);
  assert.equal(await targetAllowed('http://localhost/', cidr, dns), true, 'both of its addresses are allowed');
  assert.equal(await targetAllowed('http://127.0.0.2/', cidr, dns), false);
  assert.equal(await targetAllowed('http://169.254.169.254/', cidr, dns), false);
  const byName = new TargetPolicy(['Internal.Example']);
  assert.equal(await targetAllowed('http://internal.example/', byName, dns), true);
  assert.equal(await targetAllowed('http://127.0.0.1/', byName, dns), false);
  assert.throws(() => webhookPolicy(['10.0.0.0/99']), /OG_ERR_CONFIG_INVALID|bad prefix length/);
});

test('delivery connects to the address that was checked, never a second answer', async () => {
  let answers = 0;
  const rebinding: Resolve = async () => [{ address: answers++ === 0 ? '93.184.216.34' : '127.0.0.1', family: 4 }];
  assert.deepEqual(await checkedTarget(new URL('http://rebind.example/'), none, rebinding), { address: '93.184.216.34', family: 4 });
  assert.equal(answers, 1, 'resolved once');

  // A name resolving to the loopback, allowed by name: the request reaches our receiver under that name.
  const seen: Array<IncomingMessage['headers']> = [];
  const receiver = createServer((req, res) => {
    seen.push(req.headers);
    req.resume();
    req.on('end', () => res.writeHead(204).end());
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  try {
    const port = (receiver.address() as AddressInfo).port;
    await postWebhook(`http://internal.example:${port}/hook`, 'whsec_x', '{}', 0, { userAgent: 'test', policy: new TargetPolicy(['internal.example']), resolve: dns });
    assert.equal(seen.length, 1);
    assert.equal(seen[0]!.host, `internal.example:${port}`);
  } finally {
    receiver.close();
  }
});

test('the stored error says "delivery failed" for a refused target and a closed port alike, and the status only when the peer answered', async () => {
  let connections = 0;
  let status = 500;
  const receiver = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(status, { location: 'http://127.0.0.1:1/elsewhere' }).end());
  });
  receiver.on('connection', () => connections++);
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  const port = (receiver.address() as AddressInfo).port;
  const details: string[] = [];
  const post = (url: string, policy: TargetPolicy) => postWebhook(url, 'whsec_x', '{}', 0, { userAgent: 'test', policy, resolve: dns, onFailure: (_u, d) => details.push(d) }).then(
    () => 'ok',
    (err: Error) => err.message,
  );
  try {
    const allowLoopback = new TargetPolicy(['127.0.0.1/32']);
    assert.equal(await post(`http://127.0.0.1:${port}/`, none), DELIVERY_FAILED, 'refused target');
    assert.equal(connections, 0, 'refused before connecting');
    const closed = await new Promise<number>((r) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const p = (probe.address() as AddressInfo).port;
        probe.close(() => r(p));
      });
    });
    assert.equal(await post(`http://127.0.0.1:${closed}/`, allowLoopback), DELIVERY_FAILED, 'closed port');
    assert.equal(await post(`http://nowhere.example/`, none), DELIVERY_FAILED, 'unknown name');
    assert.equal(await post(`http://127.0.0.1:${port}/`, allowLoopback), 'Webhook: HTTP 500');
    status = 302;
    assert.equal(await post(`http://127.0.0.1:${port}/`, allowLoopback), 'Webhook: HTTP 302', 'a redirect is not followed');
    assert.equal(connections, 2);
    assert.ok(details.some((d) => /not a public address/.test(d)) && details.some((d) => /ECONNREFUSED/.test(d)), 'the operator log gets the detail');
  } finally {
    receiver.close();
  }
});
