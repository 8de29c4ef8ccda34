import type { ClusterConfig } from '../config.ts';
import { err, ok, type Result } from '../result.ts';
import { classifyFailure, parseError, timeoutError, type IstioctlError } from './errors.ts';
import { parseAnalyzeJson, parseAnalyzeJsonBytes, type AnalyzeFinding } from './parsers/analyze.ts';
import { parseProxyStatus } from './parsers/proxy-status.ts';
import { proxyStatusStream } from './parsers/proxy-status-bytes.ts';
import { trimmedBytes } from './parsers/proxy-config/json-text.ts';
import { parseWaypointList, parseWaypointStatus, type WaypointRow, type WaypointStatusRow } from './parsers/waypoint.ts';
import { parseIstioctlVersion, toIstioMinor } from './parsers/version.ts';
import type { IstioctlRun } from './runner.ts';
import type { IstioMinor, ProxyStatusReport } from './types.ts';
import { runZtunnelConfig, type ZtunnelConfigOutput, type ZtunnelConfigRequest } from './ztunnel-config.ts';

export interface ClientVersion {
  readonly version: string;
  /** null for dev builds (`unknown`): treated as the newest known behaviour. */
  readonly minor: IstioMinor | null;
}

export interface Timed<T> {
  readonly value: T;
  /** When istioctl produced the data (the start of the run that answered). */
  readonly asOf: Date;
}

/** What `istioctl analyze` looks at: one namespace, or every namespace (`-A`). */
export type AnalyzeScope = { readonly kind: 'namespace'; readonly namespace: string } | { readonly kind: 'all' };

export interface AnalyzeReport {
  readonly findings: readonly AnalyzeFinding[];
  /** The client that produced the findings: it picks the message catalogue and the docs version. */
  readonly client: ClientVersion;
}

export const PROXY_CONFIG_TYPES = ['clusters', 'listeners', 'routes', 'endpoints', 'secret', 'bootstrap', 'log', 'all'] as const;
export type ProxyConfigType = (typeof PROXY_CONFIG_TYPES)[number];

export interface ProxyConfigRequest {
  readonly type: ProxyConfigType;
  readonly pod: string;
  readonly namespace: string;
  /**
   * The complete machine-readable output (for the "upload full output" button) rather than the form the
   * summary reads; every type's summary reads that same output today.
   */
  readonly full?: boolean;
}

export interface ProxyConfigOutput {
  readonly type: ProxyConfigType;
  /** `json`: istioctl's `-o json`; `table`: its default tabwriter table; `text`: free text (`log`). */
  readonly format: 'json' | 'table' | 'text';
  /** With `bytes`, decoded from them whenever read (only the upload reads it). */
  readonly stdout: string;
  /**
   * `json` only, when the runner kept them: the bytes istioctl printed. The parsers read these, so a large config
   * dump never exists as one string (src/istioctl/parsers/proxy-config/json-text.ts).
   */
  readonly bytes?: Uint8Array;
}

/** `waypoint list` in a namespace or across all (`-A`); `status` (1.29+, see waypointStatusSupported). */
export interface WaypointRequest {
  readonly action: 'list' | 'status';
  readonly scope: AnalyzeScope;
}

export type WaypointReport =
  | { readonly action: 'list'; readonly rows: readonly WaypointRow[]; readonly client: ClientVersion }
  | { readonly action: 'status'; readonly rows: readonly WaypointStatusRow[]; readonly client: ClientVersion };

