// The admin portal in a real Chromium against a real server on a real store: SPA serving and deep
// links, sign-in, the Restricted entities list (sort, search, spacing, filters), the whole Unblock user
// wizard followed by mail admitted again through the Postfix policy server, and a read-only role that
// sees no Unblock control.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  screenshot,
  signIn,
  toast,
  waitForCount,
  type PortalPage,
} from './support/browser.js';
import { ok, type TestServer } from './support/outgate.js';
import { startPortal, type PortalRig } from './support/portal-rig.js';
import { PolicyClient, sendMessage } from '../src/adapters/postfix-policy/client.js';
import { restrict as restriction } from '../src/domain/restriction.js';

const PASSWORD = 'portal-test-password-1';
const ADMIT = 'action=DUNNO';
const REFUSE = 'action=550 5.1.8 Access denied, bad outbound sender';

describe('admin portal', { timeout: 420_000 }, () => {
  let rig: PortalRig;
  let s: TestServer;
  let policy: PolicyClient;
  const base = () => rig.base;
  const portal = (viewport?: { width: number; height: number }): Promise<PortalPage> => rig.open(viewport);

  async function restrict(login: string, n = 6, client?: string): Promise<void> {
    for (let i = 0; i < n; i++) await sendMessage(policy, { login, to: [`r${i}@external.example`], ...(client ? { client } : {}) });
  }

  before(async () => {
    // Webhooks to loopback are refused by default; the portal's webhook test adds one here.
    rig = await startPortal({ 'alerts.webhookAllow': ['127.0.0.1/32'] });
    s = rig.s;
    const cli = async (...args: string[]) => assert.equal((await s.cli(...args)).code, 0, args.join(' '));
    await cli('New-AcceptedDomain', '-Name', 'Contoso', '-DomainName', 'contoso.com');
    await cli(
      'Set-HostedOutboundSpamFilterPolicy',
      '-Identity',
      'Default',
      '-RecipientLimitExternalPerHour',
      '5',
      '-ActionWhenThresholdReached',
      'BlockUser',
    );
    await cli('New-InboundConnector', '-Name', 'Branch relay', '-SenderIPAddresses', '192.0.2.0/24', '-RecipientLimitExternalPerHour', '3');
    await cli('New-AdminAccount', 'secadmin', '-Role', 'Security Administrator', '-Password', PASSWORD);
    await cli('New-AdminAccount', 'reader', '-Role', 'Security Reader', '-Password', PASSWORD);
    await cli('New-AdminAccount', 'ga', '-Role', 'Global Administrator', '-Password', PASSWORD);
    policy = await PolicyClient.open(s.policyPort);
    // A day of ordinary traffic before the incidents, so the charts and sending activity have a shape.
    const now = s.clock.t;
    s.clock.t = now - 20 * 3_600_000;
    for (let h = 0; h < 20; h++) {
      await sendMessage(policy, {
        login: 'megan@contoso.com',
        to: Array.from({ length: 1 + (h % 4) }, (_, i) => `m${h}.${i}@external.example`),
      });
      await sendMessage(policy, {
        login: 'lee@contoso.com',
        to: Array.from({ length: 2 + (h % 3) }, (_, i) => `colleague${i}@contoso.com`),
      });
      s.clock.advance(3_600_000);
    }
    s.clock.t = now;
    await restrict('julia@contoso.com');
    await restrict('adele@contoso.com');
    for (let i = 0; i < 4; i++) await sendMessage(policy, { to: [`c${i}@external.example`], client: '192.0.2.7' });
  });

  after(async () => {
    policy?.close();
    await rig?.stop();
  });

  it('serves the portal with deep links that survive a reload, and never shadows the API', async () => {
    for (const path of [
      '/',
      '/restrictedentities',
      '/alertpolicies',
      '/alerts',
      '/antispam',
      '/sendingactivity',
      '/auditlog',
      '/settings',
      '/signin',
    ]) {
      const res = await fetch(`${base()}${path}`);
      assert.equal(res.status, 200, path);
      assert.match(res.headers.get('content-type') ?? '', /text\/html/, path);
      assert.match(await res.text(), /<div id="root">/, path);
      assert.match(res.headers.get('content-security-policy') ?? '', /script-src 'self'/, path);
    }
    const api404 = await fetch(`${base()}/api/v1/no-such-route`);
    assert.equal(api404.status, 404);
    assert.equal(((await api404.json()) as { code: string }).code, 'OG_ERR_NOT_FOUND');
    assert.equal((await fetch(`${base()}/api/v1/health`)).status, 200);
    assert.match(await (await fetch(`${base()}/metrics`)).text(), /outgate_/);
    assert.equal((await fetch(`${base()}/api/v1/portal-config`)).status, 401, 'the portal config needs a session');
    assert.equal((await fetch(`${base()}/no-such-file.js`)).status, 404);
    for (const path of ['/health', '/metrics/x', '/api']) {
      const res = await fetch(`${base()}${path}`);
      assert.equal(res.status, 404, path);
      assert.match(res.headers.get('content-type') ?? '', /application\/json/, path);
    }
  });

  it('loads the first page in under 300 KB: a chunk per page, sent precompressed', async (t) => {
    const { page, errors } = await portal();
    const assets: Array<{ url: string; encoding: string; bytes: number }> = [];
    page.on('requestfinished', (req) => {
      if (!/\/assets\//.test(req.url())) return;
      void Promise.all([req.sizes(), req.response()]).then(([sizes, res]) =>
        assets.push({ url: req.url(), encoding: res?.headers()['content-encoding'] ?? 'identity', bytes: sizes.responseBodySize }),
      );
    });
    await signIn(page, 'reader', PASSWORD);
    await page.getByRole('table', { name: 'Restricted entities' }).locator('tbody tr').first().waitFor();
    await page.waitForLoadState('networkidle');
    const total = assets.reduce((n, a) => n + a.bytes, 0);
    t.diagnostic(`first page: ${assets.length} assets, ${(total / 1024).toFixed(1)} KB transferred (${assets.map((a) => a.url.replace(/^.*\//, '')).join(', ')})`);
    assert.ok(total > 0 && total < 300 * 1024, `the first page loads ${(total / 1024).toFixed(1)} KB`);
    // Files under 1 KB are not worth a compressed copy; every other one comes as Brotli.
    const plainBig = assets.filter((a) => a.encoding !== 'br' && a.bytes >= 1024);
    assert.deepEqual(plainBig, [], 'every asset of 1 KB or more is sent compressed');
    assert.ok(assets.filter((a) => a.encoding === 'br').length >= 5);
    assert.ok(!assets.some((a) => /AntiSpam|AuditLog|Settings/.test(a.url)), 'other pages load when opened');
    await page.getByRole('link', { name: 'Anti-spam policies', exact: true }).click();
    await page.locator('tr[data-policy]').first().waitFor();
    assert.ok(assets.some((a) => /AntiSpam/.test(a.url)), 'the page chunk came when opened');
    // A client that takes no compression gets the same file, plain.
    const script = assets.find((a) => a.encoding === 'br')!.url;
    const plain = await fetch(script, { headers: { 'accept-encoding': 'identity' } });
    assert.equal(plain.headers.get('content-encoding'), null);
    const br = await fetch(script, { headers: { 'accept-encoding': 'br' } });
    assert.equal(br.headers.get('content-encoding'), 'br');
    assert.match(br.headers.get('vary') ?? '', /accept-encoding/i);
    assert.equal(await br.text(), await plain.text());
    assert.deepEqual(errors, []);
  });

  it('signs in, shows the role and tenant in the account menu, and keeps a deep link through sign-in', async () => {
    const { page, errors } = await portal();
    await page.goto('/sendingactivity');
    await page.waitForURL(/\/signin\?return=%2Fsendingactivity/);
    await page.getByLabel('Account name').fill('secadmin');
    await page.getByLabel('Password').fill('wrong password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page
      .getByRole('alert')
      .filter({ hasText: /not|wrong|invalid/i })
      .waitFor();
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(/\/sendingactivity$/);
    await page.getByRole('button', { name: /^Account:/ }).click();
    await page.getByText('Role: Security Administrator').waitFor();
    await page.getByText(/Tenant:/).waitFor();
    await page.keyboard.press('Escape');
    await page.reload();
    await page.waitForURL(/\/sendingactivity$/);
    await page.getByRole('button', { name: /^Account:/ }).click();
    await page.getByRole('menuitem', { name: 'Sign out' }).click();
    await page.waitForURL(/\/signin/);
    assert.deepEqual(errors, []);
  });

  it('lists restricted entities with sort, search, compact spacing and filters', async () => {
    const { page, errors } = await portal();
    await signIn(page, 'reader', PASSWORD);
    const table = page.getByRole('table', { name: 'Restricted entities' });
    const names = async () => table.locator('tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-entity')));
    // Sorting and filtering ask the server: the rows change when its answer arrives, not on the click.
    const namesAre = async (expected: string[]): Promise<void> => {
      let shown = await names();
      for (const until = Date.now() + 5_000; JSON.stringify(shown) !== JSON.stringify(expected) && Date.now() < until; shown = await names()) await page.waitForTimeout(50);
      assert.deepEqual(shown, expected);
    };
    await table.locator('tbody tr').first().waitFor();
    assert.deepEqual((await names()).sort(), ['Branch relay', 'adele@contoso.com', 'julia@contoso.com']);

    await table.getByRole('columnheader', { name: 'Entity', exact: true }).click();
    await namesAre(['adele@contoso.com', 'Branch relay', 'julia@contoso.com']);
    await table.getByRole('columnheader', { name: 'Entity', exact: true }).click();
    await namesAre(['julia@contoso.com', 'Branch relay', 'adele@contoso.com']);
    assert.equal(await table.getByRole('columnheader', { name: 'Entity', exact: true }).getAttribute('aria-sort'), 'descending');
    // Entity type and Reason sort on the server too (ties by name, in the same direction: the other order
    // is the same list reversed): the connector first, then by reason.
    await table.getByRole('columnheader', { name: 'Entity type' }).click();
    await namesAre(['Branch relay', 'adele@contoso.com', 'julia@contoso.com']);
    await table.getByRole('columnheader', { name: 'Entity type' }).click();
    await namesAre(['julia@contoso.com', 'adele@contoso.com', 'Branch relay']);
    await table.getByRole('columnheader', { name: 'Reason' }).click();
    await table.locator('th[aria-sort="ascending"]', { hasText: 'Reason' }).waitFor();
    // The cell shows a summary; its title is the reason the server sorted by.
    const reasons = await table.locator('tbody tr td:nth-child(4) span[title]').evaluateAll((els) => els.map((e) => e.getAttribute('title') ?? ''));
    assert.equal(reasons.length, 3);
    assert.deepEqual(reasons, [...reasons].sort(), `reasons in order: ${reasons.join(' | ')}`);

    await page.getByRole('searchbox', { name: 'Search' }).fill('JULIA');
    await waitForCount(table.locator('tbody tr'), 1);
    await namesAre(['julia@contoso.com']);
    await page.getByRole('searchbox', { name: 'Search' }).fill('nobody-matches');
    await page.getByText('Nothing matches').waitFor();
    await page.getByRole('searchbox', { name: 'Search' }).fill('');
    await waitForCount(table.locator('tbody tr'), 3);

    await page.getByRole('combobox', { name: 'Entity type' }).click();
    await page.getByRole('option', { name: 'Connector' }).click();
    await waitForCount(table.locator('tbody tr'), 1);
    await namesAre(['Branch relay']);
    await page.getByRole('combobox', { name: 'Entity type' }).click();
    await page.getByRole('option', { name: 'All entity types' }).click();
    await page.getByRole('combobox', { name: 'Status' }).click();
    await page.getByRole('option', { name: 'Released' }).click();
    await page.getByText('Nothing matches').waitFor();
    await page.getByRole('combobox', { name: 'Status' }).click();
    await page.getByRole('option', { name: 'Restricted' }).click();
    await waitForCount(table.locator('tbody tr'), 3);

    const rowHeight = () =>
      table
        .locator('tbody tr')
        .first()
        .evaluate((r) => r.getBoundingClientRect().height);
    const normal = await rowHeight();
    await page.getByRole('button', { name: 'Change list spacing to compact or normal' }).click();
    await page.getByRole('menuitemradio', { name: 'Compact list' }).click();
    await page.locator('table[data-spacing="compact"]').waitFor();
    assert.ok((await rowHeight()) < normal, `compact rows (${await rowHeight()} px) are lower than normal ones (${normal} px)`);
    assert.deepEqual(errors, []);
  });

  it('shows a Security Reader everything but no Unblock control', async () => {
    const { page, errors } = await portal();
    await signIn(page, 'reader', PASSWORD);
    await page.getByRole('checkbox', { name: 'Select julia@contoso.com' }).check();
    await page.getByRole('checkbox', { name: 'Select julia@contoso.com' }).isChecked();
    assert.equal(await page.getByRole('button', { name: 'Unblock' }).count(), 0);

    // The details are the reader's too: name → details, chart, history, Recommendations; no Unblock.
    const name = page.getByRole('button', { name: 'julia@contoso.com', exact: true });
    await name.click();
    const details = page.getByRole('dialog', { name: 'julia@contoso.com' });
    for (const heading of ['Details', 'Recipients per hour', 'History', 'Recommendations']) await details.getByRole('heading', { name: heading }).waitFor();
    await details.getByText(/Restricted by system/).waitFor();
    assert.equal(await details.getByRole('button', { name: 'Unblock' }).count(), 0, 'Unblock stays with the roles that may change');
    await screenshot(page, 'restricted-entity-details-reader');
    await details.getByRole('button', { name: 'Close', exact: true }).last().click();
    await details.waitFor({ state: 'detached' });
    assert.equal(await name.evaluate((el) => el.matches(":focus")), true, 'focus goes back to the name');
    assert.deepEqual(errors, []);
  });

  it('unblocks a user through the whole Unblock user wizard; the policy server admits their mail again', async () => {
    assert.equal(
      (await sendMessage(policy, { login: 'julia@contoso.com', to: ['before@external.example'] })).rcpt[0],
      REFUSE,
      'restricted before',
    );
    const { page, errors } = await portal();
    await signIn(page, 'secadmin', PASSWORD);
    assert.equal(await page.getByRole('button', { name: 'Unblock' }).count(), 0, 'Unblock appears only when a row is selected');
    await page.getByRole('checkbox', { name: 'Select julia@contoso.com' }).check();
    await page.getByRole('button', { name: 'Unblock' }).click();

    const drawer = page.getByRole('dialog', { name: 'Unblock user' });
    await drawer.waitFor();
    await drawer.getByRole('heading', { name: 'Details' }).waitFor();
    await drawer.getByRole('heading', { name: 'Recommendations' }).waitFor();
    await drawer.getByText('RecipientLimitExternalPerHour', { exact: true }).waitFor();
    await drawer.getByTestId('sending-chart').waitFor();
    await drawer.getByRole('button', { name: 'Next' }).click();

    await drawer.getByRole('heading', { name: 'Multi-factor authentication' }).waitFor();
    await drawer.getByRole('heading', { name: 'Change password' }).waitFor();
    assert.match((await drawer.getByRole('link', { name: 'Enable MFA' }).getAttribute('href')) ?? '', /^https:\/\//);
    assert.match(
      (await drawer.getByRole('link', { name: "Reset the user's password" }).getAttribute('href')) ?? '',
      /julia%40contoso\.com/,
    );
    await drawer.getByLabel(/Note for the audit log/).fill('Password reset, MFA on');
    await drawer.getByRole('button', { name: 'Submit' }).click();

    const warning = page.getByRole('alertdialog');
    await warning.getByText(/about to remove the sending restriction for/).waitFor();
    await warning.getByRole('button', { name: 'Yes' }).click();
    await toast(page, 'julia@contoso.com can send email again.').waitFor();
    await drawer.waitFor({ state: 'detached' });
    await page.locator('tbody tr[data-entity="julia@contoso.com"]').waitFor({ state: 'detached' });

    const after = await sendMessage(policy, { login: 'julia@contoso.com', to: ['after@external.example'] });
    assert.deepEqual(after.rcpt, [ADMIT], 'the policy server admits julia again');
    const audit = await ok(s.cli('Search-AdminAuditLog', '-Operations', 'Remove-BlockedSenderAddress', '--format', 'json'));
    const records = JSON.parse(audit.stdout) as Array<{ UserId: string; Source: string; ObjectId: string }>;
    assert.ok(
      records.some((r) => r.UserId === 'secadmin' && r.Source === 'portal' && /julia@contoso\.com/.test(r.ObjectId)),
      audit.stdout,
    );

    // A Released row's details say who unblocked it and why.
    await page.getByRole('combobox', { name: 'Status' }).click();
    await page.getByRole('option', { name: 'Released' }).click();
    await page.getByRole('button', { name: 'julia@contoso.com', exact: true }).click();
    const details = page.getByRole('dialog', { name: 'julia@contoso.com' });
    await details.getByText(/Unblocked by secadmin, note: Password reset, MFA on/).waitFor();
    assert.equal(await details.getByRole('button', { name: 'Unblock' }).count(), 0, 'nothing to unblock once released');
    await details.getByRole('heading', { name: 'History' }).scrollIntoViewIfNeeded();
    await screenshot(page, 'restricted-entity-details-released');
    assert.deepEqual(errors, []);
  });

  it('creates a custom outbound policy through the wizard, with the what-if on the Review page', async () => {
    // A policy already covers megan@ at priority 0: the new one, saved last, never judges her.
    assert.equal((await s.cli('New-HostedOutboundSpamFilterPolicy', '-Name', 'Sales team', '-RecipientLimitExternalPerHour', '500')).code, 0);
    assert.equal((await s.cli('New-HostedOutboundSpamFilterRule', '-Name', 'Sales team', '-HostedOutboundSpamFilterPolicy', 'Sales team', '-From', 'megan@contoso.com')).code, 0);
    const { page, errors } = await portal();
    await signIn(page, 'secadmin', PASSWORD, '/antispam');
    await page.getByRole('table', { name: 'Outbound anti-spam policies' }).getByText('Default').waitFor();
    await page.getByRole('button', { name: 'Create policy' }).click();
    const wizard = page.getByRole('dialog', { name: 'Create a new outbound anti-spam policy' });
    await wizard.getByRole('heading', { name: 'Name your policy' }).waitFor();
    assert.ok(await wizard.getByRole('button', { name: 'Next' }).isDisabled(), 'a name is needed');
    await wizard.getByRole('textbox', { name: /^Name/ }).fill('Sales limits');
    await wizard.getByLabel('Description').fill('Tighter limits for the sales team');
    await wizard.getByRole('button', { name: 'Next' }).click();
    await wizard.getByRole('heading', { name: 'Users, groups, and domains' }).waitFor();
    await wizard.getByLabel('Domains', { exact: true }).fill('contoso.com');
    await wizard.getByRole('button', { name: 'Next' }).click();
    await wizard.getByRole('heading', { name: 'Protection settings' }).waitFor();
    await wizard.getByLabel('Set an external message limit').fill('3');
    await wizard.getByRole('combobox', { name: 'Restriction placed on users who reach the message limit' }).click();
    await page.getByRole('option', { name: 'Restrict the user from sending mail', exact: true }).click();
    await wizard.getByRole('button', { name: 'Next' }).click();
    await wizard.getByRole('heading', { name: 'Review' }).waitFor();
    const whatIf = wizard.getByTestId('what-if');
    await whatIf.getByText(/would have restricted 2 senders/).waitFor();
    await whatIf.getByText(/adele@contoso\.com/).waitFor();
    assert.equal(await whatIf.getByText(/megan@contoso\.com/).count(), 0, 'Sales team judges megan@ first');
    assert.equal(await wizard.getByTestId('what-if-place').innerText(), 'Evaluated at priority 1 after Sales team: senders that policy covers are judged by it, not by this one.');
    await whatIf.scrollIntoViewIfNeeded();
    await screenshot(page, 'antispam-what-if-place');
    await wizard.getByRole('button', { name: 'Create' }).click();
    await wizard.getByRole('heading', { name: 'Done' }).waitFor();
    await toast(page, 'Policy created').waitFor();
    await wizard.getByRole('button', { name: 'Done' }).click();
    const row = page.locator('tr[data-policy="Sales limits"]');
    await row.waitFor();
    assert.match(await row.innerText(), /On[\s\S]*1[\s\S]*BlockUser\b[\s\S]*3, 0, 0/);
    const [rule] = JSON.parse((await ok(s.cli('Get-HostedOutboundSpamFilterRule', 'Sales limits', '--format', 'json'))).stdout) as Array<{
      SenderDomainIs: string[];
      HostedOutboundSpamFilterPolicy: string;
    }>;
    assert.deepEqual([rule?.SenderDomainIs, rule?.HostedOutboundSpamFilterPolicy], [['contoso.com'], 'Sales limits']);

    await row.click();
    const flyout = page.getByRole('dialog', { name: 'Sales limits' });
    await flyout.getByRole('button', { name: 'Edit protection settings' }).click();
    await flyout.getByLabel('Set a daily message limit').fill('400');
    await flyout.getByRole('button', { name: 'Save' }).click();
    await toast(page, 'Policy saved').waitFor();
    await page.locator('tr[data-policy="Sales limits"]', { hasText: '3, 0, 400' }).waitFor();
    assert.deepEqual(errors, []);
  });

  const HOSTILE_NOTE = `<b>bold</b><script>window.pwned=1</script> ${'x'.repeat(300)}`;

  it('works keyboard-only: the Unblock user wizard, with focus landing in the flyout and the dialog', async () => {
    const { page, errors } = await portal();
    await signIn(page, 'secadmin', PASSWORD);
    // The focused element's name: aria-label, its <label>, or its text.
    const active = (): Promise<string> =>
      page.evaluate(
        `(() => { const e = document.activeElement; if (!e) return ''; return (e.getAttribute('aria-label') || (e.labels && e.labels[0] ? e.labels[0].textContent : '') || e.textContent || '').trim(); })()`,
      ) as Promise<string>;
    async function tabTo(name: string | RegExp, shift = false): Promise<void> {
      for (let i = 0; i < 60; i++) {
        const label = await active();
        if (typeof name === 'string' ? label === name : name.test(label)) return;
        await page.keyboard.press(shift ? 'Shift+Tab' : 'Tab');
      }
      throw new Error(`could not reach ${String(name)} with the keyboard (at '${await active()}')`);
    }
    await page.getByRole('checkbox', { name: 'Select adele@contoso.com' }).waitFor();
    await tabTo('Select adele@contoso.com');
    await page.keyboard.press('Space');
    await tabTo('Unblock', true);
    await page.keyboard.press('Enter');
    const drawer = page.getByRole('dialog', { name: 'Unblock user' });
    await drawer.waitFor();
    assert.equal(await drawer.locator(':focus').count(), 1, 'focus is inside the flyout');
    await tabTo('Next');
    await page.keyboard.press('Enter');
    await drawer.getByRole('heading', { name: 'Multi-factor authentication' }).waitFor();
    assert.equal(await active(), 'Unblock user', "Next moves focus to the new step's heading");
    await tabTo(/^Note for the audit log/);
    await page.keyboard.type(HOSTILE_NOTE);
    await tabTo('Submit');
    await page.keyboard.press('Enter');
    const warning = page.getByRole('alertdialog');
    await warning.waitFor();
    assert.equal(await warning.locator(':focus').count(), 1, 'focus is inside the warning dialog');
    await page.keyboard.press('Escape');
    await warning.waitFor({ state: 'detached' });
    assert.equal(await active(), 'Submit', 'Esc hands focus back to Submit');
    await page.keyboard.press('Enter');
    await warning.waitFor();
    await tabTo('Yes');
    await page.keyboard.press('Enter');
    await toast(page, 'adele@contoso.com can send email again.').waitFor();
    await drawer.waitFor({ state: 'detached' });
    assert.equal(await active(), 'Restricted entities', 'after Yes, focus is back on the list page');
    assert.deepEqual(errors, []);
  });

  it('renders hostile content as text, never as markup', async () => {
    const cli = async (...args: string[]) => assert.equal((await s.cli(...args)).code, 0, args.join(' '));
    const evil = '<img src=x onerror="window.pwned=1">';
    await cli('New-InboundConnector', '-Name', evil, '-SenderIPAddresses', '198.51.100.0/24', '-RecipientLimitExternalPerHour', '2');
    await cli('New-HostedOutboundSpamFilterPolicy', '-Name', 'Evil <b>policy</b>', '-AdminDisplayName', '<script>window.pwned=1</script>');
    for (let i = 0; i < 3; i++) await sendMessage(policy, { to: [`h${i}@external.example`], client: '198.51.100.9' });
    const { page, errors } = await portal();
    await signIn(page, 'secadmin', PASSWORD);
    const row = page.locator('tbody tr', { hasText: evil });
    await row.waitFor();
    assert.equal(await page.locator('main img').count(), 0, 'no <img> was injected');
    await row.getByRole('checkbox').check();
    await page.getByRole('button', { name: 'Unblock' }).click();
    const flyout = page.getByRole('dialog', { name: 'Unblock entity' });
    await flyout.getByText(evil).first().waitFor();
    // The connector gets the user flow's warning and optional note: No keeps it restricted.
    await flyout.getByLabel(/Note for the audit log/).fill(evil);
    await flyout.getByRole('button', { name: 'Unblock', exact: true }).click();
    const warning = page.getByRole('alertdialog', { name: 'Unblock the connector?' });
    await warning.getByText(evil).waitFor();
    await screenshot(page, 'unblock-connector-confirm');
    await warning.getByRole('button', { name: 'No' }).click();
    await warning.waitFor({ state: 'detached' });
    assert.equal(await flyout.getByRole('button', { name: 'Unblock', exact: true }).evaluate((el) => el.matches(":focus")), true, 'No hands focus back to Unblock');
    await flyout.getByRole('button', { name: 'Unblock', exact: true }).click();
    await warning.getByRole('button', { name: 'Yes' }).click();
    await toast(page, `${evil} can relay email again.`).waitFor();

    await page.getByRole('link', { name: 'Anti-spam policies' }).click();
    await page.locator('tr[data-policy="Evil <b>policy</b>"]').click();
    await page.getByRole('dialog', { name: 'Evil <b>policy</b>' }).getByText('<script>window.pwned=1</script>').waitFor();
    await page.keyboard.press('Escape');

    await page.getByRole('link', { name: 'Audit log' }).click();
    await page.getByLabel('Operations').fill('Remove-BlockedSenderAddress');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.locator('tr[data-operation="Remove-BlockedSenderAddress"]', { hasText: 'adele' }).click();
    const record = page.getByRole('dialog', { name: 'Remove-BlockedSenderAddress' });
    await record.getByText(HOSTILE_NOTE.slice(0, 40), { exact: false }).waitFor();
    assert.equal(await page.locator('b', { hasText: 'bold' }).count(), 0, 'no <b> was made from the note');
    assert.equal(await page.evaluate('typeof window.pwned'), 'undefined');
    assert.deepEqual(errors, []);
  });

  it('says when alert email goes nowhere, and a Global Administrator gives an account an address in Settings', async () => {
    const { page, errors } = await portal();
    await signIn(page, 'ga', PASSWORD, '/alertpolicies');
    // No alerts.smtp.host in this server's config: the page says so, not just the log.
    await page.getByTestId('smtp-off').getByText('Alert email is not sent').waitFor();
    await page.locator('tr[data-alert-policy="User restricted from sending email"]').click();
    const flyout = page.getByRole('dialog', { name: 'User restricted from sending email' });
    const warning = flyout.getByTestId('recipients-warning');
    await warning.getByText('Email notifications go to no one').waitFor();
    await warning.getByText(/TenantAdmins: No enabled Global Administrator of this tenant has an email address/).waitFor();
    await flyout.locator('dd', { hasText: /^No one$/ }).waitFor();
    await screenshot(page, 'alert-policy-recipients-nobody');
    await warning.getByRole('link', { name: 'Set account email in Settings' }).click();
    await page.waitForURL(/\/settings$/);
    await page.getByRole('tab', { name: 'Admin accounts and roles' }).click();
    await page.getByTestId('no-admin-email').waitFor();
    await page.getByRole('textbox', { name: 'Email of ga' }).fill('not an address');
    await page.getByRole('button', { name: 'Save the email of ga' }).click();
    await toast(page, /Email/).first().waitFor();
    assert.equal((await page.request.get('/api/v1/accounts').then((r) => r.json()) as Array<{ Name: string; Email: string | null }>).find((a) => a.Name === 'ga')?.Email, null, 'a bad address is refused');
    await page.getByRole('textbox', { name: 'Email of ga' }).fill('ga@contoso.com');
    await page.getByRole('button', { name: 'Save the email of ga' }).click();
    await toast(page, 'Email of ga set to ga@contoso.com').waitFor();
    await page.getByTestId('no-admin-email').waitFor({ state: 'detached' });
    await screenshot(page, 'settings-accounts-email');

    await page.getByRole('link', { name: 'Alert policy', exact: true }).click();
    await page.locator('tr[data-alert-policy="User restricted from sending email"]').click();
    await flyout.locator('dd', { hasText: /^ga@contoso\.com$/ }).waitFor();
    assert.equal(await flyout.getByTestId('recipients-warning').count(), 0, 'TenantAdmins reaches ga now');
    const audit = await page.request.get('/api/v1/audit?operations=Set-AdminAccount');
    assert.match(await audit.text(), /ga@contoso\.com/, 'the change is audited');
    assert.deepEqual(errors, []);
  });

  it('creates and deletes a custom alert policy, and adds a webhook whose secret is shown once', async () => {
    const { page, errors } = await portal();
    await signIn(page, 'secadmin', PASSWORD, '/alertpolicies');
    await page.getByRole('button', { name: 'New alert policy' }).click();
    const wizard = page.getByRole('dialog', { name: 'New alert policy' });
    await wizard.getByRole('textbox', { name: /^Name/ }).fill('Relay over its limit');
    await wizard.getByRole('combobox', { name: 'Severity' }).click();
    await page.getByRole('option', { name: 'High' }).click();
    await wizard.getByRole('button', { name: 'Next' }).click();
    await wizard.getByRole('combobox', { name: /Activity/ }).click();
    await page.getByRole('option', { name: 'A connector is restricted from sending email' }).click();
    await wizard.getByRole('button', { name: 'Next' }).click();
    await wizard.getByRole('combobox', { name: 'Add a recipient' }).fill('soc@contoso.com');
    await page.keyboard.press('Enter');
    await wizard.getByRole('button', { name: 'Next' }).click();
    await wizard.getByRole('heading', { name: 'Review your settings' }).waitFor();
    await wizard.getByText('TenantAdmins, soc@contoso.com').waitFor();
    await screenshot(page, 'alert-policy-new-review');
    await wizard.getByRole('button', { name: 'Submit' }).click();
    await toast(page, 'Alert policy created').waitFor();
    await wizard.getByRole('button', { name: 'Done' }).click();
    const row = page.locator('tr[data-alert-policy="Relay over its limit"]');
    await row.getByText('Custom').waitFor();
    const made = ((await (await page.request.get('/api/v1/alert-policies/Relay%20over%20its%20limit')).json()) as { Event: string; Severity: string; NotifyUser: string[] });
    assert.deepEqual([made.Event, made.Severity, made.NotifyUser], ['ConnectorRestricted', 'High', ['TenantAdmins', 'soc@contoso.com']]);

    // Webhooks: an internal target is refused with the API's sentence; an allowed one shows its secret once.
    await page.getByRole('button', { name: 'Add webhook' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add an alert webhook' });
    await dialog.getByRole('textbox', { name: /^Name/ }).fill('SIEM');
    await dialog.getByRole('textbox', { name: /^URL/ }).fill('http://10.1.2.3/outgate');
    await dialog.getByRole('button', { name: 'Add webhook' }).click();
    await dialog.getByRole('alert').getByText(/Url must reach a public address/).waitFor();
    await dialog.getByRole('textbox', { name: /^URL/ }).fill('http://127.0.0.1:9/outgate');
    await dialog.getByRole('button', { name: 'Add webhook' }).click();
    const shown = page.getByRole('alertdialog', { name: 'Copy the signing secret now' });
    const secret = await shown.getByTestId('webhook-secret').inputValue();
    assert.match(secret, /^whsec_[A-Za-z0-9_-]{32}$/);
    await screenshot(page, 'alert-webhook-secret');
    await shown.getByRole('button', { name: 'Done' }).click();
    await page.locator('tr[data-webhook="SIEM"]').getByText('http://127.0.0.1:9/outgate').waitFor();
    assert.doesNotMatch(await (await page.request.get('/api/v1/alert-webhooks')).text(), new RegExp(secret), 'never shown again');
    await page.getByRole('button', { name: 'Remove SIEM' }).click();
    await toast(page, 'Alert webhook removed').waitFor();
    await page.getByText('No alert webhooks').waitFor();

    await row.click();
    const flyout = page.getByRole('dialog', { name: 'Relay over its limit' });
    await flyout.getByRole('button', { name: 'Delete policy' }).click();
    await toast(page, 'Alert policy deleted').waitFor();
    await row.waitFor({ state: 'detached' });
    await page.locator('tr[data-alert-policy="User restricted from sending email"]').click();
    assert.equal(await page.getByRole('dialog', { name: 'User restricted from sending email' }).getByRole('button', { name: 'Delete policy' }).count(), 0, 'built-in ones cannot be deleted');
    assert.deepEqual(errors, []);
  });

  it("edits an alert policy's recipients and daily notification limit through the Edit policy wizard", async () => {
    const { page, errors } = await portal();
    await signIn(page, 'secadmin', PASSWORD, '/alertpolicies');
    await page.getByRole('searchbox', { name: 'Search' }).fill('restricted from');
    await page.locator('tr[data-alert-policy="User restricted from sending email"]').click();
    const flyout = page.getByRole('dialog', { name: 'User restricted from sending email' });
    assert.equal(await flyout.getByRole('switch', { name: 'Status' }).isChecked(), true, 'on by default');
    await flyout.getByText('TenantAdmins', { exact: true }).waitFor();
    await flyout.getByRole('button', { name: 'Edit policy' }).click();
    const wizard = page.getByRole('dialog', { name: 'Edit User restricted from sending email' });
    await wizard.getByRole('heading', { name: 'Decide if you want to notify people when this alert is triggered' }).waitFor();
    assert.equal(await wizard.getByRole('checkbox', { name: 'Opt-in for email notifications' }).isChecked(), true);
    await wizard.getByRole('combobox', { name: 'Add a recipient' }).fill('secops@contoso.com');
    await page.keyboard.press('Enter');
    await wizard.getByRole('combobox', { name: 'Add a recipient' }).and(page.locator('[aria-expanded="false"]')).waitFor();
    assert.equal(await page.getByRole('listbox').count(), 0, 'the suggestion list closes and leaves the Daily notification limit visible');
    await wizard.getByRole('combobox', { name: /Daily notification limit/ }).click();
    await page.getByRole('option', { name: '5', exact: true }).click();
    await wizard.getByRole('button', { name: 'Next' }).click();
    await wizard.getByRole('heading', { name: 'Review your settings' }).waitFor();
    await wizard.getByText('TenantAdmins, secops@contoso.com').waitFor();
    await wizard.getByRole('button', { name: 'Submit' }).click();
    await wizard.getByRole('heading', { name: 'Done' }).waitFor();
    await toast(page, 'Alert policy updated').waitFor();
    await wizard.getByRole('button', { name: 'Done' }).click();
    await flyout.getByText('TenantAdmins, secops@contoso.com').waitFor();
    await flyout.getByRole('button', { name: 'Close' }).click();
    const res = await page.request.get('/api/v1/alert-policies');
    const saved = (
      (await res.json()) as { items: Array<{ Name: string; NotifyUser: string[]; DailyNotificationLimit: number | null }> }
    ).items.find((p) => p.Name === 'User restricted from sending email');
    assert.deepEqual([saved?.NotifyUser, saved?.DailyNotificationLimit], [['TenantAdmins', 'secops@contoso.com'], 5]);
    assert.deepEqual(errors, []);
  });

  it('lists alerts, filters them, opens one and changes its status', async () => {
    const { page, errors } = await portal();
    await signIn(page, 'secadmin', PASSWORD, '/alerts');
    const row = page.locator('tr[data-alert="julia@contoso.com"]', { hasText: 'User restricted from sending email' });
    await row.waitFor();
    await row.click();
    const drawer = page.getByRole('dialog', { name: 'User restricted from sending email' });
    await drawer.getByRole('heading', { name: 'Events' }).waitFor();
    assert.equal(await drawer.locator('dt', { hasText: /^Status$/ }).count(), 0, 'Status shows once, as the control');
    await drawer.locator('dd', { hasText: /^Email sending limit exceeded \(external\)$/ }).waitFor();
    assert.equal(await drawer.locator('dd', { hasText: 'EmailSendingLimitExceeded;' }).count(), 0, 'no raw Key=Value; reason');
    await screenshot(page, 'alert-flyout');
    await drawer.getByRole('combobox', { name: 'Status' }).click();
    await page.getByRole('option', { name: 'In progress' }).click();
    await toast(page, 'Alert status changed').waitFor();
    await drawer.getByRole('button', { name: 'Close', exact: true }).first().click();
    await page.getByRole('combobox', { name: 'Status' }).click();
    await page.getByRole('option', { name: 'In progress' }).click();
    await waitForCount(page.locator('tbody tr'), 1);
    await page.locator('tr[data-alert="julia@contoso.com"]').waitFor();
    assert.deepEqual(errors, []);
  });

  it('shows the senders closest to their limits, live, and a sender over 7 days', async () => {
    const { page, errors } = await portal();
    await signIn(page, 'reader', PASSWORD, '/sendingactivity');
    await page.locator('tr[data-sender="megan@contoso.com"]').waitFor();
    await page.locator('tr[data-sender="lee@contoso.com"]').waitFor();
    await page.locator('tr[data-sender="Branch relay"]', { hasText: 'Restricted' }).waitFor();
    await page.locator('tr[data-sender="megan@contoso.com"]').click();
    const drawer = page.getByRole('dialog', { name: 'megan@contoso.com' });
    await drawer.getByTestId('sending-chart').waitFor();
    await drawer.getByRole('tab', { name: 'Last 7 days' }).click();
    assert.deepEqual(errors, []);
  });

  it('settings: a reader sees values and no controls; a Global Administrator changes domains, accounts and auditing', async () => {
    const reader = await portal();
    await signIn(reader.page, 'reader', PASSWORD, '/settings');
    await reader.page.getByText('Only a Global Administrator can change it.', { exact: false }).waitFor();
    assert.equal(await reader.page.getByRole('tab', { name: 'Admin accounts and roles' }).count(), 0);
    await reader.page.getByRole('tab', { name: 'Accepted domains' }).click();
    await reader.page.getByRole('cell', { name: 'contoso.com', exact: true }).first().waitFor();
    assert.equal(await reader.page.getByRole('button', { name: /Add domain|Remove/ }).count(), 0);
    assert.deepEqual(reader.errors, []);

    // A tenant's own Global Administrator may not add domains (the provider assigns them): no form.
    assert.equal((await s.cli('New-Tenant', 'Fabrikam')).code, 0);
    assert.equal((await s.cli('New-AdminAccount', 'fabrikam-ga', '-Role', 'Global Administrator', '-Password', PASSWORD, '--tenant', 'Fabrikam')).code, 0);
    const tenantGa = await portal();
    await signIn(tenantGa.page, 'fabrikam-ga', PASSWORD, '/settings');
    await tenantGa.page.getByRole('tab', { name: 'Accepted domains' }).click();
    await tenantGa.page.getByTestId('domains-by-provider').waitFor();
    assert.equal(await tenantGa.page.getByRole('button', { name: 'Add domain' }).count(), 0);
    await screenshot(tenantGa.page, 'settings-domains-tenant-admin');
    assert.deepEqual(tenantGa.errors, []);

    const { page, errors } = await portal();
    await signIn(page, 'ga', PASSWORD, '/settings');
    await page.getByRole('tab', { name: 'Accepted domains' }).click();
    await page.getByLabel('Domain', { exact: true }).fill('fabrikam.com');
    await page.getByRole('button', { name: 'Add domain' }).click();
    await toast(page, 'Accepted domain added').waitFor();
    await page.getByRole('cell', { name: 'fabrikam.com', exact: true }).first().waitFor();
    await page.getByRole('tab', { name: 'Admin accounts and roles' }).click();
    await page.getByLabel('Account name').fill('auditor');
    await page.getByLabel('Password').fill('auditor-password-1');
    await page.getByRole('button', { name: 'Add account' }).click();
    await toast(page, 'Admin account created').waitFor();
    await page.getByRole('combobox', { name: 'Role of auditor' }).waitFor();
    // A refused action shows the API's sentence, not a stack trace.
    await page.getByLabel('Account name').fill('auditor');
    await page.getByRole('button', { name: 'Add account' }).click();
    const refusal = toast(page, "An account named 'auditor' already exists.");
    await refusal.waitFor();
    assert.doesNotMatch(await refusal.innerText(), /\bat \S+:\d+|Error:/);
    await page.getByRole('tab', { name: 'Audit logging' }).click();
    await page.getByRole('switch', { name: 'Audit logging is on' }).click();
    await toast(page, 'Audit logging turned off').waitFor();
    await page.getByRole('link', { name: 'Alert policy' }).click();
    await page.getByTestId('audit-off').waitFor();
    await page.getByRole('link', { name: 'Settings' }).first().click();
    await page.getByRole('switch', { name: 'Audit logging is off' }).click();
    await toast(page, 'Audit logging turned on').waitFor();
    assert.deepEqual(errors, []);
  });

  it('the audit log page shows each of these changes and exports them', async () => {
    const { page, errors } = await portal();
    await signIn(page, 'reader', PASSWORD, '/auditlog');
    for (const op of [
      'Remove-BlockedSenderAddress',
      'Remove-BlockedConnector',
      'New-HostedOutboundSpamFilterPolicy',
      'New-HostedOutboundSpamFilterRule',
      'Set-HostedOutboundSpamFilterPolicy',
      'Set-ProtectionAlert',
      'Set-Alert',
      'New-AcceptedDomain',
      'New-AdminAccount',
      'Set-AdminAuditLogConfig',
    ]) {
      await page.locator(`tr[data-operation="${op}"]`).first().waitFor();
    }
    await page.locator('tr[data-operation="Remove-BlockedSenderAddress"]', { hasText: 'julia' }).waitFor();
    await page.getByLabel('Operations').fill('Set-ProtectionAlert');
    await page.getByRole('button', { name: 'Search' }).click();
    await waitForCount(page.locator('tbody tr'), 1);
    await page.locator('tr[data-operation="Set-ProtectionAlert"]').click();
    await page
      .getByRole('dialog', { name: 'Set-ProtectionAlert' })
      .getByText(/secops@contoso\.com/)
      .first()
      .waitFor();
    await page.keyboard.press('Escape');
    const href = await page.getByRole('link', { name: 'Export CSV' }).getAttribute('href');
    const csv = await page.request.get(href!);
    assert.match(csv.headers()['content-type'] ?? '', /text\/csv/);
    const text = await csv.text();
    assert.match(text, /Set-ProtectionAlert/);
    assert.doesNotMatch(text, /Remove-BlockedSenderAddress/, 'the export is the same search');
    const json = await page.request.get((await page.getByRole('link', { name: 'Export JSON' }).getAttribute('href'))!);
    assert.equal((JSON.parse(await json.text()) as unknown[]).length, 1);
    assert.deepEqual(errors, []);
  });

  it('works at a narrow 390-pixel width', async () => {
    const { page, errors } = await portal({ width: 390, height: 844 });
    await signIn(page, 'secadmin', PASSWORD);
    await page.getByRole('table', { name: 'Restricted entities' }).waitFor();
    const overflow = async () => (await page.evaluate('document.documentElement.scrollWidth')) as number;
    assert.ok((await overflow()) <= 390, `the page does not scroll sideways (${await overflow()} px)`);
    assert.equal(await page.getByRole('link', { name: 'Sending activity' }).isVisible(), false, 'navigation is folded away');
    await screenshot(page, 'restricted-entities-390');
    await page.getByRole('button', { name: 'Navigation' }).click();
    await page.getByRole('link', { name: 'Sending activity' }).click();
    await page.waitForURL(/\/sendingactivity$/);
    await page.getByRole('table', { name: 'Sending activity' }).waitFor();
    assert.ok((await overflow()) <= 390, `sending activity does not scroll sideways (${await overflow()} px)`);
    await page.getByRole('button', { name: /^Account:/ }).click();
    await page.getByText('Role: Security Administrator').waitFor();
    assert.deepEqual(errors, []);
  });

  it('saves a screenshot of each page (docs/screenshots)', async () => {
    // Fresh incidents for the pictures: two users over the Sales limits policy (3 external per hour).
    await restrict('nestor@contoso.com', 5);
    await restrict('pradeep@contoso.com', 4);
    const { page, errors } = await portal();
    await page.goto('/signin');
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    await screenshot(page, 'sign-in');
    await signIn(page, 'ga', PASSWORD);
    await page.locator('tr[data-entity="nestor@contoso.com"]').waitFor();
    await screenshot(page, 'restricted-entities');
    await page.getByRole('checkbox', { name: 'Select nestor@contoso.com' }).check();
    await page.getByRole('button', { name: 'Unblock' }).click();
    const drawer = page.getByRole('dialog', { name: 'Unblock user' });
    await drawer.getByTestId('sending-chart').waitFor();
    await page.waitForTimeout(400);
    await screenshot(page, 'unblock-user-overview');
    await drawer.getByTestId('sending-chart').scrollIntoViewIfNeeded();
    await page.waitForTimeout(200);
    await screenshot(page, 'unblock-user-chart');
    await drawer.getByRole('button', { name: 'Next' }).click();
    await drawer.getByRole('heading', { name: 'Multi-factor authentication' }).waitFor();
    await page.waitForTimeout(300);
    await screenshot(page, 'unblock-user-page');
    await drawer.getByRole('button', { name: 'Submit' }).click();
    await page.getByRole('alertdialog').waitFor();
    await page.waitForTimeout(300);
    await screenshot(page, 'unblock-user-confirm');
    await page.getByRole('alertdialog').getByRole('button', { name: 'No' }).click();
    await drawer.getByRole('button', { name: 'Cancel' }).click();

    const shots: Array<[string, string, string]> = [
      ['Alert policy', 'alert-policies', 'tr[data-alert-policy]'],
      ['Alerts', 'alerts', 'tr[data-alert]'],
      ['Anti-spam policies', 'anti-spam-policies', 'tr[data-policy]'],
      ['Sending activity', 'sending-activity', 'tr[data-sender]'],
      ['Audit log', 'audit-log', 'tr[data-operation]'],
      ['Settings', 'settings', 'text=Audit logging is on'],
    ];
    for (const [link, name, ready] of shots) {
      await page.getByRole('link', { name: link, exact: true }).click();
      await page.locator(ready).first().waitFor();
      await page.waitForTimeout(300);
      await screenshot(page, name);
    }
    await page.getByRole('link', { name: 'Alert policy', exact: true }).click();
    await page.locator('tr[data-alert-policy="User restricted from sending email"]').click();
    await page.getByRole('dialog', { name: 'User restricted from sending email' }).getByText('Set your recipients').waitFor();
    await page.waitForTimeout(400);
    await screenshot(page, 'alert-policy-flyout');
    await page.keyboard.press('Escape');
    await page.getByRole('link', { name: 'Anti-spam policies', exact: true }).click();
    await page.getByRole('button', { name: 'Create policy' }).click();
    const wizard = page.getByRole('dialog', { name: 'Create a new outbound anti-spam policy' });
    await wizard.getByRole('textbox', { name: /^Name/ }).fill('Marketing');
    await wizard.getByRole('button', { name: 'Next' }).click();
    await wizard.getByLabel('Users', { exact: true }).fill('megan@contoso.com, lee@contoso.com');
    await wizard.getByRole('button', { name: 'Next' }).click();
    await wizard.getByLabel('Set an external message limit').fill('2');
    await wizard.getByRole('button', { name: 'Next' }).click();
    await wizard.getByTestId('what-if').waitFor();
    await page.waitForTimeout(300);
    await screenshot(page, 'anti-spam-create-review');
    await page.getByRole('link', { name: 'Settings', exact: true }).isVisible();
    await page.setViewportSize({ width: 390, height: 844 });
    assert.deepEqual(errors, []);
  });

  it('sends an admin whose session ended back to sign-in, then to the page they were on', async () => {
    const { page, errors } = await portal();
    await signIn(page, 'reader', PASSWORD, '/auditlog');
    await page.locator('tr[data-operation]').first().waitFor();
    s.clock.advance(31 * 60_000); // past the 30-minute idle timeout
    await page.getByRole('button', { name: 'Search' }).click();
    await page.waitForURL(/\/signin\?return=%2Fauditlog/);
    await page.getByLabel('Account name').fill('reader');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(/\/auditlog$/);
    await page.locator('tr[data-operation]').first().waitFor();
    assert.deepEqual(errors, []);
  });

  it('pages, sorts and searches 10,000 restricted entities on the server, with the total', async () => {
    const addr = (i: number): string => `bulk-${String(i).padStart(5, '0')}@fabrikam.example`;
    const start = s.clock.now() - 20_000 * 60_000;
    for (let i = 0; i < 10_000; i++) {
      const t = restriction(
        { tenantId: 'default', type: 'Mailbox', identity: addr(i) },
        { reason: 'EmailSendingLimitExceeded;ExceedingLimitType=External', policy: 'Default', action: 'BlockUser', now: start + i * 60_000 },
      );
      await s.store.applyTransition(t, { resetWindows: false });
    }
    const { page, errors } = await portal();
    await signIn(page, 'reader', PASSWORD);
    const count = page.getByTestId('entity-count');
    await count.getByText(/^1–100 of 10,0\d\d items$/).waitFor();
    const total = (await count.innerText()).replace(/^.* of /, '');
    const table = page.getByRole('table', { name: 'Restricted entities' });
    await waitForCount(table.locator('tbody tr'), 100);
    await page.getByRole('navigation', { name: 'Pages' }).getByRole('button', { name: 'Next' }).click();
    await count.getByText(`101–200 of ${total}`).waitFor();
    const firstRow = () => table.locator('tbody tr').first();
    await page.getByRole('searchbox', { name: 'Search' }).fill('fabrikam.example');
    await count.getByText('1–100 of 10,000 items').waitFor();
    await table.getByRole('columnheader', { name: 'Entity', exact: true }).click();
    await firstRow().and(page.locator(`[data-entity="${addr(0)}"]`)).waitFor();
    await table.getByRole('columnheader', { name: 'Entity', exact: true }).click();
    await firstRow().and(page.locator(`[data-entity="${addr(9999)}"]`)).waitFor();
    await page.getByRole('searchbox', { name: 'Search' }).fill('bulk-0999');
    await count.getByText('10 items').waitFor();
    await waitForCount(table.locator('tbody tr'), 10);
    await page.getByRole('searchbox', { name: 'Search' }).fill('');
    await count.getByText(`1–100 of ${total}`).waitFor();
    await screenshot(page, 'restricted-entities-10000');
    assert.deepEqual(errors, []);
  });
});
