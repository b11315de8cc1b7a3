// Settings → Send As (docs/spec.md §3): an administrator who may change grants and removes Send As in
// the portal, the grant is the one Get-RecipientPermission reports, a bad address shows the API's
// sentence, and a reader sees the list with no Add or Remove.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { screenshot, signIn, toast, waitForCount } from './support/browser.js';
import { ok, type TestServer } from './support/outgate.js';
import { startPortal } from './support/portal-rig.js';

const PASSWORD = 'portal-test-password-1';

type Grant = { Identity: string; Trustee: string; AccessRights: string[] };
async function grants(s: TestServer): Promise<Grant[]> {
  const out = (await ok(s.cli('Get-RecipientPermission', '--format', 'json'))).stdout;
  return (JSON.parse(out) as Grant[]).map(({ Identity, Trustee, AccessRights }) => ({ Identity, Trustee, AccessRights }));
}

test('Send As is granted, listed and removed in Settings; a reader only sees it', { timeout: 180_000 }, async (t) => {
  const rig = await startPortal();
  t.after(() => rig.stop());
  const { s } = rig;
  await ok(s.cli('New-AcceptedDomain', '-Name', 'Contoso', '-DomainName', 'contoso.com'));
  await ok(s.cli('New-AdminAccount', 'orgadmin', '-Role', 'Organization Management', '-Password', PASSWORD));
  await ok(s.cli('New-AdminAccount', 'reader', '-Role', 'Global Reader', '-Password', PASSWORD));

  const { page, errors, context } = await rig.open();
  await signIn(page, 'orgadmin', PASSWORD, '/settings');
  await page.getByRole('tab', { name: 'Send As' }).click();
  await page.getByText('No Send As grants').waitFor();
  await page.getByText(/A login may send as a mailbox only with Send As/).waitFor();
  const identity = page.getByLabel('Mailbox (Identity)');
  const trustee = page.getByLabel('May be sent as by (Trustee)');

  // A bad address: the API's sentence, nothing added, the form keeps what was typed.
  await identity.fill('sales');
  await trustee.fill('megan@contoso.com');
  await page.getByRole('button', { name: 'Add Send As' }).click();
  await toast(page, "Identity 'sales' is not a valid email address.").waitFor();
  assert.equal(await identity.inputValue(), 'sales');
  assert.deepEqual(await grants(s), []);

  await identity.fill('Sales@Contoso.com');
  await page.getByRole('button', { name: 'Add Send As' }).click();
  await toast(page, 'Send As granted').waitFor();
  const row = page.locator('tbody tr', { hasText: 'sales@contoso.com' });
  await row.getByText('megan@contoso.com').waitFor();
  await row.getByText('SendAs').waitFor();
  assert.equal(await identity.inputValue(), '');
  assert.deepEqual(await grants(s), [{ Identity: 'sales@contoso.com', Trustee: 'megan@contoso.com', AccessRights: ['SendAs'] }]);
  await screenshot(page, 'settings-send-as-1280');

  // A reader sees the grant, and no control that would fail for it.
  const reader = await rig.open();
  await signIn(reader.page, 'reader', PASSWORD, '/settings');
  await reader.page.getByRole('tab', { name: 'Send As' }).click();
  await reader.page.locator('tbody tr', { hasText: 'sales@contoso.com' }).getByText('megan@contoso.com').waitFor();
  assert.equal(await reader.page.getByRole('button', { name: 'Add Send As' }).count(), 0);
  assert.equal(await reader.page.getByRole('button', { name: /^Remove/ }).count(), 0);
  assert.deepEqual(reader.errors, []);
  await reader.context.close();

  await page.getByRole('button', { name: 'Remove Send As of megan@contoso.com on sales@contoso.com' }).click();
  await toast(page, 'Send As removed').waitFor();
  await waitForCount(page.locator('tbody tr'), 0);
  await page.getByText('No Send As grants').waitFor();
  assert.deepEqual(await grants(s), []);
  assert.deepEqual(errors, []);
  await context.close();
});
