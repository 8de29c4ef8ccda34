// The mesh the fake pretends to see: proxies, their xDS sync state per type, the istiods they are
// connected to. Scenarios build one of these (or a failure); writers render it per istioctl version.

import { ztunnelTypes } from './ambient-mesh.ts';

/** Per-type sync state, as istiod knows it. Writers map it to each version's words. */
export type XdsState =
  | 'SYNCED'
  | 'STALE'
  /** sent but never acknowledged: only the 1.20-1.21 syncz writer can tell (`STALE (Never Acknowledged)`) */
  | 'STALE_NEVER_ACKED'
  | 'NOT_SENT'
  | 'ERROR'
  /** ConfigStatus UNKNOWN: istiod does not track this type for the proxy (ztunnel in the goldens) */
  | 'IGNORED';

/** Short xDS type names istioctl prints, with their type URLs. */
export const TYPE_URLS: Readonly<Record<string, string>> = {
  CDS: 'type.googleapis.com/envoy.config.cluster.v3.Cluster',
  LDS: 'type.googleapis.com/envoy.config.listener.v3.Listener',
  RDS: 'type.googleapis.com/envoy.config.route.v3.RouteConfiguration',
  EDS: 'type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment',
  ECDS: 'type.googleapis.com/envoy.config.core.v3.TypedExtensionConfig',
  // istioctl's short names (pkg/model/xds.go GetShortType): WADS is the authorization type, WDS the address type
  // ztunnel subscribes to (istio.workload.Workload also reads WDS).
  WADS: 'type.googleapis.com/istio.security.Authorization',
  WDS: 'type.googleapis.com/istio.workload.Address',
};

export interface Proxy {
  /** istioctl's NAME column: `pod.namespace` for real meshes, `proxy1` in the goldens */
  id: string;
  cluster: string;
  istiod: string;
  /** ISTIO_VERSION node metadata (the VERSION column) */
  version: string;
  /** NAMESPACE node metadata, when the proxy has one */
  namespace?: string;
  /** the types istiod reports for this proxy, in the order istiod lists them; absent = not subscribed */
  types: ReadonlyArray<readonly [string, XdsState]>;
}

export interface Istiod {
  id: string;
  version: string;
}

export interface Mesh {
  istiods: Istiod[];
  proxies: Proxy[];
}

const FIVE = ['CDS', 'LDS', 'EDS', 'RDS', 'ECDS'] as const;

function five(states: readonly [XdsState, XdsState, XdsState, XdsState, XdsState]): Array<[string, XdsState]> {
  // order of genericXdsConfigs in the istioctl tests: CDS, LDS, RDS, EDS, ECDS
  const byType = new Map<string, XdsState>(FIVE.map((t, i) => [t, states[i] as XdsState]));
  return ['CDS', 'LDS', 'RDS', 'EDS', 'ECDS'].map((t) => [t, byType.get(t) as XdsState]);
}

/**
 * The data behind the v1.20-1.21 syncz goldens (multiStatusMultiPilot.txt / multiStatusSinglePilot.txt).
 * States are listed in column order CDS, LDS, EDS, RDS, ECDS.
 */
export function syncGoldenMesh(multiPilot: boolean): Mesh {
  const p = (n: number, istiod: string, s: Parameters<typeof five>[0]): Proxy => ({
    id: `proxy${n}`,
    cluster: `cluster${n}`,
    istiod,
    version: '1.1',
    types: five(s),
  });
  if (!multiPilot) {
    return {
      istiods: [{ id: 'istiod1', version: '1.1' }],
      proxies: [
        p(1, 'istiod1', ['STALE', 'SYNCED', 'SYNCED', 'NOT_SENT', 'NOT_SENT']),
        p(2, 'istiod1', ['STALE', 'SYNCED', 'STALE', 'SYNCED', 'NOT_SENT']),
      ],
    };
  }
  return {
    istiods: [1, 2, 3, 4].map((n) => ({ id: `istiod${n}`, version: '1.1' })),
    proxies: [
      p(1, 'istiod1', ['STALE', 'SYNCED', 'SYNCED', 'NOT_SENT', 'NOT_SENT']),
      p(2, 'istiod2', ['STALE', 'SYNCED', 'STALE', 'SYNCED', 'NOT_SENT']),
      p(3, 'istiod3', ['STALE_NEVER_ACKED', 'NOT_SENT', 'STALE_NEVER_ACKED', 'SYNCED', 'NOT_SENT']),
      p(4, 'istiod4', ['IGNORED', 'IGNORED', 'IGNORED', 'IGNORED', 'IGNORED']),
    ],
  };
}

