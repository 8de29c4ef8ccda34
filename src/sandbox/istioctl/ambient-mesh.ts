// The `ambient` scenario: a mixed mesh as istiod reports it in proxy-status. The ztunnels are those of the corpus
// ztunnel-config goldens (ambient-control-plane, ambient-worker, ambient-worker2), next to a waypoint, an ingress
// gateway and one sidecar.
//
// How istiod and istioctl print a ztunnel (derived; no proxy-status golden of 1.22+ has one, corpus INDEX):
// - istiod 1.20-1.22 statusgen (pilot/pkg/xds/statusgen.go debugSyncz) lists the five Envoy types for every
//   connection and reports ConfigStatus UNKNOWN for a ztunnel's, so every column reads IGNORED (as in the 1.20-1.21
//   syncz golden, whose proxy4 is a ztunnel). It does not list WDS/WADS.
// - istiod 1.23+ lists a proxy's watched resources only: a ztunnel's istio.workload.Address (WDS) and
//   istio.security.Authorization (WADS), sorted by type URL. istioctl 1.23-1.26 getSyncStatus
//   (istioctl/pkg/writer/pilot/status.go) starts every Envoy column at IGNORED, so the row reads IGNORED throughout;
//   1.27+ prints `2 (WADS,WDS)` under SUBSCRIBED TYPES (xdsStatusPrintlnSubscribedTypes) and, with --verbosity 1,
//   WADS/WDS columns after the Envoy ones (printAllVerbose: known Envoy types plus every type seen, sorted by URL).

import type { Mesh, Proxy, XdsState } from './mesh.ts';

export const AMBIENT_ISTIOD = 'istiod-8c7b98fc4-mwjfp';
/** The ztunnel pods of the corpus workloads golden, with their nodes. */
export const AMBIENT_ZTUNNELS: readonly { readonly pod: string; readonly node: string }[] = [
  { pod: 'ztunnel-n5bg2', node: 'ambient-control-plane' },
  { pod: 'ztunnel-xljhg', node: 'ambient-worker' },
  { pod: 'ztunnel-qk2pp', node: 'ambient-worker2' },
];
export const AMBIENT_WAYPOINT_POD = 'namespace-istio-waypoint-d94944bf6-z89g2';
export const AMBIENT_GATEWAY_POD = 'istio-ingressgateway-5c8f6b7d9b-x2kqn';
export const AMBIENT_SIDECAR_POD = 'legacy-app-6f8cfb8c8f-q9vq2';

const ENVOY: Array<[string, XdsState]> = [
  ['CDS', 'SYNCED'],
  ['LDS', 'SYNCED'],
  ['EDS', 'SYNCED'],
  ['RDS', 'SYNCED'],
];

/** A SYNCED ztunnel's types as istiod of that minor reports them (see above). */
export function ztunnelTypes(minor: number): Array<[string, XdsState]> {
  if (minor <= 22) return ['CDS', 'LDS', 'RDS', 'EDS', 'ECDS'].map((type): [string, XdsState] => [type, 'IGNORED']);
  return [
    ['WADS', 'SYNCED'],
    ['WDS', 'SYNCED'],
  ];
}

export function ambientMesh(clientVersion: string): Mesh {
  const minor = Number(clientVersion.split('.')[1]);
  const proxy = (pod: string, namespace: string, types: Array<[string, XdsState]>): Proxy => ({
    id: `${pod}.${namespace}`,
    namespace,
    cluster: 'Kubernetes',
    istiod: AMBIENT_ISTIOD,
    version: clientVersion,
    types,
  });
  return {
    istiods: [{ id: AMBIENT_ISTIOD, version: clientVersion }],
    proxies: [
      proxy(AMBIENT_GATEWAY_POD, 'istio-system', ENVOY),
      proxy(AMBIENT_SIDECAR_POD, 'legacy', ENVOY),
      proxy(AMBIENT_WAYPOINT_POD, 'bookinfo', ENVOY),
      ...AMBIENT_ZTUNNELS.map((ztunnel) => proxy(ztunnel.pod, 'istio-system', ztunnelTypes(minor))),
    ].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)),
  };
}
