import { redactKeyMaterial } from '../mesh/redact.ts';
import type { ParseFailure } from './types.ts';

export type IstioctlErrorKind =
  | 'no-control-plane'
  | 'xds-unreachable'
  /**
   * istioctl 1.27.0 fails on an empty mesh (`no proxies found`); 1.27.1+ print an empty table instead.
   * Callers should treat this kind as "zero proxies", not as a failure.
   */
  | 'no-proxies'
  | 'flag-rejected'
  | 'pod-not-found'
  | 'no-sidecar'
  | 'context-not-found'
  /** The Kubernetes API refused istioctl a permission (RBAC 403): retrying cannot help, granting it does. */
  | 'forbidden'
  /** `istioctl analyze -n X` for a namespace that does not exist: stderr only, exit 0. */
  | 'namespace-not-found'
  | 'port-forward'
  | 'timeout'
  | 'not-installed'
  | 'output-too-large'
  | 'parse'
  | 'failed';

export interface IstioctlError {
  readonly kind: IstioctlErrorKind;
  /** One sentence for the user saying what failed, plus what to do next. */
  readonly message: string;
  /** istioctl's own words (the final `Error:` line without the prefix), redacted, at most 500 characters. */
  readonly detail: string;
  readonly exitCode: number | null;
}

const DETAIL_LIMIT = 500;
/** cobra's exit code for flag and command parse errors (istioctl/cmd/sysexits.go). */
const EXIT_COMMAND_PARSE_ERROR = 64;
const DEFAULT_ISTIO_NAMESPACE = 'istio-system';

interface Rule {
  readonly kind: IstioctlErrorKind;
  readonly pattern: RegExp;
  readonly message: (match: RegExpExecArray, context: RuleContext) => string;
}

interface RuleContext {
  readonly istioNamespace: string;
}

/** First quoted string in a match group, or the fallback. */
function quotedOr(text: string | undefined, fallback: string): string {
  return text !== undefined && text !== '' ? text : fallback;
}

function noControlPlane(namespace: string, reason: string): string {
  return `istiod is not reachable in ${namespace}: ${reason}. Check \`kubectl -n ${namespace} get pods\`.`;
}

/**
 * Ordered: the first matching rule wins. Wrapping errors come before the errors they may wrap
 * (`failed to execute command on X sidecar: failure running port forward process: ...` is about the
 * sidecar, `could not get XDS from discovery pod "x": ... unexpected status code` is about xDS).
 * Every pattern is anchored on literal text and uses no nested quantifiers.
 */
