// Port: changes pushed to every process on the store (restrictions, unblocks, window resets,
// configuration), so caches follow them without asking the store on every request.
import type { Restriction } from '../../domain/restriction.js';
import type { SenderRef } from '../../domain/sender.js';

/** A change made by another process (the CLI on the same store), so caches can follow it. */
export type Change =
  | { kind: 'directory' }
  /** `restriction` is the new state when the change was made in this process; else read it again. */
  | { kind: 'restriction'; sender: SenderRef; restriction?: Restriction }
  | { kind: 'windows-reset'; sender: SenderRef }
  /** Changes were missed (the feed's log was pruned past this process's place): reload everything cached. */
  | { kind: 'resync' };

export interface ChangeFeed {
  /**
   * Tells `listener` of every change: at once for this process's own writes, within a few
   * milliseconds for other processes' (the backend watches for them; the caller never polls).
   */
  subscribe(listener: (c: Change) => void): () => void;
  /**
   * The failure while other processes' changes cannot be read (a corrupt file), else undefined: a
   * decision then could miss a restriction made elsewhere, so it fails as on a store failure.
   */
  staleness?(): Error | undefined;
}
