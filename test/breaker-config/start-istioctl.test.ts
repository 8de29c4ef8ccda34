// DESIGN.md §2: ISTIOCTL is "path of the istioctl executable"; "A missing or invalid setting stops the process at
// start with one line that names the setting and the problem". A directory, a file that cannot be executed or a path
// that does not exist is such a setting: every command and digest would fail on it, and the start said nothing.

import assert from 'node:assert/strict';
import { chmod, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startFakeSlack, type FakeSlack } from '../../src/sandbox/slack-api.ts';
import { cluster, namespace, type Cluster } from '../breaker-ambient/support/harness.ts';
import { fakeIstioctl } from '../support/bot.ts';
import { emptyHome, start } from './support/start.ts';

let kube: Cluster;
let slack: FakeSlack;
let istioctl: string;
let dir: string;
before(async () => {
  kube = await cluster([namespace('mesh-bot')]);
  slack = await startFakeSlack();
  istioctl = (await fakeIstioctl({ version: '1.28.1' })).path;
  dir = await mkdtemp(join(tmpdir(), 'breaker-config-istioctl-'));
});
after(async () => {
  await slack?.close();
  await kube?.close();
});

async function startWith(env: Record<string, string>) {
  return start({ HOME: await emptyHome(), SLACK_BOT_TOKEN: 'xoxb-1-2-three', SLACK_SIGNING_SECRET: 'breaker-config-signing-secret', SLACK_API_URL: slack.apiUrl, PORT: '0', POD_NAMESPACE: 'mesh-bot', KUBECONFIG: kube.kubeconfig, ...env });
}

function theLine(lines: readonly string[]): string {
  const written = lines.filter((line) => line.trim() !== '');
  assert.equal(written.length, 1, `expected one line, got:\n${written.join('\n')}`);
  return written[0] ?? '';
}

describe('ISTIOCTL that cannot run', () => {
  it('a directory (the unpacked release, not the binary in it): stops at start naming ISTIOCTL', async () => {
    const outcome = await startWith({ ISTIOCTL: dir });
    assert.equal(outcome.result, 2, outcome.lines.join('\n'));
    assert.match(theLine(outcome.lines), /^mesh-bot: ISTIOCTL: .* is a directory, not the istioctl executable\. Set ISTIOCTL to the istioctl file/);
  });

  it('a file without the executable bit: stops at start naming ISTIOCTL', async () => {
    const file = join(dir, 'istioctl-not-executable');
    await writeFile(file, '#!/bin/sh\nexit 0\n');
    await chmod(file, 0o644);
    const outcome = await startWith({ ISTIOCTL: file });
    assert.equal(outcome.result, 2, outcome.lines.join('\n'));
    assert.match(theLine(outcome.lines), /^mesh-bot: ISTIOCTL: .*istioctl-not-executable` is not executable \(permission denied\)\. Make it executable \(`chmod \+x /);
  });

  it('a path that does not exist: stops at start naming ISTIOCTL', async () => {
    const outcome = await startWith({ ISTIOCTL: '/opt/istio-1.28.1/bin/istioctl' });
    assert.equal(outcome.result, 2, outcome.lines.join('\n'));
    assert.match(theLine(outcome.lines), /^mesh-bot: ISTIOCTL: \/opt\/istio-1\.28\.1\/bin\/istioctl does not exist/);
  });

  it('a bare name is looked up on PATH, so an istioctl found there serves', async () => {
    const outcome = await startWith({ ISTIOCTL: basename(istioctl), PATH: `${dirname(istioctl)}:${process.env['PATH'] ?? ''}` });
    assert.equal(outcome.result, 'serving', outcome.lines.join('\n'));
  });
});
