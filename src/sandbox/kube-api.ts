/**
 * A small stateful Kubernetes API server in the same process, spoken to over real HTTP so that the real
 * @kubernetes/client-node (and anything else using a kubeconfig) can be exercised against behaviour that mocks
 * cannot show: resourceVersion and 409 Conflict, JSON Patch `test` as compare-and-swap, dry-run, admission
 * webhooks, MicroTime decoding, discovery of the Istio versions a mesh serves, and injected failures.
 *
 * Not implemented (answers say so rather than pretending): watch, pagination (`limit` is ignored and every item
 * returned), server-side apply, strategic-merge list semantics, finalizers and namespace cascading deletion,
 * authentication (any or no token is accepted), and the existence of a namespace is not required to use it.
 * Core v1 Events and events.k8s.io/v1 Events are stored separately (a real apiserver converts between them).
 */
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { stringify } from 'yaml';
import { ApiState } from './kube-api/api-state.ts';
import type { ListSelectors } from './kube-api/api-state.ts';
import { ISTIO_VERSIONS } from './kube-api/resources.ts';
import { internalError } from './kube-api/status.ts';
import type { FakeResponse, FaultSpec, KubeObject, RecordedRequest, Validator } from './kube-api/types.ts';

export type {
  AdmissionDenial,
  AdmissionOperation,
  FaultSpec,
  KubeObject,
  ObjectMeta,
  RecordedRequest,
  Validator,
} from './kube-api/types.ts';
export type { ListSelectors } from './kube-api/api-state.ts';
export { ISTIO_WEBHOOK, istioVirtualServiceValidator } from './kube-api/validation.ts';

export interface FakeKubeApiOptions {
  /**
   * Versions of networking.istio.io to serve; default `['v1', 'v1beta1', 'v1alpha3']` (Istio ≥ 1.22).
   * `['v1beta1', 'v1alpha3']` is an older mesh; `[]` a cluster without Istio.
   */
  readonly istioVersions?: readonly string[];
  /** Serve argoproj.io/v1alpha1 rollouts; default true. */
  readonly argoRollouts?: boolean;
  /** Serve flagger.app/v1beta1 canaries; default true. */
  readonly flagger?: boolean;
  /** Serve gateway.networking.k8s.io HTTPRoutes; default true. */
  readonly gatewayApi?: boolean;
  /**
   * Validating admission per resource, keyed like `virtualservices.networking.istio.io` or `configmaps`.
   * Merged over the defaults (Istio's VirtualService weight rules); `null` removes a default.
   */
  readonly validators?: Readonly<Record<string, Validator | null>>;
  /** Objects stored before the first request, as with `put`. */
  readonly objects?: readonly KubeObject[];
  /** `gitVersion` reported by `GET /version`; default `v1.33.1`. */
  readonly kubernetesVersion?: string;
  /** User named in injected Forbidden messages; default the bot's service account. */
  readonly user?: string;
  /** Listening port on 127.0.0.1; default 0 (any free port). */
  readonly port?: number;
}

export interface FakeKubeApi {
  /** `http://127.0.0.1:PORT`. */
  readonly url: string;
  /** A KubeConfig whose current context `contextName` (also the cluster and user name) points at this server. */
  kubeConfig(contextName?: string, namespace?: string): KubeConfig;
  /** The same as kubeconfig YAML, for a file named by `KUBECONFIG` (several files merge, given distinct names). */
  kubeConfigYaml(contextName?: string, namespace?: string): string;
  /** Stores an object directly (no admission, no preconditions): uid, creationTimestamp and resourceVersion are filled. */
  put(obj: KubeObject): KubeObject;
  /** The stored object as served under `apiVersion`, or undefined. `kind` may also be the plural resource name. */
  get(apiVersion: string, kind: string, namespace: string | undefined, name: string): KubeObject | undefined;
  /** Stored objects of a type in a namespace (all namespaces when undefined), optionally filtered by selectors. */
  list(apiVersion: string, kind: string, namespace?: string, selectors?: ListSelectors): KubeObject[];
  /** Every request received so far, in order (a live view). */
  readonly requests: readonly RecordedRequest[];
  /** Makes the next matching request(s) fail; faults are matched in the order they were queued. */
  failNext(fault: FaultSpec): void;
  close(): Promise<void>;
}

