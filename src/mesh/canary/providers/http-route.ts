import { z } from 'zod';
import { err, ok, type Result } from '../../../result.ts';
import { routeMetadataSchema } from '../virtual-service.ts';
import { planSplits, pointer, ruleLabel, type CanaryPlan, type PlanOptions, type Split, type SplitLayout, type Unshiftable, type WeightedDestination } from '../plan.ts';

/** The parts of a Gateway API HTTPRoute that canary promotion reads; everything else passes through untouched. */
export const backendRefSchema = z.looseObject({
  name: z.string(),
  group: z.string().optional(),
  kind: z.string().optional(),
  namespace: z.string().optional(),
  port: z.number().int().optional(),
  weight: z.number().int().optional(),
});

export const httpRouteRuleSchema = z.looseObject({
  name: z.string().optional(),
  backendRefs: z.array(backendRefSchema).optional(),
});

/** Where a route attaches: a Gateway (ingress, or an ambient waypoint) or, GAMMA, a Service of the mesh. */
export const parentRefSchema = z.looseObject({ name: z.string(), kind: z.string().optional(), group: z.string().optional(), namespace: z.string().optional() });
export type ParentRef = z.output<typeof parentRefSchema>;

const conditionSchema = z.looseObject({ type: z.string(), status: z.string(), observedGeneration: z.number().optional(), reason: z.string().optional(), message: z.string().optional() });

export const gatewayHttpRouteSchema = z.looseObject({
  metadata: routeMetadataSchema,
  spec: z.looseObject({
    parentRefs: z.array(parentRefSchema).optional(),
    rules: z.array(httpRouteRuleSchema).optional(),
  }),
  status: z
    .looseObject({
      parents: z.array(z.looseObject({ parentRef: z.looseObject({ name: z.string(), kind: z.string().optional(), namespace: z.string().optional() }), conditions: z.array(conditionSchema).optional() })).optional(),
    })
    .optional(),
});

export type GatewayHttpRoute = z.output<typeof gatewayHttpRouteSchema>;
export type HttpRouteRule = z.output<typeof httpRouteRuleSchema>;

const HTTP_ROUTE_LAYOUT: SplitLayout = {
  kind: 'HTTPRoute',
  noun: 'backend',
  rulePath: (index) => pointer('spec', 'rules', index),
  weightPath: (index, position) => pointer('spec', 'rules', index, 'backendRefs', position, 'weight'),
  relative: true,
  // Where the route attaches (a Gateway, a waypoint, a Service of the mesh) and which Host headers it matches.
  scope: ['parentRefs', 'hostnames'],
};

/** Gateway API: an absent backendRef weight is 1 (HTTPBackendRef.weight default), whatever the number of backends. */
function storedWeights(rule: HttpRouteRule): WeightedDestination[] {
  return (rule.backendRefs ?? []).map((ref) => ({ host: ref.name, subset: ref.name, weight: ref.weight ?? 1 }));
}

function isService(ref: z.output<typeof backendRefSchema>): boolean {
  return (ref.group ?? '') === '' && (ref.kind ?? 'Service') === 'Service';
}

/**
 * The HTTPRoute counterpart of `planWeights`: the stable and canary are two backend Services of a rule, and the
 * weights are relative (shown and planned as percentages of their sum; written as percentages, a valid proportion).
 */
export function planHttpRouteWeights(route: GatewayHttpRoute, options: PlanOptions): Result<CanaryPlan, string> {
  const name = route.metadata.name;
  if (options.host !== undefined) return err(`--host chooses among the services whose subsets a VirtualService splits; the backends of HTTPRoute ${name} are Services already, so name the canary with --subset or the stable with --to`);
  const rules = route.spec.rules ?? [];
  if (rules.length === 0) return err(`HTTPRoute ${name} has no rules, so there are no weights to shift`);
  const splits: Split[] = [];
  const unshiftable: Unshiftable[] = [];
  for (const [index, rule] of rules.entries()) {
    const refs = rule.backendRefs ?? [];
    if (refs.length < 2) continue;
    const reason = unshiftableRule(name, route.metadata.namespace ?? '', ruleLabel({ index, name: rule.name }, 'HTTPRoute'), refs);
    if (reason !== undefined) {
      unshiftable.push({ reason, destinations: refs.map((ref) => ({ subset: ref.name })) });
      continue;
    }
    splits.push({ index, name: rule.name, rule, entries: refs, destinations: storedWeights(rule) });
  }
  if (splits.length === 0) {
    return err(unshiftable[0]?.reason ?? `HTTPRoute ${name} has no rule that splits traffic between two backend Services; add the canary Service as a second backendRef with weight 0 first`);
  }
  return planSplits(name, route.metadata.resourceVersion ?? '', route.spec, splits, HTTP_ROUTE_LAYOUT, options, unshiftable);
}

/** Why a rule with several backends cannot be shifted (three of them, one that is no Service, one Service twice), if it cannot. */
function unshiftableRule(name: string, namespace: string, label: string, refs: readonly z.output<typeof backendRefSchema>[]): string | undefined {
  if (refs.length > 2) return `${label} of HTTPRoute ${name} splits traffic across ${refs.length} backends; mesh-bot only shifts two-way splits (stable and canary)`;
  const foreign = refs.find((ref) => !isService(ref));
  if (foreign) return `${label} of HTTPRoute ${name} sends traffic to ${foreign.kind ?? 'Service'} ${foreign.name}${foreign.group ? ` (group ${foreign.group})` : ''}; mesh-bot only shifts weights between two Services`;
  const [a, b] = refs as [z.output<typeof backendRefSchema>, z.output<typeof backendRefSchema>];
  if (a.name !== b.name) return undefined;
  const where = (a.namespace ?? '') === (b.namespace ?? '') ? '' : ` (in ${a.namespace ?? namespace} and ${b.namespace ?? namespace})`;
  return `${label} of HTTPRoute ${name} names Service ${a.name} twice${where}; stable and canary must be Services with different names, as --subset and --to name them`;
}

