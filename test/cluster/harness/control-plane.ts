/**
 * A real control plane on loopback, from the binaries test/cluster/build.sh makes: etcd, kube-apiserver (TLS, RBAC,
 * ServiceAccount tokens) with the Istio and Gateway API CRDs from those projects' own modules, and istiod
 * (pilot-discovery) against it with Istio's validating webhook registered through Istio's own base chart.
 *
 * Nothing runs in-cluster: istiod is an external control plane (as with a central istiod), so it is reached by its
 * loopback address, and the webhook points at a URL rather than a Service.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as k8s from '@kubernetes/client-node';
import { execa } from 'execa';
import { parseAllDocuments } from 'yaml';
import { createPki, type Pki } from './pki.ts';
import { freePort, start, waitFor, type Started } from './processes.ts';

export const CLUSTER_DIR = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
export const BIN = process.env['MESH_BOT_CLUSTER_BIN'] ?? path.join(CLUSTER_DIR, '.bin');
export const binary = (name: string) => path.join(BIN, name);

export interface Istiod {
  readonly process: Started;
  /** istiod's TLS xDS port (15012 in a cluster): what istioctl `--xds-address` dials, with a ServiceAccount token. */
  readonly xdsAddress: string;
  /** Plain-text xDS (15010 in a cluster): what the simulated proxies dial. */
  readonly plaintextXdsAddress: string;
  /** Prometheus metrics (15014 in a cluster). */
  readonly monitoringUrl: string;
  readonly version: string;
}

export interface ControlPlane {
  readonly dir: string;
  readonly pki: Pki;
  readonly server: string;
  readonly adminKubeconfig: string;
  readonly admin: k8s.KubeConfig;
  readonly versions: Readonly<Record<string, string>>;
  /** JSON lines, one per request of a ServiceAccount (see {@link serviceAccountRequests}). */
  readonly auditLog: string;
  /** Where istiod's TLS xDS port is, or will be once started. */
  readonly istiodXdsAddress: string;
  istiod: Istiod | undefined;
  startIstiod(): Promise<Istiod>;
  stopIstiod(): Promise<void>;
  stop(): Promise<void>;
}

/** GET over TLS with the admin client certificate; resolves with status and body. */
function adminGet(pki: Pki, url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { ca: readFileSync(pki.caCert), cert: readFileSync(pki.adminCert), key: readFileSync(pki.adminKey), timeout: 5000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.end();
  });
}

async function httpOk(url: string): Promise<true | undefined> {
  const response = await fetch(url, { signal: AbortSignal.timeout(5000) });
  return response.ok ? true : undefined;
}

export function kubeconfigYaml(options: { server: string; caFile: string; user: Record<string, string>; namespace?: string }): string {
  const ca = readFileSync(options.caFile).toString('base64');
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'tier', cluster: { server: options.server, 'certificate-authority-data': ca } }],
    users: [{ name: 'tier-user', user: options.user }],
    contexts: [{ name: 'tier', context: { cluster: 'tier', user: 'tier-user', ...(options.namespace ? { namespace: options.namespace } : {}) } }],
    'current-context': 'tier',
  }, null, 2);
}

/**
 * Server-side apply of every object with kubectl (client-node would drop the `x-kubernetes-*` keys of CRD schemas
 * when it serializes them); CRDs are waited for until Established.
 */
export async function applyObjects(kubeconfig: string, objects: readonly k8s.KubernetesObject[]): Promise<void> {
  const list = JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects });
  await execa('kubectl', ['--kubeconfig', kubeconfig, 'apply', '--server-side', '--force-conflicts', '--field-manager', 'mesh-bot-cluster-tier', '-f', '-'], { input: list });
  const crds = objects.filter((object) => object.kind === 'CustomResourceDefinition').map((crd) => `crd/${crd.metadata?.name ?? ''}`);
  if (crds.length > 0) await execa('kubectl', ['--kubeconfig', kubeconfig, 'wait', '--for=condition=Established', '--timeout=120s', ...crds]);
}

