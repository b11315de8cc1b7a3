// The portal's pages in a real Chromium, for what a whole-page look finds: axe (zero serious or critical
// violations on every page, at 1280 and 390 pixels), no sideways scrolling at 390, the Defender portal's
// own addresses, the tenant switcher kept in the address, Tenant columns across tenants, and a sender
// past a limit that was lowered under it.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { describeViolations, seriousViolations } from './support/axe.js';
import { screenshot, signIn, waitForCount, type PortalPage } from './support/browser.js';
import type { TestServer } from './support/outgate.js';
import { startPortal, type PortalRig } from './support/portal-rig.js';
import { PolicyClient, sendMessage } from '../src/adapters/postfix-policy/client.js';

const PASSWORD = 'portal-pages-password-1';

describe('portal pages', { timeout: 180_000 }, () => {
  let rig: PortalRig;
  let s: TestServer;
  let policy: PolicyClient;
  const portal = (viewport?: { width: number; height: number }): Promise<PortalPage> => rig.open(viewport);
  const cli = async (...args: string[]): Promise<void> => {
    const r = await s.cli(...args);
    assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
  };
  const send = async (login: string, n: number, client?: string): Promise<void> => {
    for (let i = 0; i < n; i++) await sendMessage(policy, { login, to: [`x${i}@external.example`], ...(client ? { client } : {}) });
  };

  before(async () => {
    rig = await startPortal();
    s = rig.s;
    await cli('New-AcceptedDomain', '-Name', 'Contoso', '-DomainName', 'contoso.com');
    await cli('Set-HostedOutboundSpamFilterPolicy', '-Identity', 'Default', '-RecipientLimitExternalPerHour', '5', '-ActionWhenThresholdReached', 'BlockUser');
    await cli('New-InboundConnector', '-Name', 'Branch office relay', '-SenderIPAddresses', '192.0.2.0/24', '-RecipientLimitExternalPerHour', '3');
    await cli('New-Tenant', 'Fabrikam');
    await cli('New-AcceptedDomain', '-Name', 'Fabrikam', '-DomainName', 'fabrikam.com', '--tenant', 'Fabrikam');
    await cli('New-AdminAccount', 'ga', '-Role', 'Global Administrator', '-Password', PASSWORD);
    await cli('Set-HostedOutboundSpamFilterPolicy', '-Identity', 'Default', '-RecipientLimitExternalPerHour', '5', '--tenant', 'Fabrikam');
    // lee@ is restricted until tomorrow, the others for good: the Expires column has two kinds of value.
    await cli('New-HostedOutboundSpamFilterPolicy', '-Name', 'Day', '-RecipientLimitExternalPerHour', '2', '-ActionWhenThresholdReached', 'BlockUserForToday');
    await cli('New-HostedOutboundSpamFilterRule', '-Name', 'Day', '-HostedOutboundSpamFilterPolicy', 'Day', '-From', 'lee@contoso.com');
    await cli('New-HostedOutboundSpamFilterPolicy', '-Name', 'Sales', '-RecipientLimitExternalPerHour', '5');
    await cli('New-HostedOutboundSpamFilterRule', '-Name', 'Sales', '-HostedOutboundSpamFilterPolicy', 'Sales', '-From', 'megan@contoso.com');
    policy = await PolicyClient.open(s.policyPort);
    // The CLI wrote the directory; the server reloads it on its own time. Send once it judges by it.
    const judged = (login: string) => s.checkSend.limitsOf(s.checkSend.resolve({ stage: 'other', login })!);
    for (const until = Date.now() + 15_000; ; await new Promise((r) => setTimeout(r, 20))) {
      const kim = s.checkSend.resolve({ stage: 'other', login: 'kim@fabrikam.com' });
      if (kim?.tenantId !== 'default' && judged('kim@fabrikam.com').externalPerHour === 5 && judged('megan@contoso.com').policyName === 'Sales' && judged('lee@contoso.com').policyName === 'Day') break;
      assert.ok(Date.now() < until, 'the server took the new directory');
    }
    await send('julia@contoso.com', 6);
    await send('kim@fabrikam.com', 6);
    await send('lee@contoso.com', 3);
    await send('megan@contoso.com', 4);
    await send('', 4, '192.0.2.7');
    await s.flushSends();
  });

  after(async () => {
    policy?.close();
    await rig?.stop();
  });

  const noSerious = async (page: Page, where: string): Promise<void> => {
    const v = await seriousViolations(page);
    assert.equal(v.length, 0, `${where}:\n${describeViolations(v)}`);
  };
  const width = async (page: Page): Promise<number> => (await page.evaluate('document.documentElement.scrollWidth')) as number;

  const PAGES: Array<[string, string, string]> = [
    ['/restrictedentities', 'restricted-entities', 'tr[data-entity]'],
    ['/alertpolicies', 'alert-policies', 'tr[data-alert-policy]'],
    ['/alerts', 'alerts', 'tr[data-alert]'],
    ['/antispam', 'anti-spam', 'tr[data-policy]'],
    ['/sendingactivity', 'sending-activity', 'tr[data-sender]'],
    ['/auditlog', 'audit-log', 'tr[data-operation]'],
    ['/settings', 'settings', 'role=tablist'],
  ];

  for (const [w, h] of [
    [1280, 800],
    [390, 844],
  ] as const) {
    it(`has no serious accessibility violation on any page at ${w} px${w < 500 ? ', and no page scrolls sideways' : ''}`, async () => {
      const { page, errors } = await portal({ width: w, height: h });
      await page.goto('/signin');
      await page.getByRole('button', { name: 'Sign in' }).waitFor();
      await noSerious(page, 'sign-in');
      await signIn(page, 'ga', PASSWORD);
      for (const [path, name, ready] of PAGES) {
        await page.goto(path);
        await page.locator(ready).first().waitFor();
        await noSerious(page, path);
        if (w < 500) assert.ok((await width(page)) <= w, `${path} is ${await width(page)} px wide`);
        await screenshot(page, `pages-${name}-${w}`);
      }
      for (const tab of await page.getByRole('tab').allInnerTexts()) {
        await page.getByRole('tab', { name: tab }).click();
        await waitForCount(page.locator('main [role="status"]'), 0);
        await noSerious(page, `/settings ${tab}`);
        if (w < 500) assert.ok((await width(page)) <= w, `Settings, ${tab}, is ${await width(page)} px wide`);
      }
      assert.deepEqual(errors, []);
    });
  }

  it("opens the Defender portal's own addresses, in any case, on their pages", async () => {
    const { page, errors } = await portal();
    await signIn(page, 'ga', PASSWORD, '/restrictedusers');
    assert.match(page.url(), /\/restrictedentities$/, 'sign-in comes back to the page itself');
    for (const [path, canonical, heading] of [
      ['/restrictedusers', '/restrictedentities', 'Restricted entities'],
      ['/RestrictedUsers', '/restrictedentities', 'Restricted entities'],
      ['/RestrictedEntities/', '/restrictedentities', 'Restricted entities'],
      ['/alertpoliciesv2', '/alertpolicies', 'Alert policy'],
      ['/AlertPoliciesV2?x=1', '/alertpolicies?x=1', 'Alert policy'],
      ['/SETTINGS', '/settings', 'Settings'],
    ] as const) {
      await page.goto(path);
      await page.getByRole('heading', { level: 1, name: heading }).waitFor();
      assert.equal(new URL(page.url()).pathname + new URL(page.url()).search, canonical, path);
    }
    await page.goto('/restrictedusersx');
    await page.getByRole('heading', { name: 'Page not found' }).waitFor();
    assert.deepEqual(errors, []);
  });

  it('keeps the tenant picked in the address, through a reload and the navigation; across tenants lists show a Tenant column', async () => {
    const { page, errors } = await portal();
    await signIn(page, 'ga', PASSWORD);
    const table = page.getByRole('table', { name: 'Restricted entities' });
    await table.locator('tr[data-entity="kim@fabrikam.com"]', { hasText: 'Fabrikam' }).waitFor();
    await table.getByRole('columnheader', { name: 'Tenant' }).waitFor();
    await screenshot(page, 'restricted-entities-all-tenants');

    await page.getByRole('combobox', { name: 'Tenant' }).click();
    await page.getByRole('option', { name: 'Fabrikam' }).click();
    await page.waitForURL(/\/restrictedentities\?tenant=[^&]+$/);
    await table.locator('tr[data-entity="julia@contoso.com"]').waitFor({ state: 'detached' });
    await table.locator('tr[data-entity="kim@fabrikam.com"]').waitFor();
    assert.equal(await table.getByRole('columnheader', { name: 'Tenant' }).count(), 0, 'one tenant: no Tenant column');
    const picked = new URL(page.url()).search;

    await page.reload();
    await table.locator('tr[data-entity="kim@fabrikam.com"]').waitFor();
    assert.equal(await page.getByRole('combobox', { name: 'Tenant' }).innerText(), 'Fabrikam', 'the reload keeps Fabrikam');
    assert.equal(await table.locator('tr[data-entity="julia@contoso.com"]').count(), 0);
    await page.getByRole('link', { name: 'Sending activity' }).click();
    await page.waitForURL((u) => u.pathname === '/sendingactivity' && u.search === picked);
    await page.locator('tr[data-sender="kim@fabrikam.com"]').waitFor();
    assert.equal(await page.locator('tr[data-sender="julia@contoso.com"]').count(), 0);

    await page.getByRole('combobox', { name: 'Tenant' }).click();
    await page.getByRole('option', { name: 'All tenants' }).click();
    await page.waitForURL((u) => u.pathname === '/sendingactivity' && u.search === '');
    await page.locator('tr[data-sender="julia@contoso.com"]', { hasText: 'Default' }).waitFor();
    await page.getByRole('link', { name: 'Audit log' }).click();
    await page.getByRole('table', { name: 'Audit records' }).getByRole('columnheader', { name: 'Tenant' }).waitFor();
    // The system's record of the connector's restriction names the connector, not its id.
    await page.locator('tr[data-operation]', { hasText: 'Connector:Branch office relay' }).first().waitFor();
    assert.doesNotMatch(await page.getByRole('table', { name: 'Audit records' }).innerText(), /Connector:[0-9a-f]{8}-/);
    await page.getByRole('link', { name: 'Alerts' }).click();
    await page.locator('tr[data-alert="kim@fabrikam.com"]', { hasText: 'Fabrikam' }).first().waitFor();
    assert.deepEqual(errors, []);
  });

  it('restricted entities: spacing opens on the first click from Search, Expires sorts both ways, dates on one line, connector limits by name', async () => {
    const { page, errors } = await portal();
    await signIn(page, 'ga', PASSWORD);
    const table = page.getByRole('table', { name: 'Restricted entities' });
    const names = (): Promise<Array<string | null>> => table.locator('tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-entity')));
    await table.locator('tr[data-entity="lee@contoso.com"]').waitFor();

    await page.getByRole('searchbox', { name: 'Search' }).click();
    await page.getByRole('button', { name: 'Change list spacing to compact or normal' }).click();
    await page.getByRole('menuitemradio', { name: 'Compact list' }).waitFor();
    await page.keyboard.press('Escape');

    // Soonest first: today's restrictions (Fabrikam's and lee@'s), then those that never expire.
    const expires = table.getByRole('columnheader', { name: 'Expires' });
    await expires.click();
    await table.locator('tbody tr').last().and(page.locator('[data-entity="julia@contoso.com"]')).waitFor();
    const soonest = await names();
    assert.deepEqual(soonest, ['kim@fabrikam.com', 'lee@contoso.com', 'Branch office relay', 'julia@contoso.com']);
    await expires.click();
    await table.locator('tbody tr').first().and(page.locator('[data-entity="julia@contoso.com"]')).waitFor();
    assert.deepEqual(await names(), [...soonest].reverse(), 'the other way is the same list reversed');
    await screenshot(page, 'restricted-entities-by-expiry');

    // The lines a date's text is laid out on: one box per line of an inline range.
    const lines = (await page.evaluate(`[...document.querySelectorAll('table[aria-label="Restricted entities"] tbody td:nth-child(5), table[aria-label="Restricted entities"] tbody td:nth-child(6)')]
      .map((td) => { const r = document.createRange(); r.selectNodeContents(td); return new Set([...r.getClientRects()].map((b) => Math.round(b.top))).size; })`)) as number[];
    assert.ok(lines.length >= 6 && lines.every((n) => n === 1), `dates and Never take one line each (${lines.join(', ')})`);
    const connector = table.locator('tr[data-entity="Branch office relay"]');
    await connector.getByText('Connector limits (Branch office relay)').waitFor();
    assert.doesNotMatch(await connector.innerText(), /InboundConnector:/);
    assert.deepEqual(errors, []);
  });

  it('explains a sender past a limit lowered under it, and restricts it at its next message', async () => {
    const { page, errors } = await portal();
    await signIn(page, 'ga', PASSWORD, '/sendingactivity');
    const megan = page.locator('tr[data-sender="megan@contoso.com"]');
    await megan.getByText('80%', { exact: true }).waitFor();
    await cli('Set-HostedOutboundSpamFilterPolicy', '-Identity', 'Sales', '-RecipientLimitExternalPerHour', '2');
    const over = megan.getByTestId('over-limit');
    await over.getByText('200%', { exact: true }).waitFor();
    await over.getByText('Over the limit: restricted at its next message.').waitFor();
    await page.getByText(/restricted at its next one/).waitFor();
    await screenshot(page, 'sending-activity-over-limit');
    await send('megan@contoso.com', 1);
    await megan.getByText('Restricted', { exact: true }).waitFor();
    assert.deepEqual(errors, []);
  });
});
