/**
 * Traffic to the canary that shifting weights of HTTP routes (HTTPRoute rules) does not touch: a VirtualService's
 * TCP and TLS routes, and requests mirrored to the canary. Said with a rollback (and the TCP/TLS part with a
 * promotion), so "rolled back, v2 0%" never hides a route that still sends v2 traffic.
 */
import { z } from 'zod';
import { ruleLabel } from './plan.ts';
import { sameServiceHost } from './virtual-service.ts';

const destinationSchema = z.looseObject({ host: z.string(), subset: z.string().optional() });
const l4RouteSchema = z.looseObject({ route: z.array(z.looseObject({ destination: destinationSchema, weight: z.number().optional() })).optional() });
const percentageSchema = z.looseObject({ value: z.number().optional() });
const mirroringRouteSchema = z.looseObject({
  name: z.string().optional(),
  mirror: destinationSchema.optional(),
  mirrorPercentage: percentageSchema.optional(),
  // Deprecated integer form; Istio uses it when mirrorPercentage is absent.
  mirrorPercent: z.number().optional(),
  mirrors: z.array(z.looseObject({ destination: destinationSchema, percentage: percentageSchema.optional() })).optional(),
});

const mirrorFilterSchema = z.looseObject({
  type: z.literal('RequestMirror'),
  requestMirror: z.looseObject({
    backendRef: z.looseObject({ name: z.string(), group: z.string().optional(), kind: z.string().optional() }),
    percent: z.number().optional(),
    fraction: z.looseObject({ numerator: z.number(), denominator: z.number().optional() }).optional(),
  }),
});
const mirroringRuleSchema = z.looseObject({
  name: z.string().optional(),
  filters: z.array(z.unknown()).optional(),
  backendRefs: z.array(z.looseObject({ filters: z.array(z.unknown()).optional() })).optional(),
});

/** The canary a leftover is about: a VirtualService subset of `host`, or an HTTPRoute backend Service (host unused). */
export interface CanaryTarget {
  readonly host: string;
  readonly canarySubset: string;
}

function entriesOf(value: unknown): readonly unknown[] {
  return Array.isArray(value) ? value : [];
}

function percent(value: number): string {
  return `${Math.round(value * 10) / 10}%`;
}

function capitalised(text: string): string {
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}`;
}

/**
 * TCP and TLS routes of a VirtualService that send the canary a share: mesh-bot changes only `spec.http`. Istio
 * sends a single destination everything and several their weight over the sum.
 */
export function layer4Leftovers(spec: Readonly<Record<string, unknown>>, namespace: string, target: CanaryTarget, when: 'promotion' | 'rollback'): string[] {
  const { canarySubset: canary } = target;
  return (['tcp', 'tls'] as const).flatMap((section) =>
    entriesOf(spec[section]).flatMap((raw, index) => {
      const parsed = l4RouteSchema.safeParse(raw);
      const entries = parsed.success ? (parsed.data.route ?? []) : [];
      const onCanary = (entry: (typeof entries)[number]) => entry.destination.subset === canary && sameServiceHost(entry.destination.host, target.host, namespace);
      if (!entries.some(onCanary)) return [];
      const sum = entries.reduce((total, entry) => total + (entry.weight ?? 0), 0);
      const share = entries.length === 1 ? 100 : sum === 0 ? 0 : (entries.filter(onCanary).reduce((total, entry) => total + (entry.weight ?? 0), 0) * 100) / sum;
      if (share === 0) return [];
      const amount = share === 100 ? 'all its traffic' : `${percent(share)} of its traffic`;
      const next = when === 'rollback' ? `change it by hand if ${canary} must get none` : 'this promotion leaves it as it is';
      return [`${section.toUpperCase()} route #${index + 1} still sends ${amount} to ${canary} (mesh-bot shifts HTTP routes only); ${next}.`];
    }),
  );
}

/** HTTP routes of a VirtualService that mirror requests to the canary (`mirror`, `mirrors`): a rollback's weights do not stop them. */
/**
 * What a mirror to the canary means for the change at hand: a rollback leaves the canary getting copies, a
 * promotion's approver should know the canary gets more than its weight (mirrored responses are dropped, but the
 * canary serves them, side effects included).
 */
function mirrorSentence(label: string, share: number, canary: string, when: 'promotion' | 'rollback'): string {
  const next = when === 'rollback' ? `remove the mirror by hand if ${canary} must get none` : 'this promotion leaves the mirror as it is';
  return `${capitalised(label)} ${when === 'rollback' ? 'still mirrors' : 'also mirrors'} ${percent(share)} of its requests to ${canary}; ${next}.`;
}

/**
 * The share of requests a VirtualService mirror copies, as pilot's route.MirrorPercent / MirrorPercentByPolicy read
 * it: a `mirrorPercentage` (or a mirrors[] `percentage`) that is there decides, its value absent being 0 (no
 * mirror); else the deprecated integer `mirrorPercent`; with neither, every request.
 */
function mirrorShare(percentage: { readonly value?: number | undefined } | undefined, integer: number | undefined): number {
  if (percentage !== undefined) return percentage.value ?? 0;
  return integer ?? 100;
}

export function virtualServiceMirrors(spec: Readonly<Record<string, unknown>>, namespace: string, target: CanaryTarget, when: 'promotion' | 'rollback'): string[] {
  const { canarySubset: canary } = target;
  const toCanary = (destination: z.output<typeof destinationSchema>) => destination.subset === canary && sameServiceHost(destination.host, target.host, namespace);
  return entriesOf(spec['http']).flatMap((raw, index) => {
    const parsed = mirroringRouteSchema.safeParse(raw);
    if (!parsed.success) return [];
    const route = parsed.data;
    const shares = [
      ...(route.mirror !== undefined && toCanary(route.mirror) ? [mirrorShare(route.mirrorPercentage, route.mirrorPercent)] : []),
      ...(route.mirrors ?? []).filter((mirror) => toCanary(mirror.destination)).map((mirror) => mirrorShare(mirror.percentage, undefined)),
    ].filter((share) => share > 0);
    return shares.map((share) => mirrorSentence(ruleLabel({ index, name: route.name }), share, canary, when));
  });
}

/** HTTPRoute rules with a RequestMirror filter (on the rule or on one of its backendRefs) to the canary Service. */
export function httpRouteMirrors(spec: Readonly<Record<string, unknown>>, target: CanaryTarget, when: 'promotion' | 'rollback'): string[] {
  const { canarySubset: canary } = target;
  return entriesOf(spec['rules']).flatMap((raw, index) => {
    const parsed = mirroringRuleSchema.safeParse(raw);
    if (!parsed.success) return [];
    const rule = parsed.data;
    const filters = [...(rule.filters ?? []), ...(rule.backendRefs ?? []).flatMap((ref) => ref.filters ?? [])];
    return filters.flatMap((candidate) => {
      const filter = mirrorFilterSchema.safeParse(candidate);
      if (!filter.success) return [];
      const { backendRef, percent: whole, fraction } = filter.data.requestMirror;
      if (backendRef.name !== canary || (backendRef.group ?? '') !== '' || (backendRef.kind ?? 'Service') !== 'Service') return [];
      // Gateway API: `percent`, else `fraction` (denominator 100 unless given), else every request.
      const share = whole ?? (fraction ? (fraction.numerator * 100) / (fraction.denominator ?? 100) : 100);
      if (share <= 0) return [];
      return [mirrorSentence(ruleLabel({ index, name: rule.name }, 'HTTPRoute'), share, canary, when)];
    });
  });
}