/** The token of the kubeconfig user; the server does not check it, but clients must send something realistic. */
const TOKEN = 'fake-kube-api-token';

export async function startFakeKubeApi(options: FakeKubeApiOptions = {}): Promise<FakeKubeApi> {
  const istioVersions = options.istioVersions ?? ISTIO_VERSIONS;
  const unknownVersion = istioVersions.find((version) => !ISTIO_VERSIONS.includes(version));
  if (unknownVersion !== undefined) throw new Error(`fake-kube-api: Istio never served networking.istio.io/${unknownVersion}`);
  const kubernetesVersion = options.kubernetesVersion ?? 'v1.33.1';
  if (!/^v\d+\.\d+\.\d+/.test(kubernetesVersion)) throw new Error(`fake-kube-api: kubernetesVersion must look like v1.33.1, got ${kubernetesVersion}`);

  const state = new ApiState({
    istioVersions,
    argoRollouts: options.argoRollouts ?? true,
    flagger: options.flagger ?? true,
    gatewayApi: options.gatewayApi ?? true,
    validators: options.validators ?? {},
    kubernetesVersion,
    user: options.user ?? 'system:serviceaccount:mesh-bot:mesh-bot',
  });
  for (const obj of options.objects ?? []) state.put(obj);

  const server = createServer((request, response) => {
    serve(state, request, response);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;

  // client-node refuses plain http unless TLS verification is skipped, even though there is no TLS at all.
  const entries = (contextName: string, namespace: string | undefined) => ({
    cluster: { name: contextName, server: url, skipTLSVerify: true },
    user: { name: contextName, token: TOKEN },
    context: { name: contextName, cluster: contextName, user: contextName, ...(namespace === undefined ? {} : { namespace }) },
  });

  return {
    url,
    kubeConfig(contextName = 'fake', namespace?: string): KubeConfig {
      const { cluster, user, context } = entries(contextName, namespace);
      const config = new KubeConfig();
      config.loadFromOptions({ clusters: [cluster], users: [user], contexts: [context], currentContext: contextName });
      return config;
    },
    kubeConfigYaml(contextName = 'fake', namespace?: string): string {
      const { cluster, user, context } = entries(contextName, namespace);
      return stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: cluster.name, cluster: { server: cluster.server, 'insecure-skip-tls-verify': true } }],
        users: [{ name: user.name, user: { token: user.token } }],
        contexts: [{ name: context.name, context: { cluster: context.cluster, user: context.user, ...(namespace === undefined ? {} : { namespace }) } }],
        'current-context': contextName,
      });
    },
    put: (obj) => state.put(obj),
    get: (apiVersion, kind, namespace, name) => state.get(apiVersion, kind, namespace, name),
    list: (apiVersion, kind, namespace, selectors) => state.list(apiVersion, kind, namespace, selectors),
    get requests() {
      return state.requests;
    },
    failNext: (fault) => state.failNext(fault),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // Keep-alive connections of undici would otherwise hold close() open until they time out.
        server.closeAllConnections();
      }),
  };
}

function serve(state: ApiState, request: IncomingMessage, response: ServerResponse): void {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('error', () => response.destroy());
  request.on('end', () => {
    let answer: FakeResponse;
    try {
      const target = new URL(request.url ?? '/', 'http://fake');
      // Everything from here to the write is synchronous: requests cannot interleave inside the state.
      answer = state.handle({
        method: request.method ?? 'GET',
        path: target.pathname,
        query: target.searchParams,
        contentType: request.headers['content-type'],
        bodyText: Buffer.concat(chunks).toString('utf8'),
        host: request.headers.host ?? '',
      });
    } catch (error) {
      answer = internalError(error instanceof Error ? error.message : String(error));
    }
    const text = typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body);
    // Every answer built by the state carries `Content-Type: application/json` already.
    response.writeHead(answer.status, answer.headers);
    response.end(text);
  });
}
