/**
 * Outside review 4: `canary status` of a VirtualService bound to an ingress gateway. Its routes live in the
 * gateway's Envoy; the sidecars of its namespace never receive them. The proof after a write already waits for the
 * gateway (breaker-canary3); status said "2/2 in sync" from the sidecars while the gateway serving the route was
 * STALE, exactly when someone checks whether the last change took.
 */
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startFakeKubeApi, type FakeKubeApi } from '../../src/sandbox/kube-api.ts';
import { cli } from '../support/cli.ts';
import { putService, putVirtualService, route, useKubeconfig, VS_API } from '../breaker-canary/world.ts';

const NS = 'gw-status';
const GATEWAY_POD = 'istio-ingressgateway-7f9c8d-x2x9q';

/** `istioctl proxy-status` as 1.24 prints it (corpus proxy-status/v1.22-1.26): the sidecars SYNCED, the ingress gateway's RDS as given. */
function proxyStatus(gatewayRds: string): string {
  return [
    'NAME                                                CLUSTER        CDS        LDS        EDS        RDS        ECDS         ISTIOD                      VERSION',
    `${`${GATEWAY_POD}.istio-ingress`.padEnd(52)}Kubernetes     SYNCED     SYNCED     SYNCED     ${gatewayRds.padEnd(11)}NOT SENT     istiod-5d9c7b8f4-abcde      1.24.2`,
    `${`reviews-v1-5fd6d4f8f8-abcde.${NS}`.padEnd(52)}Kubernetes     SYNCED     SYNCED     SYNCED     SYNCED     NOT SENT     istiod-5d9c7b8f4-abcde      1.24.2`,
    `${`productpage-v1-6b746f74dc-9stvn.${NS}`.padEnd(52)}Kubernetes     SYNCED     SYNCED     SYNCED     SYNCED     NOT SENT     istiod-5d9c7b8f4-abcde      1.24.2`,
    '',
  ].join('\n');
}

async function status(gatewayRds: string, gateways: readonly string[]): Promise<{ code: number; out: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'mesh-bot-breaker4-'));
  const file = join(dir, 'proxy-status.txt');
  await writeFile(file, proxyStatus(gatewayRds));
  const api = currentApi;
  putVirtualService(api, [route('main', [{ host: 'reviews', subset: 'v1', weight: 90 }, { host: 'reviews', subset: 'v2', weight: 10 }])], { namespace: NS, hosts: ['bookinfo.example.com'], metadata: {} });
  const vs = api.get(VS_API, 'VirtualService', NS, 'reviews') as { spec: Record<string, unknown> } & Record<string, unknown>;
  api.put({ ...vs, spec: { ...vs.spec, ...(gateways.length > 0 ? { gateways } : {}) } } as never);
  const run = await cli(['canary', 'status', 'reviews', '-n', NS], { version: '1.24.2', scenario: 'healthy', proxyStatusFile: file }, { POD_NAMESPACE: 'mesh-bot' });
  return { code: run.code, out: run.stdout + run.stderr };
}

let currentApi: FakeKubeApi;

describe('canary status of a gateway-bound VirtualService', () => {
  before(async () => {
    currentApi = await startFakeKubeApi();
    await useKubeconfig(currentApi);
    putService(currentApi, 'reviews', { v1: 1, v2: 1 }, { namespace: NS });
    currentApi.put({ apiVersion: VS_API, kind: 'Gateway', metadata: { name: 'bookinfo-gateway', namespace: 'istio-system' }, spec: { selector: { istio: 'ingressgateway' }, servers: [{ port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts: ['bookinfo.example.com'] }] } } as never);
    currentApi.put({ apiVersion: 'v1', kind: 'Pod', metadata: { name: GATEWAY_POD, namespace: 'istio-ingress', labels: { istio: 'ingressgateway' } }, spec: { containers: [{ name: 'istio-proxy', image: 'docker.io/istio/proxyv2:1.24.2' }] }, status: { phase: 'Running' } } as never);
  });
  after(() => currentApi.close());

  it('counts the ingress gateway that serves the route, not the sidecars (defect: "2/2 in sync" while the gateway was STALE)', async () => {
    const run = await status('STALE', ['istio-system/bookinfo-gateway']);
    assert.equal(run.code, 0, run.out);
    assert.match(run.out, /Proxies: 0\/1 in sync; STALE or ERROR: istio-ingressgateway-7f9c8d-x2x9q\.istio-ingress/);
  });

  it('still counts the namespace\'s sidecars for a mesh route', async () => {
    const run = await status('STALE', []);
    assert.equal(run.code, 0, run.out);
    assert.match(run.out, /Proxies: 2\/2 in sync \(as of/);
  });
});
