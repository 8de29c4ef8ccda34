// The `bookinfo` scenario's Envoy: each proxy's /config_dump built from the demo mesh's Kubernetes objects
// (src/sandbox/demo-mesh.ts, or the sandbox's live API), so that every `proxy-config` answer tells the same story
// as `kubectl get`: the reviews VirtualService in the routes, the DestinationRule's subsets in the clusters, the
// pods' IPs in the endpoints, the proxy's version in the bootstrap, and certificates issued by the root in the
// `istio-ca-root-cert` ConfigMaps.
//
// The shape of every section is the one Envoy prints (snake_case fields, `@type`, `last_updated`), taken from the
// corpus dumps: all/input_config_dump.json (sections, clusters with `filter_metadata.istio`), eds/input_configdump.json
// (ClusterLoadAssignments, `istio.workload` metadata), routes/empty-gateway (the static `backend` routes) and
// secret/istio/input_config_dump.json (SDS secrets). What the corpus has no sidecar sample of (listener and route
// names of a sidecar: `0.0.0.0_9080`, `virtualInbound`, `inbound|9080||`, `allow_any`) follows istiod's
// generator (pilot/pkg/networking/core in istio/istio) as istio.io's proxy-config walk-through shows it.

import { createHash } from 'node:crypto';
import type { KubeObject } from '../kube-api/types.ts';
import { workloadCertificatePem } from '../root-ca.ts';
import { BOOKINFO_EXPIRING_POD } from './mesh.ts';

const HOUR_MS = 3_600_000;
/** Istio's defaults: the agent asks for 24-hour certificates (SECRET_TTL) and renews at half life (SECRET_GRACE_PERIOD_RATIO 0.5). */
const WORKLOAD_CERT_LIFETIME_MS = 24 * HOUR_MS;
const ROTATION_PERIOD_MS = WORKLOAD_CERT_LIFETIME_MS / 2;
/** istiod backdates a workload certificate's NotBefore by 2 minutes for clock skew (as in the corpus secret dump). */
const BACKDATE_MS = 2 * 60_000;
/** How old the stuck certificate already was when the demo mesh came up: past its rotation time, not yet expired. */
const STUCK_CERT_AGE_MS = 20 * HOUR_MS;
const TRUST_DOMAIN = 'cluster.local';
const ADS = { ads: {}, initial_fetch_timeout: '0s', resource_api_version: 'V3' };
const HCM = 'envoy.filters.network.http_connection_manager';
const HCM_TYPE = 'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager';
const TCP_PROXY = 'envoy.filters.network.tcp_proxy';
const TCP_PROXY_TYPE = 'type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy';
const CLUSTER_TYPE = 'type.googleapis.com/envoy.config.cluster.v3.Cluster';

type Json = Record<string, unknown>;

/** The Kubernetes objects the simulated istiod and proxies see. */
export interface DemoWorld {
  readonly objects: readonly KubeObject[];
}

/** The facts of one pod that its Envoy reflects. */
export interface DemoPod {
  readonly name: string;
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly ip: string;
  readonly serviceAccount: string;
  /** The istio-proxy image tag: the proxy's ISTIO_VERSION. */
  readonly proxyVersion: string;
  /** A gateway is a standalone Envoy (`router`); a sidecar sits beside an application container. */
  readonly gateway: boolean;
}

export interface DumpClock {
  readonly now: Date;
  /** When the demo mesh came up: the stuck certificate was issued relative to it and has not been renewed since. */
  readonly meshStart: Date;
}

const meta = (o: KubeObject) => o.metadata ?? {};
const spec = (o: KubeObject) => (o['spec'] ?? {}) as Json;
const ofKind = (world: DemoWorld, kind: string) => world.objects.filter((o) => o.kind === kind);
const iso = (ms: number) => new Date(ms).toISOString();
const fqdnOf = (name: string, namespace: string) => `${name}.${namespace}.svc.${TRUST_DOMAIN}`;

