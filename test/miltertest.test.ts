// libmilter's own MTA side (Debian's miltertest, the OpenDKIM project's driver) against Outgate's
// milter: option negotiation, the exact 5.1.8 at end of message, abort and abrupt disconnect.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { ok, startTestServer } from './support/outgate.js';

const SCRIPT = fileURLToPath(new URL('fixtures/milter-edges.lua', import.meta.url));

test(
  'miltertest (libmilter) negotiates, is refused with the exact 5.1.8 and leaves only the admitted message counted',
  { timeout: 60_000 },
  async (t) => {
    const og = await startTestServer();
    t.after(() => og.stop());
    await ok(og.cli('Set-HostedOutboundSpamFilterPolicy', 'Default', '-RecipientLimitExternalPerHour', '2'));
    // Asynchronous on purpose: the milter answers from this process's event loop.
    const r = await new Promise<{ code: number; out: string }>((resolve) =>
      execFile(
        'miltertest',
        ['-s', SCRIPT],
        { env: { ...process.env, MILTER: `inet:${og.milterPort}@127.0.0.1` }, timeout: 30_000 },
        (err, stdout, stderr) => resolve({ code: err ? Number(err.code ?? 1) : 0, out: stdout + stderr }),
      ),
    );
    assert.equal(r.code, 0, `miltertest failed (run scripts/ensure-packages.sh if it is missing):\n${r.out}`);
    assert.match(r.out, /milter-edges: all checks passed/);
    const totals = (identity: string) => og.checkSend.totalsOf({ tenantId: 'default', type: 'Mailbox', identity });
    assert.deepEqual(await totals('mt@outgate.test'), {
      externalLastHour: 1,
      internalLastHour: 0,
      externalLast24h: 1,
      internalLast24h: 0,
      recipientsLast24h: 1,
      messagesLastMinute: 1,
    });
    const listed = JSON.parse((await ok(og.cli('Get-BlockedSenderAddress', '--format', 'json'))).stdout) as Array<{
      SenderAddress: string;
    }>;
    assert.deepEqual(
      listed.map((e) => e.SenderAddress),
      ['mt@outgate.test'],
    );
    // The abrupt disconnect's release happens when the server sees the close.
    for (let i = 0; (await totals('cut@outgate.test')).externalLastHour !== 0; i++) {
      assert.ok(i < 500, 'the cut-off message was not released');
      await new Promise((res) => setTimeout(res, 10));
    }
  },
);
