// `istioctl proxy-config` / `pc` for one pod, per version: the corpus outputs where they exist (eds, bootstrap,
// secret tables, log, all), JSON derived from a config dump for clusters/listeners/routes, pod errors by name.
// The `bookinfo` scenario answers from each demo pod's own generated config dump (demo-envoy.ts) instead.

import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { CommandError, FakeSetupError, NotImplemented, ok } from './command.ts';
import { corpusText } from './corpus.ts';
import type { CommandDef, Output, RunContext } from './command.ts';
import { demoPod, envoyConfigDump, findPod, type DemoWorld } from './demo-envoy.ts';
import { loadDemoWorld, meshStartOf, rootPemIn } from './demo-world.ts';
import { flagGiven, flagValue } from './flags.ts';
import { logLine, portForwardKlog } from './scenarios.ts';
import { renderTable } from './tabwriter.ts';
import type { FlagSpec } from './flags.ts';
import { atLeast } from './version.ts';
import type { ClientVersion } from './version.ts';

const corpus = (path: string): string => corpusText(`proxy-config/${path}`);
/** goldens stored without a final newline are printed with one, as istioctl's Fprintln does */
const withNewline = (text: string): string => (text.endsWith('\n') ? text : `${text}\n`);

/** `snake_case` → `camelCase` (protojson field names); `@type` and map keys with capitals stay. */
function camelize(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(camelize);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const key = /^[a-z][a-z0-9]*(_[a-z0-9]+)+$/.test(k) ? k.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase()) : k;
      out[key] = camelize(v);
    }
    return out;
  }
  return value;
}

type Section = Record<string, unknown>;

function sectionOf(dump: unknown, suffix: string): Section | undefined {
  const configs = (dump as { configs?: Section[] }).configs ?? [];
  return configs.find((c) => typeof c['@type'] === 'string' && (c['@type'] as string).endsWith(`.${suffix}`));
}

/** entries of `key` arrays in a section, each unwrapped by `field` */
function entries(section: Section | undefined, keys: readonly string[], field: (entry: Section) => unknown): unknown[] {
  if (!section) return [];
  return keys.flatMap((key) => ((section[key] as Section[] | undefined) ?? []).map(field).filter((v) => v !== undefined));
}

/** protojson-style output istioctl prints for `-o json`: camelCase, 4-space indent */
function printJson(value: unknown): string {
  return `${JSON.stringify(camelize(value), null, 4)}\n`;
}

interface Dump {
  /** the file's bytes, for `all -o json` */
  text: string;
  value: unknown;
  /** where the dump comes from: the corpus, FAKE_ISTIOCTL_CONFIG_DUMP_FILE, or the demo pod's generated Envoy */
  source: 'corpus' | 'file' | 'demo';
}

/** The admin path istioctl asks Envoy for, per subcommand (proxyconfig.go): it appears in port-forward errors. */
const ADMIN_PATHS: Readonly<Record<string, string>> = {
  all: 'config_dump?include_eds=true',
  eds: 'config_dump?include_eds=true',
  cluster: 'config_dump?mask=dynamic_active_clusters,static_clusters',
  listener: 'config_dump?mask=dynamic_listeners,static_listeners',
  route: 'config_dump?mask=dynamic_route_configs,static_route_configs',
  bootstrap: 'config_dump?mask=bootstrap',
  secret: 'config_dump?mask=dynamic_active_secrets',
  log: 'logging',
};
const FORWARDED_PORT = 43805;

/**
 * `extractConfigDump` prefixes `failed to execute command on <pod>.<ns> sidecar: `, the /logging call
 * `failed to execute command on Envoy: ` (proxyconfig.go).
 */
const envoyFailure = (kind: string, pod: string, namespace: string, cause: string) =>
  kind === 'log' ? `failed to execute command on Envoy: ${cause}` : `failed to execute command on ${pod}.${namespace} sidecar: ${cause}`;

