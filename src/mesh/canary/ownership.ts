import { z } from 'zod';
import type { VirtualService } from './virtual-service.ts';

export interface Owner {
  /** The tool, or for a route another controller generates the kind of its controlling object (`InferenceService`). */
  readonly tool: 'Flagger' | 'Argo Rollouts' | 'Argo CD' | 'Flux' | 'field manager' | (string & {});
  /** What exactly says so, e.g. `Canary shop/reviews`. */
  readonly evidence: string;
  /** What the user should do instead of a direct weight change. */
  readonly advice: string;
}

/** An Argo Rollout as far as ownership goes: which routes (VirtualServices or HTTPRoutes) its canary traffic routing edits. */
export interface RolloutRef {
  readonly name: string;
  readonly namespace: string;
  /** Namespace of the routes it edits (the Gateway API plugin's `namespace`, else the Rollout's). */
  readonly routeNamespace?: string | undefined;
  readonly routes: readonly string[];
  /** Label the Gateway API plugin puts on a route while it shifts weights (key and value can be overridden per Rollout). */
  readonly inProgressLabel?: { readonly key: string; readonly value: string } | undefined;
  /** `httpRouteSelector.matchLabels`: routes found by label instead of by name. */
  readonly routeSelector?: Readonly<Record<string, string>> | undefined;
}

/** What owner detection reads of a route object. */
export interface OwnedObject {
  readonly metadata: Pick<VirtualService['metadata'], 'name' | 'namespace' | 'labels' | 'annotations' | 'ownerReferences' | 'managedFields'>;
}

/** Which spec field holds the weights, in managedFields notation and as people read it. */
export interface WeightsField {
  readonly kind: 'VirtualService' | 'HTTPRoute';
  readonly managed: 'f:http' | 'f:rules';
  readonly path: string;
}

export const VIRTUAL_SERVICE_WEIGHTS: WeightsField = { kind: 'VirtualService', managed: 'f:http', path: 'spec.http' };
export const HTTP_ROUTE_WEIGHTS: WeightsField = { kind: 'HTTPRoute', managed: 'f:rules', path: 'spec.rules' };

/** The Argo Rollouts Gateway API plugin's default in-progress label (plugin `internal/defaults`). */
export const ARGO_GATEWAY_API_LABEL = { key: 'rollouts.argoproj.io/gatewayapi-canary', value: 'in-progress' } as const;
const ARGO_GATEWAY_API_PLUGIN = 'argoproj-labs/gatewayAPI';

/** Controllers that rewrite spec.http when they see a foreign change (by their field manager names). */
const CONTROLLER_MANAGERS: ReadonlyArray<readonly [RegExp, Owner['tool']]> = [
  [/^flagger/, 'Flagger'],
  [/^(argo-rollouts|rollouts-controller)/, 'Argo Rollouts'],
  [/^argocd/, 'Argo CD'],
  [/^(kustomize-controller|helm-controller)$/, 'Flux'],
];

function ownsWeights(fields: unknown, managed: WeightsField['managed']): boolean {
  if (fields === null || typeof fields !== 'object') return false;
  const spec = (fields as Record<string, unknown>)['f:spec'];
  return spec !== null && typeof spec === 'object' && managed in spec;
}

function rolloutFor(object: OwnedObject, rollouts: readonly RolloutRef[]): RolloutRef | undefined {
  const { name } = object.metadata;
  const namespace = object.metadata.namespace ?? '';
  const labels = object.metadata.labels ?? {};
  return rollouts.find((candidate) => {
    if ((candidate.routeNamespace ?? candidate.namespace) !== namespace) return false;
    if (candidate.routes.includes(name)) return true;
    const selector = candidate.routeSelector;
    return selector !== undefined && Object.keys(selector).length > 0 && Object.entries(selector).every(([key, value]) => labels[key] === value);
  });
}

/**
 * Who else drives this VirtualService's weights. Direct patching is only safe when nobody does: these tools
 * revert or fight foreign edits (Flagger every analysis interval, Argo Rollouts at once, GitOps on sync).
 */
