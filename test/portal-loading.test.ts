// The portal's one loading hook (web/src/hooks/use-load.ts) in a real browser: a slow answer to an older
// search must never replace the answer to a newer one. The first search's answer is held back in the
// browser (page.route), the second answers at once; the list must show the second search's records.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { signIn } from './support/browser.js';
import { ok } from './support/outgate.js';
import { startPortal } from './support/portal-rig.js';

const PASSWORD = 'portal-loading-password-1';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('an older audit search answering late never overwrites a newer one', { timeout: 120_000 }, async (t) => {
  const rig = await startPortal();
  t.after(() => rig.stop());
  const { s } = rig;
  await ok(s.cli('New-AcceptedDomain', '-Name', 'Contoso', '-DomainName', 'contoso.com'));
  await ok(s.cli('New-AdminAccount', 'ga', '-Role', 'Global Administrator', '-Password', PASSWORD));
  const { page, errors } = await rig.open();
  await signIn(page, 'ga', PASSWORD, '/auditlog');
  await page.locator('tr[data-operation]').first().waitFor();

  let held = 0;
  await page.route(/\/api\/v1\/audit\?.*operations=New-AcceptedDomain/, async (route) => {
    held++;
    await sleep(2500);
    // The portal may have aborted it by now: then there is nothing left to answer.
    await route.continue().catch(() => undefined);
  });
  const operations = page.getByLabel('Operations');
  await operations.fill('New-AcceptedDomain');
  await page.getByRole('button', { name: 'Search' }).click();
  await operations.fill('New-AdminAccount');
  await page.getByRole('button', { name: 'Search' }).click();
  await page.locator('tr[data-operation="New-AdminAccount"]').first().waitFor();
  await sleep(4000); // past the held answer
  assert.equal(held, 1, 'the first search was held back');
  const shown = await page.locator('tr[data-operation]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-operation')));
  assert.ok(shown.length > 0);
  assert.deepEqual([...new Set(shown)], ['New-AdminAccount'], 'the newer search is what the list shows');
  assert.deepEqual(errors, []);
});
