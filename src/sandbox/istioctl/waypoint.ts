// `istioctl [x] waypoint list|status` per version, replaying the corpus (ambient/waypoint): the waypoints the fake
// "sees" are those of the combined-gateway goldens of the version's family, printed by the same writer (tabwriter,
// padding 5), so `list -A` is that golden byte for byte. `-n NS` prints the namespace's rows without the
// NAMESPACE column (derived from the writer: istioctl/pkg/waypoint/waypoint.go prints the same row minus namespace).

import { CommandError, NotImplemented, ok } from './command.ts';
import type { CommandDef, Output, RunContext } from './command.ts';
import { boolValue, flagValue } from './flags.ts';
import type { FlagSpec } from './flags.ts';
import { renderTable } from './tabwriter.ts';
import { atLeast } from './version.ts';
import type { ClientVersion } from './version.ts';
import { demoWaypoints, loadAmbientDemo } from './demo-ambient.ts';

export interface FakeWaypoint {
  namespace: string;
  name: string;
  /** 1.20-1.21 SERVICE ACCOUNT column */
  serviceAccount: string;
  revision: string;
  /** raw `istio.io/waypoint-for` label value; '' = absent (printed `none`) */
  waypointFor: string;
  /** the Programmed condition's status */
  programmed: 'True' | 'False';
  /** The Gateway's status conditions in order; the goldens' Gateways have the Programmed one alone. */
  conditions: readonly FakeCondition[];
}

export interface FakeCondition {
  readonly type: string;
  readonly status: string;
  readonly reason: string;
  readonly message: string;
}

const wp = (namespace: string, name: string, serviceAccount: string, revision: string, programmed: 'True' | 'False', waypointFor = ''): FakeWaypoint => ({
  namespace,
  name,
  serviceAccount,
  revision,
  waypointFor,
  programmed,
  conditions: [{ type: 'Programmed', status: programmed, reason: '', message: '' }],
});

/**
 * The Gateways of class istio-waypoint behind each family's combined-gateway golden. The default namespace waypoint
 * was named `namespace` in 1.20-1.21 and `waypoint` from 1.22; `bookinfo-traffic-type` (label `all`) is 1.27+.
 */
export function waypointsFor(v: ClientVersion): FakeWaypoint[] {
  if (!atLeast(v, 22)) {
    return [wp('bookinfo', 'bookinfo-rev', 'bookinfo-rev', 'rev1', 'True'), wp('bookinfo', 'bookinfo-valid', 'bookinfo-valid', 'default', 'True'), wp('default', 'bookinfo', 'bookinfo', 'default', 'False'), wp('default', 'namespace', '', 'default', 'False'), wp('default', 'no-name-convention', 'sa', 'default', 'True')];
  }
  const common = [wp('bookinfo', 'bookinfo-rev', '', 'rev1', 'True'), wp('bookinfo', 'bookinfo-valid', '', 'default', 'True'), wp('default', 'bookinfo', '', 'default', 'False'), wp('default', 'no-name-convention', '', 'default', 'True'), wp('default', 'waypoint', '', 'default', 'False')];
  return atLeast(v, 27) ? [...common, wp('bookinfo', 'bookinfo-traffic-type', '', 'default', 'True', 'all')] : common;
}

/** The list writer's columns per version (goldens ambient/waypoint/list). */
export function waypointListTable(v: ClientVersion, waypoints: readonly FakeWaypoint[], allNamespaces: boolean): string {
  const columns: [string, (w: FakeWaypoint) => string][] = [['NAME', (w) => w.name]];
  if (!atLeast(v, 22)) columns.push(['SERVICE ACCOUNT', (w) => w.serviceAccount]);
  columns.push(['REVISION', (w) => w.revision]);
  if (atLeast(v, 27)) columns.push(['TRAFFIC TYPE', (w) => w.waypointFor || 'none']);
  columns.push(['PROGRAMMED', (w) => w.programmed]);
  if (allNamespaces) columns.unshift(['NAMESPACE', (w) => w.namespace]);
  return renderTable([columns.map(([title]) => title), ...waypoints.map((w) => columns.map(([, cell]) => cell(w)))]);
}

/**
 * The 1.29+ status writer (istioctl/pkg/waypoint/waypoint.go, printWaypointStatus): one row per waypoint with the
 * condition its loop stopped at — Programmed when it is True, else the Gateway's last condition, and for a Gateway
 * without conditions the previous Gateway's (the loop variable outlives the loop). The goldens' Gateways have only
 * the Programmed condition, with REASON and MESSAGE blank.
 */
