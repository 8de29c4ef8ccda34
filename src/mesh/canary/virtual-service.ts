import { z } from 'zod';

/** The parts of a VirtualService that canary promotion reads; everything else passes through untouched. */
export const routeDestinationSchema = z.looseObject({
  destination: z.looseObject({ host: z.string(), subset: z.string().optional() }),
  weight: z.number().int().optional(),
});

export const httpRouteSchema = z.looseObject({
  name: z.string().optional(),
  route: z.array(routeDestinationSchema).optional(),
});

/** What canary promotion reads of a route object's metadata (VirtualService or HTTPRoute): ownership and fences. */
export const routeMetadataSchema = z.looseObject({
  name: z.string(),
  namespace: z.string().optional(),
  resourceVersion: z.string().optional(),
  generation: z.number().optional(),
  labels: z.record(z.string(), z.string()).optional(),
  annotations: z.record(z.string(), z.string()).optional(),
  ownerReferences: z.array(z.looseObject({ apiVersion: z.string(), kind: z.string(), name: z.string(), controller: z.boolean().optional() })).optional(),
  managedFields: z.array(z.looseObject({ manager: z.string().optional(), operation: z.string().optional(), fieldsV1: z.unknown().optional() })).optional(),
});

export const virtualServiceSchema = z.looseObject({
  metadata: routeMetadataSchema,
  spec: z.looseObject({
    hosts: z.array(z.string()).optional(),
    http: z.array(httpRouteSchema).optional(),
  }),
});

export type VirtualService = z.output<typeof virtualServiceSchema>;
export type HttpRoute = z.output<typeof httpRouteSchema>;

export const destinationRuleSchema = z.looseObject({
  metadata: z.looseObject({ name: z.string(), namespace: z.string().optional() }),
  spec: z.looseObject({
    host: z.string(),
    subsets: z.array(z.looseObject({ name: z.string(), labels: z.record(z.string(), z.string()).optional() })).optional(),
  }),
});

export type DestinationRule = z.output<typeof destinationRuleSchema>;

/**
 * A destination host as Istio resolves it in a config of `namespace` (pilot's `ResolveShortnameToFQDN`): a name
 * without a dot gets the namespace and `.svc.cluster.local`; anything with a dot is taken as written, so
 * `reviews.shop` is not `reviews.shop.svc.cluster.local` to Istio.
 */
export function serviceFqdn(host: string, namespace: string): string {
  return host.includes('.') || host === '*' ? host : `${host}.${namespace}.svc.cluster.local`;
}

/** `reviews` and `reviews.shop.svc.cluster.local` name one service when seen from `shop`. */
export function sameServiceHost(a: string, b: string, namespace: string): boolean {
  return serviceFqdn(a, namespace) === serviceFqdn(b, namespace);
}

/** The Kubernetes Service (name, namespace) behind a cluster-local host, or undefined for any other host (a ServiceEntry's). */
export function kubernetesService(host: string, namespace: string): { readonly name: string; readonly namespace: string } | undefined {
  const match = /^([a-z0-9-]+)\.([a-z0-9-]+)\.svc\.cluster\.local$/.exec(serviceFqdn(host, namespace));
  return match ? { name: match[1] as string, namespace: match[2] as string } : undefined;
}

/**
 * What mesh-bot keeps on the VirtualService itself, so it survives the loss of every other record (the sweep
 * deletes old requests, a ConfigMap list can fail, a kubectl edit never makes a request):
 * - OWNER_ANNOTATION names the promotion request that owns the weights right now. Every weight write of a
 *   promotion tests it (JSON Patch `test`), so a write lands only while its request still owns the object.
 * - STABLE/CANARY_ANNOTATION record which subset is which, written in the same patch as the weights.
 * - APPLIED_ANNOTATION names the request whose weights landed last (set by that same patch).
 * - ROLLED_BACK_ANNOTATION records, in a rollback's own weight patch, which applied request it undid, by whom and
 *   when: a rollback that stops before recording that on the request leaves it here for the sweep to finish.
 */
export const OWNER_ANNOTATION = 'mesh-bot/owner';
export const STABLE_ANNOTATION = 'mesh-bot/stable-subset';
export const CANARY_ANNOTATION = 'mesh-bot/canary-subset';
/** The destination host whose subsets STABLE/CANARY_ANNOTATION name (a VirtualService may split several services'). */
export const HOST_ANNOTATION = 'mesh-bot/canary-host';
export const APPLIED_ANNOTATION = 'mesh-bot/applied-request';
export const ROLLED_BACK_ANNOTATION = 'mesh-bot/rolled-back';

/** The value of ROLLED_BACK_ANNOTATION (JSON). */
export const rolledBackRecordSchema = z.object({ request: z.string(), by: z.string(), at: z.string(), message: z.string() });
export type RolledBackRecord = z.infer<typeof rolledBackRecordSchema>;

/** The rollback record on a route, or null when there is none or it is not one (edited by hand). */
export function rolledBackRecordOf(object: unknown): RolledBackRecord | null {
  const text = annotationsOf(object)[ROLLED_BACK_ANNOTATION];
  if (text === undefined) return null;
  try {
    const parsed = rolledBackRecordSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** RFC 6901 pointer to one annotation. */
export function annotationPath(key: string): string {
  return `/metadata/annotations/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`;
}

export interface RecordedRoles {
  readonly stableSubset: string;
  readonly canarySubset: string;
  /** Absent in records written before mesh-bot kept it, and on HTTPRoutes (whose backends are Services). */
  readonly host?: string | undefined;
}

/** The stable/canary record mesh-bot wrote on the VirtualService, when both halves are there. */
export function recordedRoles(annotations: Readonly<Record<string, string>> | undefined): RecordedRoles | undefined {
  const stableSubset = annotations?.[STABLE_ANNOTATION];
  const canarySubset = annotations?.[CANARY_ANNOTATION];
  const host = annotations?.[HOST_ANNOTATION];
  return stableSubset && canarySubset ? { stableSubset, canarySubset, ...(host ? { host } : {}) } : undefined;
}

/** Annotations of any object read from the API, without trusting the rest of its shape. */
export function annotationsOf(object: unknown): Readonly<Record<string, string>> {
  const metadata = (object as { metadata?: { annotations?: unknown } } | null)?.metadata;
  const annotations = metadata?.annotations;
  if (annotations === null || typeof annotations !== 'object') return {};
  return Object.fromEntries(Object.entries(annotations).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
}