export interface RuleView {
  readonly name: string | null;
  readonly destinations: readonly { readonly host: string; readonly subset: null; readonly weight: number }[];
}

/** Every rule with its backend Services and their share in percent (DESIGN.md §5: host = Service, subset null). */
export function httpRouteRules(route: GatewayHttpRoute): RuleView[] {
  return (route.spec.rules ?? []).map((rule) => {
    const stored = storedWeights(rule);
    const sum = stored.reduce((total, destination) => total + destination.weight, 0);
    return {
      name: rule.name ?? null,
      destinations: stored.map((destination) => ({ host: destination.host, subset: null, weight: sum === 0 ? 0 : Math.round((destination.weight * 1000) / sum) / 10 })),
    };
  });
}

/** The backend Services a rule splits between (candidates for `--to`/`--subset` in messages). */
export function splitBackends(route: GatewayHttpRoute): string[] {
  return [...new Set(splitBackendRefs(route).map((ref) => ref.name))];
}

/**
 * Those backend Services with their namespace: a backendRef's own (cross-namespace, under a ReferenceGrant), else the
 * route's. A ServiceImport or another kind is no Service: reading a Service of its name would call it missing.
 */
export function splitBackendRefs(route: GatewayHttpRoute): { readonly name: string; readonly namespace: string }[] {
  const seen = new Set<string>();
  return (route.spec.rules ?? [])
    .flatMap((rule) => ((rule.backendRefs ?? []).length > 1 ? (rule.backendRefs ?? []) : []))
    .filter(isService)
    .map((ref) => ({ name: ref.name, namespace: ref.namespace ?? route.metadata.namespace ?? '' }))
    .filter((ref) => {
      const key = `${ref.namespace}/${ref.name}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
}

export interface ParentAcceptance {
  /** Parents (Gateways, or the Service of a mesh route) that report on the route. */
  readonly total: number;
  /** Parents that accepted the given generation with every backend resolved. */
  readonly accepted: number;
  /** `Gateway istio-system/gateway: ResolvedRefs False (BackendNotFound)` for the others. */
  readonly pending: readonly string[];
}

/**
 * Whether every parent accepted the route as of `generation`: Accepted and ResolvedRefs True with an
 * observedGeneration at least that generation (an older observedGeneration speaks of the spec before the write).
 */
export function parentAcceptance(route: GatewayHttpRoute, generation: number): ParentAcceptance {
  const parents = route.status?.parents ?? [];
  const pending: string[] = [];
  for (const parent of parents) {
    const ref = parent.parentRef;
    const label = `${ref.kind ?? 'Gateway'} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}`;
    const problems = ['Accepted', 'ResolvedRefs'].flatMap((type) => {
      const condition = (parent.conditions ?? []).find((candidate) => candidate.type === type);
      if (!condition) return [`${type} not reported yet`];
      if ((condition.observedGeneration ?? 0) < generation) return [`${type} not observed for generation ${generation} yet`];
      return condition.status === 'True' ? [] : [`${type} ${condition.status}${condition.reason ? ` (${condition.reason})` : ''}`];
    });
    if (problems.length > 0) pending.push(`${label}: ${problems.join(', ')}`);
  }
  return { total: parents.length, accepted: parents.length - pending.length, pending };
}

/**
 * Parents that report, for the route's current generation, that they cannot resolve its backendRefs (a Service in
 * another namespace without a ReferenceGrant, a missing Service): Gateway API answers the share sent to such a
 * backend with 500s, however many pods run behind it. One line per parent, with its reason and message.
 */
export function unresolvedBackends(route: GatewayHttpRoute): string[] {
  const generation = route.metadata.generation ?? 0;
  return (route.status?.parents ?? []).flatMap((parent) => {
    const condition = (parent.conditions ?? []).find((candidate) => candidate.type === 'ResolvedRefs');
    if (condition?.status !== 'False' || (condition.observedGeneration ?? 0) < generation) return [];
    const ref = parent.parentRef;
    return [`${ref.kind ?? 'Gateway'} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}: ResolvedRefs False${condition.reason ? ` (${condition.reason})` : ''}${condition.message ? `: ${condition.message}` : ''}`];
  });
}

/**
 * Parents that report, for the route's current generation, that they did not accept it (`Accepted False`: their
 * listeners do not allow the route's namespace, no hostname matches, …): Istio programs none of its rules there.
 * `parent` names the parent, `why` the condition, its reason and message.
 */
export function rejectingParents(route: GatewayHttpRoute): { readonly parent: string; readonly why: string }[] {
  const generation = route.metadata.generation ?? 0;
  return (route.status?.parents ?? []).flatMap((parent) => {
    const condition = (parent.conditions ?? []).find((candidate) => candidate.type === 'Accepted');
    if (condition?.status !== 'False' || (condition.observedGeneration ?? 0) < generation) return [];
    const ref = parent.parentRef;
    return [{ parent: `${ref.kind ?? 'Gateway'} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}`, why: `Accepted False${condition.reason ? ` (${condition.reason})` : ''}${condition.message ? `: ${condition.message}` : ''}` }];
  });
}

export function parseHttpRoute(object: unknown, namespace: string, name: string): Result<GatewayHttpRoute, string> {
  const parsed = gatewayHttpRouteSchema.safeParse(object);
  return parsed.success ? ok(parsed.data) : err(`HTTPRoute ${namespace}/${name} has an unexpected shape (${parsed.error.issues[0]?.message ?? 'invalid'}).`);
}