/**
 * A pod the API server does not have (a typo, a Service name, the wrong namespace). istioctl takes a plain name as
 * a pod name without looking it up (handlers.InferPodInfoFromTypedResource); the port-forwarder's pod GET then
 * fails (pkg/kube/portforwarder.go buildK8sPortForwarder: `failed retrieving: %v in the %q namespace`), which
 * `forwarder.Start` wraps in `building port forwarded: ` and `failure running port forward process: `, and
 * `portForwardRequest` (pkg/kube/client.go) wraps once more. Derived from that code: the corpus has no sample.
 */
function podNotFound(kind: string, pod: string, namespace: string): CommandError {
  const cause = `failure running port forward process: failure running port forward process: building port forwarded: failed retrieving: pods "${pod}" not found in the "${namespace}" namespace`;
  return new CommandError(envoyFailure(kind, pod, namespace, cause));
}

/**
 * A pod without an Envoy on the admin port (istiod): the kubelet cannot connect, client-go logs it through klog,
 * and the HTTP request over the dead forward ends in EOF (the shape of istio/istio#25946 and #40972).
 */
function noEnvoy(kind: string, pod: string, namespace: string): CommandError {
  const klog = logLine('error', 'klog', portForwardKlog(FORWARDED_PORT, 15000));
  const cause = `failure running port forward process: Get "http://127.0.0.1:${FORWARDED_PORT}/${ADMIN_PATHS[kind] ?? 'config_dump'}": EOF`;
  return new CommandError(envoyFailure(kind, pod, namespace, cause), undefined, klog);
}

/** The demo pod's own Envoy configuration, or istioctl's error for a pod it cannot reach. */
async function demoDump(ctx: RunContext, kind: string, pod: string, namespace: string): Promise<Dump> {
  const now = new Date();
  let world: DemoWorld;
  let meshStart: Date;
  try {
    meshStart = meshStartOf(ctx.env, now);
    world = await loadDemoWorld(ctx.env, meshStart);
  } catch (cause) {
    throw new FakeSetupError((cause as Error).message);
  }
  const object = findPod(world, pod, namespace);
  if (!object) throw podNotFound(kind, pod, namespace);
  const facts = demoPod(object);
  if (!facts) throw noEnvoy(kind, pod, namespace);
  const rootPem = rootPemIn(world, namespace) ?? '';
  const value = envoyConfigDump(world, facts, rootPem, { now, meshStart });
  return { text: JSON.stringify(value, null, 2), value, source: 'demo' };
}

/** The data behind a pod's proxy-config answers; errors for pods that cannot be reached come first, as in istioctl. */
async function loadDump(ctx: RunContext, kind: string): Promise<Dump> {
  const { pod, namespace } = podTarget(ctx, kind);
  const file = ctx.env['FAKE_ISTIOCTL_CONFIG_DUMP_FILE'];
  if (file) {
    const text = readFileSync(file, 'utf8');
    return { text, value: JSON.parse(text) as unknown, source: 'file' };
  }
  if (ctx.scenario.name === 'bookinfo') return demoDump(ctx, kind, pod, namespace);
  const text = corpus('all/input_config_dump.json');
  return { text, value: JSON.parse(text) as unknown, source: 'corpus' };
}

function outputFlag(): FlagSpec {
  return { name: 'output', shorthand: 'o', kind: 'string', default: 'short' };
}

function commonFlags(): FlagSpec[] {
  return [outputFlag(), { name: 'file', shorthand: 'f', kind: 'string', default: '' }, { name: 'proxy-admin-port', kind: 'int', default: '15000' }];
}

