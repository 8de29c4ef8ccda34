// The JSON fields DESIGN.md §5 names, as zod schemas: the stable part a script may rely on. More fields may be
// added (passthrough); every named one must be there with its documented type on every path.
import { z } from 'zod';

const count = z.number().int().nonnegative();
const iso = z.string().refine((value) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(value) && !Number.isNaN(Date.parse(value)), 'an ISO 8601 time');

/** every command: command, cluster, asOf (ISO 8601), errors (array of strings). */
export const envelope = z.object({ command: z.string().min(1), cluster: z.string(), asOf: iso, errors: z.array(z.string()) });

export const status = envelope.extend({
  proxies: z.object({
    total: count,
    healthy: count,
    stale: count,
    error: count,
    byVersion: z.record(z.string(), count),
    problems: z.array(z.object({ name: z.string(), cluster: z.string().nullable(), istiod: z.string().nullable(), states: z.record(z.string(), z.string()) })),
    byKind: z.object({ sidecar: count, waypoint: count, ztunnel: count, gateway: count }),
  }).nullable(),
  controlPlane: z.object({ istiods: z.array(z.object({ name: z.string(), ready: z.boolean(), version: z.string().nullable() })) }),
  ambient: z.object({ ztunnels: z.object({ desired: count, ready: count }) }).nullable(),
});

export const analyze = envelope.extend({
  findings: z.object({
    total: count,
    byLevel: z.object({ Error: count, Warning: count, Info: count }),
    byCode: z.record(z.string(), count),
    items: z.array(z.object({ code: z.string(), level: z.enum(['Error', 'Warning', 'Info']), message: z.string(), origin: z.string() })),
  }).nullable(),
});

export const certificate = z.object({
  name: z.string(),
  type: z.string(),
  status: z.string(),
  valid: z.boolean().nullable(),
  serial: z.string().nullable(),
  notAfter: iso.nullable(),
  daysRemaining: z.number().int().nullable(),
});

export const proxyConfigSecret = envelope.extend({ certificates: z.array(certificate).nullable() });

const destination = z.object({ host: z.string(), subset: z.string().nullable(), weight: z.number() });
export const canary = envelope.extend({
  kind: z.enum(['VirtualService', 'HTTPRoute']).nullable(),
  routes: z.array(z.object({ name: z.string().nullable(), destinations: z.array(destination) })).nullable(),
});

export const ztunnelWorkloads = envelope.extend({
  workloads: z.array(z.object({ namespace: z.string(), pod: z.string(), node: z.string().nullable(), protocol: z.string(), waypoint: z.string().nullable(), captured: z.boolean() })).nullable(),
  notCaptured: count.nullable(),
});

export const ztunnelCertificates = envelope.extend({ certificates: z.array(certificate).nullable() });

export const waypoint = envelope.extend({
  waypoints: z.array(z.object({ namespace: z.string(), name: z.string(), programmed: z.boolean().nullable(), trafficType: z.string().nullable() })).nullable(),
});

/** The problems zod finds, one line each (path: message), or none. */
export function violations(schema: z.ZodType, value: unknown): string[] {
  const parsed = schema.safeParse(value);
  return parsed.success ? [] : parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
}
