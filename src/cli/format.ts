// Output as admins read it: Format-List for one object, a table for many, JSON for scripts.
import { formatCsv } from '../csv.js';

export type OutputFormat = 'auto' | 'list' | 'table' | 'json' | 'csv';

export function render(value: unknown, format: OutputFormat, columns: readonly string[] | undefined): string {
  const items = Array.isArray(value) ? value : value === undefined || value === null ? [] : [value];
  if (format === 'json') return `${JSON.stringify(value, null, 2)}\n`;
  if (format === 'csv') return formatCsv(items as Record<string, unknown>[]);
  if (items.length === 0) return '';
  const asList = format === 'list' || (format === 'auto' && (!Array.isArray(value) || items.length === 1 || !columns));
  return asList ? items.map((o) => formatList(o as Record<string, unknown>)).join('\n') : formatTable(items as Record<string, unknown>[], columns ?? []);
}

export function formatList(o: Record<string, unknown>): string {
  const keys = Object.keys(o);
  const width = Math.max(...keys.map((k) => k.length));
  return `${keys.map((k) => `${k.padEnd(width)} : ${cell(o[k], true)}`).join('\n')}\n`;
}

export function formatTable(rows: readonly Record<string, unknown>[], columns: readonly string[]): string {
  const cells = rows.map((r) => columns.map((c) => cell(r[c], false)));
  const widths = columns.map((c, i) => Math.min(60, Math.max(c.length, ...cells.map((row) => row[i]!.length))));
  const line = (vals: readonly string[]): string => vals.map((v, i) => (v.length > widths[i]! ? `${v.slice(0, widths[i]! - 1)}…` : v.padEnd(widths[i]!))).join(' ').trimEnd();
  return [line(columns), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n') + '\n';
}

/** One value as text; control characters escaped so hostile data cannot drive the terminal. */
function cell(v: unknown, expand: boolean): string {
  let s: string;
  if (v === null || v === undefined) s = '';
  else if (Array.isArray(v)) {
    s = v.every((x) => typeof x !== 'object') ? `{${v.join(', ')}}` : expand ? v.map((x) => `\n    ${inline(x)}`).join('') : `(${v.length})`;
  } else if (typeof v === 'object') s = inline(v);
  else s = String(v);
  return s.replace(/[\u0000-\u0009\u000b-\u001f\u007f\u009b]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

function inline(o: unknown): string {
  if (o === null || typeof o !== 'object') return String(o);
  return Object.entries(o as Record<string, unknown>).map(([k, v]) => `${k}=${String(v)}`).join('; ');
}

