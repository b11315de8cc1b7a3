/**
 * A copy of `s` that does not hold on to the string it was cut from. V8 keeps a substring as a view
 * of its parent (and a concatenation as a tree of its parts), so a login or address sliced from a
 * 600-byte request and kept as a map key would keep the whole request alive: hundreds of megabytes at
 * 100,000 senders, and a long major GC. For keys kept long, on the miss path only.
 *
 * Joining two parts builds one new flat string (one or two bytes a character, as `s`); a one-part
 * join may hand back `s` itself. Six times cheaper than a JSON round trip, which new senders paid
 * two or three times each.
 */
export function detach(s: string): string {
  return s.length < 2 ? s : [s.slice(0, 1), s.slice(1)].join('');
}
