// Portal sign-in over a real listening server: the cookie's attributes, CSRF refusal, idle and
// absolute expiry, sign-out, throttling per account and per source address (parallel attempts too),
// and the audit records.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Value } from 'typebox/value';
import { authenticateSession, describeSession } from '../src/app/sessions.js';
import { loadConfig } from '../src/config/load.js';
import { sessionOptionsOf } from '../src/main.js';
import { PortalConfigSchema, SessionInfoSchema } from '../src/shared/api-schemas.js';
import { startTestServer, type TestServer } from './support/outgate.js';

const PASSWORD = 'correct horse battery staple';

describe('portal sessions', { timeout: 120_000 }, () => {
  let s: TestServer;
  const url = (path: string) => `http://127.0.0.1:${s.httpPort}${path}`;

  async function call(method: string, path: string, opts: { cookie?: string; csrf?: string; body?: unknown } = {}) {
    const res = await fetch(url(path), {
      method,
      headers: {
        ...(opts.cookie ? { cookie: opts.cookie } : {}),
        ...(opts.csrf ? { 'x-csrf-token': opts.csrf } : {}),
        ...(opts.body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
  }

  async function signIn(name: string, password = PASSWORD) {
    const res = await call('POST', '/api/v1/session', { body: { name, password } });
    const setCookie = res.headers.get('set-cookie') ?? '';
    return { ...res, setCookie, cookie: setCookie.split(';')[0]!, csrf: res.body.csrfToken as string };
  }

  before(async () => {
    s = await startTestServer({ 'http.session.failuresPerAccount': 3, 'http.session.failuresPerAddress': 8 });
    for (const [name, role] of [
      ['sec-admin', 'Security Administrator'],
      ['reader', 'Security Reader'],
      ['victim', 'Security Reader'],
    ]) {
      assert.equal((await s.cli('New-AdminAccount', name!, '-Role', role!, '-Password', PASSWORD)).code, 0);
    }
  });
  after(() => s?.stop());

  it('signs in with an HttpOnly, SameSite=Strict cookie and tells the portal who it is', async () => {
    const r = await signIn('Sec-Admin');
    assert.equal(r.status, 200);
    assert.match(r.setCookie, /^og_session=[A-Za-z0-9_-]{43};/);
    assert.match(r.setCookie, /HttpOnly/);
    assert.match(r.setCookie, /SameSite=Strict/);
    assert.match(r.setCookie, /Path=\//);
    const account = r.body.account as Record<string, unknown>;
    assert.deepEqual([account.name, account.role, account.tenantId], ['sec-admin', 'Security Administrator', null]);
    const me = await call('GET', '/api/v1/session', { cookie: r.cookie });
    assert.equal(me.status, 200);
    assert.equal(me.body.csrfToken, r.csrf);
    // Strict schemas serialize only their own fields: the answer has every field the use case builds.
    assert.ok(Value.Check(SessionInfoSchema, me.body) && Value.Check(SessionInfoSchema, r.body), JSON.stringify(me.body));
    const opts = sessionOptionsOf(loadConfig({ env: {}, overrides: { dataDir: s.dataDir } }));
    const info = await describeSession(s.store, opts, (await authenticateSession(s.store, s.clock, opts, r.cookie.split('=')[1]!, '127.0.0.1'))!);
    assert.deepEqual(Object.keys(me.body).sort(), Object.keys(info).sort());
    assert.deepEqual(Object.keys(account).sort(), Object.keys(info.account).sort());
    const config = await call('GET', '/api/v1/portal-config', { cookie: r.cookie });
    assert.ok(Value.Check(PortalConfigSchema, config.body), JSON.stringify(config.body));
    assert.equal((await call('GET', '/api/v1/restricted-entities', { cookie: r.cookie })).status, 200);
  });

  it('refuses a change without the CSRF token, or with a wrong one, and takes it with the right one', async () => {
    const r = await signIn('sec-admin');
    const body = { Name: 'csrf-check', RecipientLimitPerDay: 100 };
    const none = await call('POST', '/api/v1/outbound-policies', { cookie: r.cookie, body });
    assert.equal(none.status, 403);
    assert.equal(none.body.code, 'OG_ERR_CSRF');
    const wrong = await call('POST', '/api/v1/outbound-policies', { cookie: r.cookie, csrf: 'x'.repeat(r.csrf.length), body });
    assert.equal(wrong.body.code, 'OG_ERR_CSRF');
    const other = await signIn('sec-admin');
    assert.equal((await call('POST', '/api/v1/outbound-policies', { cookie: r.cookie, csrf: other.csrf, body })).status, 403, "another session's token is no good");
    assert.equal((await call('GET', '/api/v1/outbound-policies/csrf-check', { cookie: r.cookie })).status, 404, 'nothing was created');
    assert.equal((await call('POST', '/api/v1/outbound-policies', { cookie: r.cookie, csrf: r.csrf, body })).status, 201);
  });

  it('a read-only role signed in sees but cannot change (403, not CSRF)', async () => {
    const r = await signIn('reader');
    assert.equal((await call('GET', '/api/v1/outbound-policies', { cookie: r.cookie })).status, 200);
    const res = await call('PATCH', '/api/v1/outbound-policies/Default', { cookie: r.cookie, csrf: r.csrf, body: { RecipientLimitPerDay: 5 } });
    assert.equal(res.status, 403);
    assert.equal(res.body.code, 'OG_ERR_FORBIDDEN');
  });

  it('ends a session after 30 idle minutes, keeps a busy one, and ends every one after 12 hours', async () => {
    const idle = await signIn('sec-admin');
    const busy = await signIn('sec-admin');
    for (let i = 0; i < 4; i++) {
      s.clock.advance(20 * 60_000);
      assert.equal((await call('GET', '/api/v1/session', { cookie: busy.cookie })).status, 200, `busy session alive after ${(i + 1) * 20} min`);
    }
    const gone = await call('GET', '/api/v1/session', { cookie: idle.cookie });
    assert.equal(gone.status, 401);
    assert.equal(gone.body.message, 'Your session has ended; sign in again.');
    for (let i = 0; i < 33; i++) {
      s.clock.advance(20 * 60_000);
      await call('GET', '/api/v1/session', { cookie: busy.cookie });
    }
    assert.equal((await call('GET', '/api/v1/session', { cookie: busy.cookie })).status, 401, 'absolute timeout');
  });

  it('signs out: the cookie is cleared and the session no longer works', async () => {
    const r = await signIn('sec-admin');
    assert.equal((await call('DELETE', '/api/v1/session', { cookie: r.cookie })).status, 403, 'sign-out needs the CSRF token too');
    const out = await call('DELETE', '/api/v1/session', { cookie: r.cookie, csrf: r.csrf });
    assert.equal(out.status, 204);
    assert.match(out.headers.get('set-cookie') ?? '', /og_session=;.*Expires=Thu, 01 Jan 1970/);
    assert.equal((await call('GET', '/api/v1/session', { cookie: r.cookie })).status, 401);
  });

  it('answers a wrong password and an unknown name alike, then throttles the account with Retry-After', async () => {
    const unknown = await signIn('nobody', 'whatever-password');
    const wrong = await signIn('victim', 'wrong-password-1');
    assert.equal(unknown.status, 401);
    assert.deepEqual(unknown.body, wrong.body);
    assert.equal(wrong.body.code, 'OG_ERR_SIGN_IN_FAILED');
    await signIn('victim', 'wrong-password-2');
    await signIn('victim', 'wrong-password-3');
    const throttled = await signIn('victim');
    assert.equal(throttled.status, 429, 'even the right password waits');
    assert.equal(throttled.body.code, 'OG_ERR_THROTTLED');
    const retry = Number(throttled.headers.get('retry-after'));
    assert.ok(retry > 0 && retry <= 15 * 60, `Retry-After ${retry}`);
    s.clock.advance(retry * 1000);
    assert.equal((await signIn('victim')).status, 200, 'allowed again once the window has passed');
  });

  it('throttles a source address that tries many accounts', async () => {
    s.clock.advance(60 * 60_000);
    for (let i = 0; i < 8; i++) assert.equal((await signIn(`guess-${i}`, 'nope-nope-nope')).status, 401);
    const r = await signIn('sec-admin');
    assert.equal(r.status, 429, 'the address is throttled, whichever account it tries');
  });

  it('parallel wrong passwords for one account check at most the limit; the rest are throttled', async () => {
    s.clock.advance(60 * 60_000);
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => signIn('victim', `wrong-parallel-${i}`)));
    const checked = results.filter((r) => r.status === 401).length;
    assert.equal(checked, 3, 'the account limit (3), however many arrive at once');
    assert.ok(results.every((r) => r.status === 401 || r.status === 429), results.map((r) => r.status).join(','));
  });

  it('parallel attempts at many names from one address check at most the address limit', async () => {
    s.clock.advance(60 * 60_000);
    const results = await Promise.all(Array.from({ length: 60 }, (_, i) => signIn(`spray-${i}`, 'nope-nope-nope')));
    assert.equal(results.filter((r) => r.status === 401).length, 8, 'the address limit (8)');
    assert.equal(results.filter((r) => r.status === 429).length, 52);
  });

  it('a disabled account or a changed password ends its sessions', async () => {
    s.clock.advance(60 * 60_000);
    const r = await signIn('reader');
    assert.equal(r.status, 200);
    assert.equal((await s.cli('Set-AdminAccount', 'reader', '-Password', 'another long password')).code, 0);
    assert.equal((await call('GET', '/api/v1/session', { cookie: r.cookie })).status, 401);
  });

  it('audits every sign-in, failed or not, and every sign-out', async () => {
    const out = await s.cli('Search-AdminAuditLog', '-Operations', 'SignIn,SignOut', '-StartDate', '2026-01-01', '-EndDate', '2027-01-01', '--format', 'json');
    assert.equal(out.code, 0, out.stderr);
    const records = JSON.parse(out.stdout) as Array<{ Operation: string; UserId: string; ResultStatus: string; Source: string; ClientIP: string; After: unknown }>;
    const ops = new Set(records.map((r) => `${r.Operation}/${r.ResultStatus}`));
    for (const o of ['SignIn/Succeeded', 'SignIn/Failed', 'SignOut/Succeeded']) assert.ok(ops.has(o), `${o} audited`);
    const throttled = records.find((r) => r.ResultStatus === 'Failed' && JSON.stringify(r.After).includes('Throttled'));
    assert.ok(throttled, 'throttled attempts are audited');
    assert.ok(records.every((r) => r.Source === 'portal' && r.ClientIP === '127.0.0.1'));
    assert.ok(records.some((r) => r.UserId === 'nobody' && r.ResultStatus === 'Failed'));
    assert.equal((await s.cli('Test-AuditLogIntegrity')).code, 0);
  });

  it('marks the cookie Secure behind a trusted TLS-terminating proxy, and only a trusted one', async () => {
    s.clock.advance(60 * 60_000);
    const viaProxy = (port: number) =>
      fetch(`http://127.0.0.1:${port}/api/v1/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-proto': 'https' },
        body: JSON.stringify({ name: 'sec-admin', password: PASSWORD }),
      });
    const untrusted = await viaProxy(s.httpPort);
    assert.equal(untrusted.status, 200);
    assert.doesNotMatch(untrusted.headers.get('set-cookie') ?? '', /Secure/, 'anyone can send the header');
    const proxied = await startTestServer({ 'http.trustProxy': '127.0.0.1' });
    try {
      assert.equal((await proxied.cli('New-AdminAccount', 'sec-admin', '-Role', 'Security Administrator', '-Password', PASSWORD)).code, 0);
      const trusted = await viaProxy(proxied.httpPort);
      assert.equal(trusted.status, 200);
      assert.match(trusted.headers.get('set-cookie') ?? '', /; Secure/);
    } finally {
      await proxied.stop();
    }
  });
});
