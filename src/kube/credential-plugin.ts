import { readFileSync } from 'node:fs';
import type { Cluster, KubeConfig, User } from '@kubernetes/client-node';
import { execa } from 'execa';
import { z } from 'zod';

type Authenticator = Parameters<KubeConfig['addAuthenticator']>[0];
type RequestOptions = Parameters<Authenticator['applyAuthentication']>[1];

/** The auth-provider name under which mesh-bot, not client-node's ExecAuth, runs a kubeconfig user's `exec:` plugin. */
const PROVIDER = 'mesh-bot-credential-plugin';

/** The kubeconfig's `users[].user.exec` (client.authentication.k8s.io ExecConfig), the fields mesh-bot uses. */
const pluginSchema = z.object({
  command: z.string().min(1),
  args: z.array(z.string()).nullish(),
  env: z.array(z.object({ name: z.string(), value: z.string() })).nullish(),
  apiVersion: z.string().nullish(),
  provideClusterInfo: z.boolean().nullish(),
});
type Plugin = z.infer<typeof pluginSchema>;

/** What a plugin prints on stdout: an ExecCredential whose status holds a token or a client certificate. */
/** Go's time.RFC3339 layout, as metav1.Time parses it (fractional seconds allowed). */
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/;

const credentialSchema = z.object({
  status: z
    .object({
      token: z.string().min(1).optional(),
      clientCertificateData: z.string().min(1).optional(),
      clientKeyData: z.string().min(1).optional(),
      // client-go decodes it as metav1.Time (time.RFC3339) and refuses the credential when it is not one; kept, a
      // time that does not parse would make every request run the plugin again.
      expirationTimestamp: z
        .string()
        .refine((time) => RFC3339.test(time) && !Number.isNaN(Date.parse(time)), 'its status.expirationTimestamp is not an RFC 3339 time (like 2026-12-08T10:00:00Z), which client-go and istioctl refuse too')
        .optional(),
    })
    .refine((status) => status.token !== undefined || (status.clientCertificateData !== undefined && status.clientKeyData !== undefined), 'it holds neither a token nor a client certificate and key'),
});
type Credential = z.infer<typeof credentialSchema>['status'];

/**
 * Hands every `exec:` user of `config` to mesh-bot's own plugin runner. client-node's ExecAuth starts the plugin with
 * an open stdin pipe and no deadline, before the request's own deadline starts: a plugin asking for a login (an expired
 * kubelogin or SSO session) or stuck on the network held every request of that cluster for ever, while istioctl
 * (client-go gives a plugin no stdin without a terminal) failed at once. It also started the plugin once per request.
 * Here the plugin gets no stdin and `timeoutMs` to answer, as client-go `spec.interactive: false`, and requests made
 * together share one run; the credential is kept until its expirationTimestamp (or, without one, for as long as this
 * KubeConfig lives: src/kube/clients.ts reads the kubeconfig again after a 401).
 */
export function runCredentialPlugins(config: KubeConfig, timeoutMs: number): void {
  if (!config.users.some((user) => user.exec)) return;
  config.users = config.users.map((user) => {
    if (!user.exec) return user;
    const { exec, ...rest } = user;
    return { ...rest, authProvider: { name: PROVIDER, config: { plugin: exec as unknown } } };
  });
  config.addAuthenticator(new CredentialPlugins(() => config.getCurrentCluster(), timeoutMs));
}

/** The command of the current user's credential plugin (as runCredentialPlugins left it), if it has one. */
export function credentialPluginOf(config: KubeConfig): string | undefined {
  const user = config.getCurrentUser();
  if ((user?.authProvider as { name?: unknown } | undefined)?.name !== PROVIDER) return undefined;
  const command: unknown = (user?.authProvider as { config?: { plugin?: { command?: unknown } } }).config?.plugin?.command;
  return typeof command === 'string' ? command : undefined;
}

class CredentialPlugins implements Authenticator {
  readonly #held = new Map<string, Credential>();
  readonly #running = new Map<string, Promise<Credential>>();
  readonly #cluster: () => Cluster | null;
  readonly #timeoutMs: number;

  constructor(cluster: () => Cluster | null, timeoutMs: number) {
    this.#cluster = cluster;
    this.#timeoutMs = timeoutMs;
  }

  isAuthProvider(user: User): boolean {
    return (user.authProvider as { name?: unknown } | undefined)?.name === PROVIDER;
  }

  async applyAuthentication(user: User, opts: RequestOptions): Promise<void> {
    const credential = await this.#credential(user);
    if (credential.clientCertificateData !== undefined && credential.clientKeyData !== undefined) {
      opts.cert = credential.clientCertificateData;
      opts.key = credential.clientKeyData;
    }
    if (credential.token !== undefined) opts.headers = { ...opts.headers, Authorization: `Bearer ${credential.token}` };
  }