export function waypointStatusTable(waypoints: readonly FakeWaypoint[], allNamespaces: boolean): string {
  let printed: FakeCondition = { type: '', status: '', reason: '', message: '' };
  const rows = waypoints.map((w) => {
    for (const condition of w.conditions) {
      printed = condition;
      if (condition.type === 'Programmed' && condition.status === 'True') break;
    }
    return [...(allNamespaces ? [w.namespace] : []), w.name, printed.status, printed.type, printed.reason, printed.message];
  });
  return renderTable([[...(allNamespaces ? ['NAMESPACE'] : []), 'NAME', 'STATUS', 'TYPE', 'REASON', 'MESSAGE'], ...rows]);
}

const NO_WAYPOINTS = 'No waypoints found.\n';

/** The waypoints the scenario has: none in `empty-mesh`, the demo mesh's Gateways in `bookinfo`, else the goldens'. */
async function knownWaypoints(ctx: RunContext): Promise<FakeWaypoint[]> {
  if (ctx.scenario.name === 'empty-mesh') return [];
  if (ctx.scenario.name === 'bookinfo') return demoWaypoints((await loadAmbientDemo(ctx)).world);
  return waypointsFor(ctx.version);
}

/** Sorted by namespace then name, as the writer sorts. */
async function inScope(ctx: RunContext): Promise<{ waypoints: FakeWaypoint[]; all: boolean }> {
  const all = boolValue(flagValue(ctx.flags, ctx.specs, 'all-namespaces'));
  const namespace = flagValue(ctx.flags, ctx.specs, 'namespace') || 'default';
  const known = await knownWaypoints(ctx);
  const waypoints = known.filter((w) => all || w.namespace === namespace).sort((a, b) => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name));
  return { waypoints, all };
}

async function runList(ctx: RunContext): Promise<Output> {
  if (ctx.args.length > 0) throw new NotImplemented('waypoint list with arguments');
  const { waypoints, all } = await inScope(ctx);
  return ok(waypoints.length === 0 ? NO_WAYPOINTS : waypointListTable(ctx.version, waypoints, all));
}

async function runStatus(ctx: RunContext): Promise<Output> {
  if (ctx.args.length > 0) throw new CommandError(`unknown subcommand ${JSON.stringify(ctx.args[0])}`);
  const { waypoints, all } = await inScope(ctx);
  if (waypoints.length === 0) return ok(NO_WAYPOINTS);
  // Waiting (the default) on a waypoint that is not programmed ends with the notready-wait golden's error line.
  const stuck = waypoints.find((w) => w.programmed !== 'True');
  if (boolValue(flagValue(ctx.flags, ctx.specs, 'wait')) && stuck) {
    throw new CommandError(`failed to print waypoint status: timed out while retrieving status for waypoint\t${stuck.namespace}/${stuck.name}`);
  }
  return ok(waypointStatusTable(waypoints, all));
}

const listFlags = (): FlagSpec[] => [{ name: 'all-namespaces', shorthand: 'A', kind: 'bool', default: 'false' }];
/**
 * `waypoint status`'s own flags per version (istioctl/pkg/waypoint/waypoint.go at the release tags): none in
 * 1.23-1.26, `--waypoint-timeout` from 1.27, `--wait`/`-w` (default true) and `--all-namespaces`/`-A` from 1.29.
 * Anything else is pflag's "unknown flag", exit 64: `--wait=false` before 1.29 is refused, not ignored.
 */
const statusFlags = (v: ClientVersion): FlagSpec[] => {
  const flags: FlagSpec[] = [];
  if (atLeast(v, 29)) flags.push({ name: 'all-namespaces', shorthand: 'A', kind: 'bool', default: 'false' }, { name: 'wait', shorthand: 'w', kind: 'bool', default: 'true' });
  if (atLeast(v, 27)) flags.push({ name: 'waypoint-timeout', kind: 'duration', default: '1s' });
  return flags;
};

function waypointCommandFor(available: (v: ClientVersion) => boolean): CommandDef {
  return {
    name: 'waypoint',
    available,
    subcommands: [
      { name: 'list', flags: listFlags, run: runList },
      // status exists from 1.23, but the corpus has goldens (and `--wait`) only from 1.29: earlier is not modelled.
      { name: 'status', available: (v) => atLeast(v, 23), flags: statusFlags, run: (ctx) => (atLeast(ctx.version, 29) ? runStatus(ctx) : notModelled()) },
      { name: 'apply', unmodelled: true },
      { name: 'delete', unmodelled: true },
      { name: 'generate', unmodelled: true },
    ],
  };
}

function notModelled(): never {
  throw new NotImplemented('waypoint status before 1.29 (no golden; it waits for every waypoint)');
}

/** 1.23+: top level. */
export const waypointCommand = waypointCommandFor((v) => atLeast(v, 23));
/** 1.20-1.22: `istioctl x waypoint`. */
export const experimentalWaypointCommand = waypointCommandFor((v) => !atLeast(v, 23));