export function detectOwner(vs: OwnedObject, rollouts: readonly RolloutRef[], field: WeightsField = VIRTUAL_SERVICE_WEIGHTS): Owner | null {
  const { name } = vs.metadata;
  const namespace = vs.metadata.namespace ?? '';
  const labels = vs.metadata.labels ?? {};
  const annotations = vs.metadata.annotations ?? {};

  // Flagger's ownerReference is a controller ref to its Canary (flagger.app/v1beta1, kind Canary).
  const canaryOwner = (vs.metadata.ownerReferences ?? []).find((reference) => reference.apiVersion.startsWith('flagger.app/'));
  if (canaryOwner || annotations['flagger.kubernetes.io/original-configuration'] !== undefined) {
    const canary = canaryOwner?.name ?? name;
    return {
      tool: 'Flagger',
      evidence: canaryOwner ? `Canary ${namespace}/${canary} owns it` : 'it carries the flagger.kubernetes.io/original-configuration annotation',
      advice: `Flagger rewrites these weights on every analysis run. Let the Canary ${namespace}/${canary} progress, or gate it with Flagger's confirm-promotion webhook.`,
    };
  }

  // Any other controller ownerReference: the route is generated from that object (KServe's InferenceService, a
  // Knative Ingress, …), and its controller puts its own weights back on the next reconcile.
  const controller = (vs.metadata.ownerReferences ?? []).find((reference) => reference.controller === true);
  if (controller) {
    const group = controller.apiVersion.includes('/') ? controller.apiVersion.slice(0, controller.apiVersion.indexOf('/')) : 'core';
    return {
      tool: controller.kind,
      evidence: `controller ownerReference to ${group} ${controller.kind} ${namespace}/${controller.name}`,
      advice: `The ${controller.kind}'s controller rewrites this route from it: change the traffic split in ${controller.kind} ${namespace}/${controller.name} instead.`,
    };
  }

  const rollout = rolloutFor(vs, rollouts);
  if (rollout) {
    return {
      tool: 'Argo Rollouts',
      evidence: `Rollout ${rollout.namespace}/${rollout.name} routes traffic through it`,
      advice: `Argo Rollouts reverts direct weight edits at once. Use \`kubectl argo rollouts promote ${rollout.name} -n ${rollout.namespace}\` (or \`abort\` to roll back).`,
    };
  }

  // The plugin sets no ownerReference; while it shifts weights it labels the route (key/value overridable per Rollout).
  const inProgress = [ARGO_GATEWAY_API_LABEL, ...rollouts.flatMap((candidate) => (candidate.inProgressLabel ? [candidate.inProgressLabel] : []))].find((label) => labels[label.key] === label.value);
  if (field.kind === 'HTTPRoute' && inProgress) {
    return {
      tool: 'Argo Rollouts',
      evidence: `the Argo Rollouts Gateway API plugin is shifting its weights (label ${inProgress.key}=${inProgress.value})`,
      advice: `Argo Rollouts reverts direct weight edits at once. Find the Rollout (\`kubectl argo rollouts list rollouts -n ${namespace}\`) and use \`kubectl argo rollouts promote ROLLOUT -n ${namespace}\` (or \`abort\` to roll back).`,
    };
  }

  const argoApp = annotations['argocd.argoproj.io/tracking-id'] ?? labels['argocd.argoproj.io/instance'];
  if (argoApp !== undefined) {
    const app = argoApp.split(':')[0] ?? argoApp;
    return {
      tool: 'Argo CD',
      evidence: `Argo CD application ${app} tracks it`,
      advice: `Argo CD re-applies the weights from Git on sync. Change them in Git, or add an ignoreDifferences rule for /${field.path.replace('.', '/')} to application ${app} first.`,
    };
  }

  const fluxName = labels['kustomize.toolkit.fluxcd.io/name'] ?? labels['helm.toolkit.fluxcd.io/name'];
  if (fluxName !== undefined) {
    const fluxNamespace = labels['kustomize.toolkit.fluxcd.io/namespace'] ?? labels['helm.toolkit.fluxcd.io/namespace'] ?? 'flux-system';
    const kind = labels['kustomize.toolkit.fluxcd.io/name'] !== undefined ? 'Kustomization' : 'HelmRelease';
    return {
      tool: 'Flux',
      evidence: `Flux ${kind} ${fluxNamespace}/${fluxName} applies it`,
      advice: `Flux re-applies the weights from Git. Change them in Git, or \`flux suspend ${kind.toLowerCase()} ${fluxName} -n ${fluxNamespace}\` during the rollout.`,
    };
  }

  for (const entry of vs.metadata.managedFields ?? []) {
    const manager = entry.manager ?? '';
    if (!ownsWeights(entry.fieldsV1, field.managed)) continue;
    const controller = CONTROLLER_MANAGERS.find(([pattern]) => pattern.test(manager));
    if (controller || entry.operation === 'Apply') {
      return {
        tool: controller?.[1] ?? 'field manager',
        evidence: `field manager "${manager}" owns ${field.path}${entry.operation === 'Apply' ? ' (server-side apply)' : ''}`,
        advice: `"${manager}" applies ${field.path} and would revert or conflict with a direct edit. Change the weights where "${manager}" gets them from.`,
      };
    }
  }
  return null;
}

