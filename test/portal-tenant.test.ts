// The portal's Restricted entities page with a Tenant row (docs/tenancy.md): every role that reads sees
// it, only a provider-level Global Administrator is offered its Unblock, through the connector's one-step
// flyout and confirm dialog; after it the tenant's external mail is admitted again.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { PolicyClient, sendMessage } from '../src/adapters/postfix-policy/client.js';
import { seriousViolations } from './support/axe.js';
import { screenshot, signIn, toast } from './support/browser.js';
import { ok } from './support/outgate.js';
import { startPortal } from './support/portal-rig.js';

const PASSWORD = 'portal-test-password-1';
const TERRL =
  "action=550 5.7.233 Your message can't be sent because your tenant exceeded its daily limit for sending email to external recipients (tenant external recipient rate limit)";

test('a restricted tenant is listed as a Tenant and unblocked by the provider only', { timeout: 180_000 }, async (t) => {
  const rig = await startPortal();
  t.after(() => rig.stop());
  const { s } = rig;
  await ok(s.cli('New-AcceptedDomain', '-Name', 'Contoso', '-DomainName', 'contoso.com'));
  await ok(s.cli('Set-Tenant', 'Default', '-ExternalRecipientLimitPerDay', '2'));
  await ok(s.cli('New-AdminAccount', 'secadmin', '-Role', 'Security Administrator', '-Password', PASSWORD));
  await ok(s.cli('New-AdminAccount', 'ga', '-Role', 'Global Administrator', '-Password', PASSWORD));
  const policy = await PolicyClient.open(s.policyPort);
  t.after(() => policy.close());
  assert.deepEqual(
    (await sendMessage(policy, { login: 'megan@contoso.com', to: ['a@external.example', 'b@external.example', 'c@external.example'] }))
      .rcpt,
    ['action=DUNNO', 'action=DUNNO', TERRL],
  );

  // A Security Administrator may unblock users and connectors, not a tenant: no Unblock for its row.
  const reader = await rig.open();
  await signIn(reader.page, 'secadmin', PASSWORD);
  const row = reader.page.locator('tbody tr', { hasText: 'Tenant' });
  await row.getByText('Default', { exact: true }).waitFor();
  await row.getByRole('checkbox').check();
  assert.equal(await reader.page.getByRole('button', { name: 'Unblock' }).count(), 0);
  await reader.context.close();

  const { page, errors } = await rig.open();
  await signIn(page, 'ga', PASSWORD);
  await page.locator('tbody tr', { hasText: 'Tenant' }).getByRole('checkbox').check();
  await page.getByRole('button', { name: 'Unblock' }).click();
  const flyout = page.getByRole('dialog', { name: 'Unblock entity' });
  await flyout.getByText(/went over its external recipient limit/).waitFor();
  await flyout.getByLabel(/Note for the audit log/).fill('Megan reset');
  await flyout.getByRole('button', { name: 'Unblock', exact: true }).click();
  const warning = page.getByRole('alertdialog', { name: 'Unblock the tenant?' });
  await warning.getByRole('button', { name: 'Yes' }).click();
  await toast(page, 'Default can send email to external recipients again; its count restarts.').waitFor();
  assert.deepEqual(errors, []);
  assert.deepEqual((await sendMessage(policy, { login: 'megan@contoso.com', to: ['d@external.example'] })).rcpt, ['action=DUNNO']);
});

test('the tenant limit is set in Settings by a provider Global Administrator and only read by others', { timeout: 180_000 }, async (t) => {
  const rig = await startPortal();
  t.after(() => rig.stop());
  const { s } = rig;
  await ok(s.cli('New-Tenant', 'Fabrikam'));
  await ok(s.cli('New-AdminAccount', 'ga', '-Role', 'Global Administrator', '-Password', PASSWORD));
  await ok(s.cli('New-AdminAccount', 'reader', '-Role', 'Global Reader', '-Password', PASSWORD));
  await ok(s.cli('New-AdminAccount', 'fabrikam-ga', '-Role', 'Global Administrator', '-Password', PASSWORD, '--tenant', 'Fabrikam'));
  const openTab = async (page: Page): Promise<void> => {
    await page.goto('/settings');
    await page.getByRole('tab', { name: 'Tenant limit' }).click();
    await page.getByRole('table', { name: 'Tenant limits' }).waitFor();
  };
  const limitOf = (page: Page, tenant: string) => page.locator(`tr[data-tenant="${tenant}"] [data-testid="tenant-limit"]`);

  const { page, errors } = await rig.open();
  await signIn(page, 'ga', PASSWORD);
  await openTab(page);
  assert.equal(await limitOf(page, 'Default').innerText(), 'Off', 'unset is shown as Off');
  const input = page.getByLabel('External recipients per day for Default (0 = off)');
  await input.fill('250');
  await page.getByRole('form', { name: 'Tenant limit of Default' }).getByRole('button', { name: 'Save' }).click();
  await toast(page, 'Tenant limit of Default set to 250 a day').waitFor();
  await page.reload();
  await openTab(page);
  assert.equal(await limitOf(page, 'Default').innerText(), '250');
  assert.equal(await limitOf(page, 'Fabrikam').innerText(), 'Off', 'the other tenant is untouched');
  assert.match((await s.cli('Get-Tenant')).stdout, /250/);
  await screenshot(page, 'settings-tenant-limit');
  assert.deepEqual(await seriousViolations(page), []);
  assert.deepEqual(errors, []);

  // Roles that may not change it see the value and no control: a reader, and a tenant's own Global Administrator.
  for (const [name, tenant] of [
    ['reader', 'Default'],
    ['fabrikam-ga', 'Fabrikam'],
  ] as const) {
    const other = await rig.open();
    await signIn(other.page, name, PASSWORD);
    await openTab(other.page);
    assert.equal(await limitOf(other.page, tenant).innerText(), tenant === 'Default' ? '250' : 'Off', name);
    await other.page.getByTestId('tenant-limit-by-provider').waitFor();
    assert.equal(await other.page.getByRole('spinbutton').count(), 0, `${name} has no limit input`);
    assert.equal(await other.page.getByRole('button', { name: 'Save' }).count(), 0, `${name} has no Save`);
    assert.deepEqual(other.errors, []);
    await other.context.close();
  }
});
