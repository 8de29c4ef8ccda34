import { defineCommand, type CommandDeps, type CommandResult } from '../src/command.ts';
import type { ClusterConfig } from '../src/config.ts';
import { CLUSTER_FLAG, NAMESPACE_FLAG, parseArgs } from '../src/grammar.ts';
import type { IstiodPod } from '../src/kube/control-plane.ts';
import { listIstiods } from '../src/kube/control-plane.ts';
import { summarizeStatus, type StatusSummary } from '../src/mesh/status.ts';
import { err, ok } from '../src/result.ts';
import { renderStatusJson, renderStatusSlack, renderStatusText } from './status.render.ts';

export interface StatusArgs {
  readonly namespace: string | undefined;
  readonly cluster: string | undefined;
}

export interface StatusResult {
  readonly cluster: string;
  readonly asOf: Date;
  readonly errors: readonly string[];
  readonly summary: StatusSummary;
  readonly istioctlVersion: string | undefined;
}

/** Reads proxy sync state (istioctl) and istiod pods (Kubernetes API) side by side; either may fail alone. */
export async function readStatus(target: ClusterConfig, namespace: string | undefined, deps: CommandDeps): Promise<StatusResult> {
  const errors: string[] = [];
  const kube = deps.kubeFor(target);
  const [proxyStatus, istiodPods, version] = await Promise.all([
    deps.istioctl.proxyStatus(target),
    kube.ok ? listIstiods(kube.value, target.istioNamespace) : Promise.resolve(kube),
    deps.istioctl.clientVersion(),
  ]);

  let istiods: readonly IstiodPod[] | null = null;
  if (istiodPods.ok) istiods = istiodPods.value;
  else errors.push(`Kubernetes API: ${istiodPods.error.message}`);

  let controlPlaneMissing = false;
  if (!proxyStatus.ok) {
    controlPlaneMissing = proxyStatus.error.kind === 'no-control-plane';
    errors.push(`istioctl: ${proxyStatus.error.message}`);
  }

  const summary = summarizeStatus({
    report: proxyStatus.ok ? proxyStatus.value.value : null,
    istiods,
    namespace,
    controlPlaneMissing,
  });
  return {
    cluster: target.name,
    asOf: proxyStatus.ok ? proxyStatus.value.asOf : deps.now(),
    errors,
    summary,
    istioctlVersion: version.ok ? version.value.version : undefined,
  };
}

export function statusResult(result: StatusResult): CommandResult {
  return {
    envelope: { command: 'status', cluster: result.cluster, asOf: result.asOf, errors: result.errors },
    failed: result.summary.proxies === null && result.summary.controlPlane.istiods === null,
    toJson: () => renderStatusJson(result),
    toText: () => renderStatusText(result),
    toSlack: () => renderStatusSlack(result),
  };
}

export const statusCommand = defineCommand<StatusArgs>({
  name: 'status',
  aliases: ['ps'],
  usage: 'status [-n NAMESPACE] [--cluster NAME]',
  summary: 'control plane health and every proxy’s xDS sync state',
  role: 'reader',
  parse(tokens) {
    const parsed = parseArgs(tokens, [NAMESPACE_FLAG, CLUSTER_FLAG]);
    if (!parsed.ok) return parsed;
    const [extra] = parsed.value.positionals;
    if (extra !== undefined) return err(`unexpected argument "${extra}"`);
    const namespace = parsed.value.flags.get('namespace');
    const cluster = parsed.value.flags.get('cluster');
    return ok({ namespace: typeof namespace === 'string' ? namespace : undefined, cluster: typeof cluster === 'string' ? cluster : undefined });
  },
  async execute(args, target, deps) {
    return statusResult(await readStatus(target, args.namespace, deps));
  },
});
