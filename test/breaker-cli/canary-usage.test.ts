// DESIGN.md §1: invalid input gets the exact problem plus "the usage line of that subcommand". canary has three
// forms with different flags; an error about one shows that one's line (the terminal here, Slack in
// slack-grammar.e2e.test.ts).

import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { cluster, meshBot, namespace, type Cluster } from '../breaker-ambient/support/harness.ts';
import { fakeIstioctl } from '../support/bot.ts';

let kube: Cluster;
let env: { KUBECONFIG: string; ISTIOCTL: string };
before(async () => {
  kube = await cluster([namespace('shop')]);
  env = { KUBECONFIG: kube.kubeconfig, ISTIOCTL: (await fakeIstioctl({ version: '1.28.1' })).path };
});
after(() => kube?.close());

const usageLine = (stderr: string) => stderr.split('\n').find((line) => line.startsWith('Usage: ')) ?? '';

it('canary promote without --weight shows promote\'s line, with --weight required and no --to', async () => {
  const run = await meshBot(['canary', 'promote', 'reviews', '-n', 'shop'], env);
  assert.equal(run.code, 2);
  assert.equal(usageLine(run.stderr), 'Usage: mesh-bot canary promote VIRTUALSERVICE|HTTPROUTE --weight PERCENT [--subset SUBSET] [--host HOST] [--kind virtualservice|httproute] [-n NAMESPACE] [--cluster NAME] [-o text|json]');
});

it('canary status and rollback errors show their own lines, also with flags before the action', async () => {
  const status = await meshBot(['canary', '-n', 'shop', 'status'], env);
  assert.equal(usageLine(status.stderr), 'Usage: mesh-bot canary status VIRTUALSERVICE|HTTPROUTE [--kind virtualservice|httproute] [-n NAMESPACE] [--cluster NAME] [-o text|json]');
  const rollback = await meshBot(['canary', 'rollback', 'reviews', 'v1'], env);
  assert.equal(usageLine(rollback.stderr), 'Usage: mesh-bot canary rollback VIRTUALSERVICE|HTTPROUTE [--to SUBSET] [--host HOST] [--kind virtualservice|httproute] [-n NAMESPACE] [--cluster NAME] [-o text|json]');
});

it('-o json carries the same line', async () => {
  const run = await meshBot(['canary', 'promote', 'reviews', '--weight', '101', '-o', 'json'], env);
  assert.equal(run.code, 2);
  const answer = JSON.parse(run.stdout) as { usage: string };
  assert.match(answer.usage, /^mesh-bot canary promote VIRTUALSERVICE\|HTTPROUTE --weight PERCENT /);
});