/** `kubectl create`: the objects' fields are owned by an Update, as when a person creates them. */
export async function createObjects(kubeconfig: string, objects: readonly k8s.KubernetesObject[]): Promise<void> {
  await execa('kubectl', ['--kubeconfig', kubeconfig, 'create', '-f', '-'], { input: JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects }) });
}

export function parseObjects(text: string): k8s.KubernetesObject[] {
  return parseAllDocuments(text)
    .map((document) => document.toJS() as k8s.KubernetesObject | null)
    .filter((object): object is k8s.KubernetesObject => object !== null && typeof object === 'object' && typeof object.kind === 'string');
}

/** Where Go keeps a module of one of our build modules (downloaded by build.sh). */
async function moduleDir(buildModule: string, modulePath: string): Promise<string> {
  const { stdout } = await execa('go', ['list', '-m', '-f', '{{.Dir}}', modulePath], { cwd: path.join(CLUSTER_DIR, 'build', buildModule), env: { GOFLAGS: '-mod=readonly' } });
  return stdout.trim();
}

async function crdsFrom(dir: string, files: readonly string[]): Promise<k8s.KubernetesObject[]> {
  const objects: k8s.KubernetesObject[] = [];
  for (const file of files) objects.push(...parseObjects(await readFile(path.join(dir, file), 'utf8')).filter((object) => object.kind === 'CustomResourceDefinition'));
  return objects;
}

export async function startControlPlane(): Promise<ControlPlane> {
  const dir = await mkdtemp(path.join(tmpdir(), 'mesh-bot-cluster-'));
  const processes: Started[] = [];
  try {
    return await boot(dir, processes);
  } catch (cause) {
    // Nothing outlives a failed start: what did start is stopped (its log is in the error).
    for (const running of processes.reverse()) await running.stop();
    throw cause;
  }
}

