import type { JsonPatchOp } from '../../kube/istio-objects.ts';
import { err, ok, type Result } from '../../result.ts';
import { sameServiceHost, serviceFqdn, type HttpRoute, type VirtualService } from './virtual-service.ts';

export interface WeightedDestination {
  readonly host: string;
  readonly subset: string;
  readonly weight: number;
}

export interface RouteChange {
  /** Index in spec.http. */
  readonly index: number;
  readonly name: string | undefined;
  readonly before: readonly WeightedDestination[];
  readonly after: readonly WeightedDestination[];
  /** The route's `route` array exactly as read. */
  readonly readRoute: readonly unknown[];
}

export interface CanaryPlan {
  readonly host: string;
  readonly stableSubset: string;
  readonly canarySubset: string;
  /** Percent of traffic to the canary after the change. */
  readonly targetWeight: number;
  /** Percent to the canary before the change (of the first route). */
  readonly currentWeight: number;
  readonly resourceVersion: string;
  readonly changes: readonly RouteChange[];
  readonly patch: readonly JsonPatchOp[];
}

export interface PlanOptions {
  /** Canary percentage wanted, 0-100. */
  readonly weight: number;
  /** `--subset`: the canary subset when the split is ambiguous. */
  readonly canarySubset?: string | undefined;
  /** The subsets of the last promotion of this VirtualService, to keep "which is stable" stable across 100/0 flips. */
  readonly remembered?: { readonly stableSubset: string; readonly canarySubset: string; readonly host?: string | undefined } | undefined;
  /** `rollback --to`: the stable subset; the canary is the other subset of the routes that use it. */
  readonly stableSubset?: string | undefined;
  /**
   * `--host`: only the routes that split the subsets of this destination host change (a VirtualService that splits
   * the subsets of several services, such as an ingress one for reviews and ratings). As typed; resolved in the
   * VirtualService's namespace.
   */
  readonly host?: string | undefined;
  /**
   * The service meant when the routes to change split the subsets of several services and `host` is not given:
   * that of mesh-bot's last change (its record on the VirtualService, or the request a Roll back button names).
   */
  readonly defaultHost?: string | undefined;
}

/** Why a plan was refused; `services`: the refusal is that the routes to change split several services' subsets. */
interface Refusal {
  readonly message: string;
  readonly services?: readonly string[];
}

/** Said when the VirtualService already has the wanted split: a harmless no-op, not an error. */
const NOTHING_TO_CHANGE = 'nothing to change';

/**
 * Only the planner's own no-op sentence, at the start (a rollback's no-op goes on to name the routes that still send
 * the canary traffic): a refusal that merely quotes the words (a route named so) stays a refusal.
 */
const NOTHING_TO_CHANGE_SAID = new RegExp(`^[^\\s;]+ already sends \\d+% to [^\\s;]+; ${NOTHING_TO_CHANGE}(?:$|\\. )`);

export function isNothingToChange(refusal: string): boolean {
  return NOTHING_TO_CHANGE_SAID.test(refusal);
}

/** A rule that splits traffic between exactly two destinations (subsets of one host, or two backend Services). */
export interface Split {
  readonly index: number;
  readonly name: string | undefined;
  /** The rule exactly as read: the patch tests it as a whole. */
  readonly rule: unknown;
  /** Its destination entries exactly as read. */
  readonly entries: readonly unknown[];
  /** Weights as stored (absent weights filled in by the provider's rule). */
  readonly destinations: readonly WeightedDestination[];
  /** The service whose subsets it splits (a VirtualService's destination host, resolved); one promotion shifts one. */
  readonly service?: string;
}

/**
 * A rule mesh-bot cannot shift (three destinations, two hosts, a backend that is no Service, unnamed subsets): it
 * refuses a plan only when the rule carries the canary being shifted. A rule of another service or other subsets
 * (an ingress VirtualService's /ratings experiment, an HTTPRoute's /api rule to a ServiceImport) is left as it is,
 * and must not block a promotion, let alone the rollback, of the canary it never carried.
 */
