// PowerShell-style arguments for the cmdlets admins know: `-SenderAddress a@b`, `-Enabled:$false`,
// parameter names case-insensitive, `a,b` lists. Rewritten to canonical `--Name value` for commander.
import { Errors, fail } from '../errors.js';
import { printable } from '../domain/address.js';

export interface ParamSpec {
  readonly name: string;
  readonly kind: 'string' | 'list' | 'bool' | 'switch' | 'int';
  readonly required?: boolean;
  /** May also be given as the first bare argument (like PowerShell's positional -Identity/-Name). */
  readonly positional?: boolean;
  readonly help: string;
}

/** Parameters every cmdlet accepts and ignores, so scripts written for EOP keep working. */
const IGNORED = new Set(['confirm', 'whatif', 'force', 'verbose']);

/**
 * Maps `-name value` / `-name:value` / `--name value` to `--Canonical value`, keeping other tokens.
 * Unknown parameters are refused here, with the cmdlet's name, so the message names what was typed.
 */
export function normalizeArgs(cmdlet: string, args: readonly string[], params: readonly ParamSpec[]): string[] {
  const byLower = new Map(params.map((p) => [p.name.toLowerCase(), p]));
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const token = args[i]!;
    const m = /^--?([A-Za-z][A-Za-z0-9]*)(?::(.*))?$/s.exec(token);
    if (!m || ['format', 'tenant', 'local', 'help', 'h'].includes(m[1]!.toLowerCase())) {
      out.push(token.startsWith('-') && m ? `--${m[1]!.toLowerCase() === 'h' ? 'help' : m[1]!.toLowerCase()}` : token);
      if (m && m[2] !== undefined) out.push(m[2]);
      continue;
    }
    const lower = m[1]!.toLowerCase();
    if (IGNORED.has(lower)) {
      // `-Confirm:$false` carries its value inline; `-Confirm $false` as a separate bool token.
      if (m[2] === undefined && /^\$?(true|false)$/i.test(args[i + 1] ?? '')) i++;
      continue;
    }
    const spec = byLower.get(lower);
    if (!spec) {
      fail(Errors.UNKNOWN_PARAMETER, `${cmdlet} has no parameter '-${printable(m[1]!)}'. Parameters: ${params.map((p) => `-${p.name}`).join(', ') || '(none)'}.`);
    }
    out.push(`--${spec.name}`);
    if (spec.kind === 'switch') continue;
    if (m[2] !== undefined) out.push(m[2]);
    else if (spec.kind === 'bool' && !/^\$?(true|false|1|0|yes|no)$/i.test(args[i + 1] ?? '')) out.push('$true');
  }
  return out;
}