async function boot(dir: string, processes: Started[]): Promise<ControlPlane> {
  const pki = await createPki(dir);
  const versions: Record<string, string> = {};
  const version = async (name: string, args: readonly string[]) => (await execa(binary(name), args)).stdout.split('\n')[0]?.trim() ?? '';
  versions['etcd'] = await version('etcd', ['--version']);
  versions['kube-apiserver'] = await version('kube-apiserver', ['--version']);

  const [etcdClient, etcdPeer, apiPort] = [await freePort(), await freePort(), await freePort()];
  const etcd = start({
    name: 'etcd',
    command: binary('etcd'),
    dir,
    args: [
      '--name', 'tier', '--data-dir', path.join(dir, 'etcd-data'),
      '--listen-client-urls', `http://127.0.0.1:${etcdClient}`, '--advertise-client-urls', `http://127.0.0.1:${etcdClient}`,
      '--listen-peer-urls', `http://127.0.0.1:${etcdPeer}`, '--initial-advertise-peer-urls', `http://127.0.0.1:${etcdPeer}`,
      '--initial-cluster', `tier=http://127.0.0.1:${etcdPeer}`, '--log-level', 'warn',
    ],
  });
  processes.push(etcd);
  await waitFor(etcd, 'health', () => httpOk(`http://127.0.0.1:${etcdClient}/health`));

  const server = `https://127.0.0.1:${apiPort}`;
  // Every request of a ServiceAccount is audited: a 403 names the rule deploy/ lacks, a 409 proves a real conflict.
  const auditPolicy = path.join(dir, 'audit-policy.yaml');
  const auditLog = path.join(dir, 'audit.log');
  await writeFile(auditPolicy, 'apiVersion: audit.k8s.io/v1\nkind: Policy\nomitStages: [RequestReceived]\nrules:\n  - level: Metadata\n    userGroups: ["system:serviceaccounts"]\n  - level: None\n');
  const apiServer = start({
    name: 'kube-apiserver',
    command: binary('kube-apiserver'),
    dir,
    args: [
      `--etcd-servers=http://127.0.0.1:${etcdClient}`,
      '--bind-address=127.0.0.1', '--advertise-address=127.0.0.1', `--secure-port=${apiPort}`,
      `--tls-cert-file=${pki.apiServerCert}`, `--tls-private-key-file=${pki.apiServerKey}`, `--client-ca-file=${pki.caCert}`,
      '--authorization-mode=RBAC',
      '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
      `--service-account-key-file=${pki.serviceAccountPub}`, `--service-account-signing-key-file=${pki.serviceAccountKey}`,
      '--service-cluster-ip-range=10.96.0.0/16', `--cert-dir=${path.join(dir, 'apiserver-certs')}`,
      `--audit-policy-file=${auditPolicy}`, `--audit-log-path=${auditLog}`, '--audit-log-format=json', '--audit-log-mode=blocking',
      '--profiling=false', '--v=0',
    ],
  });
  processes.push(apiServer);
  await waitFor(apiServer, 'readiness', async () => ((await adminGet(pki, `${server}/readyz`)).status === 200 ? true : undefined));

  const adminKubeconfig = path.join(dir, 'admin.kubeconfig');
  await writeFile(adminKubeconfig, kubeconfigYaml({ server, caFile: pki.caCert, user: { 'client-certificate-data': readFileSync(pki.adminCert).toString('base64'), 'client-key-data': readFileSync(pki.adminKey).toString('base64') } }));
  const admin = new k8s.KubeConfig();
  admin.loadFromFile(adminKubeconfig);

  // The CRDs from the modules Istio builds against: its own generated CRDs and the Gateway API's.
  const istio = await moduleDir('istio', 'istio.io/istio');
  const gatewayApi = await moduleDir('istio', 'sigs.k8s.io/gateway-api');
  const gatewayCrds = path.join(gatewayApi, 'config', 'crd', 'standard');
  await applyObjects(adminKubeconfig, [
    ...(await crdsFrom(path.join(istio, 'manifests', 'charts', 'base', 'files'), ['crd-all.gen.yaml'])),
    ...(await crdsFrom(gatewayCrds, (await readdir(gatewayCrds)).filter((file) => file.endsWith('.yaml')))),
  ]);
  // No controller manager runs: the ServiceAccount controller would have made istio-system's `default`, which
  // istioctl asks a token for when it dials istiod.
  await applyObjects(adminKubeconfig, [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'istio-system' } },
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace: 'istio-system' } },
  ]);

  // istiod's ports are fixed before it starts, so a bot can be configured with its address while it is absent.
  const [grpc, secureGrpc, https, monitoring, http] = [await freePort(), await freePort(), await freePort(), await freePort(), await freePort()];
  const controlPlane: ControlPlane = {
    dir,
    auditLog,
    istiodXdsAddress: `127.0.0.1:${secureGrpc}`,
    pki,
    server,
    adminKubeconfig,
    admin,
    versions,
    istiod: undefined,
    async startIstiod() {
      const istiodVersion = await version('pilot-discovery', ['version', '--short']);
      await writeFile(path.join(dir, 'mesh.yaml'), 'rootNamespace: istio-system\ntrustDomain: cluster.local\n');
      const istiod = start({
        name: 'istiod',
        command: binary('pilot-discovery'),
        dir,
        args: [
          'discovery', `--kubeconfig=${adminKubeconfig}`, `--meshConfig=${path.join(dir, 'mesh.yaml')}`,
          `--httpAddr=127.0.0.1:${http}`, `--grpcAddr=127.0.0.1:${grpc}`, `--secureGRPCAddr=127.0.0.1:${secureGrpc}`,
          `--httpsAddr=127.0.0.1:${https}`, `--monitoringAddr=127.0.0.1:${monitoring}`,
          `--tlsCertFile=${pki.istiodCert}`, `--tlsKeyFile=${pki.istiodKey}`, `--caCertFile=${pki.caCert}`,
          '--domain=cluster.local', '--log_output_level=default:warn',
        ],
        env: { POD_NAMESPACE: 'istio-system', POD_NAME: 'istiod-cluster-tier', REVISION: 'default', KUBECONFIG: adminKubeconfig, PILOT_ENABLE_AMBIENT: 'true' },
      });
      processes.push(istiod);
      await waitFor(istiod, 'readiness', () => httpOk(`http://127.0.0.1:${http}/ready`));
      // Istio's own base chart renders the default-revision validating webhook; with a CA bundle it is failurePolicy
      // Fail and istiod leaves it alone.
      const { stdout } = await execa(binary('helm'), [
        'template', 'istio-base', path.join(istio, 'manifests', 'charts', 'base'), '--namespace', 'istio-system',
        '--set', 'defaultRevision=default', '--set', `base.validationURL=https://127.0.0.1:${https}/validate`,
        '--set', `base.validationCABundle=${readFileSync(pki.caCert).toString('base64')}`,
        '--show-only', 'templates/defaultrevision-validatingwebhookconfiguration.yaml',
      ], { env: { HELM_CACHE_HOME: path.join(dir, 'helm'), HELM_CONFIG_HOME: path.join(dir, 'helm'), HELM_DATA_HOME: path.join(dir, 'helm') } });
      await applyObjects(adminKubeconfig, parseObjects(stdout));
      controlPlane.istiod = {
        process: istiod,
        xdsAddress: `127.0.0.1:${secureGrpc}`,
        plaintextXdsAddress: `127.0.0.1:${grpc}`,
        monitoringUrl: `http://127.0.0.1:${monitoring}/metrics`,
        version: istiodVersion,
      };
      versions['pilot-discovery'] = istiodVersion;
      return controlPlane.istiod;
    },
    async stopIstiod() {
      const running = controlPlane.istiod;
      if (!running) return;
      controlPlane.istiod = undefined;
      await running.process.stop();
      processes.splice(processes.indexOf(running.process), 1);
    },
    async stop() {
      for (const running of processes.reverse()) await running.stop();
      // Logs, certificates and etcd's data stay for a look after a failed run when asked to.
      if (process.env['MESH_BOT_CLUSTER_KEEP'] !== '1') await rm(dir, { recursive: true, force: true });
    },
  };
  return controlPlane;
}

