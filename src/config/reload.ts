// What a configuration reload (SIGHUP) can change in a running server, and what needs a restart.
import type { Config } from './schema.js';

/** Settings a running server takes on reload; every other one is read once, at start. */
export const LIVE_SETTINGS: readonly string[] = ['serviceLimits.', 'log.level', 'policy.failMode', 'policy.maxRequestBytes'];

export const isLive = (path: string): boolean => LIVE_SETTINGS.some((l) => (l.endsWith('.') ? path.startsWith(l) : path === l));

/** The dotted paths of the settings whose values differ (arrays compare as a whole). */
export function changedSettings(before: Readonly<Config>, after: Readonly<Config>): string[] {
  const out: string[] = [];
  const walk = (a: unknown, b: unknown, path: string): void => {
    if (isObject(a) && isObject(b)) {
      for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) walk(a[k], b[k], path ? `${path}.${k}` : k);
    } else if (JSON.stringify(a) !== JSON.stringify(b)) out.push(path);
  };
  walk(before, after, '');
  return out;
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
