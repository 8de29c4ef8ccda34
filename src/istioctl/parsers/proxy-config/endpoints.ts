import { z } from 'zod';
import { ok } from '../../../result.ts';
import type { Result } from '../../../result.ts';
import type { ParseFailure } from '../../types.ts';
import { asConfigDump, describeIssue, failure, parseJsonOutput, section, splitTable, textLines } from './common.ts';
import type { ConfigDump } from './common.ts';

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

const addressJson = z.looseObject({
  socketAddress: z.looseObject({ address: z.string().optional(), portValue: z.number().optional() }).optional(),
  envoyInternalAddress: z
    .looseObject({ serverListenerName: z.string().optional(), endpointId: z.string().optional() })
    .optional(),
  pipe: z.looseObject({ path: z.string().optional() }).optional(),
});
const claJson = z.looseObject({
  clusterName: z.string(),
  endpoints: z
    .array(
      z.looseObject({
        locality: z
          .looseObject({ region: z.string().optional(), zone: z.string().optional(), subZone: z.string().optional() })
          .optional(),
        lbEndpoints: z
          .array(
            z.looseObject({
              endpoint: z.looseObject({ address: addressJson.optional() }).optional(),
              healthStatus: z.string().optional(),
            }),
          )
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

const endpointsDump = z.looseObject({
  staticEndpointConfigs: z.array(z.looseObject({ endpointConfig: claJson.optional() })).optional(),
  dynamicEndpointConfigs: z.array(z.looseObject({ endpointConfig: claJson.optional() })).optional(),
});

export function endpointsFromDump(dump: ConfigDump): Result<EndpointInfo[], ParseFailure> | undefined {
  const raw = section(dump, 'EndpointsConfigDump');
  if (!raw) return undefined;
  const parsed = endpointsDump.safeParse(raw);
  if (!parsed.success) return failure(`EndpointsConfigDump has an unexpected shape ${describeIssue(parsed.error)}`);
  const all = [...(parsed.data.dynamicEndpointConfigs ?? []), ...(parsed.data.staticEndpointConfigs ?? [])];
  return ok(all.flatMap((e) => (e.endpointConfig ? fromCla(e.endpointConfig) : [])));
}

/**
 * `istioctl proxy-config eds POD -o json` (an array of ClusterLoadAssignment) or a config dump taken with
 * `?include_eds`. This is the JSON the bot uses for endpoints: `proxy-config endpoints` reads Envoy's /clusters.
 */
export function parseEndpointsJson(stdout: string): Result<EndpointInfo[], ParseFailure> {
  const json = parseJsonOutput(stdout, 'istioctl proxy-config eds -o json');
  if (!json.ok) return json;
  const dump = asConfigDump(json.value);
  if (dump) return endpointsFromDump(dump) ?? failure('config dump has no EndpointsConfigDump section.');
  const parsed = z.array(claJson).safeParse(json.value);
  if (!parsed.success) return failure(`endpoints JSON has an unexpected shape ${describeIssue(parsed.error)}`);
  return ok(parsed.data.flatMap(fromCla));
}

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
  const rows = splitTable(lines, columns);
  if (!rows.ok) return rows;
  return ok(
    rows.value.map((row) => ({
      address: clustersForm ? (row.ENDPOINT ?? '') : (row.NAME ?? '').replace(/^endpoint\//, ''),
      status: row.STATUS ?? '',
      cluster: row.CLUSTER ?? '',
      locality: row.LOCALITY ?? '',
      ...(clustersForm ? { outlierCheck: row['OUTLIER CHECK'] ?? '' } : {}),
    })),
  );
}
