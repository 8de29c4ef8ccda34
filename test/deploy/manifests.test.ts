import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import * as k8s from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { loadConfig } from '../../src/config.ts';

// ---------------------------------------------------------------------------------------------
// Loading
// ---------------------------------------------------------------------------------------------

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const DEPLOY = path.join(ROOT, 'deploy');
const BASE = path.join(DEPLOY, 'base');
const BOT_NAMESPACE = 'mesh-bot';
const ISTIO_NAMESPACE = 'istio-system';
const SERVICE_ACCOUNT = 'mesh-bot';

type Obj = Record<string, unknown>;

interface Doc {
  /** Path relative to the repository root, e.g. deploy/base/deployment.yaml. */
  readonly file: string;
  readonly index: number;
  readonly obj: Obj;
}

function isObj(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function obj(value: unknown, where: string): Obj {
  assert.ok(isObj(value), `${where}: expected a mapping`);
  return value;
}

function arr(value: unknown, where: string): unknown[] {
  assert.ok(Array.isArray(value), `${where}: expected a list`);
  return value;
}

function str(value: unknown, where: string): string {
  assert.equal(typeof value, 'string', `${where}: expected a string`);
  return value as string;
}

function strings(value: unknown, where: string): string[] {
  return arr(value, where).map((item, index) => str(item, `${where}[${index}]`));
}

function walk(dir: string, accept: (file: string) => boolean): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir).sort()) {
    const full = path.join(dir, entry);
    if (statSync(full).isDirectory()) found.push(...walk(full, accept));
    else if (accept(full)) found.push(full);
  }
  return found;
}

/** The Helm chart's templates are not plain YAML: test/cluster/helm.ts renders them with helm and compares with the base. */
const HELM_CHARTS = path.join(DEPLOY, 'helm');
const yamlFiles = walk(DEPLOY, (file) => /\.ya?ml$/.test(file) && !file.startsWith(`${HELM_CHARTS}${path.sep}`));

function loadDocs(): Doc[] {
  const docs: Doc[] = [];
  for (const full of yamlFiles) {
    const file = path.relative(ROOT, full);
    parseAllDocuments(readFileSync(full, 'utf8')).forEach((document, index) => {
      assert.deepEqual(document.errors.map((error) => error.message), [], `${file} document ${index} is not valid YAML`);
      const value: unknown = document.toJS();
      if (value === null || value === undefined) return; // an empty document (comment only)
      docs.push({ file, index, obj: obj(value, `${file} document ${index}`) });
    });
  }
  return docs;
}

const docs = loadDocs();
const kindOf = (doc: Doc) => doc.obj.kind as string;
const nameOf = (doc: Doc) => (doc.obj.metadata as Obj | undefined)?.name as string;
const namespaceOf = (doc: Doc) => (doc.obj.metadata as Obj | undefined)?.namespace as string | undefined;
const where = (doc: Doc) => `${doc.file}#${doc.index} (${kindOf(doc)} ${nameOf(doc) ?? ''})`;
const inBase = (doc: Doc) => doc.file.startsWith(`deploy${path.sep}base${path.sep}`);
const baseDocs = docs.filter((doc) => inBase(doc) && kindOf(doc) !== 'Kustomization');

function only(kind: string, list: readonly Doc[] = baseDocs): Doc {
  const found = list.filter((doc) => kindOf(doc) === kind);
  assert.equal(found.length, 1, `expected exactly one ${kind} in deploy/base, found ${found.length}`);
  return found[0] as Doc;
}

// ---------------------------------------------------------------------------------------------
// Known kinds: apiVersion, scope, and the @kubernetes/client-node model used as the schema
// ---------------------------------------------------------------------------------------------

interface KindInfo {
  readonly apiVersion: string;
  readonly namespaced: boolean;
  /** client-node model class whose attribute map lists the fields Kubernetes knows. */
  readonly model?: string;
  /** Namespaces a document of this kind may live in (namespaced kinds). */
  readonly namespaces?: readonly string[];
}

const KINDS: Readonly<Record<string, KindInfo>> = {
  Namespace: { apiVersion: 'v1', namespaced: false, model: 'V1Namespace' },
  ServiceAccount: { apiVersion: 'v1', namespaced: true, model: 'V1ServiceAccount' },
  ConfigMap: { apiVersion: 'v1', namespaced: true, model: 'V1ConfigMap' },
  Secret: { apiVersion: 'v1', namespaced: true, model: 'V1Secret' },
  Service: { apiVersion: 'v1', namespaced: true, model: 'V1Service' },
  Deployment: { apiVersion: 'apps/v1', namespaced: true, model: 'V1Deployment' },
  PodDisruptionBudget: { apiVersion: 'policy/v1', namespaced: true, model: 'V1PodDisruptionBudget' },
  Role: { apiVersion: 'rbac.authorization.k8s.io/v1', namespaced: true, model: 'V1Role', namespaces: [BOT_NAMESPACE, ISTIO_NAMESPACE] },
  RoleBinding: { apiVersion: 'rbac.authorization.k8s.io/v1', namespaced: true, model: 'V1RoleBinding', namespaces: [BOT_NAMESPACE, ISTIO_NAMESPACE] },
  ClusterRole: { apiVersion: 'rbac.authorization.k8s.io/v1', namespaced: false, model: 'V1ClusterRole' },
  ClusterRoleBinding: { apiVersion: 'rbac.authorization.k8s.io/v1', namespaced: false, model: 'V1ClusterRoleBinding' },
  ServiceMonitor: { apiVersion: 'monitoring.coreos.com/v1', namespaced: true },
  Kustomization: { apiVersion: 'kustomize.config.k8s.io/v1beta1', namespaced: false },
};

/** Kinds whose names must be DNS labels (they become host names / path segments); the rest are DNS subdomains. */
const DNS_LABEL_KINDS = new Set(['Namespace', 'Service']);
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

interface Attribute {
  readonly baseName: string;
  readonly type: string;
}

function modelAttributes(model: string): readonly Attribute[] | null {
  const candidate = (k8s as unknown as Record<string, unknown>)[model] as { getAttributeTypeMap?: () => Attribute[] } | undefined;
  return typeof candidate?.getAttributeTypeMap === 'function' ? candidate.getAttributeTypeMap() : null;
}

