import { defineCommand, type CommandResult } from '../src/command.ts';
import { CLUSTER_FLAG, clip, grammarWord, NAMESPACE_FLAG, parseArgs } from '../src/grammar.ts';
import { waypointStatusSupported, type AnalyzeScope } from '../src/istioctl/istioctl.ts';
import { checkScopeNamespace } from '../src/kube/namespaces.ts';
import { readLabelledServices, summarizeWaypoints, waypointsOf, type WaypointSummary } from '../src/mesh/waypoint.ts';
import { err, ok } from '../src/result.ts';
import { ALL_NAMESPACES_FLAG, scopeFromFlags } from './analyze.ts';
import { namespaceMissingResult } from './namespace-missing.ts';
import { renderWaypointJson, renderWaypointSlack, renderWaypointText } from './waypoint.render.ts';

const WAYPOINT_ACTIONS = ['list', 'status'] as const;
export type WaypointAction = (typeof WAYPOINT_ACTIONS)[number];

export interface WaypointArgs {
  readonly action: WaypointAction;
  /** null: the cluster's default namespace. */
  readonly scope: AnalyzeScope | null;
  readonly cluster: string | undefined;
}

export interface WaypointResult {
  readonly cluster: string;
  readonly scope: AnalyzeScope;
  readonly namespaceDefaulted: boolean;
  /** What the user asked for. */
  readonly action: WaypointAction;
  /** What was run: `list` where this istioctl has no `status --wait=false` (see `note`). */
  readonly ran: WaypointAction | null;
  /** Why the answer is not what was asked (an older istioctl), one sentence; null otherwise. */
  readonly note: string | null;
  readonly asOf: Date;
  readonly errors: readonly string[];
  /** null when istioctl could not list the waypoints. */
  readonly summary: WaypointSummary | null;
  readonly istioctlVersion: string | undefined;
}

export function waypointResult(result: WaypointResult): CommandResult {
  return {
    envelope: { command: 'waypoint', cluster: result.cluster, asOf: result.asOf, errors: result.errors },
    failed: result.summary === null,
    // The Services check is half of the answer: a script must not take "no problems" from a read that failed.
    incomplete: result.summary !== null && result.summary.users === null,
    toJson: () => renderWaypointJson(result),
    toText: () => renderWaypointText(result),
    toSlack: () => renderWaypointSlack(result),
  };
}

export const waypointCommand = defineCommand<WaypointArgs>({
  name: 'waypoint',
  aliases: ['wp'],
  usage: 'waypoint [list|status] [-n NAMESPACE | -A] [--cluster NAME]',
  summary: 'ambient waypoints (not programmed first, traffic type) and the Services whose waypoint is missing or not programmed',
  role: 'reader',
  parse(tokens) {
    const parsed = parseArgs(tokens, [NAMESPACE_FLAG, ALL_NAMESPACES_FLAG, CLUSTER_FLAG]);
    if (!parsed.ok) return parsed;
    const [first, extra] = parsed.value.positionals;
    const action = first === undefined ? 'list' : grammarWord(first, WAYPOINT_ACTIONS);
    if (action === undefined) return err(`unknown waypoint action "${clip(first ?? '')}" (use list or status)`);
    if (extra !== undefined) return err(`unexpected argument "${clip(extra)}"`);
    const scope = scopeFromFlags(parsed.value.flags);
    if (!scope.ok) return scope;
    const cluster = parsed.value.flags.get('cluster');
    return ok({ action, scope: scope.value, cluster: typeof cluster === 'string' ? cluster : undefined });
  },
  labelFor: (args) => `waypoint ${args.action}`,
  async execute(args, target, deps) {
    const scope: AnalyzeScope = args.scope ?? { kind: 'namespace', namespace: target.defaultNamespace };
    const version = await deps.istioctl.clientVersion();
    const statusRuns = args.action === 'status' && version.ok && waypointStatusSupported(version.value.minor);
    const ran: WaypointAction = statusRuns ? 'status' : 'list';
    const note =
      args.action === 'status' && version.ok && !statusRuns
        ? `istioctl ${version.value.version} has no \`waypoint status --wait=false\` (1.29+; before, status waits until every waypoint is programmed), so this is \`waypoint list\`: its PROGRAMMED column is the same condition.`
        : null;
    const kube = deps.kubeFor(target);
    // `status` prints a waypoint's Programmed condition only while it is True (src/mesh/waypoint.ts, waypointsOf): the
    // list beside it says what the condition is for the others, and adds their traffic type and revision.
    const [report, listed, services, namespaceState] = await Promise.all([
      deps.istioctl.waypoint(target, { action: ran, scope }),
      ran === 'status' ? deps.istioctl.waypoint(target, { action: 'list', scope }) : Promise.resolve(null),
      kube.ok ? readLabelledServices(kube.value, scope) : Promise.resolve(err(kube.error.message)),
      checkScopeNamespace(kube, scope.kind === 'namespace' ? scope.namespace : undefined),
    ]);
    const asOf = report.ok ? report.value.asOf : deps.now();
    const base = { cluster: target.name, scope, namespaceDefaulted: args.scope === null, action: args.action, note, istioctlVersion: version.ok ? version.value.version : undefined };
    if (namespaceState.kind === 'missing') {
      // istioctl prints "No waypoints found." for a namespace that does not exist: never an empty, healthy answer.
      const missing: WaypointResult = { ...base, ran: null, asOf, errors: [namespaceState.message], summary: null };
      return namespaceMissingResult({ command: 'waypoint', cluster: target.name, asOf, message: namespaceState.message, json: () => renderWaypointJson(missing) });
    }
    const errors = services.ok ? [] : [`Services labelled istio.io/use-waypoint could not be read: ${services.error}`];
    // istioctl's status reads the waypoints one second apart (printWaypointStatus waits on a 1 s ticker for each), so a
    // mesh with more waypoints than istioctl.timeout has seconds never gets an answer from it; the list beside it has
    // the same Programmed condition.
    if (!report.ok && report.error.kind === 'timeout' && listed?.ok && listed.value.value.action === 'list') {
      const count = listed.value.value.rows.length;
      const slow = `istioctl waypoint status did not finish within istioctl.timeout: it reads the waypoints one second apart, ${count} waypoint${count === 1 ? '' : 's'} here, so this is \`waypoint list\`: its PROGRAMMED column is the same condition.`;
      return waypointResult({ ...base, ran: 'list', note: slow, asOf: listed.value.asOf, errors, summary: summarizeWaypoints(waypointsOf(listed.value.value), services.ok ? services.value : null, scope) });
    }
    if (!report.ok) return waypointResult({ ...base, ran: null, asOf, errors: [`istioctl: ${report.error.message}`], summary: null });
    const listRows = listed?.ok && listed.value.value.action === 'list' ? listed.value.value.rows : null;
    if (listed && !listed.ok) errors.push(`istioctl waypoint list: ${listed.error.message} Waypoints whose status row is not their Programmed condition are Unknown.`);
    return waypointResult({ ...base, ran, asOf, errors, summary: summarizeWaypoints(waypointsOf(report.value.value, listRows), services.ok ? services.value : null, scope) });
  },
});