export interface Unshiftable {
  /** Why it cannot be shifted, as said when it blocks. */
  readonly reason: string;
  /** Its destinations: the service (resolved host; undefined for an HTTPRoute backend, named by its Service alone) and subset. */
  readonly destinations: readonly { readonly service?: string | undefined; readonly subset: string }[];
}

/** Where one traffic provider keeps its rules and weights, and how it reads them. */
export interface SplitLayout {
  /** `VirtualService`, `HTTPRoute`: how the object is named in messages. */
  readonly kind: string;
  /** `subset` (VirtualService) or `backend` (HTTPRoute): what a destination is called in messages. */
  readonly noun: string;
  readonly rulePath: (index: number) => string;
  readonly weightPath: (index: number, position: number) => string;
  /**
   * Gateway API weights are proportions of their sum (any sum), Istio's are percentages that must add up to 100.
   * Relative weights are shown as percentages of their sum and written as percentages (a valid proportion).
   */
  readonly relative: boolean;
  /**
   * Spec fields outside the rules that decide which traffic the rules apply to (a VirtualService's hosts,
   * gateways and exportTo; an HTTPRoute's parentRefs and hostnames): the patch tests each as read, so an approved
   * split never lands on traffic the approver did not see.
   */
  readonly scope: readonly string[];
}

/** With several destinations an absent weight means 0; a single destination gets 100 % (Istio's rule). */
function effectiveWeights(route: HttpRoute): WeightedDestination[] {
  const entries = route.route ?? [];
  return entries.map((entry) => ({
    host: entry.destination.host,
    subset: entry.destination.subset ?? '',
    weight: entry.weight ?? (entries.length === 1 ? 100 : 0),
  }));
}

export function pointer(...parts: readonly (string | number)[]): string {
  return `/${parts.map((part) => String(part).replace(/~/g, '~0').replace(/\//g, '~1')).join('/')}`;
}

/** `route #2` of a VirtualService (spec.http), `rule #2` of an HTTPRoute (spec.rules), or the name it has. */
export function ruleLabel(split: Pick<Split, 'index' | 'name'>, kind = 'VirtualService'): string {
  const noun = kind === 'HTTPRoute' ? 'rule' : 'route';
  return split.name ? `${noun} "${split.name}"` : `${noun} #${split.index + 1}`;
}

const VIRTUAL_SERVICE_LAYOUT: SplitLayout = {
  kind: 'VirtualService',
  noun: 'subset',
  rulePath: (index) => pointer('spec', 'http', index),
  weightPath: (index, position) => pointer('spec', 'http', index, 'route', position, 'weight'),
  relative: false,
  // gateways absent means the sidecars of the mesh only; exportTo absent means every namespace.
  scope: ['hosts', 'gateways', 'exportTo'],
};

/**
 * `test` of each scope field as read, with `null` for a field that is absent. Kubernetes applies JSON Patch with
 * evanphx/json-patch (gopkg.in/evanphx/json-patch.v4, imported by k8s.io/apiserver's endpoints/handlers/patch.go):
 * its `func (p Patch) test` passes when the key is absent and the value is `null`, and fails ("testing value …
 * failed") when the key is present with any other value, or absent while the value is not `null` (v5 does the
 * same through `isNull`). So one op proves "as read", including "still absent", where RFC 6902 alone leaves a
 * test of an absent member an error.
 */
export function scopeTests(spec: Readonly<Record<string, unknown>>, fields: readonly string[]): JsonPatchOp[] {
  return fields.map((field) => ({ op: 'test', path: pointer('spec', field), value: spec[field] ?? null }));
}

/**
 * Decides which routes change and how, and the JSON Patch that applies exactly that: `test` of the spec fields
 * that say which traffic the routes apply to (hosts, gateways, exportTo), `test` of each changed route as a whole
 * object at its index (name, match, destinations, weights, everything the approver saw), then `add` of the new
 * weights, so the API server writes nothing if the VirtualService was pointed at other traffic, or that route
 * changed, moved, or another route took its position since the plan was read.
 */
