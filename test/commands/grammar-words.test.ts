// Every word of the grammar is case-insensitive, like the command names: a phone capitalizes the word typed after
// `/mesh wp` or `/mesh canary`, and the answer (and who may run it) must not depend on that.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findCommand } from '../../commands/index.ts';
import type { PreparedCommand } from '../../src/command.ts';
import { tokenize } from '../../src/grammar.ts';

function prepared(line: string): PreparedCommand {
  const lookup = findCommand(tokenize(line));
  assert.ok(lookup.ok, `no command for "${line}"`);
  const result = lookup.value.command.prepare(lookup.value.rest);
  assert.ok(result.ok, `"${line}" refused: ${result.ok ? '' : result.error}`);
  return result.value;
}

function refusal(line: string): string {
  const lookup = findCommand(tokenize(line));
  assert.ok(lookup.ok);
  const result = lookup.value.command.prepare(lookup.value.rest);
  assert.equal(result.ok, false, `"${line}" was accepted`);
  return result.ok ? '' : result.error;
}

describe('grammar words are case-insensitive', () => {
  it('waypoint: List and STATUS run list and status', () => {
    assert.equal(prepared('wp List -A').label, 'waypoint list');
    assert.equal(prepared('Waypoint STATUS -n shop').label, 'waypoint status');
    assert.equal(refusal('wp Lists'), 'unknown waypoint action "Lists" (use list or status)');
  });

  it('canary: Status is a read, Promote and ROLLBACK need an operator like their lower-case forms', () => {
    assert.deepEqual([prepared('canary Status reviews').label, prepared('canary Status reviews').role], ['canary status', 'reader']);
    assert.deepEqual([prepared('Canary Promote reviews --weight 20').label, prepared('canary PROMOTE reviews --weight 20').role], ['canary promote', 'operator']);
    assert.deepEqual([prepared('canary ROLLBACK reviews --to v1').label, prepared('canary Rollback reviews').role], ['canary rollback', 'operator']);
    assert.match(refusal('canary Promote reviews'), /needs --weight/);
    assert.match(refusal('canary Promotion reviews'), /unknown canary subcommand "Promotion"/);
  });

  it('digest: Now and NOW are `digest now`', () => {
    assert.ok(prepared('digest Now'));
    assert.ok(prepared('Digest NOW'));
    assert.match(refusal('digest Later'), /only `digest now` exists/);
  });

  it('ztunnel-config: WORKLOADS, Certs and Certificate are TYPEs', () => {
    assert.ok(prepared('zc WORKLOADS'));
    assert.ok(prepared('zc Certs'));
    assert.ok(prepared('ztunnel-config Certificate --node worker-1'));
    assert.match(refusal('zc Workload-list'), /unknown TYPE "Workload-list"/);
  });

  it('proxy-config: CLUSTERS, Listener and Secret are TYPEs', () => {
    assert.ok(prepared('pc CLUSTERS productpage-v1-7d4f.bookinfo'));
    assert.ok(prepared('pc Listener productpage-v1-7d4f -n bookinfo'));
    assert.ok(prepared('proxy-config Secret productpage-v1-7d4f.bookinfo'));
    assert.match(refusal('pc Clustres productpage-v1-7d4f.bookinfo'), /unknown TYPE "Clustres"/);
  });

  it('flags stay case-sensitive, as in kubectl', () => {
    assert.match(refusal('wp list -a'), /unknown flag -a/);
  });
});