/** Checks `value` against a client-node type: unknown fields (typos) and wrong JSON types fail. */
function checkShape(value: unknown, type: string, at: string, problems: string[]): void {
  const list = /^Array<(.+)>$/.exec(type);
  if (list) {
    if (!Array.isArray(value)) return void problems.push(`${at}: expected a list`);
    value.forEach((item, index) => checkShape(item, list[1] as string, `${at}[${index}]`, problems));
    return;
  }
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (map) {
    if (!isObj(value)) return void problems.push(`${at}: expected a mapping`);
    for (const [key, item] of Object.entries(value)) checkShape(item, map[1] as string, `${at}.${key}`, problems);
    return;
  }
  switch (type) {
    case 'string':
    case 'Date':
      if (typeof value !== 'string') problems.push(`${at}: expected a string, got ${JSON.stringify(value)}`);
      return;
    case 'number':
      if (typeof value !== 'number') problems.push(`${at}: expected a number, got ${JSON.stringify(value)}`);
      return;
    case 'boolean':
      if (typeof value !== 'boolean') problems.push(`${at}: expected true/false, got ${JSON.stringify(value)}`);
      return;
    case 'IntOrString':
      if (typeof value !== 'string' && typeof value !== 'number') problems.push(`${at}: expected a number or a string`);
      return;
    case 'any':
    case 'object':
      return;
  }
  const attributes = modelAttributes(type);
  if (!attributes) return void problems.push(`${at}: no client-node model ${type} to check against`);
  if (!isObj(value)) return void problems.push(`${at}: expected a mapping (${type})`);
  for (const [key, item] of Object.entries(value)) {
    const attribute = attributes.find((candidate) => candidate.baseName === key);
    if (!attribute) problems.push(`${at}.${key}: unknown field for ${type}`);
    else checkShape(item, attribute.type, `${at}.${key}`, problems);
  }
}

// ---------------------------------------------------------------------------------------------
// 1. Structure
// ---------------------------------------------------------------------------------------------

describe('deploy/: every YAML document is a well-formed Kubernetes object', () => {
  it('finds the base, the optional and the example manifests', () => {
    for (const file of ['deploy/base/kustomization.yaml', 'deploy/optional/servicemonitor.yaml', 'deploy/examples/slack-secret.example.yaml']) {
      assert.ok(docs.some((doc) => doc.file === file.split('/').join(path.sep)), `${file} is missing`);
    }
    assert.ok(docs.length >= 15, `only ${docs.length} documents found under deploy/`);
  });

  it('uses only known kinds, each with its expected apiVersion', () => {
    for (const doc of docs) {
      const info = KINDS[kindOf(doc)];
      assert.ok(info, `${where(doc)}: kind ${String(doc.obj.kind)} is not one mesh-bot ships`);
      assert.equal(doc.obj.apiVersion, info.apiVersion, `${where(doc)}: apiVersion`);
    }
  });

  it('names every object with a valid DNS name and puts namespaced objects in the right namespace', () => {
    for (const doc of docs) {
      if (kindOf(doc) === 'Kustomization') continue;
      const info = KINDS[kindOf(doc)] as KindInfo;
      const name = nameOf(doc);
      assert.equal(typeof name, 'string', `${where(doc)}: metadata.name is required`);
      const pattern = DNS_LABEL_KINDS.has(kindOf(doc)) ? DNS_LABEL : DNS_SUBDOMAIN;
      assert.match(name, pattern, `${where(doc)}: metadata.name is not a valid DNS name`);
      assert.ok(name.length <= (DNS_LABEL_KINDS.has(kindOf(doc)) ? 63 : 253), `${where(doc)}: metadata.name is too long`);
      if (info.namespaced) {
        assert.ok((info.namespaces ?? [BOT_NAMESPACE]).includes(namespaceOf(doc) ?? ''), `${where(doc)}: namespace ${namespaceOf(doc)} (allowed: ${(info.namespaces ?? [BOT_NAMESPACE]).join(', ')})`);
      } else {
        assert.equal(namespaceOf(doc), undefined, `${where(doc)}: a cluster-scoped object has no namespace`);
      }
    }
    const inIstio = docs.filter((doc) => namespaceOf(doc) === ISTIO_NAMESPACE).map((doc) => `${kindOf(doc)}/${nameOf(doc)}`);
    assert.deepEqual(inIstio.sort(), ['Role/mesh-bot-istioctl', 'RoleBinding/mesh-bot-istioctl']);
  });

  it('uses only fields Kubernetes knows, with the right types (client-node models as the schema)', () => {
    const problems: string[] = [];
    for (const doc of docs) {
      const model = KINDS[kindOf(doc)]?.model;
      if (model) checkShape(doc.obj, model, where(doc), problems);
    }
    assert.deepEqual(problems, []);
  });

  it('lists in kustomization.yaml exactly the manifest files of deploy/base, and makes the image overridable', () => {
    const kustomization = only('Kustomization', docs.filter(inBase));
    const listed = strings(kustomization.obj.resources, 'kustomization.yaml resources');
    const present = readdirSync(BASE).filter((file) => /\.ya?ml$/.test(file) && file !== 'kustomization.yaml');
    assert.deepEqual([...listed].sort(), [...present].sort());
    assert.equal(new Set(listed).size, listed.length, 'a resource is listed twice');
    assert.equal(kustomization.obj.namespace, undefined, 'a kustomize namespace would move the istio-system Role');
    const deployment = only('Deployment');
    const image = str((podSpec(deployment).containers as Obj[])[0]?.image, 'container image');
    const images = arr(kustomization.obj.images, 'kustomization.yaml images').map((entry) => obj(entry, 'images[]'));
    assert.ok(images.some((entry) => image.startsWith(`${str(entry.name, 'images[].name')}:`)), `no images: entry for ${image}`);
  });

  it('keeps the example Secret and the optional objects out of the base', () => {
    assert.ok(!baseDocs.some((doc) => kindOf(doc) === 'Secret'), 'a Secret in the base would overwrite the real one on every apply');
    assert.ok(!baseDocs.some((doc) => kindOf(doc) === 'ServiceMonitor'));
    const secret = only('Secret', docs);
    assert.equal(nameOf(secret), 'mesh-bot-slack');
    for (const [key, value] of Object.entries(obj(secret.obj.stringData, 'example stringData'))) {
      assert.match(str(value, key), /REPLACE-ME/, `example Secret ${key} must be a placeholder`);
    }
  });
});

function podSpec(deployment: Doc): Obj {
  const spec = obj(deployment.obj.spec, 'Deployment spec');
  return obj(obj(spec.template, 'spec.template').spec, 'spec.template.spec');
}

function podLabels(deployment: Doc): Obj {
  return obj(obj(obj(obj(deployment.obj.spec, 'spec').template, 'template').metadata, 'template.metadata').labels, 'template labels');
}

function selects(selector: Obj, labels: Obj): boolean {
  const matchLabels = obj(selector.matchLabels, 'matchLabels');
  return Object.keys(matchLabels).length > 0 && Object.entries(matchLabels).every(([key, value]) => labels[key] === value);
}

/** DESIGN.md §2 and §3: the environment and endpoints the bot understands. */
const BOT_ENV = ['SLACK_BOT_TOKEN', 'SLACK_APP_TOKEN', 'SLACK_SIGNING_SECRET', 'SLACK_API_URL', 'PORT', 'ISTIOCTL', 'KUBECONFIG', 'MESH_BOT_CONFIG', 'LOG_LEVEL', 'POD_NAME', 'POD_NAMESPACE'];
/** Read by istioctl (config dir, temp files), not by the bot. */
const TOOL_ENV = ['HOME', 'TMPDIR'];
const BOT_ENDPOINTS = ['/slack/events', '/healthz', '/readyz', '/metrics'];

