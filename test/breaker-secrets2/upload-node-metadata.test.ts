// "Upload full output (redacted)" of `pc bootstrap` / `pc all`. README: of the bootstrap's node metadata only
// ISTIO_VERSION, ISTIO_PROXY_SHA, CLUSTER_ID, MESH_ID, NAMESPACE, NAME, SERVICE_ACCOUNT, WORKLOAD_NAME, OWNER,
// INTERCEPTION_MODE, LABELS and build metadata stay; "unknown node metadata" is removed. Istio copies every
// ISTIO_META_* variable of the pod into node metadata under its own name (ISTIO_META_KEY → KEY), and a ProxyConfig's
// proxyMetadata holds the mesh users' variables: a variable whose name is also an Envoy field mesh-bot keeps (`KEY`,
// `ID`, `HOST`, `PATH`) was kept with its value.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { redactProxyConfig } from '../../src/mesh/proxy-config-report.ts';

const META_KEY = 'sk_live_4eC39HqLyjWDarjtT1zdp7dc';
const META_ID = 'svc-acct-9Xq2Lm7Pw3';
const PROXY_METADATA_KEY = 'pmk_Zr5Tq9Wm3Bn7Ck1D';
const PROXY_METADATA_PATH = '/v1/secret/data/tenant-a/Hq7Ty2Lp';
const ANNOTATION_NAME = 'vault-role-Kd8Js3Nw';

function bootstrap(): string {
  return JSON.stringify({
    bootstrap: {
      node: {
        id: 'sidecar~10.0.0.7~productpage-v1-d5789fdfb-7pq2k.bookinfo~bookinfo.svc.cluster.local',
        cluster: 'productpage.bookinfo',
        metadata: {
          ISTIO_VERSION: '1.28.1',
          NAMESPACE: 'bookinfo',
          CLUSTER_ID: 'Kubernetes',
          KEY: META_KEY,
          ID: META_ID,
          ANNOTATIONS: { name: ANNOTATION_NAME, 'sidecar.istio.io/status': '{"initContainers":["istio-init"]}' },
          PROXY_CONFIG: {
            discoveryAddress: 'istiod.istio-system.svc:15012',
            proxyMetadata: { KEY: PROXY_METADATA_KEY, PATH: PROXY_METADATA_PATH, ISTIO_META_DNS_CAPTURE: 'true' },
          },
        },
      },
    },
  });
}

describe('uploading a bootstrap whose node metadata carries users\' variables', () => {
  it('keeps none of their values, whatever the variable is named', () => {
    const { content } = redactProxyConfig({ type: 'bootstrap', format: 'json', stdout: bootstrap() });
    const leaked = Object.entries({ META_KEY, META_ID, PROXY_METADATA_KEY, PROXY_METADATA_PATH, ANNOTATION_NAME }).filter(([, value]) => content.includes(value));
    assert.deepEqual(leaked.map(([name]) => name), []);
  });

  it('keeps Istio\'s own facts', () => {
    const dump = JSON.parse(redactProxyConfig({ type: 'bootstrap', format: 'json', stdout: bootstrap() }).content) as { bootstrap: { node: { cluster: string; metadata: Record<string, unknown> } } };
    const { metadata } = dump.bootstrap.node;
    assert.equal(metadata['ISTIO_VERSION'], '1.28.1');
    assert.equal(metadata['NAMESPACE'], 'bookinfo');
    assert.equal(metadata['CLUSTER_ID'], 'Kubernetes');
    assert.equal(dump.bootstrap.node.cluster, 'productpage.bookinfo');
  });
});