export function planWeights(vs: VirtualService, options: PlanOptions): Result<CanaryPlan, string> {
  const name = vs.metadata.name;
  const http = vs.spec.http ?? [];
  if (http.length === 0) return err(`VirtualService ${name} has no HTTP routes, so there are no weights to shift`);

  const splits: Split[] = [];
  const unshiftable: Unshiftable[] = [];
  const namespace = vs.metadata.namespace ?? '';
  for (const [index, route] of http.entries()) {
    const destinations = effectiveWeights(route);
    if (destinations.length < 2) continue;
    const label = ruleLabel({ index, name: route.name });
    const [a, b] = destinations as [WeightedDestination, WeightedDestination];
    const reason =
      destinations.length > 2
        ? `${label} of ${name} splits traffic across ${destinations.length} destinations; mesh-bot only shifts two-way splits (stable and canary)`
        : !sameServiceHost(a.host, b.host, namespace)
          ? `${label} of ${name} splits between two hosts (${a.host}, ${b.host}), not two subsets of one service`
          : a.subset === '' || b.subset === '' || a.subset === b.subset
            ? `${label} of ${name} does not split between two named subsets; give each destination a DestinationRule subset`
            : undefined;
    if (reason !== undefined) {
      unshiftable.push({ reason, destinations: destinations.map((destination) => ({ service: serviceFqdn(destination.host, namespace), subset: destination.subset })) });
      continue;
    }
    splits.push({ index, name: route.name, rule: route, entries: route.route ?? [], destinations, service: serviceFqdn(a.host, namespace) });
  }
  if (splits.length === 0) {
    return err(unshiftable[0]?.reason ?? `VirtualService ${name} has no route that splits traffic between two subsets; add the canary as a second destination with weight 0 first`);
  }
  const among = (host: string | undefined) => {
    if (host === undefined) return { splits, unshiftable };
    const meant = hostsMeant(host, namespace);
    return { splits: splits.filter((split) => split.service !== undefined && meant.has(split.service)), unshiftable: unshiftable.filter((rule) => rule.destinations.some((destination) => destination.service !== undefined && meant.has(destination.service))) };
  };
  const plan = (host: string | undefined): Result<CanaryPlan, Refusal> => {
    const chosen = among(host);
    // The service's routes to its canary are all ones mesh-bot cannot shift (three-way): that is why, not the other
    // services' splits.
    if (chosen.splits.length === 0 && host !== undefined && chosen.unshiftable[0] !== undefined) return err({ message: chosen.unshiftable[0].reason });
    if (chosen.splits.length === 0) return err({ message: noSplitOf(name, host ?? '', splits, namespace) });
    // A record of another service's subsets says nothing about these: ratings may run v2 as stable and v1 as canary
    // while the record says the opposite of reviews.
    const remembered = options.remembered;
    const otherService = remembered?.host !== undefined && !chosen.splits.some((split) => split.service === serviceFqdn(remembered.host as string, namespace));
    return planAmong(name, vs.metadata.resourceVersion ?? '', vs.spec, chosen.splits, VIRTUAL_SERVICE_LAYOUT, otherService ? { ...options, remembered: undefined } : options, chosen.unshiftable);
  };
  const planned = plan(options.host);
  if (planned.ok) return planned;
  if (options.host !== undefined && planned.error.services !== undefined) {
    // `reviews.shop` is both Istio's literal host and kubectl's name of the Service reviews in shop.
    return err(`--host ${options.host} matches the subsets of several hosts the routes name (${planned.error.services.join(', ')}); name one as the routes spell it, e.g. --host ${planned.error.services[0] ?? ''}`);
  }
  // Several services' subsets would change and --host was not given: the service of mesh-bot's last change is the
  // one meant, as its stable and canary subsets are (a rollback without --to, the Roll back button).
  const recordedHost = options.defaultHost;
  const services = planned.error.services;
  if (options.host === undefined && recordedHost !== undefined && services !== undefined && services.some((service) => hostsMeant(recordedHost, namespace).has(service))) {
    const again = plan(recordedHost);
    return again.ok ? again : err(again.error.message);
  }
  const example = services?.[0] === undefined ? '' : ` (e.g. --host ${shortHost(services[0], namespace)})`;
  return err(`${planned.error.message}${example}`);
}

