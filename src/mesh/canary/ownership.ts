import type { VirtualService } from './virtual-service.ts';

export interface Owner {
  readonly tool: 'Flagger' | 'Argo Rollouts' | 'Argo CD' | 'Flux' | 'field manager';
  /** What exactly says so, e.g. `Canary shop/reviews`. */
  readonly evidence: string;
  /** What the user should do instead of a direct weight change. */
  readonly advice: string;
}

/** An Argo Rollout as far as ownership goes: which VirtualServices its canary traffic routing edits. */
export interface RolloutRef {
  readonly name: string;
  readonly namespace: string;
  readonly virtualServices: readonly string[];
}

/** Controllers that rewrite spec.http when they see a foreign change (by their field manager names). */
const CONTROLLER_MANAGERS: ReadonlyArray<readonly [RegExp, Owner['tool']]> = [
  [/^flagger/, 'Flagger'],
  [/^(argo-rollouts|rollouts-controller)/, 'Argo Rollouts'],
  [/^argocd/, 'Argo CD'],
  [/^(kustomize-controller|helm-controller)$/, 'Flux'],
];

function ownsHttp(fields: unknown): boolean {
  if (fields === null || typeof fields !== 'object') return false;
  const spec = (fields as Record<string, unknown>)['f:spec'];
  return spec !== null && typeof spec === 'object' && 'f:http' in spec;
}

/**
 * Who else drives this VirtualService's weights. Direct patching is only safe when nobody does: these tools
 * revert or fight foreign edits (Flagger every analysis interval, Argo Rollouts at once, GitOps on sync).
 */
export function detectOwner(vs: VirtualService, rollouts: readonly RolloutRef[]): Owner | null {
  const { name } = vs.metadata;
  const namespace = vs.metadata.namespace ?? '';
  const labels = vs.metadata.labels ?? {};
  const annotations = vs.metadata.annotations ?? {};

  const canaryOwner = (vs.metadata.ownerReferences ?? []).find((reference) => reference.apiVersion.startsWith('flagger.app/'));
  if (canaryOwner || annotations['flagger.kubernetes.io/original-configuration'] !== undefined) {
    const canary = canaryOwner?.name ?? name;
    return {
      tool: 'Flagger',
      evidence: canaryOwner ? `Canary ${namespace}/${canary} owns it` : 'it carries the flagger.kubernetes.io/original-configuration annotation',
      advice: `Flagger rewrites these weights on every analysis run. Let the Canary ${namespace}/${canary} progress, or gate it with Flagger's confirm-promotion webhook.`,
    };
  }

  const rollout = rollouts.find((candidate) => candidate.namespace === namespace && candidate.virtualServices.includes(name));
  if (rollout) {
    return {
      tool: 'Argo Rollouts',
      evidence: `Rollout ${namespace}/${rollout.name} routes traffic through it`,
      advice: `Argo Rollouts reverts direct weight edits at once. Use \`kubectl argo rollouts promote ${rollout.name} -n ${namespace}\` (or \`abort\` to roll back).`,
    };
  }

  const argoApp = annotations['argocd.argoproj.io/tracking-id'] ?? labels['argocd.argoproj.io/instance'];
  if (argoApp !== undefined) {
    const app = argoApp.split(':')[0] ?? argoApp;
    return {
      tool: 'Argo CD',
      evidence: `Argo CD application ${app} tracks it`,
      advice: `Argo CD re-applies the weights from Git on sync. Change them in Git, or add an ignoreDifferences rule for /spec/http to application ${app} first.`,
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
    if (!ownsHttp(entry.fieldsV1)) continue;
    const controller = CONTROLLER_MANAGERS.find(([pattern]) => pattern.test(manager));
    if (controller || entry.operation === 'Apply') {
      return {
        tool: controller?.[1] ?? 'field manager',
        evidence: `field manager "${manager}" owns spec.http${entry.operation === 'Apply' ? ' (server-side apply)' : ''}`,
        advice: `"${manager}" applies spec.http and would revert or conflict with a direct edit. Change the weights where "${manager}" gets them from.`,
      };
    }
  }
  return null;
}

/** Rollout objects → which VirtualServices they edit (spec.strategy.canary.trafficRouting.istio). */
export function rolloutRefs(items: readonly unknown[]): RolloutRef[] {
  const refs: RolloutRef[] = [];
  for (const item of items) {
    const rollout = item as { metadata?: { name?: string; namespace?: string }; spec?: { strategy?: { canary?: { trafficRouting?: { istio?: { virtualService?: { name?: string }; virtualServices?: { name?: string }[] } } } } } };
    const istio = rollout.spec?.strategy?.canary?.trafficRouting?.istio;
    const names = [istio?.virtualService?.name, ...(istio?.virtualServices ?? []).map((vs) => vs.name)].filter((value): value is string => typeof value === 'string');
    if (rollout.metadata?.name && names.length > 0) refs.push({ name: rollout.metadata.name, namespace: rollout.metadata.namespace ?? '', virtualServices: names });
  }
  return refs;
}
