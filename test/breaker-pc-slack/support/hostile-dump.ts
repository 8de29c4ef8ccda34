// Config dumps an attacker or a very large mesh could put behind `proxy-config`, built from the synthetic sidecar
// dump of test/fixtures/istioctl-extra (Envoy's admin /config_dump layout: snake_case, one section per type).

import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SYNTHETIC = fileURLToPath(new URL('../../fixtures/istioctl-extra/synthetic_sidecar_config_dump_with_secrets.json', import.meta.url));

type Json = Record<string, unknown>;
interface Dump {
  configs: Json[];
}

function section(dump: Dump, suffix: string): Json {
  const found = dump.configs.find((config) => String(config['@type']).endsWith(suffix));
  if (!found) throw new Error(`synthetic dump lacks ${suffix}`);
  return found;
}

export interface HostileOptions {
  /** Extra outbound EDS clusters (names `outbound|PORT||svc-N.NS.svc.cluster.local`). */
  readonly clusters?: number;
  /** Extra listeners on distinct ports. */
  readonly listeners?: number;
  /** Extra virtual hosts in route `9080`, each with this many domains. */
  readonly virtualHosts?: number;
  readonly domainsPerHost?: number;
  /** Text put into names Slack would read as mrkdwn (a namespace and service name part). */
  readonly inject?: string;
  /** A section of a type istioctl/Envoy may add later. */
  readonly unknownSection?: boolean;
}

/** Writes the dump to a temporary file and returns its path. */
export async function hostileDump(options: HostileOptions): Promise<string> {
  const dump = JSON.parse(await readFile(SYNTHETIC, 'utf8')) as Dump;
  const inject = options.inject ?? '';
  const clusters = section(dump, 'ClustersConfigDump');
  const active = clusters['dynamic_active_clusters'] as Json[];
  for (let index = 0; index < (options.clusters ?? 0); index++) {
    const name = `outbound|${8000 + (index % 1000)}||svc-${index}${inject}.team-${index % 40}.svc.cluster.local`;
    active.push({
      version_info: '2026-11-21T06:30:00Z/42',
      cluster: { '@type': 'type.googleapis.com/envoy.config.cluster.v3.Cluster', name, type: 'EDS', eds_cluster_config: { eds_config: { ads: {}, resource_api_version: 'V3' }, service_name: name } },
      last_updated: '2026-11-21T06:30:00.000Z',
    });
  }
  const listeners = section(dump, 'ListenersConfigDump');
  const dynamic = listeners['dynamic_listeners'] as Json[];
  for (let index = 0; index < (options.listeners ?? 0); index++) {
    const port = 20000 + index;
    dynamic.push({
      name: `0.0.0.0_${port}`,
      active_state: {
        version_info: '2026-11-21T06:30:00Z/42',
        listener: {
          '@type': 'type.googleapis.com/envoy.config.listener.v3.Listener',
          name: `0.0.0.0_${port}`,
          address: { socket_address: { address: '0.0.0.0', port_value: port } },
          traffic_direction: 'OUTBOUND',
          filter_chains: [{ filters: [{ name: 'envoy.filters.network.tcp_proxy', typed_config: { '@type': 'type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy', stat_prefix: `svc-${index}${inject}`, cluster: `outbound|${port}||svc-${index}${inject}.team.svc.cluster.local` } }] }],
        },
        last_updated: '2026-11-21T06:30:00.000Z',
      },
    });
  }
  const routes = section(dump, 'RoutesConfigDump');
  const route9080 = (routes['dynamic_route_configs'] as Json[]).map((entry) => entry['route_config'] as Json).find((config) => config['name'] === '9080');
  if (!route9080) throw new Error('synthetic dump lacks route 9080');
  const hosts = route9080['virtual_hosts'] as Json[];
  for (let index = 0; index < (options.virtualHosts ?? 0); index++) {
    const host = `svc-${index}${inject}.team.svc.cluster.local`;
    const domains = Array.from({ length: options.domainsPerHost ?? 2 }, (_, n) => `${host.replace('.svc.cluster.local', '')}-alias-${n}.example.com`);
    hosts.push({ name: `${host}:9080`, domains, routes: [{ match: { prefix: '/' }, route: { cluster: `outbound|9080||${host}` }, name: 'default' }] });
  }
  if (options.unknownSection) {
    // An admin section Envoy added after this mesh-bot was written, and an extension nobody knows, inside clusters.
    dump.configs.push({ '@type': 'type.googleapis.com/envoy.admin.v3.FutureThingsConfigDump', things: [{ name: 'x', value: { '@type': 'type.googleapis.com/example.Unknown', opaque: 'data' } }] });
    active.push({
      version_info: '1',
      cluster: {
        '@type': 'type.googleapis.com/envoy.config.cluster.v3.Cluster',
        name: 'outbound|443||future.example.com',
        cluster_type: { name: 'envoy.clusters.future', typed_config: { '@type': 'type.googleapis.com/example.FutureClusterType', knob: 3 } },
        transport_socket: { name: 'envoy.transport_sockets.future', typed_config: { '@type': 'type.googleapis.com/example.FutureSocket' } },
      },
      last_updated: '2026-11-21T06:30:00.000Z',
    });
  }
  const dir = await mkdtemp(join(tmpdir(), 'breaker-pc-dump-'));
  const path = join(dir, 'config_dump.json');
  await writeFile(path, JSON.stringify(dump, null, 2));
  return path;
}