const RULES: readonly Rule[] = [
  {
    // First: a refused permission is the cause whatever istioctl wraps it in (`failed retrieving: pods "x" is
    // forbidden: …`, `failure running port forward process: … pods/portforward …`). The apiserver's wording
    // (apiserver endpoints/handlers/responsewriters forbiddenMessage, inside apimachinery's `R "name" is forbidden:`
    // or, for a path, bare `forbidden:`) has three shapes: `cannot VERB resource "R" in API group "G" in the
    // namespace "NS"`, the same `at the cluster scope`, and `cannot VERB path "/P"`; an authorizer's reason may
    // follow (`: RBAC: …`, GKE's `requires one of [...]`). Admission denials (`is forbidden: exceeded quota`)
    // carry no `User … cannot` and are not permissions, so they are left alone.
    kind: 'forbidden',
    pattern: /forbidden: User "((?:[^"\\]|\\.)*)" cannot (\S+) (?:resource "([^"]*)" in API group "([^"]*)" (?:in the namespace "([^"]*)"|at the cluster scope)|path "([^"]*)")/,
    message: (m, c) => forbiddenMessage({ user: m[1] ?? '', verb: m[2] ?? '', resource: m[3], group: m[4], namespace: m[5], path: m[6] }, c),
  },
  {
    kind: 'no-proxies',
    pattern: /no proxies found/,
    message: () => 'istiod reports no connected proxies: the mesh is empty. Deploy a workload with a sidecar, or check sidecar injection.',
  },
  {
    kind: 'no-control-plane',
    pattern: /no (running|ready) Istio pods in (?:namespace )?"([^"]*)"/,
    message: (m) => noControlPlane(quotedOr(m[2], DEFAULT_ISTIO_NAMESPACE), `no ${m[1] ?? 'running'} Istio pods`),
  },
  {
    kind: 'no-control-plane',
    pattern: /unable to find any Istiod instances/,
    message: (_m, c) => noControlPlane(c.istioNamespace, 'no istiod instance found'),
  },
  {
    kind: 'no-control-plane',
    pattern: /Istio is not present in the cluster(?: with namespace "([^"]*)")?/,
    message: (m, c) => noControlPlane(quotedOr(m[1], c.istioNamespace), 'Istio is not installed there'),
  },
  {
    kind: 'xds-unreachable',
    pattern: /could not get XDS from discovery pod "([^"]*)"/,
    message: (m) =>
      `istiod pod ${quotedOr(m[1], '(unknown)')} did not answer the xDS status request. Check that istiod is running and healthy (\`kubectl logs\` of that pod), then try again.`,
  },
  {
    kind: 'xds-unreachable',
    pattern: /could not dial|ADSC: failed running/,
    message: (_m, c) =>
      `istiod did not answer the xDS status request. Check that istiod is running and healthy in ${c.istioNamespace}, then try again.`,
  },
  {
    // A typo in the pod name reaches istioctl's port-forwarder, which looks the pod up and fails with the API's
    // NotFound (pkg/kube/portforwarder.go: `failed retrieving: pods "x" not found in the "ns" namespace`), wrapped
    // in the sidecar error below: the missing pod is what the user needs to hear, not a missing sidecar.
    kind: 'pod-not-found',
    pattern: /pods "([^"]*)" not found(?: in the "([^"]*)" namespace)?/,
    message: (m) =>
      m[2] === undefined
        ? `Pod ${quotedOr(m[1], '(unknown)')} was not found. Check the name and the \`-n\` namespace.`
        : `Pod ${quotedOr(m[1], '(unknown)')} was not found in namespace ${m[2]}. Check the name with \`kubectl get pods -n ${m[2]}\`.`,
  },
  {
    // The same port-forwarder refuses a pod that exists but is not Running (portforwarder.go).
    kind: 'no-sidecar',
    pattern: /pod is not running\. Status=(\w+)/,
    message: (m) => `That pod is not running (status ${quotedOr(m[1], 'unknown')}), so its Envoy cannot be read. Wait until it runs, or check it with \`kubectl describe pod\`.`,
  },
  {
    kind: 'no-sidecar',
    pattern: /failed to execute command on ([^\s:]+) sidecar/,
    message: (m) =>
      `Could not read the Envoy configuration of ${quotedOr(m[1], 'the pod')}: the pod has no running istio-proxy sidecar. Check that the pod is injected and the istio-proxy container is ready.`,
  },
  {
    kind: 'no-sidecar',
    pattern: /failed to execute command on Envoy|could not contact sidecar/,
    message: () =>
      'Could not reach the Envoy sidecar of that pod. Check that the pod is injected and the istio-proxy container is ready.',
  },
  {
    kind: 'no-sidecar',
    pattern: /unable to find config dump in Istiod responses|Proxy not connected to this Pilot instance/,
    message: () =>
      'No istiod has configuration for that proxy: it is not connected to the control plane. Check that the pod has a running istio-proxy sidecar, and run `/mesh status` to see connected proxies.',
  },
  {
    kind: 'pod-not-found',
    pattern: /"([^"]*)" does not refer to a pod/,
    message: (m) => `${quotedOr(m[1], 'That name')} does not refer to a pod. Name a pod (or \`deployment/NAME\`) instead.`,
  },
  {
    kind: 'pod-not-found',
    pattern: /no pods match "([^"]*)"/,
    message: (m) => `No pod matches ${quotedOr(m[1], 'that name')}. Check the name and namespace with \`kubectl get pods -n NAMESPACE\`.`,
  },
  {
    kind: 'pod-not-found',
    pattern: /failed retrieving: .* in the "([^"]*)" namespace/,
    message: (m) => `That pod or workload was not found in namespace ${quotedOr(m[1], '(unknown)')}. Check the name and the \`-n\` namespace.`,
  },
  {
    // analyze prints `namespace "x" not found` on stderr and exits 0 (analyze.go); anchored so the Kubernetes
    // API's own `namespaces "x" not found` inside other errors is not mistaken for it.
    kind: 'namespace-not-found',
    pattern: /^namespace "([^"]*)" not found/,
    message: (m) => `Namespace ${quotedOr(m[1], '(unknown)')} does not exist in this cluster. Check the name with \`kubectl get namespaces\`, or analyze the whole mesh with \`-A\`.`,
  },
  {
    kind: 'pod-not-found',
    pattern: /gateway is not a managed gateway/,
    message: () => 'That gateway is not a managed gateway, so it has no pod to inspect. Name the gateway pod instead.',
  },
  {
    kind: 'context-not-found',
    pattern: /context "([^"]*)" not found/,
    message: (m) =>
      `Kubeconfig context ${quotedOr(m[1], '(unknown)')} does not exist. Check the \`context\` of that cluster in the mesh-bot config file.`,
  },
  {
    // client-go's own wording, printed by istioctl versions that pass --context straight through.
    kind: 'context-not-found',
    pattern: /context was not found for specified context: (\S+)/,
    message: (m) =>
      `Kubeconfig context "${quotedOr(m[1], '(unknown)')}" does not exist. Check the \`context\` of that cluster in the mesh-bot config file.`,
  },
  {
    kind: 'context-not-found',
    pattern: /creating kube client for context "([^"]*)"/,
    message: (m) =>
      `Could not connect with kubeconfig context ${quotedOr(m[1], '(unknown)')}. Check that context and its credentials in the kubeconfig mesh-bot uses.`,
  },
  {
    kind: 'context-not-found',
    pattern: /getting raw kubeconfig from file "([^"]*)"/,
    message: (m) => `The kubeconfig file ${quotedOr(m[1], '(unknown)')} could not be read. Check KUBECONFIG for mesh-bot.`,
  },
  {
    kind: 'port-forward',
    pattern: /failure running port forward process|unexpected status code|error port-forwarding/,
    message: () =>
      'Port-forwarding to the pod failed. Check that the pod is running and that mesh-bot may create `pods/portforward` in that namespace, then try again.',
  },
  {
    kind: 'flag-rejected',
    pattern:
      /unknown (?:shorthand )?flag|output format "[^"]*" not supported|--output must be 'yaml' or 'json'|is experimental\. Use `istioctl experimental|can only be used when pod-name is specified/,
    message: () => FLAG_REJECTED_MESSAGE,
  },
  {
    kind: 'failed',
    pattern: /Could not initialize/,
    message: () =>
      'istioctl could not start: its environment or configuration is invalid. Check ISTIOCONFIG and the istioctl settings of mesh-bot.',
  },
];

