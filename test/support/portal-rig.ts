// What every portal test starts with: the portal built, a real server, a real Chromium; and at the end
// every page it opened, the browser and the server closed, in that order.
import type { Browser } from 'playwright-core';
import { ensurePortalBuilt, launchBrowser, openPortal, type PortalPage } from './browser.js';
import { startTestServer, type TestServer } from './outgate.js';

export interface PortalRig {
  s: TestServer;
  browser: Browser;
  /** http://127.0.0.1:<port> of the server. */
  base: string;
  /** A new browser context on the portal (signed out); closed by stop(). */
  open(viewport?: { width: number; height: number }): Promise<PortalPage>;
  stop(): Promise<void>;
}

/** `overrides` go to the server's config (startTestServer). */
export async function startPortal(overrides: Record<string, unknown> = {}): Promise<PortalRig> {
  ensurePortalBuilt();
  const s = await startTestServer(overrides);
  let browser: Browser;
  try {
    browser = await launchBrowser();
  } catch (err) {
    await s.stop();
    throw err;
  }
  const base = `http://127.0.0.1:${s.httpPort}`;
  const pages: PortalPage[] = [];
  return {
    s,
    browser,
    base,
    async open(viewport) {
      const p = await openPortal(browser, base, viewport);
      pages.push(p);
      return p;
    },
    async stop() {
      for (const p of pages) await p.context.close().catch(() => undefined);
      await browser.close();
      await s.stop();
    },
  };
}
