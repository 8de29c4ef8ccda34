import { defineCommand, type CommandDeps, type CommandResult } from '../src/command.ts';
import type { ClusterConfig } from '../src/config.ts';
import { checkObjectName, CLUSTER_FLAG, clip, NAMESPACE_FLAG, parseArgs, unusualCharacter, type FlagSpec } from '../src/grammar.ts';
import { parseError, type IstioctlError } from '../src/istioctl/errors.ts';
import { PROXY_CONFIG_TYPES, type ProxyConfigType } from '../src/istioctl/istioctl.ts';
import { summarizeProxyConfig, type ProxyConfigReport } from '../src/mesh/proxy-config-report.ts';
import { isDnsLabel, isDnsSubdomain } from '../src/names.ts';
import { err, ok, type Result } from '../src/result.ts';
import { renderProxyConfigJson, renderProxyConfigSlack, renderProxyConfigText } from './proxy-config.render.ts';

export const FQDN_FLAG: FlagSpec = { name: 'fqdn', takesValue: true, value: 'text' };
/** Singular forms and istioctl's own spellings (its command aliases: `pc c`, `pc ep`, …) of each TYPE. */
const TYPE_ALIASES: Readonly<Record<string, ProxyConfigType>> = {
  cluster: 'clusters',
  c: 'clusters',
  listener: 'listeners',
  l: 'listeners',
  route: 'routes',
  r: 'routes',
  endpoint: 'endpoints',
  ep: 'endpoints',
  secrets: 'secret',
  s: 'secret',
  b: 'bootstrap',
  logs: 'log',
  a: 'all',
};

export interface ProxyConfigArgs {
  readonly type: ProxyConfigType;
  readonly pod: string;
  /** undefined: the cluster's default namespace (config `defaultNamespace`). */
  readonly namespace: string | undefined;
  readonly fqdn: string | undefined;
  readonly cluster: string | undefined;
}

export interface ProxyConfigResult {
  readonly cluster: string;
  readonly asOf: Date;
  readonly errors: readonly string[];
  readonly type: ProxyConfigType;
  readonly pod: string;
  readonly namespace: string;
  /** null when nothing could be read. */
  readonly report: ProxyConfigReport | null;
}

export function parseProxyConfigType(text: string | undefined): Result<ProxyConfigType, string> {
  if (text === undefined) return err(`missing TYPE (one of ${PROXY_CONFIG_TYPES.join(', ')})`);
  const lower = text.toLowerCase();
  const type = (PROXY_CONFIG_TYPES as readonly string[]).includes(lower) ? (lower as ProxyConfigType) : TYPE_ALIASES[lower];
  return type ? ok(type) : err(`unknown TYPE "${clip(text)}" (one of ${PROXY_CONFIG_TYPES.join(', ')})`);
}

/** `POD` or `POD.NAMESPACE` (namespace after the last dot, as istioctl reads it), reconciled with `-n`. */
export function parsePodTarget(text: string | undefined, namespaceFlag: string | undefined): Result<{ pod: string; namespace: string | undefined }, string> {
  // The pod and the namespace are checked apart: a pod name may use all 253 characters and still take `.NAMESPACE`.
  const dot = text?.lastIndexOf('.') ?? -1;
  const checked = checkObjectName(dot === -1 ? text : text?.slice(0, dot), 'POD name');
  if (!checked.ok) return checked;
  const pod = checked.value;
  const suffix = dot === -1 ? undefined : text?.slice(dot + 1);
  if (suffix !== undefined && !isDnsLabel(suffix)) return err(`"${clip(suffix)}" in "${clip(text ?? '')}" is not a valid namespace name${unusualCharacter(suffix)}`);
  if (suffix !== undefined && namespaceFlag !== undefined && suffix !== namespaceFlag) {
    return err(`the pod says namespace "${suffix}" but -n says "${namespaceFlag}"; give the namespace once`);
  }
  return ok({ pod, namespace: suffix ?? namespaceFlag });
}

export async function readProxyConfig(target: ClusterConfig, args: Omit<ProxyConfigArgs, 'cluster'>, deps: CommandDeps): Promise<ProxyConfigResult> {
  const namespace = args.namespace ?? target.defaultNamespace;
  const request = { type: args.type, pod: args.pod, namespace };
  const base = { cluster: target.name, type: args.type, pod: args.pod, namespace };
  // Listeners are checked against the route configs actually present, so both are read (side by side, each shareable).
  const [output, routes] = await Promise.all([
    deps.istioctl.proxyConfig(target, request),
    args.type === 'listeners' ? deps.istioctl.proxyConfig(target, { ...request, type: 'routes' }) : Promise.resolve(undefined),
  ]);
  if (!output.ok) return { ...base, asOf: deps.now(), errors: [`istioctl: ${await proxyConfigFailure(output.error, `${args.pod}.${namespace}`, deps)}`], report: null };
  const errors: string[] = [];
  if (routes && !routes.ok) errors.push(`could not read the route configs, so listeners without routes are not checked: ${routes.error.message}`);
  const report = summarizeProxyConfig(output.value.value, {
    now: deps.now(),
    ca: deps.config.certificates,
    ...(args.fqdn ? { fqdn: args.fqdn } : {}),
    ...(routes?.ok ? { routes: routes.value.value } : {}),
  });
  if (!report.ok) return { ...base, asOf: output.value.asOf, errors: [`istioctl: ${parseError(report.error).message}`], report: null };
  return { ...base, asOf: output.value.asOf, errors, report: report.value };
}

