// `mesh-bot COMMAND --cluster west` for every command, in a kubeconfig whose current context is east: each must read
// west's Kubernetes API and run istioctl with west's context — an answer made of west's objects and east's istioctl
// (or the reverse) would be false. Only mesh-bot's own state (history, baselines) lives in the default cluster, east.
// An unknown --cluster is refused before anything is read.

import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startFakeKubeApi, type FakeKubeApi } from '../../src/sandbox/kube-api.ts';
import { meshBot, namespace, standIn, type StandIn } from '../breaker-ambient/support/harness.ts';
import { kubeconfigYaml, tempDir } from './support.ts';

const COMMANDS: readonly (readonly string[])[] = [
  ['status'],
  ['analyze', '-n', 'bookinfo'],
  ['proxy-config', 'secret', 'productpage-v1-1.bookinfo'],
  ['canary', 'status', 'reviews', '-n', 'bookinfo'],
  ['canary', 'promote', 'reviews', '--weight', '10', '-n', 'bookinfo'],
  ['canary', 'rollback', 'reviews', '-n', 'bookinfo'],
  ['digest', 'now'],
  ['ztunnel-config', 'workloads'],
  ['waypoint', 'list', '-A'],
];

describe('every command given --cluster west', () => {
  let east: FakeKubeApi;
  let west: FakeKubeApi;
  let istioctl: StandIn;
  let env: { KUBECONFIG: string; ISTIOCTL: string; MESH_BOT_CONFIG: string; POD_NAMESPACE: string };
  before(async () => {
    const objects = [namespace('istio-system'), namespace('default'), namespace('bookinfo'), namespace('mesh-bot')];
    east = await startFakeKubeApi({ objects });
    west = await startFakeKubeApi({ objects });
    // No answers but the version: whatever each command asks istioctl, the arguments are what is checked.
    istioctl = await standIn('1.28.1', []);
    const dir = await tempDir('every');
    await writeFile(join(dir, 'kubeconfig'), kubeconfigYaml([{ name: 'ctx-east', server: east.url, user: { token: 'e' } }, { name: 'ctx-west', server: west.url, user: { token: 'w' } }]));
    await writeFile(join(dir, 'config.yaml'), 'clusters:\n  - { name: east, context: ctx-east, default: true }\n  - { name: west, context: ctx-west }\n');
    env = { KUBECONFIG: join(dir, 'kubeconfig'), ISTIOCTL: istioctl.path, MESH_BOT_CONFIG: join(dir, 'config.yaml'), POD_NAMESPACE: 'mesh-bot' };
  });
  after(async () => {
    await east.close();
    await west.close();
  });

  it('reads west and runs istioctl --context ctx-west; east is read only for mesh-bot\'s own ConfigMaps', async () => {
    for (const command of COMMANDS) {
      const eastBefore = east.requests.length;
      const westBefore = west.requests.length;
      const runsBefore = (await istioctl.invocations()).length;
      const run = await meshBot([...command, '--cluster', 'west', '-o', 'json'], env);
      const label = command.join(' ');
      assert.equal((JSON.parse(run.stdout) as { cluster: string }).cluster, 'west', label);
      for (const request of east.requests.slice(eastBefore)) assert.match(request.path, /^\/api\/v1\/namespaces\/mesh-bot\/configmaps/, `${label}: ${request.method} ${request.path} went to east`);
      const runs = (await istioctl.invocations()).slice(runsBefore).filter((argv) => argv[0] !== 'version');
      for (const argv of runs) assert.equal(argv[argv.indexOf('--context') + 1], 'ctx-west', `${label}: istioctl ${argv.join(' ')}`);
      // proxy-config asks istioctl only; canary only the API; the others both.
      assert.ok(west.requests.length > westBefore || runs.length > 0, `${label}: west was read`);
    }
  });

  it('passes a context name such as an EKS ARN (colons, a slash) to istioctl as one argument, unchanged', async () => {
    const dir = await tempDir('arn');
    const arn = 'arn:aws:eks:eu-west-1:111122223333:cluster/prod west';
    await writeFile(join(dir, 'kubeconfig'), kubeconfigYaml([{ name: 'ctx-east', server: east.url, user: { token: 'e' } }, { name: arn, server: west.url, user: { token: 'w' } }]));
    await writeFile(join(dir, 'config.yaml'), `clusters:\n  - { name: east, context: ctx-east, default: true }\n  - { name: west, context: "${arn}" }\n`);
    const westBefore = west.requests.length;
    const runsBefore = (await istioctl.invocations()).length;
    await meshBot(['status', '--cluster', 'west'], { ...env, KUBECONFIG: join(dir, 'kubeconfig'), MESH_BOT_CONFIG: join(dir, 'config.yaml') });
    assert.ok(west.requests.length > westBefore);
    const runs = (await istioctl.invocations()).slice(runsBefore).filter((argv) => argv[0] !== 'version');
    assert.ok(runs.length > 0);
    for (const argv of runs) assert.equal(argv[argv.indexOf('--context') + 1], arn, argv.join(' '));
  });

  it('refuses an unknown --cluster naming the configured ones, exit 2, nothing read', async () => {
    const eastBefore = east.requests.length;
    const westBefore = west.requests.length;
    const runsBefore = (await istioctl.invocations()).length;
    const run = await meshBot(['status', '--cluster', 'sotuh'], env);
    assert.equal(run.code, 2);
    assert.equal(run.stdout, '');
    assert.match(run.stderr, /unknown cluster "sotuh"; configured: east, west/);
    assert.equal(east.requests.length, eastBefore);
    assert.equal(west.requests.length, westBefore);
    assert.equal((await istioctl.invocations()).length, runsBefore);
  });
});
