import { z } from 'zod';
import { ok } from '../../../result.ts';
import type { Result } from '../../../result.ts';
import type { ParseFailure } from '../../types.ts';
import { splitTable } from '../table.ts';
import { eachElement, listFamily, textLines } from './common.ts';

export interface EndpointInfo {
  /** `10.244.0.190:9080`, `envoy://listener/endpoint-id` (internal), or a pipe path. */
  readonly address: string;
  /** Envoy health status: HEALTHY, UNHEALTHY, DRAINING, TIMEOUT, DEGRADED, UNKNOWN. */
  readonly status: string;
  readonly cluster: string;
  /** `region/zone/subzone`, '' when unset. */
  readonly locality: string;
  /** Only the /clusters-based `endpoints` table has it: `OK` or `FAILED`. */
  readonly outlierCheck?: string;
}

const addressJson = z.object({
  socketAddress: z.object({ address: z.string().optional(), portValue: z.number().optional() }).optional(),
  envoyInternalAddress: z.object({ serverListenerName: z.string().optional(), endpointId: z.string().optional() }).optional(),
  pipe: z.object({ path: z.string().optional() }).optional(),
});
const claJson = z.object({
  clusterName: z.string(),
  endpoints: z
    .array(
      z.object({
        locality: z.object({ region: z.string().optional(), zone: z.string().optional(), subZone: z.string().optional() }).optional(),
        lbEndpoints: z
          .array(z.object({ endpoint: z.object({ address: addressJson.optional() }).optional(), healthStatus: z.string().optional() }))
          .optional(),
      }),
    )
    .optional(),
});
type ClaJson = z.infer<typeof claJson>;

/** Same address rendering as istioctl's eds table. */
function renderAddress(address: z.infer<typeof addressJson> | undefined): string {
  if (address?.socketAddress) return `${address.socketAddress.address ?? ''}:${address.socketAddress.portValue ?? 0}`;
  if (address?.envoyInternalAddress) {
    const a = address.envoyInternalAddress;
    return `envoy://${a.serverListenerName ?? ''}/${a.endpointId ?? ''}`;
  }
  if (address?.pipe) return address.pipe.path ?? '';
  return '';
}

function fromCla(cla: ClaJson): EndpointInfo[] {
  return (cla.endpoints ?? []).flatMap((group) => {
    const l = group.locality;
    const locality = l ? [l.region, l.zone, l.subZone].filter((p) => p).join('/') : '';
    return (group.lbEndpoints ?? []).map((lb) => ({
      address: renderAddress(lb.endpoint?.address),
      // protojson omits the zero value, which is UNKNOWN.
      status: lb.healthStatus ?? 'UNKNOWN',
      cluster: cla.clusterName,
      locality,
    }));
  });
}

const entry = eachElement(z.object({ endpointConfig: claJson.optional() }), (e) => (e.endpointConfig ? fromCla(e.endpointConfig) : []));
const endpoints = listFamily({
  // `proxy-config endpoints` reads Envoy's /clusters and has no JSON; `eds` prints ClusterLoadAssignments.
  command: 'istioctl proxy-config eds -o json',
  noun: 'endpoints',
  section: 'EndpointsConfigDump',
  arrays: { staticEndpointConfigs: entry, dynamicEndpointConfigs: entry },
  order: ['dynamicEndpointConfigs', 'staticEndpointConfigs'],
  element: eachElement(claJson, fromCla),
});

export const endpointsFromDump = endpoints.fromDump;

/**
 * `istioctl proxy-config eds POD -o json` (an array of ClusterLoadAssignment) or a config dump taken with
 * `?include_eds`. This is the JSON the bot uses for endpoints: `proxy-config endpoints` reads Envoy's /clusters.
 */
export const parseEndpointsJson = endpoints.parseJson;

/**
 * Both endpoint tables: `eds` (`NAME STATUS LOCALITY CLUSTER`, `endpoint/` prefix inside `all`) and `endpoints`
 * (`ENDPOINT STATUS OUTLIER CHECK CLUSTER`).
 */
export function parseEndpointsTable(text: string): Result<EndpointInfo[], ParseFailure> {
  const lines = textLines(text).filter((l) => l.trim() !== '');
  const header = lines[0] ?? '';
  const clustersForm = /^ENDPOINT\s/.test(header);
  const columns = clustersForm
    ? ['ENDPOINT', 'STATUS', 'OUTLIER CHECK', 'CLUSTER']
    : ['NAME', 'STATUS', 'LOCALITY', 'CLUSTER'];
  const table = splitTable(lines.join('\n'), columns);
  if (!table.ok) return table;
  return ok(
    table.value.rows.map((row) => ({
      address: clustersForm ? (row.ENDPOINT ?? '') : (row.NAME ?? '').replace(/^endpoint\//, ''),
      status: row.STATUS ?? '',
      cluster: row.CLUSTER ?? '',
      locality: row.LOCALITY ?? '',
      ...(clustersForm ? { outlierCheck: row['OUTLIER CHECK'] ?? '' } : {}),
    })),
  );
}