  #credential(user: User): Promise<Credential> {
    const held = this.#held.get(user.name);
    if (held && (held.expirationTimestamp === undefined || Date.parse(held.expirationTimestamp) > Date.now())) return Promise.resolve(held);
    const running = this.#running.get(user.name);
    if (running) return running;
    const run = this.#run(user).finally(() => this.#running.delete(user.name));
    this.#running.set(user.name, run);
    return run.then((credential) => {
      this.#held.set(user.name, credential);
      return credential;
    });
  }

  async #run(user: User): Promise<Credential> {
    const parsed = pluginSchema.safeParse((user.authProvider as { config?: { plugin?: unknown } } | undefined)?.config?.plugin);
    if (!parsed.success) throw new Error(`the kubeconfig's credential plugin of user ${user.name} has no usable command (${parsed.error.issues[0]?.message ?? 'invalid'})`);
    const plugin = parsed.data;
    const named = `the kubeconfig's credential plugin \`${plugin.command}\``;
    const subprocess = execa(plugin.command, plugin.args ?? [], {
      reject: false,
      // No terminal: a plugin that would prompt reads end-of-file and says so, as under client-go without one.
      stdin: 'ignore',
      // Its own process group, so a wrapper script's children (which hold stdout) go with it at the deadline.
      detached: true,
      env: { ...Object.fromEntries((plugin.env ?? []).map((entry) => [entry.name, entry.value])), KUBERNETES_EXEC_INFO: JSON.stringify(this.#execInfo(plugin)) },
    });
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<'expired'>((resolve) => (timer = setTimeout(() => resolve('expired'), this.#timeoutMs)));
    const result = await Promise.race([subprocess, expired]).finally(() => clearTimeout(timer));
    if (result === 'expired') {
      killGroup(subprocess.pid);
      subprocess.stdout?.destroy();
      subprocess.stderr?.destroy();
      throw new Error(`${named} printed no credentials within ${Math.round(this.#timeoutMs / 1000)} s (mesh-bot gives it no terminal, so it cannot ask for a login)`);
    }
    if (result.exitCode === undefined && result.signal !== undefined) throw new Error(`${named} was ended by ${result.signal}`);
    if (result.exitCode === undefined) throw new Error(`${named} could not be started (${result.code ?? 'unknown error'})`, { cause: result.cause });
    if (result.exitCode !== 0) {
      const said = withoutTokens(String(result.stderr).replace(/\s+/g, ' ').trim());
      throw new Error(`${named} failed (exit ${result.exitCode})${said === '' ? '' : `: ${said.length > 300 ? `…${said.slice(-299)}` : said}`}`);
    }
    let printed: unknown;
    try {
      printed = JSON.parse(String(result.stdout));
    } catch {
      throw new Error(`${named} printed no ExecCredential JSON`);
    }
    const credential = credentialSchema.safeParse(printed);
    if (!credential.success) throw new Error(`${named} printed an ExecCredential mesh-bot cannot use: ${credential.error.issues[0]?.message ?? 'invalid'}`);
    return credential.data.status;
  }

  /** KUBERNETES_EXEC_INFO as client-go sets it: never interactive here; the cluster only when the plugin asks for it. */
  #execInfo(plugin: Plugin): Record<string, unknown> {
    const cluster = plugin.provideClusterInfo === true ? this.#cluster() : null;
    const authority = cluster?.caData ?? (cluster?.caFile ? readFileSync(cluster.caFile).toString('base64') : undefined);
    return {
      apiVersion: plugin.apiVersion ?? 'client.authentication.k8s.io/v1',
      kind: 'ExecCredential',
      spec: {
        interactive: false,
        ...(cluster
          ? { cluster: { server: cluster.server, ...(authority ? { 'certificate-authority-data': authority } : {}), ...(cluster.skipTLSVerify ? { 'insecure-skip-tls-verify': true } : {}), ...(cluster.tlsServerName ? { 'tls-server-name': cluster.tlsServerName } : {}) } }
          : {}),
      },
    };
  }
}

/**
 * A plugin's stderr without the credentials it may quote (a cached or refreshed token in a debug line): any word of 32
 * or more token characters with a digit in it. Its message ("run gcloud auth login", a login URL) is kept: it says what
 * to do next, and it reaches the requester and the logs, where only known token shapes are scrubbed.
 */
function withoutTokens(text: string): string {
  return text.replace(/(?<=^|\s)[A-Za-z0-9._~+/=-]{32,}(?=$|[\s,;:])/g, (word) => (/\d/.test(word) ? '[redacted]' : word));
}

function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // The group is already gone.
  }
}
