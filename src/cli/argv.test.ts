// Property-based fuzzing of the cmdlet argument parser: any tokens for any cmdlet either normalise or
// are refused with a catalogue error naming what was typed; never another exception.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { isOutgateError } from '../errors.js';
import { normalizeArgs } from './argv.js';
import { CMDLETS } from './cmdlets.js';

const cmdlet = fc.constantFrom(...CMDLETS);
const token = (names: readonly string[]) =>
  fc.oneof(
    fc.string(),
    fc.constantFrom(...names, 'Identity').chain((n) => fc.constantFrom(`-${n}`, `--${n}`, `-${n.toUpperCase()}`, `-${n}:`, `-${n}:$false`)),
    fc.constantFrom(
      '-',
      '--',
      '-:',
      '-Confirm',
      '-Confirm:$false',
      '$true',
      '$false',
      '-WhatIf',
      '--format',
      '-h',
      '-Nope',
      '-a\u202Eb',
      '-x\r\ny',
    ),
  );

test('any tokens for any cmdlet normalise or are refused with a catalogue error', () => {
  fc.assert(
    fc.property(
      cmdlet.chain((c) => fc.tuple(fc.constant(c), fc.array(token(c.params.map((p) => p.name)), { maxLength: 8 }))),
      ([c, args]) => {
        try {
          const out = normalizeArgs(c.name, args, c.params);
          assert.ok(Array.isArray(out) && out.every((t) => typeof t === 'string'));
        } catch (err) {
          assert.ok(isOutgateError(err), `${c.name} ${JSON.stringify(args)}: ${String(err)}`);
          assert.equal(err.code, 'OG_ERR_UNKNOWN_PARAMETER');
          assert.doesNotMatch(err.message, /[\r\n\u202E]/, 'what was typed is echoed printable');
        }
      },
    ),
    { numRuns: 2000, seed: 20261130 },
  );
});

test('-Name:value, -Name value and --name value mean the same', () => {
  fc.assert(
    fc.property(
      cmdlet.filter((c) => c.params.some((p) => p.kind === 'string')),
      fc.string({ minLength: 1 }).filter((v) => !v.startsWith('-')),
      (c, v) => {
        const p = c.params.find((x) => x.kind === 'string')!;
        const expected = [`--${p.name}`, v];
        assert.deepEqual(normalizeArgs(c.name, [`-${p.name}:${v}`], c.params), expected);
        assert.deepEqual(normalizeArgs(c.name, [`-${p.name.toLowerCase()}`, v], c.params), expected);
        assert.deepEqual(normalizeArgs(c.name, [`--${p.name}`, v], c.params), expected);
      },
    ),
    { seed: 20261130 },
  );
});