interface RefusedPermission {
  readonly user: string;
  readonly verb: string;
  /** `gateways`, or `pods/portforward` (resource/subresource, as RBAC rules name it); undefined for a path. */
  readonly resource: string | undefined;
  /** '' for the core group. */
  readonly group: string | undefined;
  /** undefined: cluster scope. */
  readonly namespace: string | undefined;
  /** A non-resource URL such as `/version`. */
  readonly path: string | undefined;
}


/**
 * Names the refused permission the way an RBAC rule is written (verb, resource, API group, where) and the file of
 * mesh-bot's RBAC that grants it. The user is named because the terminal may run with a person's kubeconfig rather
 * than the bot's ServiceAccount; client-go prints only a user name there, never a credential.
 */
function forbiddenMessage(refused: RefusedPermission, context: RuleContext): string {
  const who = refused.user === '' ? 'the kubeconfig user' : `user ${refused.user}`;
  const what =
    refused.path !== undefined
      ? `path ${refused.path}`
      : `${refused.resource ?? '(unknown)'} (${refused.group === '' || refused.group === undefined ? 'core API group' : `API group ${refused.group}`})`;
  const where = refused.path !== undefined ? '' : refused.namespace === undefined ? ' cluster-wide' : ` in namespace ${refused.namespace}`;
  return `Kubernetes does not allow ${who} to ${refused.verb} ${what}${where}, so istioctl stopped; retrying will not help. ${grantHint(refused, context)}`;
}

/** Where mesh-bot's deploy/ grants the permission: the base leaves Secrets out on purpose (deploy/README.md). */
function grantHint(refused: RefusedPermission, context: RuleContext): string {
  if (refused.resource === 'secrets' && refused.group === '') {
    return 'mesh-bot grants no Secrets by default: weigh deploy/optional/analyze-secrets.yaml (Helm: rbac.analyzeSecrets) as deploy/README.md explains, then run the command again.';
  }
  const file = refused.namespace === context.istioNamespace ? 'rbac-istio-system.yaml' : 'rbac-cluster.yaml';
  return `Grant that permission (mesh-bot's own RBAC: deploy/base/${file}, or templates/${file} in the Helm chart), then run the command again.`;
}