/** istioctl as the domain sees it: version-aware commands with typed results. */
export interface Istioctl {
  clientVersion(): Promise<Result<ClientVersion, IstioctlError>>;
  /** `notBefore`: only data read after that time (after a weight change, to see whether proxies caught up). */
  proxyStatus(cluster: ClusterConfig, options?: { readonly notBefore?: Date }): Promise<Result<Timed<ProxyStatusReport>, IstioctlError>>;
  analyze(cluster: ClusterConfig, scope: AnalyzeScope): Promise<Result<Timed<AnalyzeReport>, IstioctlError>>;
  /** Raw output of one `istioctl proxy-config` run; parsing is the caller's (src/mesh/proxy-config-report.ts). */
  proxyConfig(cluster: ClusterConfig, request: ProxyConfigRequest): Promise<Result<Timed<ProxyConfigOutput>, IstioctlError>>;
  /** Raw table of one `istioctl [x] ztunnel-config TYPE ZTUNNEL-POD` run (1.22+); parsing is the caller's. */
  ztunnelConfig(cluster: ClusterConfig, request: ZtunnelConfigRequest): Promise<Result<Timed<ZtunnelConfigOutput>, IstioctlError>>;
  /** `istioctl [x] waypoint list|status`; status only where waypointStatusSupported says so. */
  waypoint(cluster: ClusterConfig, request: WaypointRequest): Promise<Result<Timed<WaypointReport>, IstioctlError>>;
}

export interface IstioctlOptions {
  /** The runner's timeout; analyze's own `--timeout` is set below it so istioctl gives up (and says so) first. */
  readonly runTimeoutMs: number;
}

const ANALYZE_SCOPE_HINT = 'analyze one namespace with `-n NAMESPACE`';

/**
 * istioctl's own analysis deadline: 10 s (at most a quarter) under the runner's, so a slow analysis ends with
 * istioctl's error rather than a kill, and the runner's timeout still bounds everything.
 */
export function analyzeTimeoutSeconds(runTimeoutMs: number): number {
  return Math.max(1, Math.floor((runTimeoutMs - Math.min(10_000, runTimeoutMs / 4)) / 1000));
}

/**
 * `-o json` on every version (1.20+): it exits 0 even with Error findings, where the default `-o log` exits 79.
 * The namespace is always explicit (`default` when the user named none) so the answer and the stored snapshot
 * do not depend on the kubeconfig context's namespace.
 */
/** istioctl's own default is istio-system; the flag is passed only for meshes installed elsewhere. */
export function istioNamespaceArgs(istioNamespace: string): string[] {
  return istioNamespace === 'istio-system' ? [] : ['--istioNamespace', istioNamespace];
}

export function analyzeArgs(scope: AnalyzeScope, istioNamespace: string, timeoutSeconds: number): string[] {
  const target = scope.kind === 'all' ? ['--all-namespaces'] : ['--namespace', scope.namespace];
  return ['analyze', ...target, '--output', 'json', '--timeout', `${timeoutSeconds}s`, ...istioNamespaceArgs(istioNamespace)];
}

/**
 * The same flags exist from 1.20 to master for these subcommands; what differs by version is the output
 * (secret table columns and serial padding, bootstrap JSON layout), which the parsers handle.
 * - endpoints: `proxy-config eds -o json` (ClusterLoadAssignments from the config dump: EDS health status and
 *   locality per endpoint). `proxy-config endpoints` reads Envoy's /clusters instead and has no JSON in the corpus.
 * - secret: `-o json` (the SecretsConfigDump) like the others, for the summary too. The table shows only each
 *   chain's leaf and the ROOTCA, so a plugged-in intermediate CA (`cacerts`) about to expire would be invisible;
 *   the summary reads the certificate bodies to judge the CAs behind each leaf too, keeping dates and serials only
 *   (Envoy redacts private keys in its dumps). A ztunnel pod on 1.20-1.21 answers with ztunnel's own certificate
 *   list in either form, which the parser names (parseSecretChainsJson).
 * - log: text only (istioctl refuses `--output` there).
 */
export function proxyConfigArgs(request: ProxyConfigRequest): { args: string[]; format: ProxyConfigOutput['format'] } {
  const target = `${request.pod}.${request.namespace}`;
  const json = (subcommand: string) => ({ args: ['proxy-config', subcommand, target, '--output', 'json'], format: 'json' as const });
  switch (request.type) {
    case 'endpoints':
      return json('eds');
    case 'log':
      return { args: ['proxy-config', 'log', target], format: 'text' };
    default:
      return json(request.type);
  }
}

