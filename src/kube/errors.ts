// The class alone, not the package index: every command module reaches this file, and loading the whole client
// (~0.5 s) there would make `mesh-bot help` slow. It is the same module the index re-exports, so instanceof holds.
import { ApiException } from '@kubernetes/client-node/dist/gen/apis/exception.js';
import { safeJson } from '../json.ts';
import { scrubSecrets } from '../log.ts';

/** Parsed `Status` body of a failed API call, when the server sent one. */
export interface KubeStatus {
  readonly code: number | null;
  readonly reason: string;
  readonly message: string;
  readonly retryAfterSeconds: number | null;
}

export function kubeStatusOf(cause: unknown): KubeStatus | null {
  if (!(cause instanceof ApiException)) return null;
  const exception = cause as ApiException<unknown>;
  let reason = '';
  let message = '';
  const body: unknown = exception.body;
  const parsed: unknown = typeof body === 'string' ? safeJson(body) : body;
  if (parsed !== null && typeof parsed === 'object') {
    const status = parsed as { reason?: unknown; message?: unknown };
    if (typeof status.reason === 'string') reason = status.reason;
    if (typeof status.message === 'string') message = status.message;
  }
  const retryAfter = Number(exception.headers?.['retry-after'] ?? Number.NaN);
  return { code: exception.code, reason, message, retryAfterSeconds: Number.isFinite(retryAfter) ? retryAfter : null };
}


/**
 * One sentence saying what failed and what to do next. `action` reads like "list pods in istio-system".
 */
export function describeKubeError(cause: unknown, action: string, clusterName: string): string {
  const status = kubeStatusOf(cause);
  if (status) {
    switch (status.code) {
      case 401:
        return `The Kubernetes API of cluster ${clusterName} rejected mesh-bot's credentials while trying to ${action} (401). Refresh the kubeconfig or service account token.`;
      case 403:
        // Canary writes are opt-in in the Helm chart: its users grant them with a value, not by applying deploy/.
        return `mesh-bot may not ${action} in cluster ${clusterName} (403 Forbidden). Grant it with the Role in deploy/${/^(patch|create) /.test(action) ? ' (installed with the Helm chart: set rbac.canary=true)' : ''} or check \`kubectl auth can-i\` for its service account.`;
      case 404:
        return `Not found while trying to ${action} in cluster ${clusterName}: ${scrubSecrets(status.message) || 'the resource does not exist'}.`;
      case 429:
        return `The Kubernetes API of cluster ${clusterName} is throttling requests (429) while trying to ${action}. Try again in ${status.retryAfterSeconds === null ? 'a few seconds' : `${status.retryAfterSeconds} second${status.retryAfterSeconds === 1 ? '' : 's'}`}.`;
      default:
        return `The Kubernetes API of cluster ${clusterName} failed to ${action} (${status.code ?? 'error'} ${status.reason}${status.message ? `: ${scrubSecrets(status.message)}` : ''}). Try again, or check the API server's health.`;
    }
  }
  const text = cause instanceof Error ? cause.message : String(cause);
  const plugin = credentialPluginFailure(cause);
  if (plugin) {
    const why = plugin.code === 'ENOENT' ? 'is not found on the PATH mesh-bot runs with' : `may not be run (${plugin.code})`;
    return `The kubeconfig's credential plugin \`${plugin.command}\` ${why}, so mesh-bot could not ${action} in cluster ${clusterName}. Install it where mesh-bot runs (the image has none), or give mesh-bot a kubeconfig with a token or client certificate.`;
  }
  if (/URL that includes credentials/.test(text)) {
    return `The kubeconfig's server URL of cluster ${clusterName} has a user name or password in it (https://USER:PASSWORD@HOST), which mesh-bot's Kubernetes client refuses to send, so it could not ${action}. Remove them from the server URL and give the kubeconfig user a token, a client certificate or username and password fields instead.`;
  }
  const network = networkCode(cause);
  if (network) {
    return `The Kubernetes API of cluster ${clusterName} is not reachable (${network}) while trying to ${action}. Check the kubeconfig context and network access to the API server.`;
  }
  return `Could not ${action} in cluster ${clusterName}: ${scrubSecrets(text)}. Check the Kubernetes API server and mesh-bot's credentials.`;
}

/**
 * A kubeconfig `exec` user (aws, kubelogin, gke-gcloud-auth-plugin) that could not be started: client-node hands
 * on the spawn error itself, whose code (ENOENT, EACCES) would otherwise read as a network failure.
 */
function credentialPluginFailure(cause: unknown): { readonly command: string; readonly code: string } | undefined {
  let current: unknown = cause;
  for (let depth = 0; depth < 5 && current !== null && typeof current === 'object'; depth += 1) {
    const { code, syscall, path } = current as { code?: unknown; syscall?: unknown; path?: unknown };
    // A command written with its arguments (`kubelogin get-token --oidc-client-secret=…`) carries them into the name.
    if (typeof code === 'string' && typeof syscall === 'string' && syscall.startsWith('spawn') && typeof path === 'string') return { command: clipped(scrubSecrets(path)), code };
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

function clipped(text: string): string {
  return text.length > 120 ? `${text.slice(0, 119)}…` : text;
}

/** undici wraps socket errors: `fetch failed` → cause → `ECONNREFUSED`; look down the chain. */
function networkCode(cause: unknown): string | undefined {
  let current: unknown = cause;
  for (let depth = 0; depth < 5 && current !== null && current !== undefined; depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return code;
    const message = current instanceof Error ? current.message : '';
    const found = /ECONNREFUSED|ENOTFOUND|ETIMEDOUT|EHOSTUNREACH|ECONNRESET|EAI_AGAIN/.exec(message)?.[0];
    if (found) return found;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}
