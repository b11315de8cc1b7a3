// Anchors for the audit chain. The chain finds an edited, removed or reordered record, but whoever can
// write the database can also rewrite the chain from some record on (recompute every later hash) or cut
// its tail and move the head back. An anchor is the chain head (sequence and hash) exported outside the
// database (the server logs one whenever the head moved, and Test-AuditLogIntegrity prints it); a
// rewritten or cut chain no longer holds a record the anchor names, which -Anchor finds.
import { Errors, fail } from '../errors.js';
import type { AuditStore, AlertStore } from './ports.js';

export interface AuditAnchor {
  readonly seq: number;
  readonly hash: string;
}

export const formatAnchor = (a: AuditAnchor): string => `${a.seq}:${a.hash}`;

/** Parses `seq:hash` anchors, comma separated, as formatAnchor writes them. */
export function parseAnchors(value: unknown): AuditAnchor[] {
  if (value === undefined || value === null || value === '') return [];
  const parts = Array.isArray(value) ? value.map(String) : String(value).split(',');
  return parts.map((raw) => {
    const m = /^\s*(\d{1,15}):([0-9a-f]{64})\s*$/i.exec(raw);
    if (!m)
      fail(
        Errors.INVALID_ARGUMENT,
        `Anchor '${raw.trim().slice(0, 100)}' is not <sequence>:<64 hex digits> as Test-AuditLogIntegrity prints it.`,
      );
    return { seq: Number(m[1]), hash: m[2]!.toLowerCase() };
  });
}

/** The chain's head now: its newest record (none while the log is empty). */
export async function currentAnchor(store: Pick<AuditStore, 'searchAudit'>): Promise<AuditAnchor | undefined> {
  const [head] = await store.searchAudit({ limit: 1 });
  return head && { seq: head.seq, hash: head.hash };
}

/** The first anchor the stored chain no longer holds, with why; undefined when it holds them all. */
export async function brokenAnchor(
  store: Pick<AlertStore, 'auditAfter'>,
  anchors: readonly AuditAnchor[],
): Promise<{ anchor: AuditAnchor; reason: string } | undefined> {
  for (const anchor of anchors) {
    const [record] = await store.auditAfter(anchor.seq - 1, 1);
    if (record?.seq !== anchor.seq)
      return { anchor, reason: `record ${anchor.seq}, exported as an anchor, is no longer in the log (the log was cut)` };
    if (record.hash !== anchor.hash)
      return {
        anchor,
        reason: `record ${anchor.seq} no longer has the hash exported as an anchor (the chain was rewritten from there or earlier)`,
      };
  }
  return undefined;
}

/** Reports the head each time it is called after the head moved (the server: at start, every few minutes, at stop). */
export function anchorExporter(store: Pick<AuditStore, 'searchAudit'>, report: (anchor: AuditAnchor) => void): () => Promise<void> {
  let last: AuditAnchor | undefined;
  return async () => {
    const head = await currentAnchor(store);
    if (!head || (last?.seq === head.seq && last.hash === head.hash)) return;
    last = head;
    report(head);
  };
}
