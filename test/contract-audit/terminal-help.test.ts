// README "Terminal mode and JSON": `mesh-bot help` lists what the terminal can do — it reads and never changes
// anything: canary promote/rollback print the plan — and `mesh-bot help canary` / `mesh-bot canary --help` give that
// command's usage. Every way of asking must describe the terminal's canary, not Slack's approval flow.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cli } from '../support/cli.ts';

/** No kubeconfig is needed to ask for help (help reads nothing). */
const ask = (argv: string[]) => cli(argv, {}, { KUBECONFIG: '/nonexistent/kubeconfig' });

const PLAN_ONLY = /print the plan .*change nothing/;

describe('terminal help for canary', () => {
  it('`mesh-bot help` says promote and rollback print the plan and change nothing', async () => {
    const run = await ask(['help']);
    assert.equal(run.code, 0);
    const canaryLine = run.stdout.split('\n').findIndex((line) => line.trimStart().startsWith('canary '));
    assert.match(run.stdout.split('\n')[canaryLine + 1] ?? '', PLAN_ONLY);
  });

  for (const argv of [['help', 'canary'], ['canary', '--help'], ['canary', '-h']]) {
    it(`\`mesh-bot ${argv.join(' ')}\` says the same, never that the terminal asks for approvals`, async () => {
      const run = await ask(argv);
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, /^Usage: mesh-bot canary /);
      assert.match(run.stdout, PLAN_ONLY);
      assert.doesNotMatch(run.stdout, /approvers approve/);
    });
  }

  it('`mesh-bot help -o json` and `mesh-bot canary --help -o json` describe the terminal canary too', async () => {
    const list = JSON.parse((await ask(['help', '-o', 'json'])).stdout) as { commands: { line: string; summary: string }[] };
    assert.match(list.commands.find((entry) => entry.line.startsWith('canary '))?.summary ?? '', PLAN_ONLY);
    const one = JSON.parse((await ask(['canary', '--help', '-o', 'json'])).stdout) as { summary: string };
    assert.match(one.summary, PLAN_ONLY);
  });
});