/** flags istioctl has for filtering; the fake accepts them but does not model the filtering */
const FILTERS: Readonly<Record<string, FlagSpec[]>> = {
  cluster: [
    { name: 'fqdn', kind: 'string', default: '' },
    { name: 'port', kind: 'int', default: '0' },
    { name: 'subset', kind: 'string', default: '' },
    { name: 'direction', kind: 'string', default: '' },
  ],
  listener: [
    { name: 'address', kind: 'string', default: '' },
    { name: 'port', kind: 'int', default: '0' },
    { name: 'type', kind: 'string', default: '' },
    { name: 'verbose', kind: 'bool', default: 'true' },
  ],
  route: [
    { name: 'name', kind: 'string', default: '' },
    { name: 'verbose', kind: 'bool', default: 'true' },
  ],
  eds: [
    { name: 'address', kind: 'string', default: '' },
    { name: 'port', kind: 'int', default: '0' },
    { name: 'cluster', kind: 'string', default: '' },
    { name: 'status', kind: 'string', default: '' },
  ],
  secret: [],
  bootstrap: [],
  all: [
    { name: 'fqdn', kind: 'string', default: '' },
    { name: 'port', kind: 'int', default: '0' },
  ],
};

/**
 * `<pod>[.<ns>]` as istioctl reads it (namespace after the last dot, else -n, else `default`), and the pod-name
 * conventions of the fake outside the `bookinfo` scenario: `missing-*` does not exist, `nosidecar-*` has no istio-proxy.
 */
