// What a check decides, as a value. Adapters turn it into wire text through replies.ts.
import type { ReplyId } from './replies.js';

export type Decision =
  | { readonly kind: 'permit' }
  | { readonly kind: 'refuse'; readonly reply: ReplyId }
  | { readonly kind: 'defer'; readonly reply: ReplyId };

export const PERMIT: Decision = Object.freeze({ kind: 'permit' });

export const refuse = (reply: ReplyId): Decision => ({ kind: 'refuse', reply });
export const defer = (reply: ReplyId): Decision => ({ kind: 'defer', reply });

/** The answer when the store failed and the fail mode is closed: the sender tries again later. */
export const UNAVAILABLE: Decision = Object.freeze({ kind: 'defer', reply: 'storeUnavailable' });

export const isUnavailable = (d: Decision): boolean => d.kind === 'defer' && d.reply === 'storeUnavailable';
