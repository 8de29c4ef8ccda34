/**
 * One small interface per traffic provider (VirtualService, HTTPRoute), in the manner of Flagger's pkg/router:
 * the canary service's state machine, requests, cards and sweep are one code path; only reading the object,
 * planning its weights, the fenced patch and the propagation proof differ per kind.
 */
import type { GatewayApiObjects } from '../../../kube/gateway-api.ts';
import type { IstioObjects, JsonPatchOp, KubeCallError, KubeObject } from '../../../kube/istio-objects.ts';
import { err, ok, type Result } from '../../../result.ts';
import { HTTP_ROUTE_WEIGHTS, VIRTUAL_SERVICE_WEIGHTS, gatewayRolloutRefs, rolloutRefs, type RolloutRef, type WeightsField } from '../ownership.ts';
import { percentOf, planWeights, type CanaryPlan, type PlanOptions } from '../plan.ts';
import { virtualServiceSchema, type VirtualService } from '../virtual-service.ts';
import { httpRouteRules, parseHttpRoute, planHttpRouteWeights, splitBackends, type GatewayHttpRoute } from './http-route.ts';

export const ROUTE_KINDS = ['VirtualService', 'HTTPRoute'] as const;
export type RouteKind = (typeof ROUTE_KINDS)[number];

/** DESIGN.md §5 `routes`: for an HTTPRoute `host` is the backend Service and `subset` null. */
export interface RouteView {
  readonly name: string | null;
  readonly destinations: readonly { readonly host: string; readonly subset: string | null; readonly weight: number }[];
}

export type TrafficObject = VirtualService | GatewayHttpRoute;

export interface TrafficProvider {
  readonly kind: RouteKind;
  /** `networking.istio.io`, `gateway.networking.k8s.io`: for audit Events. */
  readonly group: string;
  /** `kubectl get` resource name, for messages. */
  readonly resource: string;
  readonly weights: WeightsField;
  /** What a stable/canary destination is called: `subset` or `backend Service`. */
  readonly noun: string;
  get(namespace: string, name: string): Promise<Result<{ object: KubeObject; version: string }, KubeCallError>>;
  patch(namespace: string, name: string, version: string, ops: readonly JsonPatchOp[], options: { dryRun: boolean }): Promise<Result<KubeObject, KubeCallError>>;
  parse(object: unknown, namespace: string, name: string): Result<TrafficObject, string>;
  plan(object: TrafficObject, options: PlanOptions): Result<CanaryPlan, string>;
  routes(object: TrafficObject): RouteView[];
  /** The rules as stored (spec.http / spec.rules), for explaining a refused fence. */
  rules(object: unknown): readonly unknown[];
  /** A plan's `test` op path of rule `index`. */
  rulePath(index: number): string;
  /** The weight stored at a rule's destination, for reading back an unclear write. */
  weightAt(rule: unknown, position: number): unknown;
  /** Destinations of the object's weighted rules (for the rollback hint). */
  splitNames(object: TrafficObject): string[];
  rollouts(items: readonly unknown[]): RolloutRef[];
}

function specArray(object: unknown, field: string): readonly unknown[] {
  const spec = (object as { spec?: Record<string, unknown> } | null)?.spec;
  const value = spec?.[field];
  return Array.isArray(value) ? value : [];
}

function entryWeight(rule: unknown, field: string, position: number): unknown {
  const entries = (rule as Record<string, unknown> | null)?.[field];
  return Array.isArray(entries) ? (entries[position] as { weight?: unknown } | undefined)?.weight : undefined;
}

export function virtualServiceProvider(istio: IstioObjects): TrafficProvider {
  const asVs = (object: TrafficObject) => object as VirtualService;
  return {
    kind: 'VirtualService',
    group: 'networking.istio.io',
    resource: 'virtualservices',
    weights: VIRTUAL_SERVICE_WEIGHTS,
    noun: 'subset',
    get: (namespace, name) => istio.getVirtualService(namespace, name),
    patch: (namespace, name, version, ops, options) => istio.patchVirtualService(namespace, name, version, ops, options),
    parse(object, namespace, name) {
      const parsed = virtualServiceSchema.safeParse(object);
      return parsed.success ? ok(parsed.data) : err(`VirtualService ${namespace}/${name} has an unexpected shape (${parsed.error.issues[0]?.message ?? 'invalid'}).`);
    },
    plan: (object, options) => planWeights(asVs(object), options),
    routes: (object) =>
      (asVs(object).spec.http ?? []).map((route) => {
        const entries = route.route ?? [];
        const sum = entries.reduce((total, entry) => total + (entry.weight ?? 0), 0);
        // Istio sends a route's only destination everything, whatever its weight says (0 included), and several
        // their weight over the sum (Envoy's weighted clusters): 60 and 30 is 66.7 % / 33.3 %, as people read it.
        const share = (weight: number) => (entries.length === 1 ? 100 : sum === 100 || sum === 0 ? weight : percentOf(weight, sum));
        return {
          name: route.name ?? null,
          destinations: entries.map((entry) => ({ host: entry.destination.host, subset: entry.destination.subset ?? null, weight: share(entry.weight ?? 0) })),
        };
      }),
    rules: (object) => specArray(object, 'http'),
    rulePath: (index) => `/spec/http/${index}`,
    weightAt: (rule, position) => entryWeight(rule, 'route', position),
    splitNames: (object) => [...new Set((asVs(object).spec.http ?? []).flatMap((route) => ((route.route ?? []).length > 1 ? (route.route ?? []).map((entry) => entry.destination.subset ?? '') : [])).filter((subset) => subset !== ''))],
    rollouts: rolloutRefs,
  };
}

export function httpRouteProvider(gateway: GatewayApiObjects): TrafficProvider {
  const asRoute = (object: TrafficObject) => object as GatewayHttpRoute;
  return {
    kind: 'HTTPRoute',
    group: 'gateway.networking.k8s.io',
    resource: 'httproutes',
    weights: HTTP_ROUTE_WEIGHTS,
    noun: 'backend Service',
    get: (namespace, name) => gateway.getHttpRoute(namespace, name),
    patch: (namespace, name, version, ops, options) => gateway.patchHttpRoute(namespace, name, version, ops, options),
    parse: (object, namespace, name) => parseHttpRoute(object, namespace, name),
    plan: (object, options) => planHttpRouteWeights(asRoute(object), options),
    routes: (object) => httpRouteRules(asRoute(object)),
    rules: (object) => specArray(object, 'rules'),
    rulePath: (index) => `/spec/rules/${index}`,
    weightAt: (rule, position) => entryWeight(rule, 'backendRefs', position),
    splitNames: (object) => splitBackends(asRoute(object)),
    rollouts: gatewayRolloutRefs,
  };
}