/**
 * Flags differ by version: 1.20-1.26 reject `-o` and `-v` on proxy-status (exit 64); 1.27-1.29 hide
 * per-type states unless `--verbosity 1`; 1.30+ print DiscoveryResponse JSON with `-o json`.
 */
export function proxyStatusArgs(minor: IstioMinor | null, istioNamespace: string, xdsAddress?: string): string[] {
  // `--xds-address` (1.9+): istiod is dialled directly with a token for istio-system's `default` ServiceAccount.
  const base = ['proxy-status', ...istioNamespaceArgs(istioNamespace), ...(xdsAddress === undefined ? [] : ['--xds-address', xdsAddress])];
  if (minor === null || minor.major > 1 || minor.minor >= 30) return [...base, '--output', 'json'];
  if (minor.minor >= 27) return [...base, '--verbosity', '1'];
  return base;
}

function sameArgs(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((arg, index) => arg === b[index]);
}

/**
 * `istioctl waypoint list|status` reads Gateway objects from the Kubernetes API server (istioctl's waypoint
 * command lists them with the Gateway API client); istiod is not asked, so a timeout does not point at it.
 */
function waypointTimeout(timeout: IstioctlError): IstioctlError {
  return {
    ...timeout,
    message: `istioctl waypoint ${timeout.detail}: it reads the waypoints' Gateway objects from the Kubernetes API server, not istiod. Check that the API server answers (\`kubectl get gateways.gateway.networking.k8s.io -A\`), or raise istioctl.timeout.`,
  };
}

/**
 * `waypoint status --wait=false` exists from 1.29 (corpus ambient/waypoint/status). Before, `status` (1.23+) waits
 * for every waypoint to be Programmed, so a broken waypoint would hold the command until istioctl's timeout.
 */
export function waypointStatusSupported(minor: IstioMinor | null): boolean {
  return minor === null || minor.major > 1 || minor.minor >= 29;
}

/** `waypoint` is `istioctl x waypoint` in 1.20-1.22 and top level from 1.23 (corpus INDEX, ambient). */
export function waypointArgs(minor: IstioMinor | null, request: WaypointRequest): string[] {
  const experimental = minor !== null && minor.major === 1 && minor.minor <= 22;
  const scope = request.scope.kind === 'all' ? ['--all-namespaces'] : ['--namespace', request.scope.namespace];
  const action = request.action === 'status' ? ['status', '--wait=false'] : ['list'];
  return [...(experimental ? ['x'] : []), 'waypoint', ...action, ...scope];
}

const PROXY_STATUS_READER = { name: 'proxy-status', open: proxyStatusStream };

