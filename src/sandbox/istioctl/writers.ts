// istioctl proxy-status writers, one per output family. Each takes a Mesh and returns stdout bytes.

import { renderTable } from './tabwriter.ts';
import { TYPE_URLS } from './mesh.ts';
import type { Mesh, Proxy, XdsState } from './mesh.ts';

const FIXED_COLUMNS = ['CDS', 'LDS', 'EDS', 'RDS', 'ECDS'] as const;

function byId(a: Proxy, b: Proxy): number {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

function stateOf(p: Proxy, type: string): XdsState | undefined {
  return p.types.find(([t]) => t === type)?.[1];
}

/** 1.20-1.21 default `proxy-status`: /debug/syncz writer (StatusWriter.PrintAll). Header is always printed. */
export function writeSyncz(mesh: Mesh): string {
  const word = (s: XdsState | undefined): string => {
    switch (s) {
      case 'SYNCED':
        return 'SYNCED';
      case 'STALE':
      case 'ERROR': // syncz only has nonces: a NACKed push is sent-but-not-acked
        return 'STALE';
      case 'STALE_NEVER_ACKED':
        return 'STALE (Never Acknowledged)';
      case 'IGNORED':
        return 'IGNORED';
      default:
        return 'NOT SENT';
    }
  };
  const sorted = [...mesh.proxies].sort((a, b) => (a.cluster !== b.cluster ? (a.cluster < b.cluster ? -1 : 1) : byId(a, b)));
  const rows = [['NAME', 'CLUSTER', ...FIXED_COLUMNS, 'ISTIOD', 'VERSION']];
  for (const p of sorted) rows.push([p.id, p.cluster, ...FIXED_COLUMNS.map((t) => word(stateOf(p, t))), p.istiod, p.version]);
  return renderTable(rows);
}

export interface FixedXdsOptions {
  /** 1.20-1.21 `x ps` prints the raw ConfigStatus enum names (NOT_SENT) */
  enumNames: boolean;
  /** 1.23+ reports types the proxy did not subscribe to as IGNORED (1.20-1.22: NOT SENT) */
  unsubscribedIgnored: boolean;
}

function xdsWord(s: XdsState | undefined, opts: FixedXdsOptions): string {
  switch (s) {
    case 'SYNCED':
      return 'SYNCED';
    case 'STALE':
    case 'STALE_NEVER_ACKED':
      return 'STALE';
    case 'ERROR':
      return 'ERROR';
    case 'IGNORED':
      return 'IGNORED';
    case 'NOT_SENT':
      return opts.enumNames ? 'NOT_SENT' : 'NOT SENT';
    default:
      if (opts.unsubscribedIgnored) return 'IGNORED';
      return opts.enumNames ? 'NOT_SENT' : 'NOT SENT';
  }
}

/**
 * The xDS writer with fixed type columns: 1.20-1.21 `x ps` and 1.22-1.26 `ps`.
 * The header is written only once a proxy is seen: an empty mesh prints nothing.
 */
export function writeXdsFixed(mesh: Mesh, opts: FixedXdsOptions): string {
  if (mesh.proxies.length === 0) return '';
  const rows = [['NAME', 'CLUSTER', ...FIXED_COLUMNS, 'ISTIOD', 'VERSION']];
  for (const p of [...mesh.proxies].sort(byId)) {
    rows.push([p.id, p.cluster, ...FIXED_COLUMNS.map((t) => xdsWord(stateOf(p, t), opts)), p.istiod, p.version]);
  }
  return renderTable(rows);
}

/** types the proxy subscribed to, in istioctl's display order: CDS, LDS, EDS, RDS, ECDS, then the rest by name */
export function subscribedTypes(p: Proxy): string[] {
  const subscribed = p.types.filter(([, s]) => s !== 'IGNORED').map(([t]) => t);
  const known = FIXED_COLUMNS.filter((t) => subscribed.includes(t));
  const rest = subscribed.filter((t) => !(FIXED_COLUMNS as readonly string[]).includes(t)).sort();
  return [...known, ...rest];
}

/** 1.27+ default table: NAME CLUSTER ISTIOD VERSION SUBSCRIBED TYPES. Header even for an empty mesh (1.27.1+). */
export function writeSubscribed(mesh: Mesh): string {
  const rows = [['NAME', 'CLUSTER', 'ISTIOD', 'VERSION', 'SUBSCRIBED TYPES']];
  for (const p of [...mesh.proxies].sort(byId)) {
    const types = subscribedTypes(p);
    rows.push([p.id, p.cluster, p.istiod, p.version, types.length === 0 ? '0' : `${types.length} (${types.join(',')})`]);
  }
  return renderTable(rows);
}

function typeUrl(short: string): string {
  return TYPE_URLS[short] ?? short;
}

/**
 * 1.27+ `--verbosity 1`: one column per type any proxy subscribed to, sorted by type URL (CDS ECDS EDS LDS RDS ...);
 * a type a proxy did not subscribe to shows IGNORED (derived: the corpus verbose golden has one proxy only).
 */
export function writeVerbose(mesh: Mesh): string {
  const all = new Set<string>();
  for (const p of mesh.proxies) for (const t of subscribedTypes(p)) all.add(t);
  const cols = [...all].sort((a, b) => (typeUrl(a) < typeUrl(b) ? -1 : typeUrl(a) > typeUrl(b) ? 1 : 0));
  const rows = [['NAME', 'CLUSTER', ...cols, 'ISTIOD', 'VERSION']];
  const opts: FixedXdsOptions = { enumNames: false, unsubscribedIgnored: true };
  for (const p of [...mesh.proxies].sort(byId)) {
    rows.push([p.id, p.cluster, ...cols.map((t) => xdsWord(stateOf(p, t), opts)), p.istiod, p.version]);
  }
  return renderTable(rows);
}

// ---------------------------------------------------------------------------------------------
// 1.30+ -o json / -o yaml: the raw DiscoveryResponse of each istiod.

/** A JSON value with ordered object keys; `struct` is a google.protobuf.Struct (printed with Istio's indent quirk). */
export type JValue = string | JValue[] | { obj: Array<[string, JValue]> } | { struct: Array<[string, JValue]> };

const JSON_STATUS: Partial<Record<XdsState, string>> = {
  SYNCED: 'SYNCED',
  STALE: 'STALE',
  STALE_NEVER_ACKED: 'STALE',
  NOT_SENT: 'NOT_SENT',
  ERROR: 'ERROR',
  // IGNORED = ConfigStatus UNKNOWN (0): protojson omits the field
};

/** genericXdsConfigs are listed in the order istiod reports: CDS, LDS, RDS, EDS, ECDS, then others */
const JSON_TYPE_ORDER = ['CDS', 'LDS', 'RDS', 'EDS', 'ECDS'];

function clientConfig(p: Proxy): JValue {
  const meta: Array<[string, JValue]> = [
    ['CLUSTER_ID', p.cluster],
    ['ISTIO_VERSION', p.version],
  ];
  if (p.namespace !== undefined) meta.push(['NAMESPACE', p.namespace]);
  meta.sort(([a], [b]) => (a < b ? -1 : 1));
  const order = (t: string): number => {
    const i = JSON_TYPE_ORDER.indexOf(t);
    return i >= 0 ? i : JSON_TYPE_ORDER.length;
  };
  const types = [...p.types].sort(([a], [b]) => order(a) - order(b) || (a < b ? -1 : a > b ? 1 : 0));
  const configs: JValue[] = types.map(([t, s]) => {
    const entries: Array<[string, JValue]> = [['typeUrl', typeUrl(t)]];
    const status = JSON_STATUS[s];
    if (status !== undefined) entries.push(['configStatus', status]);
    return { obj: entries };
  });
  const entries: Array<[string, JValue]> = [
    ['@type', 'type.googleapis.com/envoy.service.status.v3.ClientConfig'],
    [
      'node',
      {
        obj: [
          ['id', p.id],
          ['metadata', { struct: meta }],
        ],
      },
    ],
  ];
  if (configs.length > 0) entries.push(['genericXdsConfigs', configs]);
  return { obj: entries };
}

function controlPlaneIdentifier(istiodId: string, version: string): string {
  // json.Marshal of IstioControlPlaneInstance (Go field order, no spaces)
  return JSON.stringify({
    Component: 'istiod',
    ID: istiodId,
    Info: { version, revision: '', golang_version: '', status: '', tag: '' },
  });
}

/** One DiscoveryResponse per istiod, sorted by istiod name. */
export function discoveryResponses(mesh: Mesh): JValue[] {
  const istiods = [...mesh.istiods].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return istiods.map((istiod) => {
    const proxies = mesh.proxies.filter((p) => p.istiod === istiod.id).sort(byId);
    const entries: Array<[string, JValue]> = [['versionInfo', istiod.version]];
    if (proxies.length > 0) entries.push(['resources', proxies.map(clientConfig)]);
    entries.push(['typeUrl', 'type.googleapis.com/envoy.service.status.v3.ClientConfig']);
    entries.push(['controlPlane', { obj: [['identifier', controlPlaneIdentifier(istiod.id, istiod.version)]] }]);
    return { obj: entries };
  });
}

const IND = '    ';

function protojson(v: JValue, level: number): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (Array.isArray(v)) {
    if (v.length === 0) return '[]';
    return `[\n${v.map((x) => IND.repeat(level + 1) + protojson(x, level + 1)).join(',\n')}\n${IND.repeat(level)}]`;
  }
  if ('struct' in v) {
    // Istio's protojson output indents a Struct's body one level deeper than its key (see the corpus golden)
    if (v.struct.length === 0) return '{}';
    const body = v.struct.map(([k, x]) => `${IND.repeat(level + 2)}${JSON.stringify(k)}: ${protojson(x, level + 2)}`);
    return `{\n${body.join(',\n')}\n${IND.repeat(level + 1)}}`;
  }
  if (v.obj.length === 0) return '{}';
  const body = v.obj.map(([k, x]) => `${IND.repeat(level + 1)}${JSON.stringify(k)}: ${protojson(x, level + 1)}`);
  return `{\n${body.join(',\n')}\n${IND.repeat(level)}}`;
}

