/**
 * A copy of `s` that does not hold on to the string it was cut from. V8 keeps a substring as a view
 * of its parent (and a concatenation as a tree of its parts), so a login or address sliced from a
 * 600-byte request and kept as a map key would keep the whole request alive: hundreds of megabytes at
 * 100,000 senders, and a long major GC. For keys kept long, on the miss path only.
 */
export function detach(s: string): string {
  return JSON.parse(JSON.stringify(s)) as string;
}
