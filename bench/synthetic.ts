import { readFileSync } from 'node:fs';

/**
 * Inputs for the proxy-config and analyze benchmarks, built from the shapes of the corpus: a sidecar config dump
 * grown to `targetBytes` with thousands of clusters (each with its endpoints, subsets and DestinationRule
 * metadata), and an `istioctl analyze -o json` body of `count` findings.
 */
const fixture = JSON.parse(readFileSync(new URL('../test/fixtures/istioctl-extra/synthetic_sidecar_config_dump_with_secrets.json', import.meta.url), 'utf8')) as { configs: Record<string, unknown>[] };
const STATUSES = ['HEALTHY', 'HEALTHY', 'HEALTHY', 'HEALTHY', 'UNHEALTHY', 'DRAINING'];

function cluster(i: number): Record<string, unknown> {
  const service = `svc-${i}.ns-${i % 40}.svc.cluster.local`;
  const subset = i % 3 === 0 ? `v${(i % 4) + 1}` : '';
  const name = `outbound|${8000 + (i % 50)}|${subset}|${service}`;
  return {
    version_info: '2026-11-21T06:19:46Z/42',
    cluster: {
      '@type': 'type.googleapis.com/envoy.config.cluster.v3.Cluster',
      name,
      type: 'EDS',
      eds_cluster_config: { eds_config: { ads: {}, initial_fetch_timeout: '0s', resource_api_version: 'V3' }, service_name: name },
      connect_timeout: '10s',
      lb_policy: 'LEAST_REQUEST',
      circuit_breakers: { thresholds: [{ max_connections: 4294967295, max_pending_requests: 4294967295, max_requests: 4294967295, max_retries: 4294967295, track_remaining: true }] },
      common_lb_config: { locality_weighted_lb_config: {} },
      metadata: { filter_metadata: { istio: { config: `/apis/networking.istio.io/v1/namespaces/ns-${i % 40}/destination-rule/svc-${i}`, services: [{ host: service, name: `svc-${i}`, namespace: `ns-${i % 40}` }] } } },
      transport_socket_matches: [{ name: 'tlsMode-istio', match: { tlsMode: 'istio' }, transport_socket: { name: 'envoy.transport_sockets.tls', typed_config: { '@type': 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext', sni: `outbound_.${8000 + (i % 50)}_.${subset}_.${service}` } } }],
    },
    last_updated: '2026-11-21T06:19:47.123Z',
  };
}

function endpoints(i: number, perCluster: number): Record<string, unknown> {
  const subset = i % 3 === 0 ? `v${(i % 4) + 1}` : '';
  return {
    endpoint_config: {
      '@type': 'type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment',
      cluster_name: `outbound|${8000 + (i % 50)}|${subset}|svc-${i}.ns-${i % 40}.svc.cluster.local`,
      endpoints: [
        {
          locality: { region: 'europe-west1', zone: `europe-west1-${'bcd'[i % 3]}` },
          lb_endpoints: Array.from({ length: perCluster }, (_, k) => ({
            endpoint: { address: { socket_address: { address: `10.${(i >> 8) & 255}.${i & 255}.${k + 1}`, port_value: 8080 } }, health_check_config: {} },
            health_status: STATUSES[(i + k) % STATUSES.length],
            metadata: { filter_metadata: { 'envoy.transport_socket_match': { tlsMode: 'istio' }, istio: { workload: `svc-${i};ns-${i % 40};svc-${i};v1;Kubernetes` } } },
            load_balancing_weight: 1,
          })),
        },
      ],
    },
  };
}

/** A config dump of about `targetBytes` (JSON, 2-space indent like Envoy's /config_dump). */
export function syntheticConfigDump(targetBytes: number): string {
  const perCluster = 6;
  const build = (count: number) =>
    JSON.stringify(
      {
        configs: fixture.configs.map((section) => {
          const type = String(section['@type']);
          if (type.endsWith('ClustersConfigDump')) return { ...section, dynamic_active_clusters: Array.from({ length: count }, (_, i) => cluster(i)) };
          if (type.endsWith('EndpointsConfigDump')) return { ...section, dynamic_endpoint_configs: Array.from({ length: count }, (_, i) => endpoints(i, perCluster)) };
          return section;
        }),
      },
      null,
      2,
    );
  // Size grows linearly with the cluster count: measure a small dump, then scale to the target.
  const probe = 200;
  const base = build(0).length;
  const perClusterBytes = (build(probe).length - base) / probe;
  return build(Math.max(1, Math.round((targetBytes - base) / perClusterBytes)));
}

const CODES: readonly [string, string, string][] = [
  ['IST0101', 'Error', 'VirtualService'],
  ['IST0174', 'Warning', 'DestinationRule'],
  ['IST0118', 'Info', 'Service'],
  ['IST0128', 'Warning', 'DestinationRule'],
  ['IST0131', 'Info', 'VirtualService'],
  ['IST0104', 'Warning', 'Gateway'],
];

/** `istioctl analyze -o json` with `count` findings in the formatter's layout (tab indent, sorted keys). */
export function syntheticAnalyze(count: number): string {
  return JSON.stringify(
    Array.from({ length: count }, (_, i) => {
      const [code, level, kind] = CODES[i % CODES.length] as (typeof CODES)[number];
      return { code, documentationUrl: `https://istio.io/v1.28/docs/reference/config/analysis/${code.toLowerCase()}/?ref=istioctl-analyze`, level, message: `Referenced host not found: "svc-${i}.ns-${i % 40}.svc.cluster.local"`, origin: `${kind} ns-${i % 40}/obj-${i}` };
    }),
    null,
    '\t',
  );
}
