// axe-core accessibility checks in the real browser: the engine's own script, evaluated in the page
// (evaluate is not subject to the portal's CSP, which allows no inline script).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';

let source: string | undefined;

function axeSource(): string {
  if (source !== undefined) return source;
  let path: string;
  try {
    path = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
  } catch {
    throw new Error('axe-core is not installed: it is a devDependency of this project (npm ci installs it).');
  }
  source = readFileSync(path, 'utf8');
  return source;
}

export interface AxeViolation {
  id: string;
  impact: string;
  help: string;
  targets: string[];
  /** The first offending element's markup, cut short. */
  html: string;
}

/** The serious and critical axe violations on the page as it is now (WCAG 2.x A and AA rules and best practices). */
export async function seriousViolations(page: Page): Promise<AxeViolation[]> {
  if (!(await page.evaluate('typeof window.axe === "object"'))) await page.evaluate(axeSource());
  const found = (await page.evaluate(`window.axe.run(document, { resultTypes: ['violations'] }).then((r) =>
    r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map((n) => n.target.join(' ')), html: (v.nodes[0]?.html ?? '').slice(0, 300) })))`)) as AxeViolation[];
  return found.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/** One line per violation, for an assertion message. */
export const describeViolations = (v: readonly AxeViolation[]): string =>
  v.map((x) => `${x.impact} ${x.id}: ${x.help} [${x.targets.slice(0, 4).join(', ')}] ${x.html}`).join('\n');
