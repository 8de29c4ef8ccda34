// `istioctl [x] ztunnel-config TYPE [POD | --node NODE]` per version, replaying the corpus (ambient/ztunnel-config).
// Every ztunnel the fake "sees" holds the config dump behind that version's goldens, so the default tables are the
// goldens byte for byte. Derived (no golden, from istioctl/pkg/writer/ztunnel/configdump at the release tags; the
// tables are tabwriter padding 1): services before 1.28 (the `all` golden's section; 1.22 without ENDPOINTS,
// services.go), policies 1.22-1.24 and connections before 1.28 (header only: those versions' dump inputs have no
// policies / workloadState; PROTOCOL since 1.26), `all` 1.22-1.27 (no connections section), filters
// (--workload-namespace, and a workload pod on 1.30+) as the writer's row filters.

import { CommandError, NotImplemented, ok } from './command.ts';
import type { CommandDef, Output, RunContext } from './command.ts';
import { corpusText } from './corpus.ts';
import { flagGiven, flagValue } from './flags.ts';
import type { FlagSpec } from './flags.ts';
import { renderTable } from './tabwriter.ts';
import { atLeast } from './version.ts';
import { demoCertificateRows, demoServiceRows, demoWorkloadRows, demoZtunnels, loadAmbientDemo } from './demo-ambient.ts';
import type { ClientVersion } from './version.ts';

const golden = (path: string): string => {
  const text = corpusText(`ambient/ztunnel-config/${path}`);
  return text.endsWith('\n') ? text : `${text}\n`;
};

/** The ztunnel writer's tabwriter: padding 1 (configdump/*.go `tabwriter.NewWriter(w, 0, 8, 1, ' ', 0)`). */
const PADDING_1 = { minwidth: 0, padding: 1 } as const;

interface Table {
  header: string[];
  rows: string[][];
}

/** Cuts a golden table into cells at its header's column names (known per table, they may contain spaces). */
function cut(text: string, names: readonly string[]): Table {
  const lines = text.split('\n').filter((line) => line.trim() !== '');
  const header = lines[0] ?? '';
  const starts: number[] = [];
  let from = 0;
  for (const name of names) {
    const at = header.indexOf(name, from);
    if (at === -1) throw new Error(`golden header ${JSON.stringify(header)} has no ${name}`);
    starts.push(at);
    from = at + name.length;
  }
  const rows = lines.slice(1).map((line) => starts.map((start, i) => line.slice(start, starts[i + 1] ?? line.length).trim()));
  return { header: [...names], rows };
}

const render = (table: Table): string => renderTable([table.header, ...table.rows], PADDING_1);

const WORKLOAD_COLUMNS_1_22 = ['NAMESPACE', 'POD NAME', 'IP', 'NODE', 'WAYPOINT', 'PROTOCOL'];
const WORKLOAD_COLUMNS_1_24 = ['NAMESPACE', 'POD NAME', 'ADDRESS', 'NODE', 'WAYPOINT', 'PROTOCOL'];
const SERVICE_COLUMNS = ['NAMESPACE', 'SERVICE NAME', 'SERVICE VIP', 'WAYPOINT', 'ENDPOINTS'];
const CONNECTION_COLUMNS = ['WORKLOAD', 'DIRECTION', 'LOCAL', 'REMOTE', 'REMOTE TARGET', 'PROTOCOL'];

/** The blank-line separated tables of the 1.28+ `all` golden: workloads, services, policies, certificates, connections. */
function allSections(): string[] {
  return golden('all/v1.28+_allsummary.txt')
    .split(/\n\s*\n/)
    .map((block) => block.trim())
    .filter((block) => block !== '')
    .map((block) => `${block}\n`);
}

function workloads(v: ClientVersion, namespace: string, pod: { name: string; namespace: string } | null): string {
  const file = atLeast(v, 24) ? 'workloads/v1.24+_workloadsummary' : 'workloads/v1.22-1.23_workloadsummary';
  if (pod === null && namespace === '') return golden(`${file}.txt`);
  if (pod === null && namespace === 'default') return golden(`${file}_default.txt`);
  if (pod !== null && pod.name === 'productpage-v1-675fc69cf-jscn2' && pod.namespace === 'bookinfo') return golden('workloads/v1.30+_workloadsummary_workload.txt');
  const table = cut(golden(`${file}.txt`), atLeast(v, 24) ? WORKLOAD_COLUMNS_1_24 : WORKLOAD_COLUMNS_1_22);
  table.rows = table.rows.filter((row) => (pod ? row[0] === pod.namespace && row[1] === pod.name : row[0] === namespace));
  return render(table);
}

function services(v: ClientVersion): string {
  const table = cut(allSections()[1] ?? '', SERVICE_COLUMNS);
  if (atLeast(v, 23)) return render(table);
  return render({ header: table.header.slice(0, 4), rows: table.rows.map((row) => row.slice(0, 4)) });
}