const sourceFiles = [...walk(path.join(ROOT, 'src'), (file) => file.endsWith('.ts')), ...walk(path.join(ROOT, 'commands'), (file) => file.endsWith('.ts'))];
const sources = sourceFiles.map((file) => ({ file: path.relative(ROOT, file), text: readFileSync(file, 'utf8') }));

describe('deploy/base: the Deployment, Service and PodDisruptionBudget fit together', () => {
  const deployment = only('Deployment');
  const spec = podSpec(deployment);
  const container = obj(arr(spec.containers, 'containers')[0], 'containers[0]');
  const env = new Map(arr(container.env, 'env').map((entry) => [str(obj(entry, 'env[]').name, 'env[].name'), obj(entry, 'env[]')]));

  it('runs 2 replicas whose selector matches the pod template labels', () => {
    const deploymentSpec = obj(deployment.obj.spec, 'spec');
    assert.equal(deploymentSpec.replicas, 2);
    assert.ok(selects(obj(deploymentSpec.selector, 'selector'), podLabels(deployment)), 'selector does not match the template labels');
    assert.equal(arr(spec.containers, 'containers').length, 1);
    assert.match(str(container.image, 'image'), /^ghcr\.io\/mesh-bot\/mesh-bot:/);
    assert.equal(container.name, 'mesh-bot');
  });

  it('probes /readyz and /healthz, endpoints the bot serves, on its declared port', () => {
    const ports = arr(container.ports, 'ports').map((port) => obj(port, 'ports[]'));
    assert.deepEqual(ports.map((port) => [port.name, port.containerPort]), [['http', 3000]]);
    assert.equal(obj(env.get('PORT'), 'env PORT').value, '3000', 'PORT must match the container port');
    const probes: Array<[string, string]> = [['readinessProbe', '/readyz'], ['livenessProbe', '/healthz']];
    for (const [probe, expected] of probes) {
      const httpGet = obj(obj(container[probe], probe).httpGet, `${probe}.httpGet`);
      assert.equal(httpGet.path, expected, `${probe} path`);
      assert.ok(BOT_ENDPOINTS.includes(expected));
      assert.ok(sources.some((source) => source.text.includes(`'${expected}'`)), `no route '${expected}' found in src/`);
      assert.ok(ports.some((port) => port.name === httpGet.port || port.containerPort === httpGet.port), `${probe} port ${String(httpGet.port)} is not a container port`);
    }
  });

  it('sets only documented environment variables: tokens from the Secret, config path, downward API, HOME=/tmp', () => {
    for (const name of env.keys()) assert.ok([...BOT_ENV, ...TOOL_ENV].includes(name), `${name} is not in DESIGN.md §2`);
    const secretRef = (name: string) => obj(obj(obj(env.get(name), name).valueFrom, `${name}.valueFrom`).secretKeyRef, `${name} secretKeyRef`);
    assert.deepEqual(secretRef('SLACK_BOT_TOKEN'), { name: 'mesh-bot-slack', key: 'SLACK_BOT_TOKEN' }, 'the bot token is required: not optional');
    assert.deepEqual(secretRef('SLACK_APP_TOKEN'), { name: 'mesh-bot-slack', key: 'SLACK_APP_TOKEN', optional: true });
    assert.deepEqual(secretRef('SLACK_SIGNING_SECRET'), { name: 'mesh-bot-slack', key: 'SLACK_SIGNING_SECRET', optional: true });
    const fieldPath = (name: string) => obj(obj(obj(env.get(name), name).valueFrom, `${name}.valueFrom`).fieldRef, `${name} fieldRef`).fieldPath;
    assert.equal(fieldPath('POD_NAME'), 'metadata.name');
    assert.equal(fieldPath('POD_NAMESPACE'), 'metadata.namespace');
    assert.equal(obj(env.get('HOME'), 'HOME').value, '/tmp');
  });

  it('mounts the ConfigMap at MESH_BOT_CONFIG and an emptyDir at /tmp', () => {
    const mounts = arr(container.volumeMounts, 'volumeMounts').map((mount) => obj(mount, 'volumeMounts[]'));
    const volumes = arr(spec.volumes, 'volumes').map((volume) => obj(volume, 'volumes[]'));
    const volumeAt = (mountPath: string) => {
      const mount = mounts.find((candidate) => candidate.mountPath === mountPath);
      assert.ok(mount, `nothing mounted at ${mountPath}`);
      return obj(volumes.find((volume) => volume.name === mount.name), `volume ${String(mount.name)}`);
    };
    const configPath = str(obj(env.get('MESH_BOT_CONFIG'), 'MESH_BOT_CONFIG').value, 'MESH_BOT_CONFIG');
    const configVolume = volumeAt(path.posix.dirname(configPath));
    const configMapName = obj(configVolume.configMap, 'config volume configMap').name;
    const configMap = baseDocs.find((doc) => kindOf(doc) === 'ConfigMap' && nameOf(doc) === configMapName);
    assert.ok(configMap, `ConfigMap ${String(configMapName)} is not in deploy/base`);
    assert.equal(typeof obj(configMap.obj.data, 'data')[path.posix.basename(configPath)], 'string', `ConfigMap has no key ${path.posix.basename(configPath)}`);
    assert.ok(isObj(volumeAt('/tmp').emptyDir), '/tmp must be an emptyDir');
  });

  it('ships an example config.yaml the bot itself accepts', async () => {
    const configMap = only('ConfigMap');
    const text = str(obj(configMap.obj.data, 'data')['config.yaml'], 'config.yaml');
    const loaded = await loadConfig({ MESH_BOT_CONFIG: '/etc/mesh-bot/config.yaml' }, async () => text);
    assert.ok(loaded.ok, loaded.ok ? '' : loaded.error.message);
    assert.deepEqual(loaded.value.clusters.map((cluster) => [cluster.name, cluster.context]), [['default', undefined]], 'in a pod the default cluster is the in-cluster one');
  });

  it('runs under the mesh-bot ServiceAccount with its token mounted', () => {
    assert.equal(spec.serviceAccountName, SERVICE_ACCOUNT);
    assert.equal(spec.automountServiceAccountToken, true);
    assert.ok(baseDocs.some((doc) => kindOf(doc) === 'ServiceAccount' && nameOf(doc) === SERVICE_ACCOUNT && namespaceOf(doc) === namespaceOf(deployment)));
  });

  it('spreads replicas across nodes', () => {
    const labels = podLabels(deployment);
    const spread = (spec.topologySpreadConstraints as Obj[] | undefined) ?? [];
    const antiAffinity = ((obj(spec.affinity ?? {}, 'affinity').podAntiAffinity as Obj | undefined)?.preferredDuringSchedulingIgnoredDuringExecution as Obj[] | undefined) ?? [];
    const byHostname = [
      ...spread.filter((constraint) => constraint.topologyKey === 'kubernetes.io/hostname' && selects(obj(constraint.labelSelector, 'labelSelector'), labels)),
      ...antiAffinity.filter((term) => {
        const podAffinityTerm = obj(term.podAffinityTerm, 'podAffinityTerm');
        return podAffinityTerm.topologyKey === 'kubernetes.io/hostname' && selects(obj(podAffinityTerm.labelSelector, 'labelSelector'), labels);
      }),
    ];
    assert.ok(byHostname.length > 0, 'no topology spread or anti-affinity across kubernetes.io/hostname that selects the bot pods');
  });

  it('requests and limits CPU and memory', () => {
    const resources = obj(container.resources, 'resources');
    for (const kind of ['requests', 'limits']) {
      const values = obj(resources[kind], kind);
      assert.ok(typeof values.cpu === 'string' && typeof values.memory === 'string', `${kind} needs cpu and memory`);
    }
  });

  it('keeps one pod available during disruptions, selecting exactly the bot pods', () => {
    const pdb = only('PodDisruptionBudget');
    const pdbSpec = obj(pdb.obj.spec, 'pdb spec');
    assert.equal(pdbSpec.minAvailable, 1);
    assert.ok(selects(obj(pdbSpec.selector, 'pdb selector'), podLabels(deployment)), 'PDB selector does not match the pods');
    assert.ok((pdbSpec.minAvailable as number) < (obj(deployment.obj.spec, 'spec').replicas as number), 'minAvailable must leave room to drain a node');
  });

  it('exposes port 80 to the container port for /slack/events and /metrics', () => {
    const service = only('Service');
    const serviceSpec = obj(service.obj.spec, 'service spec');
    assert.equal(serviceSpec.type, 'ClusterIP');
    assert.ok(Object.entries(obj(serviceSpec.selector, 'service selector')).every(([key, value]) => podLabels(deployment)[key] === value), 'Service selector does not match the pods');
    const ports = arr(serviceSpec.ports, 'service ports').map((port) => obj(port, 'ports[]'));
    assert.deepEqual(ports.map((port) => [port.port, port.targetPort]), [[80, 'http']]);
    const monitor = only('ServiceMonitor', docs);
    const endpoints = arr(obj(monitor.obj.spec, 'spec').endpoints, 'endpoints').map((endpoint) => obj(endpoint, 'endpoints[]'));
    assert.deepEqual(endpoints.map((endpoint) => [endpoint.port, endpoint.path]), [['http', '/metrics']]);
    assert.ok(selects(obj(obj(monitor.obj.spec, 'spec').selector, 'selector'), obj(obj(service.obj.metadata, 'metadata').labels, 'service labels')), 'ServiceMonitor does not select the Service');
  });
});