const FLAG_REJECTED_MESSAGE =
  'This istioctl version does not support a flag mesh-bot used. Please report this to the mesh-bot maintainers with the output of `istioctl version`.';

/** Classifies a failed istioctl run by its stderr (and exit code) into a kind and a user-facing message. */
export function classifyFailure(input: { stderr: string; exitCode: number; istioNamespace?: string }): IstioctlError {
  const context: RuleContext = { istioNamespace: input.istioNamespace ?? DEFAULT_ISTIO_NAMESPACE };
  // Istio 1.23+ `version` prints `: <err>` when remote info came back partially.
  const line = redact(finalErrorLine(input.stderr).replace(/^:\s*/, ''));
  const detail = line.length > DETAIL_LIMIT ? `${line.slice(0, DETAIL_LIMIT - 1)}…` : line;

  for (const rule of RULES) {
    const match = rule.pattern.exec(line);
    if (match !== null) {
      return { kind: rule.kind, message: redact(rule.message(match, context)), detail, exitCode: input.exitCode };
    }
  }
  if (input.exitCode === EXIT_COMMAND_PARSE_ERROR) {
    return { kind: 'flag-rejected', message: FLAG_REJECTED_MESSAGE, detail, exitCode: input.exitCode };
  }
  const message =
    detail === ''
      ? `istioctl failed with exit code ${input.exitCode} and printed no error. Run the same istioctl command by hand to see why.`
      : `istioctl failed: ${trimSentence(clipForMessage(detail))}. Try again; if it keeps failing, run the same istioctl command by hand.`;
  return { kind: 'failed', message, detail, exitCode: input.exitCode };
}

export function timeoutError(seconds: number, scopeHint?: string): IstioctlError {
  const next = scopeHint !== undefined && scopeHint !== '' ? `Narrow it (${scopeHint}) or try again` : 'Try again in a moment';
  return {
    kind: 'timeout',
    message: `istioctl did not finish within ${seconds}s, so istiod may be slow or overloaded. ${next}.`,
    detail: `timed out after ${seconds}s`,
    exitCode: null,
  };
}

export function notInstalledError(path: string): IstioctlError {
  return {
    kind: 'not-installed',
    message: `istioctl was not found at \`${path}\`. Install istioctl or set ISTIOCTL to its path.`,
    detail: `${path}: not found`,
    exitCode: null,
  };
}

/**
 * The file is there but could not be started: a directory (ISTIOCTL set to istioctl's folder; the spawn says only
 * EACCES), not executable (a downloaded binary without `chmod +x`), or not a program this machine runs (ENOEXEC:
 * another architecture's binary, a script without `#!`). Saying "not found" would send the user looking for a file
 * that exists.
 */
export function notStartedError(path: string, code: string | undefined, directory = false): IstioctlError {
  if (directory) {
    const file = `${path.replace(/\/+$/, '')}/istioctl`;
    return { kind: 'not-installed', message: `istioctl at \`${path}\` is a directory, not the istioctl executable. Set ISTIOCTL to the istioctl file, such as \`${file}\`.`, detail: `${path}: is a directory`, exitCode: null };
  }
  const reason = code === 'EACCES' ? 'is not executable (permission denied)' : `could not be started (${code ?? 'unknown error'})`;
  const next = code === 'EACCES' ? `Make it executable (\`chmod +x ${path}\`) or set ISTIOCTL to an executable istioctl.` : 'Check that it is an istioctl binary for this machine, or set ISTIOCTL to one.';
  return { kind: 'not-installed', message: `istioctl at \`${path}\` ${reason}. ${next}`, detail: `${path}: ${code ?? 'spawn error'}`, exitCode: null };
}

/**
 * istioctl ended by a signal it did not send itself. SIGKILL is what the kernel's out-of-memory killer sends when the
 * container reaches its memory limit (a large mesh's proxy list or config dump); what istioctl printed is incomplete.
 */
