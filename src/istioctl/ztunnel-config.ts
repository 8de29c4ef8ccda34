import type { ClusterConfig } from '../config.ts';
import { err, ok, type Result } from '../result.ts';
import { classifyFailure, type IstioctlError } from './errors.ts';
import type { IstioctlRun } from './runner.ts';
import type { IstioMinor } from './types.ts';

export const ZTUNNEL_CONFIG_TYPES = ['workloads', 'services', 'certificates', 'policies', 'connections', 'all'] as const;
export type ZtunnelConfigType = (typeof ZTUNNEL_CONFIG_TYPES)[number];

export interface ZtunnelConfigRequest {
  readonly type: ZtunnelConfigType;
  /** The ztunnel pod to read (mesh-bot resolves a workload pod or `--node` to it first). */
  readonly pod: string;
  readonly namespace: string;
}

/** The default table istioctl prints (the only form every version has goldens for). */
export interface ZtunnelConfigOutput {
  readonly type: ZtunnelConfigType;
  readonly stdout: string;
}

/** The first istioctl with `ztunnel-config`: 1.22 under `experimental`, top level from 1.23 (corpus INDEX, ambient). */
export const ZTUNNEL_CONFIG_SINCE = { major: 1, minor: 22 } as const;

export function hasZtunnelConfig(minor: IstioMinor | null): boolean {
  return minor === null || minor.major > 1 || minor.minor >= ZTUNNEL_CONFIG_SINCE.minor;
}

/** istioctl's subcommand names (the singular `Use:` of ztunnelconfig.go; the plurals are aliases there). */
const SUBCOMMAND: Readonly<Record<ZtunnelConfigType, string>> = {
  workloads: 'workload',
  services: 'service',
  certificates: 'certificate',
  policies: 'policy',
  connections: 'connections',
  all: 'all',
};

/**
 * `istioctl [x] ztunnel-config TYPE POD.NAMESPACE`. The pod is always a ztunnel named by mesh-bot: without one,
 * istioctl would pick any pod of `daemonset/ztunnel` itself, and `--node` would need `get daemonsets` (RBAC).
 */
export function ztunnelConfigArgs(minor: IstioMinor | null, request: ZtunnelConfigRequest): string[] {
  const experimental = minor !== null && minor.major === 1 && minor.minor === 22;
  return [...(experimental ? ['experimental'] : []), 'ztunnel-config', SUBCOMMAND[request.type], `${request.pod}.${request.namespace}`];
}

export async function runZtunnelConfig(
  run: IstioctlRun,
  client: { readonly version: string; readonly minor: IstioMinor | null },
  cluster: ClusterConfig,
  request: ZtunnelConfigRequest,
  istioNamespaceArgs: readonly string[],
): Promise<Result<{ readonly value: ZtunnelConfigOutput; readonly asOf: Date }, IstioctlError>> {
  if (!hasZtunnelConfig(client.minor)) {
    return err({ kind: 'failed', message: ztunnelConfigMissing(client.version), detail: '', exitCode: null });
  }
  const outcome = await run({ args: [...ztunnelConfigArgs(client.minor, request), ...istioNamespaceArgs], context: cluster.context });
  if (!outcome.ok) return outcome.error.kind === 'timeout' ? err(ztunnelTimeout(outcome.error, request)) : outcome;
  const { stdout, stderr, exitCode, startedAt } = outcome.value;
  if (exitCode !== 0) return err(classifyFailure({ stderr, exitCode, istioNamespace: cluster.istioNamespace }));
  return ok({ value: { type: request.type, stdout }, asOf: startedAt });
}

/**
 * The runner's timeout sentence blames istiod, which ztunnel-config never asks: istioctl reads the ztunnel's own
 * admin endpoint through a port-forward (istioctl/pkg/ztunnelconfig), so the pod and the port-forward are suspect.
 */
function ztunnelTimeout(timeout: IstioctlError, request: ZtunnelConfigRequest): IstioctlError {
  return {
    ...timeout,
    message: `istioctl ztunnel-config ${timeout.detail}: it reads ztunnel ${request.pod}.${request.namespace} through a Kubernetes port-forward, not istiod. Check that pod (\`kubectl -n ${request.namespace} logs ${request.pod}\`) and the API server's port-forwarding, or raise istioctl.timeout.`,
  };
}

/** The sentence for 1.20-1.21, whose istioctl has no ztunnel-config at all. */
export function ztunnelConfigMissing(version: string): string {
  return `istioctl ${version} has no \`ztunnel-config\` command: it arrived in istioctl 1.22 (as \`istioctl x ztunnel-config\`). Point mesh-bot at istioctl 1.22 or newer to read ztunnel configuration.`;
}