/** `web` and other names without a protocol prefix are sniffed; the demo's ports all carry HTTP. */
interface ServicePort {
  readonly service: string;
  readonly namespace: string;
  readonly fqdn: string;
  readonly port: number;
  readonly targetPort: number;
  readonly clusterIP: string;
  readonly selector: Readonly<Record<string, string>>;
}

function servicePorts(world: DemoWorld): ServicePort[] {
  return ofKind(world, 'Service').flatMap((svc) => {
    const s = spec(svc);
    const ports = (s['ports'] ?? []) as { port: number; targetPort?: number }[];
    const name = meta(svc).name ?? '';
    const namespace = meta(svc).namespace ?? '';
    return ports.map((p) => ({
      service: name,
      namespace,
      fqdn: fqdnOf(name, namespace),
      port: p.port,
      targetPort: typeof p.targetPort === 'number' ? p.targetPort : p.port,
      clusterIP: String(s['clusterIP'] ?? ''),
      selector: (s['selector'] ?? {}) as Record<string, string>,
    }));
  });
}

const matches = (labels: Readonly<Record<string, string>>, selector: Readonly<Record<string, string>>) =>
  Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => labels[k] === v);

/** A pod of the world, or undefined: what the Kubernetes API answers to istioctl's pod GET. */
export function findPod(world: DemoWorld, name: string, namespace: string): KubeObject | undefined {
  return ofKind(world, 'Pod').find((p) => meta(p).name === name && meta(p).namespace === namespace);
}

/** The pod's Envoy facts; undefined when the pod runs no istio-proxy container (istiod). */
export function demoPod(pod: KubeObject): DemoPod | undefined {
  const containers = (spec(pod)['containers'] ?? []) as { name: string; image: string }[];
  const proxy = containers.find((c) => c.name === 'istio-proxy');
  if (!proxy) return undefined;
  const status = (pod['status'] ?? {}) as Json;
  return {
    name: meta(pod).name ?? '',
    namespace: meta(pod).namespace ?? '',
    labels: meta(pod).labels ?? {},
    ip: String(status['podIP'] ?? ''),
    serviceAccount: String(spec(pod)['serviceAccountName'] ?? 'default'),
    proxyVersion: proxy.image.slice(proxy.image.lastIndexOf(':') + 1),
    gateway: containers.length === 1,
  };
}

/** The Deployment name a ReplicaSet pod's name starts with (`reviews-v1-5fd6d4f8f8-66j45` → `reviews-v1`). */
const workloadName = (pod: string) => pod.replace(/-[a-z0-9]{5,10}-[a-z0-9]{5}$/, '');

function hex(text: string, length: number): string {
  return createHash('sha256').update(text).digest('hex').slice(0, length);
}

// ---- secrets -----------------------------------------------------------------------------------------------

export interface WorkloadCertTimes {
  readonly issuedAt: number;
  readonly notBefore: number;
  readonly notAfter: number;
}

/**
 * When this proxy's current workload certificate was issued. Rotation on schedule: every proxy renews every 12 h,
 * each at its own phase (from its name), so the current certificate is between 0 and 12 h old. The one stuck proxy
 * (BOOKINFO_EXPIRING_POD) stopped renewing before the mesh came up: its certificate was 20 h old then, is past
 * its rotation time, and expires 4 h after the sandbox started unless someone acts.
 */
export function workloadCertTimes(pod: string, clock: DumpClock): WorkloadCertTimes {
  let issuedAt: number;
  if (pod === BOOKINFO_EXPIRING_POD) {
    issuedAt = Math.floor(clock.meshStart.getTime() / 1000) * 1000 - STUCK_CERT_AGE_MS;
  } else {
    const phase = (parseInt(hex(pod, 8), 16) % (ROTATION_PERIOD_MS / 1000)) * 1000;
    issuedAt = Math.floor((clock.now.getTime() - phase) / ROTATION_PERIOD_MS) * ROTATION_PERIOD_MS + phase;
  }
  return { issuedAt, notBefore: issuedAt - BACKDATE_MS, notAfter: issuedAt + WORKLOAD_CERT_LIFETIME_MS };
}

