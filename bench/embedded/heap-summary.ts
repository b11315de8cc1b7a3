// Where a heap snapshot's bytes are: self size summed by node type and constructor/name, largest first.
// Usage: npx tsx bench/embedded/heap-summary.ts scale.heapsnapshot [rows]
import { readFileSync } from 'node:fs';

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[]] } };
  nodes: number[];
  strings: string[];
}
const file = process.argv[2];
if (!file) {
  console.error('usage: npx tsx bench/embedded/heap-summary.ts <file.heapsnapshot> [rows]');
  process.exit(2);
}
const rows = Number(process.argv[3] ?? 30);
const snap = JSON.parse(readFileSync(file, 'utf8')) as Snapshot;
const fields = snap.snapshot.meta.node_fields;
const types = snap.snapshot.meta.node_types[0];
const [typeAt, nameAt, sizeAt] = ['type', 'name', 'self_size'].map((f) => fields.indexOf(f)) as [number, number, number];
const by = new Map<string, { count: number; bytes: number }>();
let total = 0;
for (let i = 0; i < snap.nodes.length; i += fields.length) {
  const type = types[snap.nodes[i + typeAt]!]!;
  // Strings are grouped by kind, not by their text.
  const name = type === 'string' || type === 'concatenated string' || type === 'sliced string' ? '' : snap.strings[snap.nodes[i + nameAt]!]!.slice(0, 60);
  const key = `${type} ${name}`;
  const e = by.get(key) ?? { count: 0, bytes: 0 };
  e.count++;
  e.bytes += snap.nodes[i + sizeAt]!;
  total += snap.nodes[i + sizeAt]!;
  by.set(key, e);
}
console.log(`total self size ${(total / 1048576).toFixed(1)} MB`);
console.log('| MB | count | type name |\n|---:|---:|---|');
for (const [k, e] of [...by].sort((a, b) => b[1].bytes - a[1].bytes).slice(0, rows)) {
  console.log(`| ${(e.bytes / 1048576).toFixed(1)} | ${e.count} | ${k} |`);
}
