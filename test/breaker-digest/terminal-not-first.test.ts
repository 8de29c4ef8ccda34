// README Digests: "The terminal mode is read-only: it compares with nothing and stores nothing." `mesh-bot digest`
// said "first digest: no earlier one to compare with" and "First digest: new and resolved findings are reported from
// the next digest on" — every time, though no next terminal digest ever compares: the promise was false.

import assert from 'node:assert/strict';
import { it } from 'node:test';
import { digestCommand } from '../../commands/digest.ts';
import { TERMINAL } from '../../src/command.ts';
import { DEFAULT_CLUSTER, digestDeps, meshPerTest } from '../mesh/digest/harness.ts';

const CLUSTER = DEFAULT_CLUSTER;

const mesh = meshPerTest();

it('the terminal digest says it compares with nothing, not "first digest", the second time as the first', async () => {
  const prepared = digestCommand.prepare([]);
  assert.ok(prepared.ok);
  for (const at of ['2025-06-02T07:00:00Z', '2025-06-03T07:00:00Z']) {
    const run = await prepared.value.execute(CLUSTER, await digestDeps(mesh(), { version: '1.24.2' }, new Date(at)), TERMINAL);
    const text = run.toText();
    assert.doesNotMatch(text, /first digest/i);
    assert.doesNotMatch(text, /from the next digest on/);
    assert.match(text, /not compared: the terminal compares with no earlier digest and stores nothing/);
  }
});