/**
 * The data behind the xDS-writer goldens (1.20-1.21 `x ps`, 1.22-1.26, 1.27+ tables, 1.30 JSON/YAML).
 * States are listed in column order CDS, LDS, EDS, RDS, ECDS.
 */
export function xdsGoldenMesh(multiPilot: boolean): Mesh {
  const p = (n: number, istiod: string, version: string, s: Parameters<typeof five>[0]): Proxy => ({
    id: `proxy${n}`,
    cluster: `cluster${n}`,
    istiod,
    version,
    types: five(s),
  });
  if (!multiPilot) {
    return {
      istiods: [{ id: 'istiod1', version: '1.1' }],
      proxies: [
        p(1, 'istiod1', '1.20', ['STALE', 'SYNCED', 'SYNCED', 'NOT_SENT', 'NOT_SENT']),
        p(2, 'istiod1', '1.20', ['STALE', 'SYNCED', 'STALE', 'SYNCED', 'NOT_SENT']),
      ],
    };
  }
  return {
    istiods: [1, 2, 3, 4].map((n) => ({ id: `istiod${n}`, version: '1.1' })),
    proxies: [
      p(1, 'istiod1', '1.20', ['STALE', 'SYNCED', 'SYNCED', 'NOT_SENT', 'SYNCED']),
      p(2, 'istiod2', '1.19', ['STALE', 'SYNCED', 'STALE', 'SYNCED', 'STALE']),
      p(3, 'istiod3', '1.20', ['NOT_SENT', 'ERROR', 'STALE', 'NOT_SENT', 'NOT_SENT']),
      p(4, 'istiod4', '1.20', ['IGNORED', 'IGNORED', 'IGNORED', 'IGNORED', 'IGNORED']),
    ],
  };
}

// ---------------------------------------------------------------------------------------------
// Synthetic meshes (deterministic).

/** mulberry32: tiny deterministic PRNG */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const HASH_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

function podHash(rand: () => number, len: number): string {
  let s = '';
  for (let i = 0; i < len; i++) s += HASH_ALPHABET[Math.floor(rand() * HASH_ALPHABET.length)];
  return s;
}

function sidecarTypes(cds: XdsState, lds: XdsState, eds: XdsState, rds: XdsState): Array<[string, XdsState]> {
  // a real sidecar subscribes to CDS, LDS, EDS, RDS (ECDS only with WasmPlugins): istiod lists them in this order
  return [
    ['CDS', cds],
    ['LDS', lds],
    ['EDS', eds],
    ['RDS', rds],
  ];
}

/** A small healthy mesh: one cluster, one istiod, every proxy SYNCED. */
export function healthyMesh(clientVersion: string): Mesh {
  const istiod = 'istiod-7d4f74889d-mb5dh';
  const ns = (pod: string, n: string): Pick<Proxy, 'id' | 'namespace'> => ({ id: `${pod}.${n}`, namespace: n });
  const s = sidecarTypes('SYNCED', 'SYNCED', 'SYNCED', 'SYNCED');
  const base = { cluster: 'Kubernetes', istiod, version: clientVersion, types: s };
  return {
    istiods: [{ id: istiod, version: clientVersion }],
    proxies: [
      { ...base, ...ns('details-v1-65cfcf56f9-4drsk', 'bookinfo') },
      { ...base, ...ns('istio-ingressgateway-5c8f6b7d9b-x2kqn', 'istio-system') },
      { ...base, ...ns('productpage-v1-d5789fdfb-7pq2k', 'bookinfo') },
      { ...base, ...ns('ratings-v1-9bd8c8595-hvc5b', 'bookinfo') },
      { ...base, ...ns('reviews-v1-5fd6d4f8f8-66j45', 'bookinfo') },
      { ...base, ...ns('reviews-v2-6f9b55c5db-c94m2', 'bookinfo') },
    ].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)),
  };
}

