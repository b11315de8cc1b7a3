// Reads a send journal file on start and decides what of it is still to be applied, telling a normal
// crash (a torn last line) from damage (a corrupt record, a file shorter than what was applied).
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { parseRecord } from './journal-records.js';

/** Where recovery reports damage: structured fields first, as pino takes them. */
export type JournalWarn = (fields: Record<string, unknown>, message: string) => void;

export type Recovered =
  /** `text` holds the readable lines past the applied offset; `bytes` is how far they reach in the file. */
  | { readonly kind: 'ok'; readonly end: number; readonly text: string; readonly bytes: number }
  /** The file ends before the applied offset: it is not (all of) the file that was applied. */
  | { readonly kind: 'behind'; readonly size: number };

/**
 * What `file` holds past `offset` (the bytes SQLite already has). A last line without its newline is a
 * write cut short by a crash: it was never acknowledged, so it is dropped (`end` stops before it). A
 * complete line that is not a send is damage: it is reported with its byte offset, copied to
 * `<file>.corrupt` and skipped, and the lines around it are applied.
 */
export function recoverJournal(file: string, offset: number, warn: JournalWarn): Recovered {
  const content = existsSync(file) ? readFileSync(file) : Buffer.alloc(0);
  const end = content.lastIndexOf(0x0a) + 1;
  if (end < offset) return { kind: 'behind', size: content.length };
  let text = '';
  for (let at = offset; at < end; ) {
    const nl = content.indexOf(0x0a, at);
    const line = content.subarray(at, nl);
    if (parseRecord(line.toString('utf8'))) {
      text += line.toString('utf8') + '\n';
    } else {
      // Copied as found; a crash before this start's apply commits copies it again on the next start.
      const setAside = `${file}.corrupt`;
      appendFileSync(setAside, Buffer.concat([line, Buffer.from('\n')]));
      warn({ file, offset: at, bytes: line.length, setAside }, 'corrupt send journal record: set aside, the rest of the journal is applied');
    }
    at = nl + 1;
  }
  return { kind: 'ok', end, text, bytes: end - offset };
}