function policies(v: ClientVersion): string {
  return atLeast(v, 25) ? golden('policies/v1.25+_policies.txt') : renderTable([['NAMESPACE', 'POLICY NAME', 'ACTION', 'SCOPE']], PADDING_1);
}

function connections(v: ClientVersion, pod: { name: string; namespace: string } | null): string {
  if (!atLeast(v, 28)) return renderTable([atLeast(v, 26) ? CONNECTION_COLUMNS : CONNECTION_COLUMNS.slice(0, 5)], PADDING_1);
  if (pod === null) return golden('connections/v1.28+_connectionsummary.txt');
  if (pod.name === 'productpage-v1-796f87b58-97bjk' && pod.namespace === 'bookinfo') return golden('connections/v1.30+_connectionsummary_workload.txt');
  const table = cut(golden('connections/v1.28+_connectionsummary.txt'), CONNECTION_COLUMNS);
  table.rows = table.rows.filter((row) => row[0] === `${pod.name}.${pod.namespace}`);
  return render(table);
}

function all(v: ClientVersion): string {
  if (atLeast(v, 28)) return golden('all/v1.28+_allsummary.txt');
  // all.go before 1.28: workloads, services, policies, certificates, each after a blank line.
  return [workloads(v, '', null), services(v), policies(v), golden('certificates/v1.22+_secretsummary.txt')].map((table) => `\n${table}`).join('');
}

/** `NAME[.NAMESPACE]` as istioctl splits it (namespace after the last dot, else `-n`, else `default`). */
function podArg(ctx: RunContext): { name: string; namespace: string } | null {
  const [arg] = ctx.args;
  if (arg === undefined) return null;
  const dot = arg.lastIndexOf('.');
  if (dot !== -1) return { name: arg.slice(0, dot), namespace: arg.slice(dot + 1) };
  return { name: arg, namespace: flagValue(ctx.flags, ctx.specs, 'namespace') || 'default' };
}

type Kind = 'workload' | 'service' | 'certificate' | 'policy' | 'connections' | 'all';

const POLICY_COLUMNS = ['NAMESPACE', 'POLICY NAME', 'ACTION', 'SCOPE'];
const CERTIFICATE_COLUMNS = ['CERTIFICATE NAME', 'TYPE', 'STATUS', 'VALID CERT', 'SERIAL NUMBER', 'NOT AFTER', 'NOT BEFORE'];

/**
 * The sandbox's demo mesh (`bookinfo` scenario), read from its Kubernetes API: the 1.28 tables (the sandbox's
 * istioctl) of the ztunnel on the named pod's or node's node, else the first ztunnel, as istioctl picks one. The
 * demo has no authorization policies and nothing records connections, so those tables are their headers.
 */
async function demoAnswer(ctx: RunContext, kind: Kind, pod: { name: string; namespace: string } | null, workloadFilter: { name: string; namespace: string } | null, istioNamespace: string): Promise<Output> {
  if (!atLeast(ctx.version, 28) || atLeast(ctx.version, 29)) throw new NotImplemented(`ztunnel-config of the bookinfo scenario on istioctl ${ctx.version.raw} (modelled for 1.28, the sandbox's version)`);
  const demo = await loadAmbientDemo(ctx);
  const ztunnels = demoZtunnels(demo.world, istioNamespace);
  const node = flagValue(ctx.flags, ctx.specs, 'node') ?? '';
  const ztunnel = pod !== null && workloadFilter === null ? ztunnels.find((z) => z.name === pod.name) : node !== '' ? ztunnels.find((z) => z.node === node) : ztunnels[0];
  if (ztunnel === undefined) {
    if (pod !== null && workloadFilter === null) throw new CommandError(`pods "${pod.name}" not found`);
    throw new NotImplemented(`ztunnel-config of the bookinfo scenario without a ztunnel${node === '' ? '' : ` on node ${node}`}`);
  }
  const namespace = flagValue(ctx.flags, ctx.specs, 'workload-namespace') ?? '';
  const workloadTable = (): string =>
    render({ header: WORKLOAD_COLUMNS_1_24, rows: demoWorkloadRows(demo.world).filter((row) => (namespace === '' || row[0] === namespace) && (workloadFilter === null || (row[0] === workloadFilter.namespace && row[1] === workloadFilter.name))) });
  const serviceTable = () => render({ header: SERVICE_COLUMNS, rows: demoServiceRows(demo.world) });
  const policyTable = () => render({ header: POLICY_COLUMNS, rows: [] });
  // The secrets writer pads by 5, not 1 (the certificates golden's columns).
  const certificateTable = () => renderTable([CERTIFICATE_COLUMNS, ...demoCertificateRows(demo, ztunnel.node)]);
  const connectionTable = () => render({ header: CONNECTION_COLUMNS, rows: [] });
  switch (kind) {
    case 'workload':
      return ok(workloadTable());
    case 'service':
      return ok(serviceTable());
    case 'certificate':
      return ok(certificateTable());
    case 'policy':
      return ok(policyTable());
    case 'connections':
      return ok(connectionTable());
    case 'all':
      return ok([workloadTable(), serviceTable(), policyTable(), certificateTable(), connectionTable()].map((table) => `\n${table}`).join(''));
  }
}