/** The two istiods of the `bookinfo` scenario; the sandbox's Kubernetes API holds pods of the same names. */
export const BOOKINFO_ISTIODS = ['istiod-7d4f74889d-mb5dh', 'istiod-7d4f74889d-q8wzn'] as const;

/**
 * The `bookinfo` scenario's sidecar whose certificate rotation is stuck: its workload certificate is past its
 * rotation time and runs out a few hours after the demo mesh comes up (demo-envoy.ts).
 */
export const BOOKINFO_EXPIRING_POD = 'productpage-v1-d5789fdfb-7pq2k';

/** The demo mesh's ztunnels (its `travel` namespace is ambient, src/sandbox/demo-ambient.ts), one per node. */
export const DEMO_ZTUNNELS: readonly { readonly pod: string; readonly ip: string }[] = [
  { pod: 'ztunnel-4vq8m', ip: '10.244.0.5' },
  { pod: 'ztunnel-b7kzx', ip: '10.244.1.5' },
  { pod: 'ztunnel-r2jwd', ip: '10.244.2.5' },
];
/** The pod of the demo mesh's waypoint `travel-waypoint`. */
export const DEMO_WAYPOINT_POD = 'travel-waypoint-6c9f8d7b5d-p4n7x';

/**
 * The demo mesh of the local sandbox: bookinfo (all SYNCED, so a canary promotion of `reviews` can prove
 * propagation), its ingress gateway, a `shop` namespace with two STALE sidecars, one of them a minor
 * version behind, so `status` has problems and version skew to show, and the ambient `travel` namespace's
 * ztunnels and waypoint, all SYNCED (ztunnel rows printed as the `ambient` scenario prints them).
 */
export function bookinfoMesh(clientVersion: string): Mesh {
  const [istiodA, istiodB] = BOOKINFO_ISTIODS;
  const [maj, min] = clientVersion.split('.');
  const older = `${maj}.${Number(min) - 1}.4`;
  const synced = sidecarTypes('SYNCED', 'SYNCED', 'SYNCED', 'SYNCED');
  const proxy = (pod: string, namespace: string, istiod: string, types = synced, version = clientVersion): Proxy => ({
    id: `${pod}.${namespace}`,
    namespace,
    cluster: 'Kubernetes',
    istiod,
    version,
    types,
  });
  return {
    istiods: BOOKINFO_ISTIODS.map((id) => ({ id, version: clientVersion })),
    proxies: [
      proxy('details-v1-65cfcf56f9-4drsk', 'bookinfo', istiodA),
      proxy('istio-ingressgateway-5c8f6b7d9b-x2kqn', 'istio-system', istiodB),
      proxy('payments-v1-7c9d8b6f5-k2x8p', 'shop', istiodB, sidecarTypes('STALE', 'SYNCED', 'SYNCED', 'SYNCED')),
      proxy(BOOKINFO_EXPIRING_POD, 'bookinfo', istiodA),
      proxy('ratings-v1-9bd8c8595-hvc5b', 'bookinfo', istiodB),
      proxy('reviews-v1-5fd6d4f8f8-66j45', 'bookinfo', istiodA),
      proxy('reviews-v2-6f9b55c5db-c94m2', 'bookinfo', istiodB),
      proxy('shipping-v2-84f7d9c6b-w7m4t', 'shop', istiodA, sidecarTypes('SYNCED', 'SYNCED', 'STALE', 'NOT_SENT'), older),
      proxy(DEMO_WAYPOINT_POD, 'travel', istiodB),
      ...DEMO_ZTUNNELS.map((ztunnel, i) => proxy(ztunnel.pod, 'istio-system', i % 2 === 0 ? istiodA : istiodB, ztunnelTypes(Number(min)))),
    ].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)),
  };
}

