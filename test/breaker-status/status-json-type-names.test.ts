// BS-8. Sidecars with DNS capture subscribe to NDS (istio.networking.nds.v1.NameTable) on their ADS stream, so istiod
// reports it next to CDS/LDS/EDS/RDS. istioctl names every type by pkg/model/xds.go GetShortType (NDS, PCDS, SDS,
// ECDS, WDS, WADS), which is the column header of the 1.27-1.29 `--verbosity 1` table; 1.30 `-o json` carries the
// type URL. The same proxy must read the same in `proxies.problems[].states` / the text whichever istioctl printed it.

import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { cluster, proxyStatusJson, tabwrite, type Cluster } from '../breaker-ambient/support/harness.ts';
import { istiod, runStatus, sidecarNamespaces } from './support/sidecar.ts';

const NAME = 'reviews-v2-6c8d9e7f5-m4n8p.shop';
// proxyStatusJson knows the Envoy and ztunnel types; NDS and PCDS are added with their type URLs (pkg/model/xds.go).
const JSON_OUT = proxyStatusJson('istiod-7d4f9c8b6d-k2x9q', '1.30.3', [{ id: NAME, version: '1.30.3', types: { CDS: 'SYNCED', LDS: 'SYNCED', EDS: 'SYNCED', RDS: 'SYNCED' } }])
  .replace(
    '"genericXdsConfigs": [',
    '"genericXdsConfigs": [\n{"typeUrl": "type.googleapis.com/istio.networking.nds.v1.NameTable", "configStatus": "STALE"},\n{"typeUrl": "type.googleapis.com/istio.mesh.v1alpha1.ProxyConfig", "configStatus": "SYNCED"},',
  );
// The same proxy as 1.28 `--verbosity 1` prints it: types sorted by URL, short names from GetShortType.
const VERBOSE = tabwrite(
  [
    ['NAME', 'CLUSTER', 'CDS', 'ECDS', 'EDS', 'LDS', 'RDS', 'PCDS', 'NDS', 'ISTIOD', 'VERSION'],
    [NAME, 'Kubernetes', 'SYNCED', 'IGNORED', 'SYNCED', 'SYNCED', 'SYNCED', 'SYNCED', 'STALE', 'istiod-7d4f9c8b6d-k2x9q', '1.28.1'],
  ],
  5,
);

let kube: Cluster;
before(async () => {
  kube = await cluster([...sidecarNamespaces(), istiod('istiod-7d4f9c8b6d-k2x9q', '1.30.3')]);
});
after(() => kube.close());

it('1.30 JSON names NDS and PCDS as the 1.28 table does', async () => {
  const table = await runStatus(kube, '1.28.1', [{ when: ['proxy-status'], stdout: VERBOSE }], ['status', '-o', 'json']);
  const json = await runStatus(kube, '1.30.3', [{ when: ['proxy-status'], stdout: JSON_OUT }], ['status', '-o', 'json']);
  assert.equal(table.json?.proxies?.problems[0]?.states['NDS'], 'STALE');
  assert.equal(json.json?.proxies?.problems[0]?.states['NDS'], 'STALE');
  assert.equal(json.json?.proxies?.problems[0]?.states['PCDS'], 'SYNCED');
});

it('text: the problem proxy reads "NDS STALE"', async () => {
  const run = await runStatus(kube, '1.30.3', [{ when: ['proxy-status'], stdout: JSON_OUT }], ['status']);
  assert.match(run.stdout, /reviews-v2-6c8d9e7f5-m4n8p\.shop: NDS STALE/);
});