function run(kind: Kind) {
  return (ctx: RunContext): Output | Promise<Output> => {
    const v = ctx.version;
    if (ctx.args.length > 1) throw new CommandError(`accepts at most 1 arg(s), received ${ctx.args.length}`);
    const pod = podArg(ctx);
    const node = flagGiven(ctx.flags, 'node');
    // validateArgs (ztunnelconfig.go): at most one of --file, --node and a pod name.
    if ((pod !== null ? 1 : 0) + (node ? 1 : 0) + (flagGiven(ctx.flags, 'file') ? 1 : 0) > 1) {
      throw new CommandError('at most one of --file, --node, or pod name must be passed');
    }
    if (flagGiven(ctx.flags, 'file')) throw new NotImplemented('ztunnel-config --file');
    const output = flagValue(ctx.flags, ctx.specs, 'output') ?? 'short';
    if (output !== 'short') throw new NotImplemented(`ztunnel-config ${kind} -o ${output} (only the default tables have goldens)`);
    // A ztunnel pod is read directly; from 1.30 a workload pod resolves to its node's ztunnel and filters to itself
    // (ztunnelconfig.go runConfigDump). Before 1.30 the error names the pod, whatever the TYPE.
    const istioNamespace = flagValue(ctx.flags, ctx.specs, 'istioNamespace') || 'istio-system';
    const ztunnel = pod === null || (pod.name.startsWith('ztunnel-') && pod.namespace === istioNamespace);
    if (!ztunnel && !atLeast(v, 30)) throw new CommandError(`workloads command is only supported by Ztunnel proxies: ${pod?.name ?? ''}`);
    const workloadFilter = ztunnel ? null : pod;
    if (ctx.scenario.name === 'bookinfo') return demoAnswer(ctx, kind, pod, workloadFilter, istioNamespace);
    switch (kind) {
      case 'workload':
        return ok(workloads(v, flagValue(ctx.flags, ctx.specs, 'workload-namespace') ?? '', workloadFilter));
      case 'service':
        return ok(services(v));
      case 'certificate':
        return ok(golden('certificates/v1.22+_secretsummary.txt'));
      case 'policy':
        return ok(policies(v));
      case 'connections':
        return ok(connections(v, workloadFilter));
      case 'all':
        return ok(all(v));
    }
  };
}

/** commonFlags.attach (ztunnelconfig.go), on every subcommand. */
const common = (): FlagSpec[] => [
  { name: 'proxy-admin-port', kind: 'int', default: '15000' },
  { name: 'output', shorthand: 'o', kind: 'string', default: 'short' },
  { name: 'node', kind: 'string', default: '' },
  { name: 'file', shorthand: 'f', kind: 'string', default: '' },
];

function subcommands(): CommandDef[] {
  return [
    { name: 'certificate', aliases: ['certificates', 'certs', 'cert'], flags: common, run: run('certificate') },
    { name: 'service', aliases: ['services', 's', 'svc'], flags: () => [...common(), { name: 'service-namespace', kind: 'string', default: '' }], run: run('service') },
    { name: 'policy', aliases: ['policies', 'p', 'pol'], flags: () => [...common(), { name: 'policy-namespace', kind: 'string', default: '' }], run: run('policy') },
    { name: 'all', flags: (v) => [...common(), ...(atLeast(v, 29) ? [{ name: 'with-headers', kind: 'bool' as const, default: 'false' }] : [])], run: run('all') },
    {
      name: 'workload',
      aliases: ['w', 'workloads'],
      flags: (v) => [
        ...common(),
        { name: 'address', kind: 'string', default: '' },
        { name: 'workload-namespace', kind: 'string', default: '' },
        { name: 'workload-node', kind: 'string', default: '' },
        ...(atLeast(v, 23) ? [] : [{ name: 'verbose', kind: 'bool' as const, default: 'true' }]),
      ],
      run: run('workload'),
    },
    {
      name: 'connections',
      aliases: ['cons'],
      flags: () => [...common(), { name: 'direction', kind: 'string', default: '' }, { name: 'raw', kind: 'bool', default: 'false' }, { name: 'workload-namespace', kind: 'string', default: '' }],
      run: run('connections'),
    },
    { name: 'log', unmodelled: true },
  ];
}

/** 1.23+: `istioctl ztunnel-config` (alias `zc`). */
export const ztunnelConfigCommand: CommandDef = { name: 'ztunnel-config', aliases: ['zc'], available: (v) => atLeast(v, 23), subcommands: subcommands() };
/** 1.22: `istioctl x ztunnel-config`. */
export const experimentalZtunnelConfigCommand: CommandDef = { name: 'ztunnel-config', aliases: ['zc'], available: (v) => v.minor === 22, subcommands: subcommands() };