function noSplitOf(name: string, host: string, splits: readonly Split[], namespace: string): string {
  const services = [...new Set(splits.flatMap((split) => (split.service === undefined ? [] : [shortHost(split.service, namespace)])))];
  return `no route of VirtualService ${name} splits the subsets of ${host}; its weighted routes split the subsets of ${services.join(', ')}, so name one of those with --host`;
}

/**
 * The refusal for a `--host` that no route splitting two subsets of one service sends traffic to, or undefined when
 * one does (a rollback says this before asking for --to: the record it lacks may be of the service meant).
 */
export function hostNotSplit(vs: VirtualService, host: string): string | undefined {
  const namespace = vs.metadata.namespace ?? '';
  const meant = hostsMeant(host, namespace);
  const splits = (vs.spec.http ?? []).flatMap((route, index) => {
    const destinations = effectiveWeights(route);
    return destinations.length > 1 ? [{ index, name: route.name, rule: route, entries: route.route ?? [], destinations, service: serviceFqdn(destinations[0]?.host ?? '', namespace) }] : [];
  });
  if (splits.some((split) => split.destinations.some((destination) => meant.has(serviceFqdn(destination.host, namespace))))) return undefined;
  return noSplitOf(vs.metadata.name, host, splits, namespace);
}

/**
 * The services a `--host` value may mean, as FQDNs: Istio's reading (a name without a dot gets the namespace and
 * `.svc.cluster.local`), and `NAME.NAMESPACE`, kubectl's way of naming a Service, as that Service.
 */
export function hostsMeant(host: string, namespace: string): Set<string> {
  const meant = new Set([serviceFqdn(host, namespace)]);
  if (/^[a-z0-9-]+\.[a-z0-9-]+$/.test(host)) meant.add(`${host}.svc.cluster.local`);
  return meant;
}

/** A service as people type it: its name within the VirtualService's namespace, else its FQDN. */
export function shortHost(fqdn: string, namespace: string): string {
  const suffix = `.${namespace}.svc.cluster.local`;
  return fqdn.endsWith(suffix) ? fqdn.slice(0, -suffix.length) : fqdn;
}

/** Percent of a weight within its rule, to a tenth (relative weights rarely divide 100 evenly). */
export function percentOf(weight: number, sum: number): number {
  return Math.round((weight * 1000) / sum) / 10;
}

/**
 * Why a split's weights cannot be shifted (all 0; Istio percentages not adding up to 100), if they cannot. A
 * rollback (`rollingBack`) only asks for a sum above 0: N % of a sum that is not 100 is not N %, but 0 for the
 * canary and 100 for the stable is what a rollback means whatever the sum was (Istio sends weight/sum).
 */
function unusableWeights(name: string, split: Split, layout: SplitLayout, rollingBack = false): string | undefined {
  const label = ruleLabel(split, layout.kind);
  const sum = split.destinations.reduce((total, destination) => total + destination.weight, 0);
  if ((layout.relative || rollingBack) && sum === 0) return `every weight of ${label} of ${name} is 0, so it sends no traffic at all; fix the ${layout.kind} before promoting`;
  if (!layout.relative && !rollingBack && sum !== 100) return `the weights of ${label} of ${name} add up to ${sum}, not 100; fix the ${layout.kind} before promoting`;
  return undefined;
}

/**
 * The shared half of planning: which destination is the canary, the new split, and the fenced patch. `spec` is
 * the object's spec as read, for the `test` of its scope fields.
 */
