/**
 * The sandbox's stand-in for istiod's Gateway API controller: when an HTTPRoute's spec changes (a new
 * metadata.generation), it reports the route's parents Accepted and ResolvedRefs again for that generation, as
 * istiod does within moments of a valid change. Without it nothing would ever acknowledge a promotion of the demo's
 * HTTPRoute canary, and its card would wait for a proof no controller gives. The fake API has no watch, so it polls.
 */
import type { FakeKubeApi, KubeObject } from './kube-api.ts';

const GATEWAY_API = 'gateway.networking.k8s.io/v1';

interface Condition {
  type: string;
  status: string;
  observedGeneration?: number;
  lastTransitionTime?: string;
}
interface ParentStatus {
  conditions?: Condition[];
}

/** The route with every parent condition observed at its current generation, or null when it already is. */
export function acknowledged(route: KubeObject, now: Date): KubeObject | null {
  const generation = route.metadata?.generation ?? 1;
  const parents = ((route['status'] as { parents?: ParentStatus[] } | undefined)?.parents ?? []);
  const stale = parents.some((parent) => (parent.conditions ?? []).some((condition) => (condition.observedGeneration ?? 0) < generation));
  if (!stale) return null;
  const time = now.toISOString().replace(/\.\d{3}Z$/, 'Z');
  const status = {
    ...(route['status'] as object),
    parents: parents.map((parent) => ({ ...parent, conditions: (parent.conditions ?? []).map((condition) => ({ ...condition, observedGeneration: generation, lastTransitionTime: time })) })),
  };
  return { ...route, status };
}

export function startRouteStatusController(kube: FakeKubeApi, intervalMs = 500): { close(): Promise<void> } {
  const timer = setInterval(() => {
    for (const route of kube.list(GATEWAY_API, 'HTTPRoute')) {
      const next = acknowledged(route, new Date());
      if (next) kube.put({ ...next, apiVersion: GATEWAY_API, kind: 'HTTPRoute' });
    }
  }, intervalMs);
  timer.unref();
  return { close: async () => clearInterval(timer) };
}