// ---------------------------------------------------------------------------------------------
// 2. Security
// ---------------------------------------------------------------------------------------------

const RBAC_KINDS = new Set(['Role', 'ClusterRole']);
const rbacDocs = docs.filter((doc) => RBAC_KINDS.has(kindOf(doc)));
/** The one opt-in file that grants Secrets, documented in deploy/README.md; never part of the base. */
const OPT_IN_SECRETS_FILE = path.join('deploy', 'optional', 'analyze-secrets.yaml');

function rulesOf(doc: Doc): Obj[] {
  return arr(doc.obj.rules, `${where(doc)} rules`).map((rule, index) => obj(rule, `${where(doc)} rules[${index}]`));
}

describe('deploy/: security', () => {
  it('gives every RBAC rule explicit, non-empty apiGroups, resources and verbs, and never a wildcard', () => {
    assert.ok(rbacDocs.length >= 4);
    for (const doc of rbacDocs) {
      for (const [index, rule] of rulesOf(doc).entries()) {
        const at = `${where(doc)} rules[${index}]`;
        assert.equal(rule.nonResourceURLs, undefined, `${at}: nonResourceURLs are not needed (/version and discovery are open to authenticated users)`);
        for (const field of ['apiGroups', 'resources', 'verbs']) {
          const values = strings(rule[field], `${at}.${field}`);
          assert.ok(values.length > 0, `${at}.${field} is empty`);
          assert.ok(!values.some((value) => value.includes('*')), `${at}.${field} contains a wildcard`);
        }
      }
    }
  });

  it('never grants Secrets in the base, and no verb that escalates privileges', () => {
    for (const doc of rbacDocs) {
      for (const rule of rulesOf(doc)) {
        const resources = strings(rule.resources, 'resources');
        const verbs = strings(rule.verbs, 'verbs');
        if (doc.file !== OPT_IN_SECRETS_FILE) assert.ok(!resources.includes('secrets'), `${where(doc)} grants secrets`);
        for (const verb of ['escalate', 'bind', 'impersonate', 'approve', 'sign']) assert.ok(!verbs.includes(verb), `${where(doc)} grants ${verb}`);
        for (const resource of ['pods/exec', 'pods/attach', 'nodes/proxy', 'roles', 'rolebindings', 'clusterroles', 'clusterrolebindings']) {
          assert.ok(!resources.includes(resource), `${where(doc)} grants ${resource}`);
        }
      }
    }
  });

  it('keeps the opt-in Secrets grant read-only and out of the base', () => {
    const optIn = rbacDocs.filter((doc) => doc.file === OPT_IN_SECRETS_FILE);
    assert.equal(optIn.length, 1);
    assert.deepEqual(rulesOf(optIn[0] as Doc).map((rule) => [rule.apiGroups, rule.resources, rule.verbs]), [[[''], ['secrets'], ['list', 'watch']]]);
    const listed = strings(only('Kustomization', docs.filter(inBase)).obj.resources, 'resources');
    assert.ok(!listed.some((file) => file.includes('analyze-secrets')));
  });

  it('runs the container non-root (uid 10001 as in the Dockerfile), read-only, without privileges, with RuntimeDefault seccomp', () => {
    const spec = podSpec(only('Deployment'));
    const pod = obj(spec.securityContext, 'pod securityContext');
    const dockerUser = /^USER\s+(\d+)/m.exec(readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8'))?.[1];
    assert.equal(String(pod.runAsUser), dockerUser, 'runAsUser must match the Dockerfile USER');
    for (const [index, entry] of arr(spec.containers, 'containers').entries()) {
      const container = obj(obj(entry, 'container').securityContext, `containers[${index}].securityContext`);
      const effective = (key: string) => container[key] ?? pod[key];
      assert.equal(effective('runAsNonRoot'), true);
      assert.equal(effective('runAsUser'), 10001);
      assert.equal(container.readOnlyRootFilesystem, true);
      assert.equal(container.allowPrivilegeEscalation, false);
      assert.notEqual(container.privileged, true);
      assert.deepEqual(obj(container.capabilities, 'capabilities').drop, ['ALL']);
      assert.equal(obj(effective('seccompProfile'), 'seccompProfile').type, 'RuntimeDefault');
    }
    assert.equal(spec.hostNetwork, undefined);
    assert.equal(spec.hostPID, undefined);
  });
});

// ---------------------------------------------------------------------------------------------
// 3. RBAC coverage: what the bot's code calls + what istioctl needs == what the Roles grant
// ---------------------------------------------------------------------------------------------

/**
 * Where a permission must hold: the bot's own namespace (Role there), istio-system (Role there),
 * or every namespace / cluster-scoped objects (ClusterRole + ClusterRoleBinding).
 */
type Scope = 'bot-namespace' | 'istio-system' | 'cluster';

interface Need {
  readonly scope: Scope;
  readonly group: string;
  readonly resource: string;
  readonly verb: string;
  readonly why: string;
}

type CallMapping =
  | { readonly kind: 'resource'; readonly needs: readonly Omit<Need, 'why'>[]; readonly why: string }
  | { readonly kind: 'custom'; readonly verb: string; readonly scope: Scope; readonly why: string }
  | { readonly kind: 'non-resource'; readonly url: string; readonly why: string };

const need = (scope: Scope, group: string, resource: string, verb: string): Omit<Need, 'why'> => ({ scope, group, resource, verb });

/**
 * Every Kubernetes API call the bot's code may make, as `ApiClass.method` → the permission it needs.
 * A client-node method found in src/ or commands/ that is not listed here fails the test: adding an
 * API call forces an RBAC decision (here and in deploy/base). Entries may be ahead of the code
 * (planned calls of issue #5); the Roles must grant them all and nothing else.
 */
const API_CALLS: Readonly<Record<string, CallMapping>> = {
  'CoreV1Api.listNamespacedPod': {
    kind: 'resource',
    needs: [need('cluster', '', 'pods', 'list')],
    why: 'istiod pods in any configured istio namespace (status); pods a DestinationRule subset selects (canary); the pods of the waypoint serving an HTTPRoute (canary propagation proof)',
  },
  'CoreV1Api.listPodForAllNamespaces': {
    kind: 'resource',
    needs: [need('cluster', '', 'pods', 'list')],
    why: 'status: gateway and waypoint pods by label (proxy kinds), two label-selected lists across namespaces',
  },
  'CoreV1Api.readNamespacedPod': {
    kind: 'resource',
    needs: [need('cluster', '', 'pods', 'get')],
    why: 'ztunnel-config POD: the node a workload pod runs on, to read the ztunnel of that node',
  },
  'CoreV1Api.listNamespace': {
    kind: 'resource',
    needs: [need('cluster', '', 'namespaces', 'list')],
    why: 'ztunnel-config workloads and digest: the namespaces labelled istio.io/dataplane-mode=ambient (pods there should be captured); analyze: IST0102 is skipped there',
  },
  'AppsV1Api.listDaemonSetForAllNamespaces': {
    kind: 'resource',
    needs: [need('cluster', 'apps', 'daemonsets', 'list')],
    why: 'status, digest: ztunnel DaemonSet (ready vs desired, one per node) and the istio-cni node agent, wherever they run (kube-system on GKE)',
  },
  'CoreV1Api.readNamespace': {
    kind: 'resource',
    needs: [need('cluster', '', 'namespaces', 'get')],
    why: 'status -n / analyze: a namespace that does not exist is an error, not an empty healthy answer; canary: the Namespace istio.io/use-waypoint label naming the waypoint that serves an HTTPRoute',
  },
  'CoreV1Api.readNamespacedService': {
    kind: 'resource',
    needs: [need('cluster', '', 'services', 'get')],
    why: 'canary: the Service selector that, with a DestinationRule subset\'s labels, picks the subset\'s pods; an HTTPRoute parent Service\'s istio.io/use-waypoint label (which waypoint must be SYNCED)',
  },
  'CoreV1Api.listServiceForAllNamespaces': {
    kind: 'resource',
    needs: [need('cluster', '', 'services', 'list')],
    why: 'waypoint -A: Services labelled istio.io/use-waypoint (label-selected), to name those whose waypoint is missing or not programmed',
  },
  'CoreV1Api.listNamespacedService': {
    kind: 'resource',
    needs: [need('cluster', '', 'services', 'list')],
    why: 'waypoint -n: Services labelled istio.io/use-waypoint in the namespace',
  },
  'CoreV1Api.readNamespacedConfigMap': {
    kind: 'resource',
    needs: [need('bot-namespace', '', 'configmaps', 'get'), need('cluster', '', 'configmaps', 'get')],
    why: 'state store: read a record; digest: the istio-ca-root-cert ConfigMap of a scoped namespace or the Istio namespace (ClusterRole limited by resourceNames)',
  },
  'CoreV1Api.listNamespacedConfigMap': { kind: 'resource', needs: [need('bot-namespace', '', 'configmaps', 'list')], why: 'state store: list records by label' },
  'CoreV1Api.createNamespacedConfigMap': { kind: 'resource', needs: [need('bot-namespace', '', 'configmaps', 'create')], why: 'state store: create a record / take a lock' },
  'CoreV1Api.replaceNamespacedConfigMap': { kind: 'resource', needs: [need('bot-namespace', '', 'configmaps', 'update')], why: 'state store: compare-and-swap on resourceVersion' },
  'CoreV1Api.deleteNamespacedConfigMap': { kind: 'resource', needs: [need('bot-namespace', '', 'configmaps', 'delete')], why: 'state store: remove a record' },
  'CoreV1Api.createNamespacedEvent': { kind: 'resource', needs: [need('cluster', '', 'events', 'create')], why: 'audit Event on the VirtualService that was changed (any namespace)' },
  'CoordinationV1Api.readNamespacedLease': { kind: 'resource', needs: [need('bot-namespace', 'coordination.k8s.io', 'leases', 'get')], why: 'leader election: read the Lease' },
  'CoordinationV1Api.createNamespacedLease': { kind: 'resource', needs: [need('bot-namespace', 'coordination.k8s.io', 'leases', 'create')], why: 'leader election: create the Lease when missing' },
  'CoordinationV1Api.replaceNamespacedLease': { kind: 'resource', needs: [need('bot-namespace', 'coordination.k8s.io', 'leases', 'update')], why: 'leader election: renew / release' },
  'CustomObjectsApi.getNamespacedCustomObject': { kind: 'custom', verb: 'get', scope: 'cluster', why: 'read a VirtualService / DestinationRule / Rollout / Canary' },
  'CustomObjectsApi.listNamespacedCustomObject': { kind: 'custom', verb: 'list', scope: 'cluster', why: 'find Rollouts / Canaries that own a VirtualService' },
  'CustomObjectsApi.listClusterCustomObject': { kind: 'custom', verb: 'list', scope: 'cluster', why: 'digest: VirtualServices with split weights across the mesh' },
  'CustomObjectsApi.patchNamespacedCustomObject': { kind: 'custom', verb: 'patch', scope: 'cluster', why: 'JSON Patch of VirtualService weights' },
  'VersionApi.getCode': { kind: 'non-resource', url: '/version', why: '/readyz: API reachable. Open to every authenticated user (system:public-info-viewer); no Role needed' },
};

/** Discovery (`GET /api`, `/apis/{group}[/{version}]`) is open to authenticated users (system:discovery). */
const DISCOVERY_METHODS = new Set(['getAPIGroup', 'getAPIVersions', 'getAPIResources']);

/** The custom resources the bot reads or writes through CustomObjectsApi, with the verbs it uses on each. */
const CUSTOM_RESOURCES: readonly { group: string; plural: string; verbs: readonly string[]; why: string }[] = [
  { group: 'networking.istio.io', plural: 'virtualservices', verbs: ['get', 'list', 'patch'], why: 'canary status / promote / rollback; digest: canaries in progress' },
  { group: 'networking.istio.io', plural: 'destinationrules', verbs: ['get', 'list'], why: 'subsets of a canary (the DestinationRules of the namespace)' },
  { group: 'gateway.networking.k8s.io', plural: 'httproutes', verbs: ['get', 'patch'], why: 'canary status / promote / rollback of an HTTPRoute' },
  { group: 'gateway.networking.k8s.io', plural: 'gateways', verbs: ['get'], why: 'canary propagation proof of an HTTPRoute: is a Gateway parent an ambient waypoint (class istio-waypoint) or an ingress?' },
  { group: 'argoproj.io', plural: 'rollouts', verbs: ['get', 'list'], why: 'is the VirtualService managed by Argo Rollouts?' },
  { group: 'flagger.app', plural: 'canaries', verbs: ['get', 'list'], why: 'is the VirtualService managed by Flagger?' },
];

/** client-node entry points that reach arbitrary resources; using one needs a decision recorded here first. */
const GENERIC_CLIENTS = new Set(['KubernetesObjectApi', 'Watch', 'ListWatch', 'makeInformer', 'PortForward', 'Exec', 'Attach', 'Cp', 'Log', 'Metrics', 'topNodes', 'topPods']);

const readWatch = ['get', 'list', 'watch'];
const many = (scope: Scope, group: string, resources: readonly string[], verbs: readonly string[], why: string): Need[] =>
  resources.flatMap((resource) => verbs.map((verb) => ({ scope, group, resource, verb, why })));

/**
 * istioctl's needs (shared/reference/kubernetes.md, "RBAC that istioctl and the bot need"; kinds from
 * the analyzers' inputs in istio 1.20-1.30). Fixed expectations: istioctl runs as a child process, so
 * its calls cannot be found in our source.
 */
const ISTIOCTL_NEEDS: readonly Need[] = [
  ...many('istio-system', '', ['pods'], ['list'], 'proxy-status / version: find istiod'),
  ...many('istio-system', '', ['pods/portforward'], ['get', 'create'], 'proxy-status / version: port-forward to istiod (get: WebSocket; create: Kubernetes 1.35+)'),
  ...many('istio-system', '', ['serviceaccounts/token'], ['create'], 'proxy-status / version: token for istiod xDS'),
  ...many('istio-system', '', ['configmaps'], readWatch, 'analyze: mesh config and injector config (informer limited to the Istio namespace)'),
  ...many('cluster', '', ['pods'], readWatch, 'proxy-config: get the pod; analyze: pods'),
  ...many('cluster', '', ['pods/portforward'], ['get', 'create'], 'proxy-config: Envoy admin port 15000 of any pod'),
  ...many('cluster', '', ['namespaces', 'services', 'nodes'], readWatch, 'analyze'),
  ...many('cluster', 'apps', ['deployments'], readWatch, 'analyze'),
  ...many('cluster', 'admissionregistration.k8s.io', ['mutatingwebhookconfigurations', 'validatingwebhookconfigurations'], readWatch, 'analyze: webhook checks'),
  ...many('cluster', 'apiextensions.k8s.io', ['customresourcedefinitions'], readWatch, 'analyze: which Istio / Gateway API kinds exist'),
  ...many('cluster', 'networking.istio.io', ['virtualservices', 'destinationrules', 'gateways', 'serviceentries', 'sidecars', 'envoyfilters', 'workloadentries', 'workloadgroups', 'proxyconfigs'], readWatch, 'analyze'),
  ...many('cluster', 'security.istio.io', ['authorizationpolicies', 'peerauthentications', 'requestauthentications'], readWatch, 'analyze'),
  ...many('cluster', 'telemetry.istio.io', ['telemetries'], readWatch, 'analyze'),
  ...many('cluster', 'extensions.istio.io', ['wasmplugins', 'trafficextensions'], readWatch, 'analyze (trafficextensions: istioctl 1.31, seen in the cluster tier)'),
  ...many('cluster', '', ['configmaps'], ['list', 'watch'], 'analyze: istioctl 1.31 watches ConfigMaps in every namespace (seen in the cluster tier\'s audit log)'),
  ...many('cluster', 'gateway.networking.k8s.io', ['gatewayclasses', 'gateways', 'httproutes', 'grpcroutes', 'tcproutes', 'tlsroutes', 'udproutes', 'referencegrants', 'backendtlspolicies'], readWatch, 'analyze: Gateway API'),
];

/** Everything the bot's own code needs: the API_CALLS table plus the custom resources it names. */
function botNeeds(): Need[] {
  const needs: Need[] = [];
  for (const [call, mapping] of Object.entries(API_CALLS)) {
    if (mapping.kind === 'resource') needs.push(...mapping.needs.map((entry) => ({ ...entry, why: `${call}: ${mapping.why}` })));
  }
  for (const custom of CUSTOM_RESOURCES) needs.push(...custom.verbs.map((verb) => ({ scope: 'cluster' as const, group: custom.group, resource: custom.plural, verb, why: custom.why })));
  return needs;
}

// --- Scanning the source --------------------------------------------------------------------

interface FoundCall {
  readonly call: string;
  readonly at: string;
}

interface SourceScan {
  readonly calls: readonly FoundCall[];
  readonly generic: readonly string[];
  readonly customGroups: readonly string[];
  readonly customPlurals: readonly string[];
}

/** method name → API classes of client-node that have it (…WithHttpInfo folded into the plain name). */
function apiMethodIndex(): Map<string, Set<string>> {
  const index = new Map<string, Set<string>>();
  for (const [className, value] of Object.entries(k8s)) {
    if (typeof value !== 'function' || !/Api$/.test(className) || className === 'KubernetesObjectApi') continue;
    const prototype = (value as { prototype?: object }).prototype;
    if (!prototype) continue;
    for (const method of Object.getOwnPropertyNames(prototype)) {
      if (method === 'constructor') continue;
      const plain = method.replace(/WithHttpInfo$/, '');
      const classes = index.get(plain) ?? new Set<string>();
      classes.add(className);
      index.set(plain, classes);
    }
  }
  return index;
}

const METHODS = apiMethodIndex();

/** Drops comments so that a call mentioned in a comment does not count (string contents are kept). */
function stripComments(text: string): string {
  return text
    .replace(/\/\*[\s\S]*?\*\//g, (block) => block.replace(/[^\n]/g, ' '))
    .split('\n')
    .map((line) => (/^\s*\/\//.test(line) ? '' : line.replace(/\s\/\/\s.*$/, '')))
    .join('\n');
}

function scanSources(files: readonly { file: string; text: string }[]): SourceScan {
  const cleaned = files.map((source) => ({ file: source.file, text: stripComments(source.text) }));
  const instantiated = new Set<string>();
  const generic: string[] = [];
  for (const { file, text } of cleaned) {
    for (const match of text.matchAll(/makeApiClient\(\s*(?:[\w$]+\.)?(\w+)\s*\)/g)) instantiated.add(match[1] as string);
    for (const match of text.matchAll(/\bnew\s+(?:[\w$]+\.)?(\w+Api)\s*\(/g)) instantiated.add(match[1] as string);
    for (const match of text.matchAll(/import\s+(type\s+)?\{([^}]*)\}\s*from\s*['"]@kubernetes\/client-node['"]/g)) {
      if (match[1]) continue; // `import type { … }` brings no code
      for (const part of (match[2] as string).split(',')) {
        const name = part.trim().replace(/^type\s+/, '').split(/\s+as\s+/)[0]?.trim() ?? '';
        if (GENERIC_CLIENTS.has(name) && !part.trim().startsWith('type ')) generic.push(`${file}: imports ${name}`);
      }
    }
    for (const match of text.matchAll(/import\s+\*\s+as\s+(\w+)\s+from\s*['"]@kubernetes\/client-node['"]/g)) {
      for (const use of text.matchAll(new RegExp(`\\b${match[1] as string}\\.(\\w+)`, 'g'))) {
        if (GENERIC_CLIENTS.has(use[1] as string)) generic.push(`${file}: uses ${use[1] as string}`);
      }
    }
  }
  const calls: FoundCall[] = [];
  const customGroups = new Set<string>();
  const customPlurals = new Set<string>();
  for (const { file, text } of cleaned) {
    let usesCustomObjects = false;
    for (const match of text.matchAll(/\.\s*(\w+)\s*\(/g)) {
      const method = (match[1] as string).replace(/WithHttpInfo$/, '');
      const classes = [...(METHODS.get(method) ?? [])].filter((className) => instantiated.has(className));
      if (classes.length === 0) continue; // not a method of any API client the code creates
      const line = text.slice(0, match.index).split('\n').length;
      if (DISCOVERY_METHODS.has(method)) {
        calls.push({ call: `discovery.${method}`, at: `${file}:${line}` });
        continue;
      }
      for (const className of classes) {
        calls.push({ call: `${className}.${method}`, at: `${file}:${line}` });
        if (className === 'CustomObjectsApi') usesCustomObjects = true;
      }
    }
    // Wrappers called with positional arguments: listCustom('argoproj.io', 'v1alpha1', 'rollouts', namespace).
    for (const match of text.matchAll(/['"`]([a-z0-9-]+(?:\.[a-z0-9-]+)+)['"`]\s*,\s*['"`]v\d+(?:(?:alpha|beta)\d+)?['"`]\s*,\s*['"`]([a-z0-9]+)['"`]/g)) {
      customGroups.add(match[1] as string);
      customPlurals.add(match[2] as string);
    }
    if (usesCustomObjects) {
      for (const match of text.matchAll(/\bplural\s*[:=]\s*['"`]([^'"`]+)['"`]/g)) customPlurals.add(match[1] as string);
      for (const match of text.matchAll(/\b[A-Z_]*PLURAL[A-Z_]*\s*=\s*['"`]([^'"`]+)['"`]/g)) customPlurals.add(match[1] as string);
      for (const match of text.matchAll(/\bgroup\s*[:=]\s*['"`]([^'"`]+)['"`]/g)) customGroups.add(match[1] as string);
      for (const match of text.matchAll(/\b[A-Z_]*GROUP[A-Z_]*\s*=\s*['"`]([^'"`]+)['"`]/g)) customGroups.add(match[1] as string);
    }
  }
  return { calls, generic, customGroups: [...customGroups].sort(), customPlurals: [...customPlurals].sort() };
}

function unmappedCalls(scan: SourceScan): string[] {
  return scan.calls.filter((found) => !found.call.startsWith('discovery.') && !(found.call in API_CALLS)).map((found) => `${found.call} at ${found.at}`);
}

// --- What the Roles grant ---------------------------------------------------------------------

interface Grant {
  /** `cluster` for a ClusterRole bound cluster-wide, else the namespace of the binding. */
  readonly scope: string;
  readonly group: string;
  readonly resource: string;
  readonly verb: string;
  readonly from: string;
}

function grantsToBot(list: readonly Doc[]): Grant[] {
  const grants: Grant[] = [];
  for (const binding of list.filter((doc) => kindOf(doc) === 'RoleBinding' || kindOf(doc) === 'ClusterRoleBinding')) {
    const subjects = arr(binding.obj.subjects, `${where(binding)} subjects`).map((subject) => obj(subject, 'subject'));
    if (!subjects.some((subject) => subject.kind === 'ServiceAccount' && subject.name === SERVICE_ACCOUNT && subject.namespace === BOT_NAMESPACE)) continue;
    const roleRef = obj(binding.obj.roleRef, `${where(binding)} roleRef`);
    const role = list.find((doc) => kindOf(doc) === roleRef.kind && nameOf(doc) === roleRef.name && (roleRef.kind === 'ClusterRole' || namespaceOf(doc) === namespaceOf(binding)));
    assert.ok(role, `${where(binding)} refers to a missing ${String(roleRef.kind)} ${String(roleRef.name)}`);
    const scope = kindOf(binding) === 'ClusterRoleBinding' ? 'cluster' : (namespaceOf(binding) as string);
    for (const rule of rulesOf(role)) {
      for (const group of strings(rule.apiGroups, 'apiGroups')) {
        for (const resource of strings(rule.resources, 'resources')) {
          for (const verb of strings(rule.verbs, 'verbs')) grants.push({ scope, group, resource, verb, from: `${kindOf(role)} ${nameOf(role)}` });
        }
      }
    }
  }
  return grants;
}

const SCOPE_NAMESPACE: Readonly<Record<Scope, string>> = { 'bot-namespace': BOT_NAMESPACE, 'istio-system': ISTIO_NAMESPACE, cluster: 'cluster' };
const describeNeed = (entry: Omit<Need, 'why'>) => `${entry.verb} ${entry.group || 'core'}/${entry.resource} (${entry.scope})`;

function missingGrants(needs: readonly Need[], grants: readonly Grant[]): string[] {
  return needs
    .filter((entry) => !grants.some((grant) => grant.group === entry.group && grant.resource === entry.resource && grant.verb === entry.verb && (grant.scope === 'cluster' || grant.scope === SCOPE_NAMESPACE[entry.scope])))
    .map((entry) => `${describeNeed(entry)} — needed for ${entry.why}`);
}

function unjustifiedGrants(needs: readonly Need[], grants: readonly Grant[]): string[] {
  return grants
    .filter((grant) => !needs.some((entry) => grant.group === entry.group && grant.resource === entry.resource && grant.verb === entry.verb && SCOPE_NAMESPACE[entry.scope] === grant.scope))
    .map((grant) => `${grant.verb} ${grant.group || 'core'}/${grant.resource} in ${grant.scope} (${grant.from})`);
}

describe('deploy/base RBAC covers exactly what the bot and istioctl call', () => {
  const scan = scanSources(sources);
  const grants = grantsToBot(baseDocs);

  it('binds every Role to the mesh-bot ServiceAccount and refers only to Roles that exist', () => {
    const bindings = baseDocs.filter((doc) => kindOf(doc) === 'RoleBinding' || kindOf(doc) === 'ClusterRoleBinding');
    assert.ok(bindings.length >= 3);
    for (const binding of bindings) {
      const subjects = arr(binding.obj.subjects, 'subjects').map((subject) => obj(subject, 'subject'));
      assert.deepEqual(subjects, [{ kind: 'ServiceAccount', name: SERVICE_ACCOUNT, namespace: BOT_NAMESPACE }], `${where(binding)} subjects`);
      assert.equal(obj(binding.obj.roleRef, 'roleRef').apiGroup, 'rbac.authorization.k8s.io');
    }
    const bound = new Set(bindings.map((binding) => `${String(obj(binding.obj.roleRef, 'roleRef').kind)}/${String(obj(binding.obj.roleRef, 'roleRef').name)}`));
    for (const role of baseDocs.filter((doc) => RBAC_KINDS.has(kindOf(doc)))) assert.ok(bound.has(`${kindOf(role)}/${nameOf(role)}`), `${where(role)} is bound to nothing`);
    assert.ok(grants.length > 0);
  });

  it('scanner: finds client-node calls through the API clients the code creates, and ignores comments and other methods', () => {
    const sample = scanSources([
      { file: 'src/a.ts', text: "const core = config.makeApiClient(CoreV1Api);\nconst custom = kc.makeApiClient(k8s.CustomObjectsApi);" },
      {
        file: 'src/b.ts',
        text: [
          "await kube.core.listNamespacedPod({ namespace, labelSelector });",
          "await kube.core.readNamespacedSecretWithHttpInfo({ name, namespace });",
          "// kube.core.deleteNamespacedPod({ name }) is never called",
          "await store.list(selector, schema);",
          "await kube.coordination.readNamespacedLease({ name, namespace });",
          "await custom.getNamespacedCustomObject({ group: 'networking.istio.io', version: 'v1', plural: 'virtualservices', namespace, name });",
          "await custom.getAPIResources({ group, version });",
        ].join('\n'),
      },
      { file: 'src/c.ts', text: "import { KubeConfig, Watch, type V1Pod } from '@kubernetes/client-node';" },
      { file: 'src/d.ts', text: "await istio.listCustom('flagger.app', 'v1beta1', 'canaries', namespace);" },
    ]);
    assert.deepEqual(
      sample.calls.map((found) => `${found.call} ${found.at}`),
      ['CoreV1Api.listNamespacedPod src/b.ts:1', 'CoreV1Api.readNamespacedSecret src/b.ts:2', 'CustomObjectsApi.getNamespacedCustomObject src/b.ts:6', 'discovery.getAPIResources src/b.ts:7'],
    );
    assert.deepEqual(unmappedCalls(sample), ['CoreV1Api.readNamespacedSecret at src/b.ts:2']);
    assert.deepEqual(sample.generic, ['src/c.ts: imports Watch']);
    assert.deepEqual(sample.customPlurals, ['canaries', 'virtualservices']);
    assert.deepEqual(sample.customGroups, ['flagger.app', 'networking.istio.io']);
  });

  it('finds the Kubernetes calls in src/ and commands/ (the scan is not vacuous)', (t) => {
    const distinct = [...new Set(scan.calls.map((found) => found.call))].sort();
    t.diagnostic(`Kubernetes API calls found: ${distinct.join(', ')}`);
    t.diagnostic(`custom resources named: ${scan.customPlurals.join(', ')} in ${scan.customGroups.join(', ')}`);
    assert.ok(distinct.includes('CoreV1Api.listNamespacedPod'), 'listNamespacedPod (istiod pods) not found: is the scanner broken?');
    assert.ok(distinct.includes('CoreV1Api.readNamespacedConfigMap'), 'readNamespacedConfigMap (state store) not found: is the scanner broken?');
  });

  it('knows every client-node call in the source: a new call needs an RBAC decision in this table and in deploy/base', () => {
    assert.deepEqual(unmappedCalls(scan), [], 'add these calls to API_CALLS in test/deploy/manifests.test.ts and grant them in deploy/base');
    assert.deepEqual(scan.generic, [], 'generic client-node access (any resource) cannot be checked; map the resources it reaches first');
  });

  it('knows every custom resource the source names next to CustomObjectsApi calls', () => {
    const knownPlurals = new Set(CUSTOM_RESOURCES.map((custom) => custom.plural));
    const knownGroups = new Set(CUSTOM_RESOURCES.map((custom) => custom.group));
    assert.deepEqual(scan.customPlurals.filter((plural) => !knownPlurals.has(plural)), [], 'add the resource to CUSTOM_RESOURCES and the ClusterRole');
    assert.deepEqual(scan.customGroups.filter((group) => !knownGroups.has(group)), [], 'add the group to CUSTOM_RESOURCES and the ClusterRole');
    for (const found of scan.calls) {
      const mapping = API_CALLS[found.call];
      if (mapping?.kind !== 'custom') continue;
      assert.ok(CUSTOM_RESOURCES.some((custom) => custom.verbs.includes(mapping.verb)), `${found.call} (${mapping.verb}) at ${found.at}: no custom resource in CUSTOM_RESOURCES is used with ${mapping.verb}`);
    }
  });

  it('grants every call the bot makes or plans (API_CALLS, CUSTOM_RESOURCES) in the scope it needs', () => {
    assert.deepEqual(missingGrants(botNeeds(), grants), []);
  });

  it('grants everything istioctl needs for status, proxy-config and analyze (except Secrets)', () => {
    assert.deepEqual(missingGrants(ISTIOCTL_NEEDS, grants), []);
  });

  it('grants nothing broader: every permission is used by a mapped call or by istioctl, in exactly that scope', () => {
    assert.deepEqual(unjustifiedGrants([...botNeeds(), ...ISTIOCTL_NEEDS], grants), []);
  });

  it('needs no Role for /version and discovery, which every authenticated user may read', () => {
    for (const [call, mapping] of Object.entries(API_CALLS)) {
      if (mapping.kind === 'non-resource') assert.match(mapping.url, /^\/(version|api|apis)(\/|$)/, call);
    }
  });
});
