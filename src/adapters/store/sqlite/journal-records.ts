// The send journal's line format, written by the server and read back by recovery and the applier
// worker: one JSON array per line, [at, tenantId, type, identity, external, internal, messages].
import type { SendRecord } from './enforcement-repo.js';
import { isEntityType } from '../../../domain/sender.js';

/** The journal text of `records`, one line each, newline-terminated. */
export function encodeRecords(records: readonly SendRecord[]): string {
  let text = '';
  for (const { at, sender: s, counts: c } of records) {
    text += `[${at},${JSON.stringify(s.tenantId)},"${s.type}",${JSON.stringify(s.identity)},${c.external},${c.internal},${c.messages}]\n`;
  }
  return text;
}

/**
 * One line (without its newline) as a send, or undefined when it is not one this code writes: recovery
 * sets such lines aside instead of letting one bad line stop the server or count garbage.
 */
export function parseRecord(line: string): SendRecord | undefined {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (!Array.isArray(v) || v.length !== 7) return undefined;
  const [at, tenantId, type, identity, external, internal, messages] = v as unknown[];
  if (!isCount(at) || typeof tenantId !== 'string' || !isEntityType(type) || typeof identity !== 'string') return undefined;
  if (!isCount(external) || !isCount(internal) || !isCount(messages)) return undefined;
  return { at, sender: { tenantId, type, identity }, counts: { external, internal, messages } };
}

const isCount = (n: unknown): n is number => Number.isSafeInteger(n) && (n as number) >= 0;

/**
 * The sends of journal text this process wrote or recovery already checked (so every line parses);
 * a line that does not is an error here, never silently skipped.
 */
export function parseRecords(chunks: readonly string[]): SendRecord[] {
  const out: SendRecord[] = [];
  for (const chunk of chunks) {
    for (const line of chunk.split('\n')) {
      if (line === '') continue;
      const r = parseRecord(line);
      if (!r) throw new Error(`unreadable send journal line: ${line.slice(0, 80)}`);
      out.push(r);
    }
  }
  return out;
}