const APPS = ['productpage', 'details', 'reviews', 'ratings', 'cart', 'checkout', 'payments', 'shipping', 'catalog', 'frontend', 'auth', 'search'];
const NAMESPACES = ['bookinfo', 'checkout', 'payments', 'shop', 'platform'];
const CLUSTERS = ['prod-eu-1', 'prod-us-1', 'prod-ap-1'];

/**
 * A deterministic synthetic mesh of `n` proxies: 3 clusters with 2 istiods each, sidecars in 5 namespaces,
 * an ingress gateway per cluster, a ztunnel per cluster (when n allows), ~8% STALE, ~3% ERROR, some RDS NOT SENT,
 * a minority of proxies one minor version behind.
 */
export function largeMesh(n: number, clientVersion: string): Mesh {
  const rand = prng(0x5eed ^ n);
  const [maj, min] = clientVersion.split('.');
  const current = clientVersion;
  const older = `${maj}.${Number(min) - 1}.${3}`;
  const istiods: Istiod[] = [];
  // Two istiods per cluster.
  for (let k = 0; k < CLUSTERS.length * 2; k++) {
    istiods.push({ id: `istiod-${podHash(rand, 10)}-${podHash(rand, 5)}`, version: current });
  }
  const proxies: Proxy[] = [];
  const usedIds = new Set<string>();
  let sidecars = 0;
  for (let i = 0; i < n; i++) {
    const ci = i % CLUSTERS.length;
    const cluster = CLUSTERS[ci] as string;
    const istiod = (istiods[ci * 2 + (Math.floor(i / CLUSTERS.length) % 2)] as Istiod).id;
    const version = rand() < 0.15 ? older : current;
    let id: string;
    let namespace: string;
    let types: Array<[string, XdsState]>;
    const slot = Math.floor(i / CLUSTERS.length);
    if (slot === 0) {
      namespace = 'istio-system';
      id = `istio-ingressgateway-${podHash(rand, 10)}-${podHash(rand, 5)}.${namespace}`;
    } else if (slot === 1 && n >= 12) {
      namespace = 'istio-system';
      id = `ztunnel-${podHash(rand, 5)}.${namespace}`;
    } else {
      namespace = NAMESPACES[Math.floor(rand() * NAMESPACES.length)] as string;
      const app = APPS[Math.floor(rand() * APPS.length)] as string;
      id = `${app}-v${1 + Math.floor(rand() * 3)}-${podHash(rand, 10)}-${podHash(rand, 5)}.${namespace}`;
    }
    if (id.startsWith('ztunnel-')) {
      // The types istiod of this minor lists for a ztunnel, as the demo and `ambient` scenarios print them
      // (ambient-mesh.ts): the five Envoy types UNKNOWN up to 1.22, only WADS/WDS from 1.23; one in ten has a STALE
      // WDS (drawn on every version, so the rest of the mesh stays the same).
      const wdsStale = rand() < 0.1;
      types = ztunnelTypes(Number(min)).map(([type, state]): [string, XdsState] => [type, type === 'WDS' && wdsStale ? 'STALE' : state]);
    } else {
      const r = rand();
      const pick = (): XdsState => {
        const x = rand();
        return x < 0.08 ? 'STALE' : 'SYNCED';
      };
      let cds = pick();
      let lds = pick();
      const eds: XdsState = pick();
      let rds: XdsState = rand() < 0.07 ? 'NOT_SENT' : pick();
      let e = eds;
      if (r < 0.03) lds = 'ERROR';
      else if (r < 0.04) cds = 'ERROR';
      else if (r < 0.05) rds = 'ERROR';
      // make sure every problem kind shows up, whatever the random draw
      const k = sidecars++;
      if (k % 20 === 0) cds = 'STALE';
      if (k % 20 === 1) lds = 'ERROR';
      if (k % 20 === 2) rds = 'NOT_SENT';
      if (k % 40 === 3) e = 'STALE_NEVER_ACKED';
      types = sidecarTypes(cds, lds, e, rds);
    }
    if (usedIds.has(id)) id = id.replace(/\.([^.]+)$/, `-${i}.$1`);
    usedIds.add(id);
    proxies.push({ id, cluster, istiod, version, namespace, types });
  }
  return { istiods, proxies };
}