export function killedError(signal: string): IstioctlError {
  const next =
    signal === 'SIGKILL'
      ? 'SIGKILL usually means the out-of-memory killer: raise the memory limit of mesh-bot\'s container (or narrow the command), then try again.'
      : 'Check what stops processes in mesh-bot\'s container, then try again.';
  return { kind: 'failed', message: `istioctl was stopped by ${signal} before it finished, so its output is incomplete and was not used. ${next}`, detail: `terminated by ${signal}`, exitCode: null };
}

export function outputTooLargeError(limitBytes: number): IstioctlError {
  return {
    kind: 'output-too-large',
    message: `istioctl printed more than ${formatBytes(limitBytes)}, more than mesh-bot reads. Narrow the command, e.g. with \`-n NAMESPACE\`.`,
    detail: `output exceeded ${limitBytes} bytes`,
    exitCode: null,
  };
}

export function parseError(failure: ParseFailure): IstioctlError {
  const detail = redact(failure.message).slice(0, DETAIL_LIMIT);
  return {
    kind: 'parse',
    message: `mesh-bot could not read istioctl's output (${trimSentence(clipForMessage(detail))}). Please report this with the output of \`istioctl version\`.`,
    detail,
    exitCode: null,
  };
}

/** `<RFC3339 timestamp>\t<level>\t...` (istio log format). */
const ISTIO_LOG_LINE = /^\d{4}-\d{2}-\d{2}T[0-9:.]+(?:Z|[+-]\d{2}:\d{2})\t/;
/** `E0102 15:04:05.000000   12345 file.go:123] ...` (raw klog header). */
const KLOG_LINE = /^[IWEF]\d{4} \d{2}:\d{2}:\d{2}\.\d+ +\d+ [^\] ]+\] /;
const ERROR_PREFIX = 'Error: ';

/**
 * The last `Error: ` line (cobra prints the returned error last, after any log lines); without one,
 * the last line that is not a log line (`version` prints its remote errors without the prefix).
 */
function finalErrorLine(stderr: string): string {
  const lines = stderr.split('\n').map((line) => line.trim());
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i] as string;
    if (line.startsWith(ERROR_PREFIX)) return line.slice(ERROR_PREFIX.length).trim();
  }
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i] as string;
    if (line !== '' && !ISTIO_LOG_LINE.test(line) && !KLOG_LINE.test(line)) return line;
  }
  return '';
}

/** Credentials sometimes appear in client-go errors (request dumps, exec plugin output), and key material in errors about secrets. */
const SECRET_PATTERNS: readonly [RegExp, string][] = [
  [/-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?(?:-----END \1-----|$)/g, '[REDACTED]'],
  [/\b(Bearer|Basic)\s+[^\s"',]+/gi, '$1 [REDACTED]'],
  // Also the spellings of kubeconfig fields and client flags (`bearerToken:`, `auth_token=`, `api-key:`), any case.
  [/\b(token|access_token|id_token|id-token|refresh_token|auth_token|auth-token|bearerToken|bearer_token|api_key|api-key|apiKey|client_secret|client-secret|password)(["']?\s*[=:]\s*["']?)[^\s"',&}]+/gi, '$1$2[REDACTED]'],
  [/\bxox[abprs]-[A-Za-z0-9-]+/g, '[REDACTED]'],
  // Tokens a kubeconfig credential plugin hands istioctl, quoted without `Bearer` when a plugin or the API fails:
  // EKS (`aws eks get-token`), OpenShift OAuth, Google OAuth access tokens (gke-gcloud-auth-plugin).
  [/\b(?:k8s-aws-v1\.|sha256~|ya29\.)[A-Za-z0-9_.~-]{20,}/g, '[REDACTED]'],
];

/** The patterns above, then key material by its shape (base64 DER keys without PEM armour, JWTs, a credential as a URL's user). */
export function redact(text: string): string {
  let result = text;
  for (const [pattern, replacement] of SECRET_PATTERNS) result = result.replace(pattern, replacement);
  return redactKeyMaterial(result);
}

function clipForMessage(text: string): string {
  return text.length > 200 ? `${text.slice(0, 199)}…` : text;
}

function trimSentence(text: string): string {
  return text.replace(/[.\s]+$/, '');
}

function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${Math.round((bytes / (1024 * 1024)) * 10) / 10} MiB`;
  if (bytes >= 1024) return `${Math.round((bytes / 1024) * 10) / 10} KiB`;
  return `${bytes} bytes`;
}