export function planSplits(name: string, resourceVersion: string, spec: Readonly<Record<string, unknown>>, found: readonly Split[], layout: SplitLayout, options: PlanOptions, unshiftable: readonly Unshiftable[] = []): Result<CanaryPlan, string> {
  const planned = planAmong(name, resourceVersion, spec, found, layout, options, unshiftable);
  return planned.ok ? planned : err(planned.error.message);
}

function planAmong(name: string, resourceVersion: string, spec: Readonly<Record<string, unknown>>, found: readonly Split[], layout: SplitLayout, options: PlanOptions, unshiftable: readonly Unshiftable[]): Result<CanaryPlan, Refusal> {
  const refuse = (message: string) => err<Refusal>({ message });
  if (!Number.isInteger(options.weight) || options.weight < 0 || options.weight > 100) return refuse(`the canary weight must be a whole percentage from 0 to 100, got ${options.weight}`);
  const { noun } = layout;
  const splits = [...found];
  const pairs = new Set(splits.map((split) => split.destinations.map((destination) => destination.subset).sort().join('|')));
  let canary = options.canarySubset;
  const stableWanted = options.stableSubset;
  // A subset named by --subset or --to that only a rule mesh-bot cannot shift carries: that rule is why.
  const named = stableWanted ?? canary;
  const onlyUnshiftable = named === undefined || splits.some((split) => split.destinations.some((destination) => destination.subset === named)) ? undefined : unshiftable.find((rule) => rule.destinations.some((destination) => destination.subset === named));
  if (onlyUnshiftable !== undefined) return refuse(onlyUnshiftable.reason);
  if (stableWanted !== undefined) {
    const used = splits.filter((split) => split.destinations.some((destination) => destination.subset === stableWanted));
    if (used.length === 0) {
      return refuse(`${noun} "${stableWanted}" is not a destination of any weighted route of ${name}; the routes split between ${[...pairs].map((pair) => pair.replace('|', '/')).join(', ')}`);
    }
    const others = new Set(used.flatMap((split) => split.destinations.filter((destination) => destination.subset !== stableWanted).map((destination) => destination.subset)));
    if (others.size > 1) return refuse(`the routes of ${name} that use ${stableWanted} split it with different ${noun}s (${[...others].join(', ')}); roll them back by hand`);
    canary = [...others][0] as string;
    // A rollback takes the canary to 0 % wherever it gets traffic, also on routes that pair it with another stable
    // (a `--subset` promotion shifted those too): anything less would report "rolled back" while it still serves.
    const wanted = canary;
    splits.splice(0, splits.length, ...found.filter((split) => split.destinations.some((destination) => destination.subset === wanted)));
  } else if (canary !== undefined) {
    const used = splits.filter((split) => split.destinations.some((destination) => destination.subset === canary));
    if (used.length === 0) {
      return refuse(`${noun} "${canary}" is not a destination of any weighted route of ${name}; the routes split between ${[...pairs].map((pair) => pair.replace('|', '/')).join(', ')}`);
    }
    const remembered = options.remembered;
    const recordedPair = remembered !== undefined && used.some((split) => split.destinations.some((destination) => destination.subset === remembered.canarySubset));
    if (recordedPair && remembered.stableSubset === canary) {
      // Planned as asked, this would turn the record around, and the next rollback would send everything to the real canary.
      return refuse(`--subset ${canary} names the stable ${noun} of ${name} on record (mesh-bot's last change: stable ${canary}, canary ${remembered.canarySubset}); promoting it would make ${remembered.canarySubset} the stable that a rollback sends all traffic to. Shift traffic with \`--subset ${remembered.canarySubset}\` (any weight from 0 to 100) or \`canary rollback\` instead.`);
    }
    splits.splice(0, splits.length, ...used);
  } else {
    if (pairs.size > 1) return refuse(`the routes of ${name} split between different ${noun}s (${[...pairs].map((pair) => pair.replace('|', '/')).join(', ')}); say which one is the canary with --subset`);
    // Every split changes here: one that sends nothing, or not 100 %, is named before asking for --subset.
    const broken = splits.map((split) => unusableWeights(name, split, layout)).find((problem) => problem !== undefined);
    if (broken !== undefined) return refuse(broken);
    const first = splits[0] as Split;
    const remembered = options.remembered;
    if (remembered && first.destinations.some((destination) => destination.subset === remembered.canarySubset) && first.destinations.some((destination) => destination.subset === remembered.stableSubset)) {
      canary = remembered.canarySubset;
    } else {
      const [a, b] = first.destinations as [WeightedDestination, WeightedDestination];
      if (a.weight === b.weight) return refuse(`${name} sends ${layout.relative ? 'the same share' : `${a.weight}%`} to both ${a.subset} and ${b.subset}, so mesh-bot cannot tell which is the canary; say it with --subset`);
      canary = a.weight < b.weight ? a.subset : b.subset;
    }
  }

  const services = [...new Set(splits.flatMap((split) => (split.service === undefined ? [] : [split.service])))];
  if (services.length > 1) {
    return err({ message: `the routes of ${name} that would change split the ${noun}s of different services (${services.join(', ')}); mesh-bot shifts the canary of one service at a time: say which with --host`, services });
  }
  // A rule that cannot be shifted but carries this canary: a promotion of the others would leave it at its old
  // share. A rollback (the safety exit) still takes the canary off what it can, and names that rule (leftOnCanary).
  const blocking = stableWanted !== undefined ? undefined : unshiftable.find((rule) => rule.destinations.some((destination) => destination.subset === canary && (destination.service === undefined || services.length === 0 || services.includes(destination.service))));
  if (blocking !== undefined) return refuse(blocking.reason);
  const changes: RouteChange[] = [];
  const patch: JsonPatchOp[] = scopeTests(spec, layout.scope);
  // The recorded stable is the first changed route's: with mixed pairs a rollback finds the canary through it.
  let stable = stableWanted ?? '';
  let unchanged = true;
  for (const split of splits) {
    const problem = unusableWeights(name, split, layout, stableWanted !== undefined);
    if (problem !== undefined) return refuse(problem);
    const sum = split.destinations.reduce((total, destination) => total + destination.weight, 0);
    // Istio weights not adding up to 100 (only a rollback gets here with them) are shares of their sum too.
    const before = split.destinations.map((destination) => ({ ...destination, weight: layout.relative || sum !== 100 ? percentOf(destination.weight, sum) : destination.weight }));
    const stableDestination = split.destinations.find((destination) => destination.subset !== canary) as WeightedDestination;
    if (stable === '') stable = stableDestination.subset;
    const after = split.destinations.map((destination) => ({ ...destination, weight: destination.subset === canary ? options.weight : 100 - options.weight }));
    // Exactly, not as rounded for people: 1/2 is 33.33…%, which a 33 % promotion does change.
    if (split.destinations.some((destination, position) => destination.weight * 100 !== (after[position]?.weight ?? 0) * sum)) unchanged = false;
    changes.push({ index: split.index, name: split.name, before, after, readRoute: split.entries });
    patch.push({ op: 'test', path: layout.rulePath(split.index), value: split.rule });
    for (const [position, destination] of after.entries()) patch.push({ op: 'add', path: layout.weightPath(split.index, position), value: destination.weight });
  }

  const current = changes[0]?.before.find((destination) => destination.subset === canary)?.weight ?? 0;
  if (unchanged) {
    return refuse(`${name} already sends ${options.weight}% to ${canary}; ${NOTHING_TO_CHANGE}`);
  }
  return ok({
    host: changes[0]?.before[0]?.host ?? '',
    stableSubset: stable,
    canarySubset: canary,
    targetWeight: options.weight,
    currentWeight: current,
    resourceVersion,
    changes,
    patch,
  });
}