const rfc3339 = (ms: number) => iso(ms).replace(/\.\d{3}Z$/, 'Z');
const base64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

function secretsSection(pod: DemoPod, rootPem: string, rootUpdated: number, clock: DumpClock): Json {
  const times = workloadCertTimes(pod.name, clock);
  // A serial per issuance, as a CA picks a random one; the first hex digit below 8 keeps the DER INTEGER positive.
  const serial = `${(parseInt(hex(`${pod.name} ${times.issuedAt}`, 1), 16) % 7) + 1}${hex(`${pod.name} ${times.issuedAt} serial`, 31)}`;
  const spiffe = `spiffe://${TRUST_DOMAIN}/ns/${pod.namespace}/sa/${pod.serviceAccount}`;
  const leaf = workloadCertificatePem({ serial, notBefore: rfc3339(times.notBefore), notAfter: rfc3339(times.notAfter) }, spiffe);
  const secret = (name: string, body: Json) => ({ '@type': 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret', name, ...body });
  return {
    '@type': 'type.googleapis.com/envoy.admin.v3.SecretsConfigDump',
    dynamic_active_secrets: [
      {
        name: 'default',
        version_info: iso(times.issuedAt),
        last_updated: iso(times.issuedAt),
        secret: secret('default', {
          tls_certificate: { certificate_chain: { inline_bytes: base64(leaf + rootPem) }, private_key: { inline_bytes: base64('[redacted]') } },
        }),
      },
      {
        name: 'ROOTCA',
        version_info: iso(rootUpdated),
        last_updated: iso(rootUpdated),
        secret: secret('ROOTCA', { validation_context: { trusted_ca: { inline_bytes: base64(rootPem) } } }),
      },
    ],
  };
}

// ---- clusters and endpoints --------------------------------------------------------------------------------

interface Subset {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
}

interface RuleFor {
  readonly path: string;
  readonly subsets: readonly Subset[];
}

/** `/apis/<group>/<version>/namespaces/<ns>/<kind>/<name>`: how istiod names the config behind a cluster or route. */
function configPath(o: KubeObject, kind: 'destination-rule' | 'virtual-service'): string {
  return `/apis/${o.apiVersion ?? 'networking.istio.io/v1'}/namespaces/${meta(o).namespace ?? ''}/${kind}/${meta(o).name ?? ''}`;
}

/** A short host (`reviews`) is in the namespace of the rule that names it. */
const hostFqdn = (host: string, namespace: string) => (host.includes('.') ? host : fqdnOf(host, namespace));

function destinationRules(world: DemoWorld): Map<string, RuleFor> {
  const rules = new Map<string, RuleFor>();
  for (const dr of ofKind(world, 'DestinationRule')) {
    const s = spec(dr);
    const subsets = ((s['subsets'] ?? []) as { name: string; labels?: Record<string, string> }[]).map((x) => ({ name: x.name, labels: x.labels ?? {} }));
    rules.set(hostFqdn(String(s['host'] ?? ''), meta(dr).namespace ?? ''), { path: configPath(dr, 'destination-rule'), subsets });
  }
  return rules;
}

interface EdsCluster {
  readonly name: string;
  readonly service: ServicePort;
  readonly subset?: Subset;
  readonly rule?: RuleFor;
}

function edsClusters(world: DemoWorld): EdsCluster[] {
  const rules = destinationRules(world);
  return servicePorts(world).flatMap((service) => {
    const rule = rules.get(service.fqdn);
    const plain: EdsCluster = { name: `outbound|${service.port}||${service.fqdn}`, service, ...(rule ? { rule } : {}) };
    const subsets = (rule?.subsets ?? []).map((subset): EdsCluster => ({ name: `outbound|${service.port}|${subset.name}|${service.fqdn}`, service, subset, ...(rule ? { rule } : {}) }));
    return [plain, ...subsets];
  });
}

function clusterJson(cluster: EdsCluster): Json {
  const istio: Json = { services: [{ host: cluster.service.fqdn, name: cluster.service.service, namespace: cluster.service.namespace }] };
  if (cluster.rule) istio['config'] = cluster.rule.path;
  return {
    '@type': CLUSTER_TYPE,
    name: cluster.name,
    type: 'EDS',
    eds_cluster_config: { eds_config: ADS, service_name: cluster.name },
    connect_timeout: '10s',
    circuit_breakers: { thresholds: [{ max_connections: 4294967295, max_pending_requests: 4294967295, max_requests: 4294967295, max_retries: 4294967295 }] },
    metadata: { filter_metadata: { istio } },
  };
}

function staticCluster(name: string, type: string): Json {
  return { cluster: { '@type': CLUSTER_TYPE, name, type, connect_timeout: name === 'agent' ? '0.250s' : '1s' } };
}

function clustersSection(world: DemoWorld, pod: DemoPod, inbound: readonly ServicePort[], version: string, updated: string): Json {
  const dynamic = (cluster: Json) => ({ version_info: version, cluster, last_updated: updated });
  const originalDst = (name: string): Json => ({ '@type': CLUSTER_TYPE, name, type: 'ORIGINAL_DST', connect_timeout: '10s', lb_policy: 'CLUSTER_PROVIDED' });
  const special = [
    { '@type': CLUSTER_TYPE, name: 'BlackHoleCluster', type: 'STATIC', connect_timeout: '10s' },
    ...(pod.gateway ? [] : [originalDst('InboundPassthroughCluster'), originalDst('PassthroughCluster'), ...[...new Set(inbound.map((p) => p.targetPort))].map((port) => originalDst(`inbound|${port}||`))]),
  ];
  return {
    '@type': 'type.googleapis.com/envoy.admin.v3.ClustersConfigDump',
    version_info: version,
    static_clusters: [staticCluster('agent', 'STATIC'), staticCluster('prometheus_stats', 'STATIC'), staticCluster('sds-grpc', 'STATIC'), staticCluster('xds-grpc', 'STATIC')],
    dynamic_active_clusters: [...special, ...edsClusters(world).map(clusterJson)].map(dynamic),
  };
}

function endpointsSection(world: DemoWorld): Json {
  const pods = ofKind(world, 'Pod').flatMap((p) => {
    const facts = demoPod(p);
    return facts && !facts.gateway ? [facts] : [];
  });
  return {
    '@type': 'type.googleapis.com/envoy.admin.v3.EndpointsConfigDump',
    dynamic_endpoint_configs: edsClusters(world).map((cluster) => {
      const selected = pods.filter((p) => p.namespace === cluster.service.namespace && matches(p.labels, cluster.service.selector) && Object.entries(cluster.subset?.labels ?? {}).every(([k, v]) => p.labels[k] === v));
      const config: Json = { '@type': 'type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment', cluster_name: cluster.name };
      if (selected.length > 0) {
        config['endpoints'] = [
          {
            locality: {},
            lb_endpoints: selected.map((p) => ({
              endpoint: { address: { socket_address: { address: p.ip, port_value: cluster.service.targetPort } }, health_check_config: {} },
              health_status: 'HEALTHY',
              metadata: {
                filter_metadata: {
                  'envoy.transport_socket_match': { tlsMode: 'istio' },
                  istio: { workload: `${workloadName(p.name)};${p.namespace};${p.labels['app'] ?? ''};${p.labels['version'] ?? ''};Kubernetes` },
                },
              },
              load_balancing_weight: 1,
            })),
          },
        ];
      }
      config['policy'] = { overprovisioning_factor: 140 };
      return { endpoint_config: config };
    }),
  };
}

// ---- listeners and routes ----------------------------------------------------------------------------------

function address(ip: string, port: number): Json {
  return { socket_address: { address: ip, port_value: port } };
}

function hcm(statPrefix: string, routing: Json): Json {
  return { name: HCM, typed_config: { '@type': HCM_TYPE, stat_prefix: statPrefix, ...routing, http_filters: [{ name: 'envoy.filters.http.router', typed_config: { '@type': 'type.googleapis.com/envoy.extensions.filters.http.router.v3.Router' } }] } };
}

function tcpProxy(statPrefix: string, cluster: string): Json {
  return { name: TCP_PROXY, typed_config: { '@type': TCP_PROXY_TYPE, stat_prefix: statPrefix, cluster } };
}

/** The static `backend` route configs of the agent's health and Prometheus listeners (corpus routes/empty-gateway). */
function backendRoute(prefix: string, cluster: string): Json {
  return { '@type': 'type.googleapis.com/envoy.config.route.v3.RouteConfiguration', virtual_hosts: [{ name: 'backend', domains: ['*'], routes: [{ match: { prefix }, route: { cluster } }] }] };
}

function inboundRoute(port: number): Json {
  return {
    '@type': 'type.googleapis.com/envoy.config.route.v3.RouteConfiguration',
    name: `inbound|${port}||`,
    virtual_hosts: [{ name: `inbound|http|${port}`, domains: ['*'], routes: [{ name: 'default', match: { prefix: '/' }, route: { cluster: `inbound|${port}||`, timeout: '0s', max_grpc_timeout: '0s' }, decorator: { operation: `:${port}/*` } }] }],
    validate_clusters: false,
  };
}

function listenersSection(pod: DemoPod, outboundPorts: readonly number[], inbound: readonly ServicePort[], version: string, updated: string): Json {
  const staticListener = (name: string, port: number, routeConfig: Json) => ({
    listener: { '@type': 'type.googleapis.com/envoy.config.listener.v3.Listener', name, address: address('0.0.0.0', port), filter_chains: [{ filters: [hcm('stats', { route_config: routeConfig })] }] },
    last_updated: updated,
  });
  const dynamic = (listener: Json) => ({ name: listener['name'], active_state: { version_info: version, listener: { '@type': 'type.googleapis.com/envoy.config.listener.v3.Listener', ...listener }, last_updated: updated } });
  const sidecar = pod.gateway
    ? []
    : [
        ...outboundPorts.map((port) => ({
          name: `0.0.0.0_${port}`,
          address: address('0.0.0.0', port),
          traffic_direction: 'OUTBOUND',
          bind_to_port: false,
          filter_chains: [{ filters: [hcm(`outbound_0.0.0.0_${port}`, { rds: { config_source: ADS, route_config_name: String(port) } })] }],
        })),
        {
          name: 'virtualInbound',
          address: address('0.0.0.0', 15006),
          traffic_direction: 'INBOUND',
          use_original_dst: true,
          filter_chains: [
            ...[...new Set(inbound.map((p) => p.targetPort))].map((port) => ({
              filter_chain_match: { destination_port: port, transport_protocol: 'tls' },
              filters: [hcm(`inbound_0.0.0.0_${port}`, { route_config: inboundRoute(port) })],
            })),
            { name: 'virtualInbound-catchall-http', filters: [hcm('InboundPassthroughCluster', { route_config: { '@type': 'type.googleapis.com/envoy.config.route.v3.RouteConfiguration', name: 'InboundPassthroughCluster', virtual_hosts: [{ name: 'inbound|http|0', domains: ['*'], routes: [{ name: 'default', match: { prefix: '/' }, route: { cluster: 'InboundPassthroughCluster', timeout: '0s', max_grpc_timeout: '0s' } }] }] } })] },
          ],
        },
        {
          name: 'virtualOutbound',
          address: address('0.0.0.0', 15001),
          traffic_direction: 'OUTBOUND',
          use_original_dst: true,
          filter_chains: [{ name: 'virtualOutbound-catchall-tcp', filters: [tcpProxy('PassthroughCluster', 'PassthroughCluster')] }],
        },
      ];
  return {
    '@type': 'type.googleapis.com/envoy.admin.v3.ListenersConfigDump',
    version_info: version,
    static_listeners: [staticListener('0.0.0.0_15090', 15090, backendRoute('/stats/prometheus', 'prometheus_stats')), staticListener('0.0.0.0_15021', 15021, backendRoute('/healthz/ready', 'agent'))],
    dynamic_listeners: sidecar.map(dynamic),
  };
}

interface HttpRoute {
  readonly name?: string;
  readonly route?: readonly { destination?: { host?: string; subset?: string }; weight?: number }[];
}

/** VirtualServices that apply to sidecars (no `gateways`, or the reserved `mesh`), by host FQDN. */
function meshVirtualServices(world: DemoWorld): Map<string, KubeObject> {
  const byHost = new Map<string, KubeObject>();
  for (const vs of ofKind(world, 'VirtualService')) {
    const s = spec(vs);
    const gateways = (s['gateways'] ?? []) as string[];
    if (gateways.length > 0 && !gateways.includes('mesh')) continue;
    for (const host of (s['hosts'] ?? []) as string[]) byHost.set(hostFqdn(host, meta(vs).namespace ?? ''), vs);
  }
  return byHost;
}

function routeAction(vs: KubeObject, http: HttpRoute, service: ServicePort): Json {
  const namespace = meta(vs).namespace ?? '';
  const destinations = (http.route ?? []).map((r) => ({
    name: `outbound|${service.port}|${r.destination?.subset ?? ''}|${hostFqdn(r.destination?.host ?? service.service, namespace)}`,
    weight: r.weight ?? 100,
  }));
  const action: Json = { timeout: '0s', max_grpc_timeout: '0s', retry_policy: { retry_on: 'connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes', num_retries: 2 } };
  const only = destinations.length === 1 ? destinations[0] : undefined;
  if (only) action['cluster'] = only.name;
  else action['weighted_clusters'] = { clusters: destinations };
  return action;
}

/** The outbound route table of one port: a virtual host per service on it, then `allow_any` (REGISTRY_ONLY is not the default). */
function outboundRouteConfig(world: DemoWorld, pod: DemoPod, port: number): Json {
  const virtualServices = meshVirtualServices(world);
  const hosts = servicePorts(world)
    .filter((s) => s.port === port)
    .sort((a, b) => (a.fqdn < b.fqdn ? -1 : 1))
    .map((service) => {
      const short = `${service.service}.${service.namespace}`;
      const domains = [service.fqdn, `${short}.svc`, short, ...(service.namespace === pod.namespace ? [service.service] : []), service.clusterIP].filter((d) => d !== '');
      const vs = virtualServices.get(service.fqdn);
      const routes = vs
        ? ((spec(vs)['http'] ?? []) as HttpRoute[]).map((http) => ({
            name: http.name ?? '',
            match: { prefix: '/' },
            route: routeAction(vs, http, service),
            metadata: { filter_metadata: { istio: { config: configPath(vs, 'virtual-service') } } },
            decorator: { operation: `${service.fqdn}:${port}/*` },
          }))
        : [{ name: 'default', match: { prefix: '/' }, route: { cluster: `outbound|${port}||${service.fqdn}`, timeout: '0s', max_grpc_timeout: '0s' }, decorator: { operation: `${service.fqdn}:${port}/*` } }];
      return { name: `${service.fqdn}:${port}`, domains, routes, include_request_attempt_count: true };
    });
  return {
    '@type': 'type.googleapis.com/envoy.config.route.v3.RouteConfiguration',
    name: String(port),
    virtual_hosts: [...hosts, { name: 'allow_any', domains: ['*'], routes: [{ name: 'allow_any', match: { prefix: '/' }, route: { cluster: 'PassthroughCluster', timeout: '0s', max_grpc_timeout: '0s' } }], include_request_attempt_count: true }],
    validate_clusters: false,
    max_direct_response_body_size_bytes: 1048576,
    ignore_port_in_host_matching: true,
  };
}

function routesSection(world: DemoWorld, pod: DemoPod, outboundPorts: readonly number[], inbound: readonly ServicePort[], version: string, updated: string): Json {
  const inboundPorts = [...new Set(inbound.map((p) => p.targetPort))];
  const statics = [
    backendRoute('/stats/prometheus', 'prometheus_stats'),
    backendRoute('/healthz/ready', 'agent'),
    ...(pod.gateway ? [] : inboundPorts.map(inboundRoute)),
  ];
  return {
    '@type': 'type.googleapis.com/envoy.admin.v3.RoutesConfigDump',
    static_route_configs: statics.map((route_config) => ({ route_config, last_updated: updated })),
    dynamic_route_configs: pod.gateway ? [] : outboundPorts.map((port) => ({ version_info: version, route_config: outboundRouteConfig(world, pod, port), last_updated: updated })),
  };
}

// ---- bootstrap and the whole dump --------------------------------------------------------------------------

/**
 * The node of the bootstrap (corpus bootstrap/*_bootstrapdump.json: ISTIO_VERSION, `istio-proxy:<sha>`, Envoy's
 * build version). The SHA is made up from the version; the Envoy minor is the one Istio ships with that release
 * (Istio 1.28 builds on Envoy 1.36: Envoy minor = Istio minor + 8 since 1.20).
 */
function bootstrapSection(pod: DemoPod, updated: string): Json {
  const [, minor = '0'] = pod.proxyVersion.split('.');
  const sha = hex(`istio-proxy ${pod.proxyVersion}`, 40);
  const kind = pod.gateway ? 'router' : 'sidecar';
  return {
    '@type': 'type.googleapis.com/envoy.admin.v3.BootstrapConfigDump',
    bootstrap: {
      node: {
        id: `${kind}~${pod.ip}~${pod.name}.${pod.namespace}~${pod.namespace}.svc.${TRUST_DOMAIN}`,
        cluster: `${pod.labels['app'] ?? workloadName(pod.name)}.${pod.namespace}`,
        metadata: {
          CLUSTER_ID: 'Kubernetes',
          INSTANCE_IPS: pod.ip,
          INTERCEPTION_MODE: 'REDIRECT',
          ISTIO_PROXY_SHA: `istio-proxy:${sha}`,
          ISTIO_VERSION: pod.proxyVersion,
          LABELS: pod.labels,
          MESH_ID: TRUST_DOMAIN,
          NAME: pod.name,
          NAMESPACE: pod.namespace,
          SERVICE_ACCOUNT: pod.serviceAccount,
          WORKLOAD_NAME: workloadName(pod.name),
        },
        user_agent_name: 'envoy',
        user_agent_build_version: {
          version: { major_number: 1, minor_number: Number(minor) + 8, patch: 1 },
          metadata: { 'build.type': 'RELEASE', 'revision.sha': sha, 'revision.status': 'Clean', 'ssl.version': 'BoringSSL' },
        },
      },
    },
    last_updated: updated,
  };
}

/**
 * The proxy's whole /config_dump?include_eds, in Envoy's section order (as in the corpus `all` input). `rootPem` is
 * the trust bundle istiod distributes (the pod namespace's `istio-ca-root-cert`), `rootUpdated` when the proxy
 * received it.
 */
export function envoyConfigDump(world: DemoWorld, pod: DemoPod, rootPem: string, clock: DumpClock): Json {
  const started = Math.floor(clock.meshStart.getTime() / 1000) * 1000;
  const updated = iso(started);
  const version = `${rfc3339(started)}/${ofKind(world, 'VirtualService').length + ofKind(world, 'DestinationRule').length + 1}`;
  const ports = servicePorts(world);
  const inbound = pod.gateway ? [] : ports.filter((p) => p.namespace === pod.namespace && matches(pod.labels, p.selector));
  const outboundPorts = [...new Set(ports.map((p) => p.port))].sort((a, b) => a - b);
  return {
    configs: [
      bootstrapSection(pod, updated),
      clustersSection(world, pod, inbound, version, updated),
      endpointsSection(world),
      listenersSection(pod, outboundPorts, inbound, version, updated),
      { '@type': 'type.googleapis.com/envoy.admin.v3.ScopedRoutesConfigDump' },
      routesSection(world, pod, outboundPorts, inbound, version, updated),
      secretsSection(pod, rootPem, started, clock),
    ],
  };
}