export interface AuditedRequest {
  readonly user: string;
  readonly verb: string;
  readonly code: number;
  readonly uri: string;
  readonly resource: string;
  readonly namespace: string | undefined;
  readonly name: string | undefined;
}

/** The ServiceAccount requests the API server has answered so far, from its audit log. */
export async function serviceAccountRequests(controlPlane: ControlPlane): Promise<AuditedRequest[]> {
  const text = await readFile(controlPlane.auditLog, 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as { user?: { username?: string }; verb?: string; requestURI?: string; responseStatus?: { code?: number }; objectRef?: { resource?: string; subresource?: string; apiGroup?: string; namespace?: string; name?: string } })
    .map((event) => {
      const ref = event.objectRef ?? {};
      const resource = ref.resource ? `${ref.resource}${ref.subresource ? `/${ref.subresource}` : ''}${ref.apiGroup ? `.${ref.apiGroup}` : ''}` : (event.requestURI ?? '');
      return { user: event.user?.username ?? '', verb: event.verb ?? '', code: event.responseStatus?.code ?? 0, uri: event.requestURI ?? '', resource, namespace: ref.namespace, name: ref.name };
    });
}

/** "list secrets in every namespace", the way an RBAC rule would be read. */
export function describeRequest(request: AuditedRequest): string {
  return `${request.user} ${request.verb} ${request.resource}${request.name ? ` ${request.name}` : ''} ${request.namespace ? `in namespace ${request.namespace}` : 'cluster-wide'}`;
}
