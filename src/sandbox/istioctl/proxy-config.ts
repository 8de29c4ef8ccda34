// `istioctl proxy-config` / `pc` for one pod, per version: the corpus outputs where they exist (eds, bootstrap,
// secret tables, log, all), JSON derived from a config dump for clusters/listeners/routes, pod errors by name.

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { CommandError, NotImplemented, ok } from './command.ts';
import { corpusText } from './corpus.ts';
import type { CommandDef, Output, RunContext } from './command.ts';
import { flagGiven, flagValue } from './flags.ts';
import { BOOKINFO_EXPIRING_POD, BOOKINFO_ROOT_CA } from './mesh.ts';
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
  /** true when FAKE_ISTIOCTL_CONFIG_DUMP_FILE replaces the corpus data */
  custom: boolean;
}

function loadDump(ctx: RunContext): Dump {
  const file = ctx.env['FAKE_ISTIOCTL_CONFIG_DUMP_FILE'];
  const text = file ? readFileSync(file, 'utf8') : corpus('all/input_config_dump.json');
  return { text, value: JSON.parse(text) as unknown, custom: Boolean(file) };
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
 * conventions of the fake: `missing-*` does not exist, `nosidecar-*` has no istio-proxy.
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

function jsonOnly(ctx: RunContext, kind: string, produce: (dump: Dump) => string): Output {
  podTarget(ctx, kind);
  const output = outputOf(ctx);
  rejectFilters(ctx, kind);
  if (output !== 'json') throw new NotImplemented(`proxy-config ${kind} -o ${output}`);
  return ok(produce(loadDump(ctx)));
}

function secretTable(v: ClientVersion): string {
  if (!atLeast(v, 26)) return corpus('secret/v1.20-1.25_output.txt');
  if (!atLeast(v, 29)) return corpus('secret/istio/v1.26-1.28_output.txt');
  return corpus('secret/istio/v1.29+_output.txt');
}

const DAY_MS = 24 * 60 * 60 * 1000;
/** `2023-05-16T01:32:52Z`: the table prints RFC 3339 seconds in UTC. */
const tableTime = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/**
 * The `bookinfo` scenario's table (**derived**: the corpus columns and tabwriter layout, generated cells). The
 * corpus tables have fixed 2023 dates; the demo needs dates relative to today, so workload certificates are 90-day
 * certificates issued 30 days ago, except {@link BOOKINFO_EXPIRING_POD}'s, whose rotation is stuck 3 days before
 * expiry. Dates are anchored at today 09:41:20 UTC so that repeated runs on one day print the same table.
 */
function bookinfoSecretTable(pod: string, now: number): string {
  const anchor = Math.floor(now / DAY_MS) * DAY_MS + (9 * 3600 + 41 * 60 + 20) * 1000;
  const expiring = pod === BOOKINFO_EXPIRING_POD;
  const notAfter = anchor + (expiring ? 3 : 60) * DAY_MS;
  const serial = createHash('sha256').update(pod).digest('hex').slice(0, 32).replace(/^0/, '1');
  return renderTable([
    ['RESOURCE NAME', 'TYPE', 'STATUS', 'VALID CERT', 'SERIAL NUMBER', 'NOT AFTER', 'NOT BEFORE'],
    ['default', 'Cert Chain', 'ACTIVE', 'true', serial, tableTime(notAfter), tableTime(notAfter - 90 * DAY_MS)],
    ['ROOTCA', 'CA', 'ACTIVE', 'true', BOOKINFO_ROOT_CA.serial, BOOKINFO_ROOT_CA.notAfter, BOOKINFO_ROOT_CA.notBefore],
  ]);
}

function runSecret(ctx: RunContext): Output {
  const { pod } = podTarget(ctx, 'secret');
  const output = outputOf(ctx);
  const dump = loadDump(ctx);
  if (output === 'short') {
    if (dump.custom) throw new NotImplemented('proxy-config secret table of FAKE_ISTIOCTL_CONFIG_DUMP_FILE');
    if (ctx.scenario.name === 'bookinfo') return ok(bookinfoSecretTable(pod, Date.now()));
    return ok(secretTable(ctx.version));
  }
  if (output !== 'json') throw new NotImplemented(`proxy-config secret -o ${output}`);
  // the SecretsConfigDump of the dump the version's table golden was made from
  const source = dump.custom ? dump.value : JSON.parse(atLeast(ctx.version, 26) ? corpus('secret/istio/input_config_dump.json') : corpus('secret/v1.20-1.24_input_config_dump.json'));
  const secrets = sectionOf(source, 'SecretsConfigDump');
  if (!secrets) throw new CommandError('config dump has no configuration type type.googleapis.com/envoy.admin.v3.SecretsConfigDump');
  return ok(printJson(secrets));
}

function runBootstrap(ctx: RunContext): Output {
  podTarget(ctx, 'bootstrap');
  const output = outputOf(ctx);
  if (output !== 'json') throw new NotImplemented(`proxy-config bootstrap -o ${output}`);
  const dump = loadDump(ctx);
  if (!dump.custom) return ok(withNewline(corpus(atLeast(ctx.version, 26) ? 'bootstrap/v1.26+_bootstrapdump.json' : 'bootstrap/v1.20-1.25_bootstrapdump.json')));
  const section = sectionOf(dump.value, 'BootstrapConfigDump');
  return ok(printJson({ bootstrap: section?.['bootstrap'] }));
}

function runLog(ctx: RunContext): Output {
  if (flagGiven(ctx.flags, 'output')) throw new CommandError('--output is not applicable for this command');
  if (ctx.args.length === 0 && !flagGiven(ctx.flags, 'selector')) throw new CommandError('log requires pod name or --selector');
  for (const f of ['level', 'reset', 'selector']) if (flagGiven(ctx.flags, f)) throw new NotImplemented(`proxy-config log --${f}`);
  const { pod, namespace } = podTarget(ctx, 'log');
  return ok(`${pod}.${namespace}:\n${corpus('log/envoy_logging_response.txt')}`);
}

function command(name: string, aliases: string[], flags: (v: ClientVersion) => FlagSpec[], run: (ctx: RunContext) => Output): CommandDef {
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
        dump.custom
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
