// The words the anti-spam pages show for actions, forwarding modes, limits and a replay's place.
import type { Action, WhatIf } from './types.js';

/** Where the replay judged the policy: the same place live evaluation will. */
export function placeText(r: WhatIf): string {
  const after = r.EvaluatedAfter.length === 0 ? '' : ` after ${r.EvaluatedAfter.join(', ')}`;
  const where =
    r.Priority === null ? `Evaluated last, as the default policy${after}` : `Evaluated at priority ${r.Priority}${after || ', first'}`;
  return r.EvaluatedAfter.length === 0
    ? `${where}.`
    : `${where}: senders ${r.EvaluatedAfter.length === 1 ? 'that policy covers' : 'those policies cover'} are judged by ${r.EvaluatedAfter.length === 1 ? 'it' : 'them'}, not by this one.`;
}

export const ACTIONS: Record<Action, string> = {
  BlockUserForToday: 'Restrict the user from sending mail until the following day',
  BlockUser: 'Restrict the user from sending mail',
  Alert: 'Alert only: let the mail through',
};
export const FORWARDING = {
  Automatic: 'Automatic - System-controlled',
  On: 'On - Forwarding is enabled',
  Off: 'Off - Forwarding is disabled',
} as const;

/** A comma, space or semicolon separated list, as typed. */
export const split = (text: string): string[] =>
  text
    .split(/[\s,;]+/)
    .map((x) => x.trim())
    .filter(Boolean);
export const limitText = (n: number): string => (n === 0 ? '0 (service default)' : String(n));

export function limitError(v: number): string | null {
  return Number.isInteger(v) && v >= 0 && v <= 10000 ? null : 'A whole number from 0 to 10,000.';
}
