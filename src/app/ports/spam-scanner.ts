// A content scanner for outbound spam (Rspamd's /checkv2 in src/adapters/rspamd). Optional: without
// one, messages are not scanned and only the recipient limits apply.
import type { SpamVerdict } from '../../domain/outbound-spam.js';

export interface ScanRequest {
  /** The whole message as the MTA passed it: header lines, an empty line, the body. */
  readonly message: Buffer;
  readonly login?: string;
  readonly from?: string;
  readonly clientAddress?: string;
  readonly queueId?: string;
}

export interface SpamScanner {
  /** The verdict; rejects when the scanner cannot be asked (the message then goes unscanned). */
  scan(req: ScanRequest): Promise<SpamVerdict>;
}