function podTarget(ctx: RunContext, kind: string): { pod: string; namespace: string } {
  const arg = ctx.args[0];
  if (arg === undefined || flagGiven(ctx.flags, 'file')) {
    if (flagGiven(ctx.flags, 'file')) throw new NotImplemented(`proxy-config ${kind} --file`);
    throw new CommandError(`${kind} requires pod name or --file parameter`);
  }
  if (ctx.args.length > 1) throw new NotImplemented(`proxy-config ${kind} with ${ctx.args.length} arguments`);
  if (arg.includes('/')) {
    const [type] = arg.split('/');
    if (type !== 'pod' && type !== 'pods' && type !== 'po') throw new CommandError(`${JSON.stringify(arg)} does not refer to a pod: unsupported resource type ${type}`);
  }
  const name = arg.replace(/^(pod|pods|po)\//, '');
  const dot = name.lastIndexOf('.');
  const pod = dot === -1 ? name : name.slice(0, dot);
  const namespace = dot === -1 ? flagValue(ctx.flags, ctx.specs, 'namespace') || 'default' : name.slice(dot + 1);
  // the demo mesh's pods are looked up in its world instead (demoDump)
  if (ctx.scenario.name === 'bookinfo') return { pod, namespace };
  if (pod.startsWith('missing-')) throw new CommandError(`no pods match ${JSON.stringify(pod)}`);
  if (pod.startsWith('nosidecar-')) {
    throw new CommandError(
      `failed to execute command on ${pod}.${namespace} sidecar: failure running port forward process: error upgrading connection: unable to upgrade connection: container not found ("istio-proxy")`,
    );
  }
  return { pod, namespace };
}

/** `-o`: short (the table) | json | yaml; the fake models the JSON, plus the tables the corpus has */
function outputOf(ctx: RunContext): string {
  const output = flagValue(ctx.flags, ctx.specs, 'output') ?? 'short';
  if (!['short', 'json', 'yaml'].includes(output)) throw new CommandError(`output format ${JSON.stringify(output)} not supported`);
  return output;
}

function rejectFilters(ctx: RunContext, kind: string): void {
  for (const spec of FILTERS[kind] ?? []) {
    if (spec.name !== 'verbose' && flagGiven(ctx.flags, spec.name)) throw new NotImplemented(`proxy-config ${kind} --${spec.name}`);
  }
}

async function jsonOnly(ctx: RunContext, kind: string, produce: (dump: Dump) => string): Promise<Output> {
  podTarget(ctx, kind);
  const output = outputOf(ctx);
  rejectFilters(ctx, kind);
  if (output !== 'json') throw new NotImplemented(`proxy-config ${kind} -o ${output}`);
  return ok(produce(await loadDump(ctx, kind)));
}

function secretTable(v: ClientVersion): string {
  if (!atLeast(v, 26)) return corpus('secret/v1.20-1.25_output.txt');
  if (!atLeast(v, 29)) return corpus('secret/istio/v1.26-1.28_output.txt');
  return corpus('secret/istio/v1.29+_output.txt');
}

/** `2023-05-16T01:32:52Z`: the table prints RFC 3339 seconds in UTC. */
const tableTime = (date: Date): string => date.toISOString().replace(/\.\d{3}Z$/, 'Z');

interface SecretEntry {
  name?: string;
  secret?: { tls_certificate?: { certificate_chain?: { inline_bytes?: string } }; validation_context?: { trusted_ca?: { inline_bytes?: string } } };
}

/**
 * The secret table of a generated dump, as istioctl's SecretsConfigDump writer prints it (corpus secret tables:
 * columns, tabwriter layout, warming rows first): type, serial and dates of the FIRST certificate of each chain,
 * VALID CERT judged at istioctl's clock, the serial unpadded (`%x`) before 1.29 and `%032x` from 1.29.
 */
function secretTableOf(dump: Dump, v: ClientVersion, now: Date): string {
  const secrets = sectionOf(dump.value, 'SecretsConfigDump');
  const rows: string[][] = [['RESOURCE NAME', 'TYPE', 'STATUS', 'VALID CERT', 'SERIAL NUMBER', 'NOT AFTER', 'NOT BEFORE']];
  for (const entry of (secrets?.['dynamic_active_secrets'] ?? []) as SecretEntry[]) {
    const bytes = entry.secret?.tls_certificate?.certificate_chain?.inline_bytes ?? entry.secret?.validation_context?.trusted_ca?.inline_bytes ?? '';
    const pem = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/.exec(Buffer.from(bytes, 'base64').toString('utf8'))?.[0];
    if (!pem) continue;
    const cert = new X509Certificate(pem);
    const serial = cert.serialNumber.toLowerCase().replace(/^0+(?=.)/, '');
    const valid = now > cert.validFromDate && now < cert.validToDate;
    rows.push([entry.name ?? '', cert.ca ? 'CA' : 'Cert Chain', 'ACTIVE', String(valid), atLeast(v, 29) ? serial.padStart(32, '0') : serial, tableTime(cert.validToDate), tableTime(cert.validFromDate)]);
  }
  if (rows.length === 1) return 'No active or warming secrets found.\n';
  return renderTable(rows);
}

async function runSecret(ctx: RunContext): Promise<Output> {
  podTarget(ctx, 'secret');
  const output = outputOf(ctx);
  const dump = await loadDump(ctx, 'secret');
  if (output === 'short') {
    if (dump.source === 'file') throw new NotImplemented('proxy-config secret table of FAKE_ISTIOCTL_CONFIG_DUMP_FILE');
    if (dump.source === 'demo') return ok(secretTableOf(dump, ctx.version, new Date()));
    return ok(secretTable(ctx.version));
  }
  if (output !== 'json') throw new NotImplemented(`proxy-config secret -o ${output}`);
  // the SecretsConfigDump of the dump the version's table golden was made from
  const source = dump.source !== 'corpus' ? dump.value : JSON.parse(atLeast(ctx.version, 26) ? corpus('secret/istio/input_config_dump.json') : corpus('secret/v1.20-1.24_input_config_dump.json'));
  const secrets = sectionOf(source, 'SecretsConfigDump');
  if (!secrets) throw new CommandError('config dump has no configuration type type.googleapis.com/envoy.admin.v3.SecretsConfigDump');
  return ok(printJson(secrets));
}

async function runBootstrap(ctx: RunContext): Promise<Output> {
  podTarget(ctx, 'bootstrap');
  const output = outputOf(ctx);
  if (output !== 'json') throw new NotImplemented(`proxy-config bootstrap -o ${output}`);
  const dump = await loadDump(ctx, 'bootstrap');
  if (dump.source === 'corpus') return ok(withNewline(corpus(atLeast(ctx.version, 26) ? 'bootstrap/v1.26+_bootstrapdump.json' : 'bootstrap/v1.20-1.25_bootstrapdump.json')));
  const section = sectionOf(dump.value, 'BootstrapConfigDump');
  return ok(printJson({ bootstrap: section?.['bootstrap'] }));
}

async function runLog(ctx: RunContext): Promise<Output> {
  if (flagGiven(ctx.flags, 'output')) throw new CommandError('--output is not applicable for this command');
  if (ctx.args.length === 0 && !flagGiven(ctx.flags, 'selector')) throw new CommandError('log requires pod name or --selector');
  for (const f of ['level', 'reset', 'selector']) if (flagGiven(ctx.flags, f)) throw new NotImplemented(`proxy-config log --${f}`);
  const { pod, namespace } = podTarget(ctx, 'log');
  // the demo's pods must exist and run an Envoy; their log levels are the corpus's
  if (ctx.scenario.name === 'bookinfo' && !ctx.env['FAKE_ISTIOCTL_CONFIG_DUMP_FILE']) await demoDump(ctx, 'log', pod, namespace);
  return ok(`${pod}.${namespace}:\n${corpus('log/envoy_logging_response.txt')}`);
}

function command(name: string, aliases: string[], flags: (v: ClientVersion) => FlagSpec[], run: (ctx: RunContext) => Promise<Output>): CommandDef {
  return { name, aliases, flags, run };
}

const withFilters = (kind: string) => () => [...commonFlags(), ...(FILTERS[kind] ?? [])];

export const proxyConfigCommand: CommandDef = {
  name: 'proxy-config',
  aliases: ['pc'],
  subcommands: [
    command('all', ['a'], withFilters('all'), (ctx) => jsonOnly(ctx, 'all', (dump) => withNewline(dump.text))),
    command('bootstrap', ['b'], withFilters('bootstrap'), runBootstrap),
    command('cluster', ['clusters', 'c'], withFilters('cluster'), (ctx) =>
      jsonOnly(ctx, 'cluster', (dump) =>
        printJson(entries(sectionOf(dump.value, 'ClustersConfigDump'), ['static_clusters', 'dynamic_active_clusters', 'staticClusters', 'dynamicActiveClusters'], (e) => e['cluster'])),
      ),
    ),
    { name: 'ecds', aliases: ['ec'], unmodelled: true },
    command('eds', [], withFilters('eds'), (ctx) =>
      jsonOnly(ctx, 'eds', (dump) =>
        dump.source !== 'corpus'
          ? printJson(entries(sectionOf(dump.value, 'EndpointsConfigDump'), ['static_endpoint_configs', 'dynamic_endpoint_configs', 'staticEndpointConfigs', 'dynamicEndpointConfigs'], (e) => e['endpoint_config'] ?? e['endpointConfig']))
          : corpus('eds/emptyfilter_output.json'),
      ),
    ),
    { name: 'endpoint', aliases: ['endpoints', 'ep'], unmodelled: true },
    command('listener', ['listeners', 'l'], withFilters('listener'), (ctx) =>
      jsonOnly(ctx, 'listener', (dump) =>
        printJson(
          entries(sectionOf(dump.value, 'ListenersConfigDump'), ['static_listeners', 'dynamic_listeners', 'staticListeners', 'dynamicListeners'], (e) => {
            const state = (e['active_state'] ?? e['activeState']) as Section | undefined;
            return e['listener'] ?? state?.['listener'];
          }),
        ),
      ),
    ),
    command(
      'log',
      ['o'],
      () => [outputFlag(), { name: 'level', kind: 'string', default: '' }, { name: 'reset', kind: 'bool', default: 'false' }, { name: 'selector', shorthand: 'l', kind: 'string', default: '' }],
      runLog,
    ),
    command('route', ['routes', 'r'], withFilters('route'), (ctx) =>
      jsonOnly(ctx, 'route', (dump) =>
        printJson(entries(sectionOf(dump.value, 'RoutesConfigDump'), ['dynamic_route_configs', 'static_route_configs', 'dynamicRouteConfigs', 'staticRouteConfigs'], (e) => e['route_config'] ?? e['routeConfig'])),
      ),
    ),
    command('secret', ['secrets', 's'], withFilters('secret'), runSecret),
  ],
};
