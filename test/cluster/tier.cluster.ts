/**
 * The cluster tier (`npm run test:cluster`): mesh-bot against a real kube-apiserver, etcd and istiod built from Go
 * modules by test/cluster/build.sh, installed from deploy/ and run as its own ServiceAccount. One control plane serves
 * every scenario, in order; each scenario ends by checking the API server's audit log for a Forbidden.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { execa } from 'execa';
import { startFakeSlack, type FakeSlack } from '../../src/sandbox/slack-api.ts';
import { serviceAccountKubeconfig, type BotProcess } from './harness/bot-process.ts';
import { applyObjects, describeRequest, parseObjects, serviceAccountRequests, startControlPlane, type ControlPlane } from './harness/control-plane.ts';
import { registerGatewayApiScenarios } from './gateway-api.ts';
import { registerHelmScenarios } from './helm.ts';
import { registerMeshScenarios } from './mesh.ts';

export const BOT_SA = 'system:serviceaccount:mesh-bot:mesh-bot';

export interface Tier {
  readonly controlPlane: ControlPlane;
  readonly slack: FakeSlack;
  /** deploy/base, rendered by kustomize as `kubectl apply -k` would. */
  readonly baseObjects: ReturnType<typeof parseObjects>;
  /** A kubeconfig holding only a token of the mesh-bot ServiceAccount. */
  readonly botKubeconfig: string;
  /** Bots started by a scenario; stopped when the tier ends if the scenario did not. */
  readonly bots: BotProcess[];
  /** Audit-log lines already checked: each scenario checks only its own requests. */
  auditChecked: number;
}

/**
 * Fails with every request of a ServiceAccount that the API server refused with 403 since the last check, each named
 * as the RBAC rule it lacked. `expected` lists refusals a scenario provokes on purpose.
 */
export async function assertNoForbidden(tier: Tier, expected: (description: string) => boolean = () => false): Promise<void> {
  const requests = await serviceAccountRequests(tier.controlPlane);
  const fresh = requests.slice(tier.auditChecked);
  tier.auditChecked = requests.length;
  const forbidden = fresh.filter((request) => request.code === 403).map(describeRequest);
  assert.deepEqual(forbidden.filter((description) => !expected(description)), [], 'requests the RBAC in deploy/ does not allow (user verb resource scope)');
}

export function botConfig(tier: Tier, extra = ''): string {
  return `clusters:
  - name: tier
    xdsAddress: "${tier.controlPlane.istiodXdsAddress}"
    defaultNamespace: bookinfo
access:
  operators: { users: [U0ALICE] }
  approvers: { users: [U0BOB, U0CAROL] }
approvals:
  ttl: 30m
  channel: C0REL
  propagationTimeout: 15s
  propagationInterval: 1s
istioctl:
  timeout: 20s
  cacheTtl: 1s
${extra}`;
}

const tier = {} as Tier;
let ready = false;

before(async () => {
  const controlPlane = await startControlPlane();
  const rendered = await execa('kubectl', ['kustomize', 'deploy/base']);
  const baseObjects = parseObjects(rendered.stdout);
  await applyObjects(controlPlane.adminKubeconfig, baseObjects);
  Object.assign(tier, {
    controlPlane,
    slack: await startFakeSlack(),
    baseObjects,
    botKubeconfig: await serviceAccountKubeconfig(controlPlane, 'mesh-bot', 'mesh-bot'),
    bots: [],
    auditChecked: 0,
  });
  ready = true;
});

after(async () => {
  if (!ready) return;
  for (const bot of tier.bots.splice(0)) await bot.stop();
  await tier.slack.close();
  await tier.controlPlane.stop();
});

describe('the real control plane', () => {
  it('runs kube-apiserver, etcd and istiod built from their Go modules, at the pinned versions', async (t) => {
    const istiod = await tier.controlPlane.startIstiod();
    for (const [name, version] of Object.entries(tier.controlPlane.versions)) t.diagnostic(`${name}: ${version}`);
    assert.match(tier.controlPlane.versions['kube-apiserver'] ?? '', /^Kubernetes v1\.36\.3$/);
    assert.match(tier.controlPlane.versions['etcd'] ?? '', /^etcd Version: 3\.6\.8$/);
    assert.match(istiod.version, /1\.31-dev$/);
    await tier.controlPlane.stopIstiod();
  });

  it('installs deploy/base, and the mesh-bot ServiceAccount token is all the bot gets', async () => {
    const { stdout } = await execa('kubectl', ['--kubeconfig', tier.botKubeconfig, 'auth', 'whoami', '-o', 'jsonpath={.status.userInfo.username}']);
    assert.equal(stdout, BOT_SA);
    const canI = async (...args: string[]) => (await execa('kubectl', ['--kubeconfig', tier.botKubeconfig, 'auth', 'can-i', ...args], { reject: false })).stdout.trim();
    assert.equal(await canI('patch', 'virtualservices.networking.istio.io', '-n', 'bookinfo'), 'yes');
    assert.equal(await canI('list', 'secrets', '-A'), 'no');
    assert.equal(await canI('create', 'pods/exec', '-n', 'bookinfo'), 'no');
    await assertNoForbidden(tier);
  });
});

registerMeshScenarios(tier);
registerGatewayApiScenarios(tier);
registerHelmScenarios(tier);