/**
 * Rollout objects → which VirtualServices they edit (spec.strategy.canary.trafficRouting.istio). Argo Rollouts reads
 * a name `reviews.shop` as VirtualService `reviews` in namespace `shop` (utils/istio GetVirtualServiceNamespaceName
 * splits at every dot: field 0 is the name, field 1 the namespace, the rest is ignored, so
 * `reviews.shop.svc.cluster.local` is shop/reviews too); a plain name is in the Rollout's namespace.
 */
export function rolloutRefs(items: readonly unknown[]): RolloutRef[] {
  const refs: RolloutRef[] = [];
  for (const item of items) {
    const rollout = item as { metadata?: { name?: string; namespace?: string }; spec?: { strategy?: { canary?: { trafficRouting?: { istio?: { virtualService?: { name?: string }; virtualServices?: { name?: string }[] } } } } } };
    const istio = rollout.spec?.strategy?.canary?.trafficRouting?.istio;
    const names = [istio?.virtualService?.name, ...(istio?.virtualServices ?? []).map((vs) => vs.name)].filter((value): value is string => typeof value === 'string');
    const name = rollout.metadata?.name;
    if (!name) continue;
    const namespace = rollout.metadata?.namespace ?? '';
    for (const reference of names) {
      const [route = reference, routeNamespace] = reference.split('.');
      refs.push(routeNamespace === undefined ? { name, namespace, routes: [reference] } : { name, namespace, routeNamespace, routes: [route] });
    }
  }
  return refs;
}

const gatewayPluginSchema = z.looseObject({
  httpRoute: z.string().optional(),
  httpRoutes: z.array(z.looseObject({ name: z.string() })).optional(),
  namespace: z.string().optional(),
  httpRouteSelector: z.looseObject({ matchLabels: z.record(z.string(), z.string()).optional() }).optional(),
  disableInProgressLabel: z.boolean().optional(),
  inProgressLabelKey: z.string().optional(),
  inProgressLabelValue: z.string().optional(),
});

/** Rollout objects → which HTTPRoutes the Gateway API plugin edits (spec.strategy.canary.trafficRouting.plugins). */
export function gatewayRolloutRefs(items: readonly unknown[]): RolloutRef[] {
  const refs: RolloutRef[] = [];
  for (const item of items) {
    const rollout = item as { metadata?: { name?: string; namespace?: string }; spec?: { strategy?: { canary?: { trafficRouting?: { plugins?: Record<string, unknown> } } } } };
    const parsed = gatewayPluginSchema.safeParse(rollout.spec?.strategy?.canary?.trafficRouting?.plugins?.[ARGO_GATEWAY_API_PLUGIN]);
    if (!rollout.metadata?.name || !parsed.success) continue;
    const plugin = parsed.data;
    const names = [plugin.httpRoute, ...(plugin.httpRoutes ?? []).map((route) => route.name)].filter((value): value is string => typeof value === 'string');
    const selector = plugin.httpRouteSelector?.matchLabels;
    if (names.length === 0 && selector === undefined) continue;
    const customLabel = plugin.disableInProgressLabel || (plugin.inProgressLabelKey === undefined && plugin.inProgressLabelValue === undefined)
      ? undefined
      : { key: plugin.inProgressLabelKey ?? ARGO_GATEWAY_API_LABEL.key, value: plugin.inProgressLabelValue ?? ARGO_GATEWAY_API_LABEL.value };
    refs.push({ name: rollout.metadata.name, namespace: rollout.metadata.namespace ?? '', routeNamespace: plugin.namespace, routes: names, inProgressLabel: customLabel, routeSelector: selector });
  }
  return refs;
}
