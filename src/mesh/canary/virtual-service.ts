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

export const virtualServiceSchema = z.looseObject({
  metadata: z.looseObject({
    name: z.string(),
    namespace: z.string().optional(),
    resourceVersion: z.string().optional(),
    labels: z.record(z.string(), z.string()).optional(),
    annotations: z.record(z.string(), z.string()).optional(),
    ownerReferences: z.array(z.looseObject({ apiVersion: z.string(), kind: z.string(), name: z.string() })).optional(),
    managedFields: z.array(z.looseObject({ manager: z.string().optional(), operation: z.string().optional(), fieldsV1: z.unknown().optional() })).optional(),
  }),
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

/** `reviews`, `reviews.shop`, `reviews.shop.svc.cluster.local` all name one service when seen from `shop`. */
export function sameServiceHost(a: string, b: string, namespace: string): boolean {
  const fqdn = (host: string) => {
    const parts = host.split('.');
    if (parts.length === 1) return `${host}.${namespace}.svc.cluster.local`;
    if (parts.length === 2) return `${host}.svc.cluster.local`;
    if (parts.length === 3 && parts[2] === 'svc') return `${host}.cluster.local`;
    return host;
  };
  return fqdn(a) === fqdn(b);
}
