// The portal under a real browser: playwright-core driving Debian's Chromium (never a downloaded one),
// against the portal built into web/dist (built here when missing or older than its sources).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = process.env.OUTGATE_CHROMIUM ?? '/usr/bin/chromium';
const ROOT = resolve(import.meta.dirname, '../..');
/** docs/screenshots with OUTGATE_SCREENSHOTS=1 (npm run screenshots); otherwise .tmp, so a test run leaves git clean. */
export const SCREENSHOTS = process.env.OUTGATE_SCREENSHOTS === '1' ? join(ROOT, 'docs/screenshots') : join(ROOT, '.tmp/screenshots');

function newest(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

/** Builds web/dist if it is missing or older than web/src or src/shared (bundled too), so a test never runs an old portal. */
export function ensurePortalBuilt(): void {
  const index = join(ROOT, 'web/dist/index.html');
  const sources = Math.max(newest(join(ROOT, 'web/src')), newest(join(ROOT, 'src/shared')));
  if (existsSync(index) && statSync(index).mtimeMs >= sources) return;
  execFileSync(
    process.execPath,
    [join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--config', join(ROOT, 'web/vite.config.ts'), '--logLevel', 'warn'],
    { cwd: ROOT, stdio: 'inherit' },
  );
}

/** Chromium headless; a missing browser fails loudly (scripts/ensure-packages.sh installs it). */
export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium is not installed at ${CHROMIUM}. Run 'sudo bash scripts/ensure-packages.sh' (apt: chromium); the portal tests never skip.`,
    );
  }
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'] });
}

export interface PortalPage {
  context: BrowserContext;
  page: Page;
  /** Page errors and console errors seen so far (a test asserts there are none). */
  errors: string[];
}

export async function openPortal(browser: Browser, baseURL: string, viewport = { width: 1280, height: 800 }): Promise<PortalPage> {
  const context = await browser.newContext({ baseURL, viewport, locale: 'en-GB', timezoneId: 'UTC' });
  context.setDefaultTimeout(10_000);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    // 401/403/404 answers the portal handles show up as console noise; only script errors count.
    if (m.type() === 'error' && !/Failed to load resource/.test(m.text())) errors.push(`console: ${m.text()}`);
  });
  return { context, page, errors };
}

export async function signIn(page: Page, name: string, password: string, path = '/restrictedentities'): Promise<void> {
  await page.goto(path);
  await page.getByLabel('Account name').fill(name);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: /^Account:/ }).waitFor();
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  // Transitions finished: a dialog caught mid-fade would show half-transparent.
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), animations: 'disabled' });
}

/** Waits until a locator matches exactly n elements. */
export async function waitForCount(locator: import('playwright-core').Locator, n: number, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  let last = -1;
  while (Date.now() < until) {
    last = await locator.count();
    if (last === n) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`expected ${n} matches of ${String(locator)}, saw ${last}`);
}

/** A toast with this text (title or body). */
export function toast(page: Page, text: string | RegExp): import('playwright-core').Locator {
  return page.locator('.fui-Toast').filter({ hasText: text });
}