/**
 * istioctl failures whose generic wording misleads for one pod's configuration. An istioctl older than the proxy's
 * Envoy cannot read its config dump: protojson refuses a field or a type it does not know (istio/istio#52872,
 * istioctl 1.19 against 1.23 proxies). The same run fails every time, so the answer names the cause and the way
 * out instead of istioctl's generic "try again".
 */
export async function proxyConfigFailure(error: IstioctlError, pod: string, deps: Pick<CommandDeps, 'istioctl'>): Promise<string> {
  // istioctl reads the pod's Envoy admin port through a Kubernetes port-forward; istiod is not asked.
  if (error.kind === 'timeout') {
    return `istioctl proxy-config ${error.detail}: it reads ${pod}'s Envoy through a Kubernetes port-forward, not istiod. Check that pod and its istio-proxy container (\`kubectl get pod\`, its log) and the API server's port-forwarding, or raise istioctl.timeout.`;
  }
  // The generic advice (`-n NAMESPACE`) narrows nothing for one pod's configuration.
  if (error.kind === 'output-too-large') {
    return `istioctl printed more of ${pod}'s Envoy configuration than mesh-bot reads (${error.detail}). Ask for one TYPE (clusters, listeners, routes, endpoints) instead of all, or raise istioctl.maxOutput in the config file.`;
  }
  const unknown = /error unmarshalling config dump response from Envoy: .*unknown (field|message type) "([^"]+)"/.exec(error.detail);
  if (!unknown) return error.message;
  const client = await deps.istioctl.clientVersion();
  const istioctl = client.ok ? `istioctl ${client.value.version}` : 'istioctl';
  return `${istioctl} cannot read the Envoy configuration of ${pod}: it sends a ${unknown[1]} istioctl does not know ("${unknown[2]}"), so the proxy is newer than istioctl. Use an istioctl at least as new as the proxy's Istio version (\`/mesh status\` lists proxy versions; set ISTIOCTL); retrying will not help.`;
}

export function proxyConfigResult(result: ProxyConfigResult): CommandResult {
  return {
    envelope: { command: 'proxy-config', cluster: result.cluster, asOf: result.asOf, errors: result.errors },
    failed: result.report === null,
    toJson: () => renderProxyConfigJson(result),
    toText: () => renderProxyConfigText(result),
    toSlack: () => renderProxyConfigSlack(result),
  };
}

export const proxyConfigCommand = defineCommand<ProxyConfigArgs>({
  name: 'proxy-config',
  aliases: ['pc'],
  usage: 'proxy-config TYPE POD[.NAMESPACE] [-n NAMESPACE] [--cluster NAME]',
  summary: `one proxy's Envoy config summarized; TYPE: ${PROXY_CONFIG_TYPES.join('|')} (clusters also take --fqdn HOST)`,
  role: 'reader',
  parse(tokens) {
    const parsed = parseArgs(tokens, [NAMESPACE_FLAG, CLUSTER_FLAG, FQDN_FLAG]);
    if (!parsed.ok) return parsed;
    const [typeText, podText, extra] = parsed.value.positionals;
    const type = parseProxyConfigType(typeText);
    if (!type.ok) return type;
    if (extra !== undefined) return err(`unexpected argument "${clip(extra)}"`);
    const namespace = parsed.value.flags.get('namespace');
    const target = parsePodTarget(podText, typeof namespace === 'string' ? namespace : undefined);
    if (!target.ok) return target;
    const fqdn = parsed.value.flags.get('fqdn');
    if (fqdn !== undefined && type.value !== 'clusters') return err('--fqdn only applies to `proxy-config clusters`');
    // A host name or a part of one (`reviews`, `reviews.default.svc.cluster.local`).
    if (typeof fqdn === 'string' && !isDnsSubdomain(fqdn)) return err(`"${clip(fqdn)}" is not a valid DNS name for --fqdn`);
    const cluster = parsed.value.flags.get('cluster');
    return ok({ type: type.value, ...target.value, fqdn: typeof fqdn === 'string' ? fqdn : undefined, cluster: typeof cluster === 'string' ? cluster : undefined });
  },
  async execute(args, target, deps) {
    return proxyConfigResult(await readProxyConfig(target, args, deps));
  },
});