export function createIstioctl(run: IstioctlRun, options: IstioctlOptions): Istioctl {

  let detected: Promise<Result<ClientVersion, IstioctlError>> | undefined;
  /** The client version once a detection succeeded: from then on every command runs the one right form. */
  let known: ClientVersion | undefined;

  async function detect(): Promise<Result<ClientVersion, IstioctlError>> {
    const outcome = await run({ args: ['version', '--remote=false', '--output', 'json'] });
    if (!outcome.ok) return outcome;
    if (outcome.value.exitCode !== 0) return err(classifyFailure({ stderr: outcome.value.stderr, exitCode: outcome.value.exitCode }));
    const parsed = parseIstioctlVersion(outcome.value.stdout);
    if (!parsed.ok) return err(parseError(parsed.error));
    known = { version: parsed.value.client, minor: toIstioMinor(parsed.value.client) };
    return ok(known);
  }

  async function clientVersion(): Promise<Result<ClientVersion, IstioctlError>> {
    detected ??= detect();
    const result = await detected;
    // A failed detection (binary missing, transient error) is retried on the next command rather than remembered.
    if (!result.ok) detected = undefined;
    return result;
  }

  async function readProxyStatus(args: readonly string[], cluster: ClusterConfig, notBefore: Date | undefined): Promise<Result<Timed<ProxyStatusReport>, IstioctlError>> {
    // Read while istioctl prints it: the 1.30+ JSON one ClientConfig at a time, never whole (parsers/proxy-status-bytes.ts).
    const outcome = await run({ args, context: cluster.context, stdoutReader: PROXY_STATUS_READER, ...(notBefore ? { notBefore } : {}) });
    if (!outcome.ok) return outcome;
    const { stdoutRead, stderr, exitCode, startedAt } = outcome.value;
    if (exitCode !== 0) {
      const failure = classifyFailure({ stderr, exitCode, istioNamespace: cluster.istioNamespace });
      // 1.27.0 reports an empty mesh as an error; every other version prints an empty table.
      if (failure.kind === 'no-proxies') return ok({ value: { format: 'empty', proxies: [], istiods: [] }, asOf: startedAt });
      return err(failure);
    }
    // A runner that does not stream (IstioctlRun allows it) leaves the text to parse.
    const parsed = stdoutRead ?? parseProxyStatus(outcome.value.stdout);
    if (!parsed.ok) return err(parseError(parsed.error));
    return ok({ value: parsed.value, asOf: startedAt });
  }

  return {
    clientVersion,
    async proxyStatus(cluster, options = {}) {
      const formFor = (minor: IstioMinor | null) => proxyStatusArgs(minor, cluster.istioNamespace, cluster.xdsAddress);
      // A dev build (version `unknown`) gets the newest form. Built from a 1.27-1.29 branch it ignores `--output
      // json` and prints the SUBSCRIBED TYPES table, which shows no sync state: ask again as 1.27-1.29 show states.
      const withStates = async (minor: IstioMinor | null, answer: ReturnType<Istioctl['proxyStatus']>): ReturnType<Istioctl['proxyStatus']> => {
        const read = await answer;
        if (minor !== null || !read.ok || read.value.value.format !== 'subscribed-types-table') return read;
        return readProxyStatus(formFor({ major: 1, minor: 27 }), cluster, options.notBefore);
      };
      if (known !== undefined) return withStates(known.minor, readProxyStatus(formFor(known.minor), cluster, options.notBefore));
      // The first status of a process would wait for `istioctl version` before it could pick its flags. Instead the
      // newest form runs alongside it, and is the answer whenever the version asks for exactly that form (1.30+,
      // dev builds). Older clients (Istio's istioctl/pkg/proxystatus/proxystatus.go and writer/pilot/status.go at
      // 1.20.0-1.30.0): 1.20-1.26 have no --output flag, so cobra refuses it (root.go's FlagErrorFunc, exit 64)
      // before anything reaches istiod; 1.27-1.29 accept --output and ignore it, printing the SUBSCRIBED TYPES
      // table after a full istiod query. Either way that answer is dropped and the version's own form runs as soon
      // as the version is known: on 1.27-1.29 the first status of a process costs istiod one extra query. Both
      // runs go through the runner with the caller's notBefore, so neither answers with older data than asked.
      const newest = formFor(null);
      const speculative = readProxyStatus(newest, cluster, options.notBefore);
      const version = await clientVersion();
      if (!version.ok) return version;
      const form = formFor(version.value.minor);
      if (sameArgs(form, newest)) return withStates(version.value.minor, speculative);
      return readProxyStatus(form, cluster, options.notBefore);
    },
    async analyze(cluster, scope) {
      const version = await clientVersion();
      if (!version.ok) return version;
      const seconds = analyzeTimeoutSeconds(options.runTimeoutMs);
      const outcome = await run({ args: analyzeArgs(scope, cluster.istioNamespace, seconds), context: cluster.context, timeoutMs: options.runTimeoutMs, stdoutBytes: true });
      if (!outcome.ok) {
        return err(outcome.error.kind === 'timeout' ? timeoutError(Math.round(options.runTimeoutMs / 1000), ANALYZE_SCOPE_HINT) : outcome.error);
      }
      const { stdoutBytes, stderr, exitCode, startedAt } = outcome.value;
      // An unknown namespace is reported on stderr with exit 0 and no JSON at all.
      if (exitCode !== 0 || (stdoutBytes ? trimmedBytes(stdoutBytes).length === 0 : outcome.value.stdout.trim() === '')) {
        const failure = classifyFailure({ stderr, exitCode, istioNamespace: cluster.istioNamespace });
        if (/timed out/.test(failure.detail)) return err(timeoutError(seconds, ANALYZE_SCOPE_HINT));
        return err(failure);
      }
      const parsed = stdoutBytes ? parseAnalyzeJsonBytes(stdoutBytes) : parseAnalyzeJson(outcome.value.stdout);
      if (!parsed.ok) return err(parseError(parsed.error));
      return ok({ value: { findings: parsed.value, client: version.value }, asOf: startedAt });
    },
    async ztunnelConfig(cluster, request) {
      const version = await clientVersion();
      if (!version.ok) return version;
      return runZtunnelConfig(run, version.value, cluster, request, istioNamespaceArgs(cluster.istioNamespace));
    },
    async proxyConfig(cluster, request) {
      // Detected first like every command: a missing binary gets the same clear answer everywhere.
      const version = await clientVersion();
      if (!version.ok) return version;
      const { args, format } = proxyConfigArgs(request);
      const json = format === 'json';
      const outcome = await run({ args: [...args, ...istioNamespaceArgs(cluster.istioNamespace)], context: cluster.context, ...(json ? { stdoutBytes: true } : {}) });
      if (!outcome.ok) return outcome;
      const { stderr, exitCode, startedAt } = outcome.value;
      if (exitCode !== 0) return err(classifyFailure({ stderr, exitCode, istioNamespace: cluster.istioNamespace }));
      const bytes = json ? outcome.value.stdoutBytes : undefined;
      if (bytes === undefined) return ok({ value: { type: request.type, format, stdout: outcome.value.stdout }, asOf: startedAt });
      // stdout stays undecoded unless read (the upload redacts the parsed text); the summary reads the bytes.
      const answer = outcome.value;
      return ok({ value: { type: request.type, format, bytes, get stdout() { return answer.stdout; } }, asOf: startedAt });
    },
    async waypoint(cluster, request) {
      const version = await clientVersion();
      if (!version.ok) return version;
      const client = version.value;
      if (request.action === 'status' && !waypointStatusSupported(client.minor)) {
        return err({ kind: 'flag-rejected', message: `istioctl ${client.version} has no \`waypoint status --wait=false\` (1.29+); use \`waypoint list\`.`, detail: '', exitCode: null });
      }
      const outcome = await run({ args: [...waypointArgs(client.minor, request), ...istioNamespaceArgs(cluster.istioNamespace)], context: cluster.context });
      if (!outcome.ok) return outcome.error.kind === 'timeout' ? err(waypointTimeout(outcome.error)) : outcome;
      const { stdout, stderr, exitCode, startedAt } = outcome.value;
      if (exitCode !== 0) return err(classifyFailure({ stderr, exitCode, istioNamespace: cluster.istioNamespace }));
      const namespace = request.scope.kind === 'namespace' ? request.scope.namespace : '';
      if (request.action === 'status') {
        const parsed = parseWaypointStatus(stdout, namespace);
        return parsed.ok ? ok({ value: { action: 'status', rows: parsed.value, client }, asOf: startedAt }) : err(parseError(parsed.error));
      }
      const parsed = parseWaypointList(stdout, namespace);
      return parsed.ok ? ok({ value: { action: 'list', rows: parsed.value, client }, asOf: startedAt }) : err(parseError(parsed.error));
    },
  };
}

/**
 * `istioctl` with `proxyStatus(cluster)` already running: the first call for that cluster (without notBefore) gets
 * that answer, every other call runs as usual. The terminal starts it before loading the rest of what status needs.
 */
export function withProxyStatusStarted(istioctl: Istioctl, cluster: ClusterConfig): Istioctl {
  let started: ReturnType<Istioctl['proxyStatus']> | undefined = istioctl.proxyStatus(cluster);
  return {
    ...istioctl,
    proxyStatus(target, options = {}) {
      if (started === undefined || target !== cluster || options.notBefore !== undefined) return istioctl.proxyStatus(target, options);
      const answer = started;
      started = undefined;
      return answer;
    },
  };
}
