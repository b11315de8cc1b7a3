// CSV export shared by the CLI and the HTTP API.
/**
 * RFC 4180 CSV of every field. Objects become JSON; a cell that a spreadsheet would run as a formula
 * (starting with = + - @) gets a leading apostrophe (CSV injection).
 */
export function formatCsv(rows: readonly Record<string, unknown>[]): string {
  if (rows.length === 0) return '';
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const cellOf = (v: unknown): string => {
    let s = v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
    if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
    return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
  };
  return [columns.map(cellOf), ...rows.map((r) => columns.map((c) => cellOf(r[c])))].map((line) => line.join(',')).join('\r\n') + '\r\n';
}
