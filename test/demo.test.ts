// `outgate start --demo`: a tenant, policies, accounts of every role, and traffic through the real
// policy protocol that restricts some senders, raises alerts and fills the sending activity; the portal
// shows it (and the README's demo screenshots come from here).
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { startDemo, describeDemo, type Demo } from '../src/demo.js';
import { testTimeline } from './support/outgate.js';
import { ensurePortalBuilt, launchBrowser, openPortal, screenshot, signIn } from './support/browser.js';

describe('outgate start --demo', { timeout: 180_000 }, () => {
  let demo: Demo;
  let browser: Browser;
  const lines: string[] = [];

  before(async () => {
    ensurePortalBuilt();
    demo = await startDemo({ out: (l) => lines.push(l), replayStepMs: 0, clock: testTimeline, overrides: { 'http.listen': '127.0.0.1:0' } });
    await demo.ready;
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    const dir = demo?.dataDir;
    await demo?.stop();
    if (dir) assert.equal(existsSync(dir), false, 'the throwaway data dir is removed');
  });

  it('prints the portal URL and an account of every role with its password', () => {
    const text = describeDemo(demo);
    assert.match(text, new RegExp(`open ${demo.url.replace(/[.]/g, '\\.')}/restrictedentities`));
    for (const role of [
      'Global Administrator',
      'Organization Management',
      'Security Administrator',
      'Global Reader',
      'Security Reader',
      'View-Only Organization Management',
    ]) {
      assert.match(text, new RegExp(`\\S{16}  ${role}`), role);
    }
    assert.match(lines.join('\n'), /throwaway data dir/);
    // Without an address for the first admin, alert email goes nowhere: the demo says how to give one.
    assert.match(text, /'admin' has no email address, so alerts to TenantAdmins go nowhere/);
    assert.match(text, /OUTGATE_ADMIN_EMAIL=you@example\.com/);
    assert.match(describeDemo({ ...demo, adminEmail: 'soc@contoso.com' }), /Alert email to TenantAdmins goes to soc@contoso\.com once OUTGATE_ALERTS_SMTP_HOST is set/);
  });

  it('restricted senders through the policy path, raised alerts and filled the sending activity', async () => {
    const admin = demo.accounts.find((a) => a.name === 'security-administrator')!;
    const res = await fetch(`${demo.url}/api/v1/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: admin.name, password: admin.password }),
    });
    assert.equal(res.status, 200);
    const cookie = res.headers.get('set-cookie')!.split(';')[0]!;
    const get = async <T>(path: string): Promise<T> => (await (await fetch(`${demo.url}${path}`, { headers: { cookie } })).json()) as T;
    const restricted = await get<{ items: Array<{ SenderAddress?: string; ConnectorName?: string; Policy: string }> }>(
      '/api/v1/restricted-entities',
    );
    const names = restricted.items.map((e) => e.SenderAddress ?? e.ConnectorName).sort();
    assert.deepEqual(names, ['Branch office relay', 'alex@contoso.com', 'pradeep@contoso.com']);
    assert.equal(restricted.items.find((e) => e.SenderAddress === 'pradeep@contoso.com')?.Policy, 'Sales team');
    const activity = await get<{ Total: number; Items: Array<{ Entity: string }> }>('/api/v1/sending-activity');
    assert.ok(activity.Total >= 10, `sending activity lists the senders (${activity.Total})`);
    const megan = await get<{ ByHour: Array<{ External: number; Internal: number }> }>(
      '/api/v1/sending-activity/Mailbox/megan@contoso.com',
    );
    assert.ok(megan.ByHour.filter((h) => h.External + h.Internal > 0).length >= 5, 'hours of history');
    const deadline = Date.now() + 10_000;
    let alerts: { total: number } = { total: 0 };
    while (Date.now() < deadline && alerts.total < 4) {
      alerts = await get<{ total: number }>('/api/v1/alerts');
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.ok(alerts.total >= 4, `alerts were raised (${alerts.total})`);
    const policies = await get<Array<{ Name: string }>>('/api/v1/outbound-policies');
    assert.deepEqual(
      policies.map((p) => p.Name),
      ['Sales team', 'Default'],
    );
  });

  it('shows it all in the portal (screenshots of the demo)', async () => {
    const admin = demo.accounts.find((a) => a.name === 'security-administrator')!;
    const { page, errors } = await openPortal(browser, demo.url);
    await signIn(page, admin.name, admin.password);
    await page.locator('tr[data-entity="alex@contoso.com"]').waitFor();
    await screenshot(page, 'demo-restricted-entities');
    await page.getByRole('checkbox', { name: 'Select alex@contoso.com' }).check();
    await page.getByRole('button', { name: 'Unblock' }).click();
    const drawer = page.getByRole('dialog', { name: 'Unblock user' });
    await drawer.getByTestId('sending-chart').scrollIntoViewIfNeeded();
    await page.waitForTimeout(400);
    await screenshot(page, 'demo-unblock-user-chart');
    await drawer.getByRole('button', { name: 'Cancel' }).click();
    await page.getByRole('link', { name: 'Sending activity' }).click();
    await page.locator('tr[data-sender="megan@contoso.com"]').waitFor();
    await page.waitForTimeout(300);
    await screenshot(page, 'demo-sending-activity');
    await page.getByRole('link', { name: 'Alerts', exact: true }).click();
    await page.locator('tr[data-alert]').first().waitFor();
    await page.locator('tr[data-alert="Branch office relay"]').first().waitFor(); // connector alerts by name, not id
    await page.waitForTimeout(300);
    await screenshot(page, 'demo-alerts');
    assert.deepEqual(errors, []);
  });

  it("lets the provider-level admin switch tenants and see the Contoso tenant's entities", async () => {
    const admin = demo.accounts.find((a) => a.name === 'admin')!;
    const { page, errors } = await openPortal(browser, demo.url);
    await signIn(page, admin.name, admin.password);
    await page.locator('tr[data-entity="alex@contoso.com"]').waitFor();
    await page.getByRole('combobox', { name: 'Tenant' }).click();
    await page.getByRole('option', { name: 'Default' }).click();
    await page.getByText('No restricted entities').waitFor();
    await page.getByRole('combobox', { name: 'Tenant' }).click();
    await page.getByRole('option', { name: 'Contoso' }).click();
    await page.locator('tr[data-entity="alex@contoso.com"]').waitFor();
    await page.getByRole('button', { name: /^Account:/ }).click();
    await page.getByText('Tenant: Contoso').waitFor();
    assert.deepEqual(errors, []);
  });
});
