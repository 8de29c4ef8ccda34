import { randomBytes } from 'node:crypto';
import { z } from 'zod';

/**
 * `cancelled`: ended without a decision: its card could not be posted, its replica died before asking, or a
 * rollback made its plan obsolete.
 */
export const REQUEST_STATES = ['pending', 'approved', 'rejected', 'expired', 'applied', 'failed', 'cancelled'] as const;
export type RequestState = (typeof REQUEST_STATES)[number];
export const TERMINAL_STATES: readonly RequestState[] = ['rejected', 'expired', 'applied', 'failed', 'cancelled'];

const weighted = z.object({ host: z.string(), subset: z.string(), weight: z.number() });

export const propagationSchema = z.object({
  total: z.number(),
  inSync: z.number(),
  stale: z.array(z.string()),
  seconds: z.number(),
  complete: z.boolean(),
  error: z.string().nullable(),
  /** What was counted: proxies in sync (VirtualService), or the HTTPRoute's parents accepting it. Absent: proxies. */
  of: z.enum(['proxies', 'parents']).optional(),
  /**
   * An HTTPRoute in ambient: each waypoint serving it and its pods SYNCED after the write (`complete` needs every
   * one). Empty: no waypoint serves the route (an ingress Gateway, a sidecar mesh route). Absent: not checked (a
   * VirtualService, parents not accepted by the deadline, an error, or a record from before waypoints were checked).
   */
  waypoints: z
    .array(z.object({ namespace: z.string(), name: z.string(), via: z.string(), pods: z.number(), synced: z.number(), pending: z.array(z.string()) }))
    .optional(),
});
export type Propagation = z.output<typeof propagationSchema>;

export const planRecordSchema = z.object({
  host: z.string(),
  stableSubset: z.string(),
  canarySubset: z.string(),
  currentWeight: z.number(),
  targetWeight: z.number(),
  resourceVersion: z.string(),
  changes: z.array(z.object({ index: z.number(), name: z.string().nullable(), before: z.array(weighted), after: z.array(weighted), readRoute: z.array(z.unknown()) })),
  patch: z.array(z.object({ op: z.enum(['test', 'add', 'replace', 'remove']), path: z.string(), value: z.unknown().optional() })),
});
export type PlanRecord = z.output<typeof planRecordSchema>;

export const promotionRequestSchema = z.object({
  id: z.string(),
  cluster: z.string(),
  namespace: z.string(),
  /** The route's name (a VirtualService, or the HTTPRoute `kind` says). */
  virtualService: z.string(),
  /** Absent: a VirtualService (every request before HTTPRoutes). */
  kind: z.enum(['VirtualService', 'HTTPRoute']).optional(),
  /** networking.istio.io (gateway.networking.k8s.io for an HTTPRoute) version the mesh serves (v1, v1beta1, v1alpha3). */
  apiVersion: z.string(),
  requester: z.string(),
  requestChannel: z.string(),
  requestedAt: z.string(),
  expiresAt: z.string(),
  state: z.enum(REQUEST_STATES),
  card: z.object({ channel: z.string(), ts: z.string() }).nullable(),
  decidedBy: z.string().nullable(),
  decidedAt: z.string().nullable(),
  plan: planRecordSchema,
  preflight: z.object({ notes: z.array(z.string()) }),
  outcome: z
    .object({ message: z.string(), appliedAt: z.string().nullable(), propagation: propagationSchema.nullable() })
    .nullable(),
  rolledBack: z.object({ by: z.string(), at: z.string(), message: z.string() }).nullable(),
  /** A later promotion of the same VirtualService was applied: this card's weights are history. */
  supersededBy: z.object({ id: z.string(), at: z.string() }).nullable().optional(),
  /**
   * The VirtualService also split other services' subsets when this was asked (an ingress one for reviews and
   * ratings): its Event names the service. Absent: it did not, or the request predates `--host`.
   */
  otherServices: z.boolean().optional(),
  /** `cardKey` of what the card last showed; the sweep re-renders a card whose key lags. Absent: not tracked. */
  cardShows: z.string().nullable().optional(),
});
export type PromotionRequest = z.output<typeof promotionRequestSchema>;

export const lockSchema = z.object({ requestId: z.string(), since: z.string() });

export function newRequestId(): string {
  return `pr-${randomBytes(6).toString('hex')}`;
}

export const REQUEST_ID = /^pr-[0-9a-f]{12}$/;

/** The card's Roll back button stays this long after a promotion was applied. */
export const ROLLBACK_WINDOW_MS = 15 * 60_000;

/** Everything that changes what the card shows: when it differs from `cardShows`, the card is stale. */
export function cardKey(request: PromotionRequest, now: Date): string {
  const appliedAt = request.outcome?.appliedAt ? Date.parse(request.outcome.appliedAt) : null;
  const rollbackOpen = request.state === 'applied' && appliedAt !== null && now.getTime() - appliedAt < ROLLBACK_WINDOW_MS;
  const pendingOpen = request.state === 'pending' && !isExpired(request, now);
  return [
    request.state,
    pendingOpen ? 'open' : '',
    request.outcome?.propagation ? 'proven' : '',
    request.outcome && request.state === 'approved' ? 'unclear' : '',
    rollbackOpen ? 'rollback' : '',
    request.rolledBack ? 'rolled-back' : '',
    request.supersededBy ? 'superseded' : '',
  ].join('|');
}

export function isExpired(request: PromotionRequest, now: Date): boolean {
  return request.state === 'pending' && Date.parse(request.expiresAt) <= now.getTime();
}

/** "v1 90% / v2 10%" — the split as people read it, stable first. */
export function describeSplit(destinations: readonly { subset: string; weight: number }[], stableSubset: string): string {
  const ordered = [...destinations].sort((a, b) => (a.subset === stableSubset ? -1 : b.subset === stableSubset ? 1 : 0));
  return ordered.map((destination) => `${destination.subset} ${destination.weight}%`).join(' / ');
}

type Split = readonly { readonly subset: string; readonly weight: number }[];

type ChangedRoutes = { readonly stableSubset: string; readonly changes: readonly { readonly index: number; readonly name?: string | null | undefined; readonly before: Split; readonly after: Split }[] };

/**
 * "v1 90% / v2 10% → v1 50% / v2 50%" of a plan or a stored request's plan: its first changed route, and how many
 * more it changes (their weights may differ: `describeChanges` lists them), so a one-line summary never hides them.
 */
export function weightChange(plan: ChangedRoutes, kind?: string): string {
  const first = plan.changes[0];
  if (!first) return '';
  const more = plan.changes.length - 1;
  const noun = kind === 'HTTPRoute' ? 'rule' : 'route';
  return `${describeSplit(first.before, plan.stableSubset)} → ${describeSplit(first.after, plan.stableSubset)}${more > 0 ? ` (and ${more} more ${noun}${more === 1 ? '' : 's'})` : ''}`;
}

/** One side of every changed route, one per line and named when there are several ("jason: v1 90% / v2 10%"). */
export function describeChanges(plan: ChangedRoutes, side: 'before' | 'after'): string {
  if (plan.changes.length === 1) return describeSplit(plan.changes[0]?.[side] ?? [], plan.stableSubset);
  return plan.changes.map((change) => `${change.name ?? `#${change.index + 1}`}: ${describeSplit(change[side], plan.stableSubset)}`).join('\n');
}