/** `-o json` when istiod's answer is an empty DiscoveryResponse (corpus v1.30+_output-json_no-proxies_stdout.txt) */
export const EMPTY_RESPONSE_JSON = '{\n\n}\n';
/** `-o yaml` for the same (derived: ToYAML of an empty message is `{}`, then Fprintln) */
export const EMPTY_RESPONSE_YAML = '{}\n\n';

/** `-o json`: each istiod's DiscoveryResponse (protojson, 4-space indent) followed by a newline. */
export function writeJson(mesh: Mesh): string {
  return discoveryResponses(mesh)
    .map((r) => protojson(r, 0) + '\n')
    .join('');
}

// go-yaml v2 scalar style (via sigs.k8s.io/yaml): plain when possible, double-quoted when the plain text would
// resolve to a non-string, single-quoted when the emitter cannot write it plain.
function resolvesToNonString(s: string): boolean {
  if (s === '' || s === '~' || /^(null|Null|NULL)$/.test(s)) return true;
  if (/^(y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/.test(s)) return true;
  if (/^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/.test(s)) return true;
  if (/^[-+]?(0b[01_]+|0x[0-9a-fA-F_]+|0[0-7_]+|[0-9][0-9_]*)$/.test(s)) return true;
  if (/^[-+]?\.(inf|Inf|INF)$|^\.(nan|NaN|NAN)$/.test(s)) return true;
  if (/^[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+(\.[0-9_]*)?$/.test(s)) return true; // base 60
  return false;
}

function plainAllowed(s: string): boolean {
  if (s.length === 0) return false;
  if (/^[\s]|[\s]$/.test(s)) return false;
  const first = s[0] as string;
  if ('#,[]{}&*!|>\'"%@`'.includes(first)) return false;
  if ((first === '-' || first === '?' || first === ':') && (s.length === 1 || /\s/.test(s[1] as string))) return false;
  if (/: |:$| #/.test(s)) return false;
  if (/[\n\r\t]/.test(s)) return false;
  return true;
}

function yamlScalar(s: string): string {
  if (resolvesToNonString(s)) return JSON.stringify(s);
  if (plainAllowed(s)) return s;
  return `'${s.replace(/'/g, "''")}'`;
}

function sortedEntries(v: { obj: Array<[string, JValue]> } | { struct: Array<[string, JValue]> }): Array<[string, JValue]> {
  const e = 'obj' in v ? v.obj : v.struct;
  return [...e].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

function yamlLines(v: JValue, indent: string): string[] {
  // returns lines for a map's or sequence's body at `indent`
  if (typeof v === 'string') return [indent + yamlScalar(v)];
  if (Array.isArray(v)) {
    const out: string[] = [];
    for (const item of v) {
      if (typeof item === 'string') {
        out.push(`${indent}- ${yamlScalar(item)}`);
        continue;
      }
      const inner = yamlLines(item, indent + '  ');
      const firstLine = inner[0] ?? '';
      out.push(`${indent}- ${firstLine.slice(indent.length + 2)}`, ...inner.slice(1));
    }
    return out;
  }
  const out: string[] = [];
  for (const [k, x] of sortedEntries(v)) {
    const key = yamlScalar(k);
    if (typeof x === 'string') out.push(`${indent}${key}: ${yamlScalar(x)}`);
    else if (Array.isArray(x)) {
      if (x.length === 0) out.push(`${indent}${key}: []`);
      else out.push(`${indent}${key}:`, ...yamlLines(x, indent)); // go-yaml does not indent a sequence under a key
    } else if (('obj' in x ? x.obj : x.struct).length === 0) out.push(`${indent}${key}: {}`);
    else out.push(`${indent}${key}:`, ...yamlLines(x, indent + '  '));
  }
  return out;
}

/** `-o yaml`: each istiod's DiscoveryResponse as YAML (keys sorted), each followed by an empty line (Fprintln). */
export function writeYaml(mesh: Mesh): string {
  return discoveryResponses(mesh)
    .map((r) => yamlLines(r, '').join('\n') + '\n\n')
    .join('');
}
