/**
 * Issue #9's fault-injection suite, part 2 (shared by both route kinds): two replicas and double clicks
 * interleaved one call at a time in seeded orders, and the route changed underneath an operation at each of its
 * calls — then I1–I5.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { APPROVE_ACTION, REJECT_ACTION, ROLLBACK_ACTION } from '../../../../commands/canary.render.ts';
import { runChanges, runRace, setupRequest, summarize, type Change, type Sample, type Context, type Finding, type Operation, type Race } from '../../../support/faults-run.ts';
import { reviewsRoute, VS_NAME, type HttpRouteSpec, type Seed, type World } from '../../../support/faults-world.ts';
import { appliedPromotion, requestOf, secondRequest, sweepSettleLanded, sweepSettleLandedHttpRoute } from './operations.ts';

const lanes = (entries: readonly (readonly [string, () => Promise<unknown>])[]) => new Map<string, () => Promise<unknown>>(entries);
const noRollback = { rollback: false, stable: null } as const;

/** Two replicas (or two clicks) at once on the route of `seed`: its kind decides which object they fight over. */
export function races(seed: Seed = {}): Race[] {
  const list: readonly Race[] = [
    {
      name: 'double click on Approve (one replica)',
      truth: noRollback,
      prefix: setupRequest,
      lanes: (world, { a }, context) =>
        lanes([
          ['click 1', () => world.click(a, APPROVE_ACTION, requestOf(context), 'U0BOB')],
          ['click 2', () => world.click(a, APPROVE_ACTION, requestOf(context), 'U0BOB')],
        ]),
    },
    {
      name: 'two approvers on two replicas',
      truth: noRollback,
      prefix: setupRequest,
      lanes: (world, { a, b }, context) =>
        lanes([
          ['A approve', () => world.click(a, APPROVE_ACTION, requestOf(context), 'U0BOB')],
          ['B approve', () => world.click(b, APPROVE_ACTION, requestOf(context), 'U0CAROL')],
        ]),
    },
    {
      name: 'approve and reject at once',
      truth: noRollback,
      prefix: setupRequest,
      lanes: (world, { a, b }, context) =>
        lanes([
          ['A approve', () => world.click(a, APPROVE_ACTION, requestOf(context), 'U0BOB')],
          ['B reject', () => world.click(b, REJECT_ACTION, requestOf(context), 'U0CAROL')],
        ]),
    },
    {
      name: 'two promotions of one VirtualService at once',
      truth: noRollback,
      lanes: (world, { a, b }) =>
        lanes([
          ['A promote', () => world.promote(a, 'U0ALICE', 50)],
          ['B promote', () => world.promote(b, 'U0DAVE', 30)],
        ]),
    },
    {
      name: 'approval while the leader sweeps and six minutes pass',
      truth: noRollback,
      prefix: setupRequest,
      jumpMs: 6 * 60_000,
      lanes: (world, { a, b }, context) =>
        lanes([
          ['A approve', () => world.click(a, APPROVE_ACTION, requestOf(context), 'U0BOB')],
          ['B sweep', async () => {
            await world.sweep(b);
            await world.sweep(b);
          }],
        ]),
    },
    {
      name: 'approval at the TTL while the leader expires',
      truth: noRollback,
      prefix: async (world) => {
        const context = await setupRequest(world);
        world.advance(28 * 60_000 + 30_000);
        return context;
      },
      jumpMs: 60_000,
      lanes: (world, { a, b }, context) =>
        lanes([
          ['A approve', () => world.click(a, APPROVE_ACTION, requestOf(context), 'U0BOB')],
          ['B sweep', () => world.sweep(b)],
        ]),
    },
    {
      name: 'rollback while a promotion is approved',
      truth: { rollback: true, stable: 'v1' },
      prefix: secondRequest,
      lanes: (world, { a, b }, context) =>
        lanes([
          ['A rollback', () => world.rollback(a)],
          ['B approve', () => world.click(b, APPROVE_ACTION, requestOf(context), 'U0BOB')],
        ]),
    },
    {
      name: 'two rollbacks at once (command and card)',
      truth: { rollback: true, stable: 'v1' },
      prefix: appliedPromotion,
      lanes: (world, { a, b }, context) =>
        lanes([
          ['A rollback', () => world.rollback(a)],
          ['B card rollback', () => world.click(b, ROLLBACK_ACTION, requestOf(context), 'U0DAVE')],
        ]),
    },
    {
      name: 'two leaders settle one interrupted approval',
      truth: noRollback,
      prefix: (world) => ((seed.kind === 'HTTPRoute' ? sweepSettleLandedHttpRoute : sweepSettleLanded).prefix?.(world) ?? Promise.resolve({} as Context)),
      lanes: (world, { a, b }) =>
        lanes([
          ['A sweep', () => world.sweep(a)],
          ['B sweep', () => world.sweep(b)],
        ]),
    },
  ];
  return list.map((race) => ({ ...race, seed }));
}

/** The VirtualService changed underneath (issue #9 defect 5 and its relatives). */
export const VIRTUAL_SERVICE_CHANGES: readonly Change[] = [
  { name: 'another writer sets 80/20', apply: async (world) => world.putVirtualService(world.http()?.map((route) => (route.route[0]?.destination.subset === 'v1' ? { ...route, route: reviewsRoute([80, 20], null).route } : route)) ?? []) },
  { name: 'a route with the same destinations inserted above', apply: async (world) => world.putVirtualService([reviewsRoute([90, 10], null, [{ headers: { 'x-canary-test': { exact: 'yes' } } }]), ...(world.http() ?? [])]) },
  { name: 'the planned route removed', apply: async (world) => world.putVirtualService([{ name: 'all-to-v1', route: [{ destination: { host: VS_NAME, subset: 'v1' }, weight: 100 }] }]) },
  {
    // Finding F11's twin: the routes now apply to the ingress gateway's traffic instead of the mesh's.
    name: 'gateways added (bound to the ingress gateway instead of the mesh)',
    apply: async (world) => world.putVirtualService(world.http() ?? [], undefined, { ...world.virtualServiceScope(), gateways: ['istio-ingress/bookinfo-gateway'] }),
  },
  { name: 'the VirtualService deleted', apply: (world) => world.deleteVirtualService() },
  {
    name: 'the VirtualService deleted and created again as it was',
    apply: async (world) => {
      const http = world.http() ?? [];
      await world.deleteVirtualService();
      world.putVirtualService(http, {});
    },
  },
];

type Rule = NonNullable<HttpRouteSpec['rules']>[number];

/** The reviews rule as seeded (bookinfo's HTTPRoute sample), with other weights or matches. */
function reviewsRule(weights: readonly [number, number], matches?: unknown[]): Rule {
  return { ...(matches ? { matches } : {}), backendRefs: [{ name: 'v1', port: 9080, weight: weights[0] }, { name: 'v2', port: 9080, weight: weights[1] }] };
}

/** Another writer (kubectl, a GitOps sync, a controller) rewrites the HTTPRoute's spec. */
const rewrite = (change: (spec: HttpRouteSpec) => HttpRouteSpec) => async (world: World) => world.putHttpRoute(change(world.httpRouteSpec()));
const eachSplit = (change: (rule: Rule) => Rule) => rewrite((spec) => ({ ...spec, rules: (spec.rules ?? []).map((rule) => ((rule.backendRefs?.length ?? 0) === 2 ? change(rule) : rule)) }));

/**
 * The HTTPRoute changed underneath: a rule inserted above, backendRefs or weights changed, the rule removed,
 * deleted, or re-attached (finding F11: the approved weights would split the traffic of another parent than the
 * one the approver saw).
 */
export const HTTP_ROUTE_CHANGES: readonly Change[] = [
  { name: 'another writer sets the weights to 80/20', apply: eachSplit((rule) => ({ ...rule, ...reviewsRule([80, 20]) })) },
  {
    name: 'the parentRefs changed (attached to the ingress Gateway instead of the reviews Service)',
    apply: rewrite((spec) => ({ ...spec, parentRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'bookinfo-gateway', namespace: 'istio-ingress' }] })),
  },
  { name: 'a rule with the same backends inserted above', apply: rewrite((spec) => ({ ...spec, rules: [reviewsRule([90, 10], [{ headers: [{ name: 'x-canary-test', value: 'yes' }] }]), ...(spec.rules ?? [])] })) },
  { name: 'the canary backendRef changed (v2 replaced by v3, same weight)', apply: eachSplit((rule) => ({ ...rule, backendRefs: (rule.backendRefs ?? []).map((ref) => (ref.name === 'v2' ? { ...ref, name: 'v3' } : ref)) })) },
  { name: "the backendRefs' port changed (9080 → 9081)", apply: eachSplit((rule) => ({ ...rule, backendRefs: (rule.backendRefs ?? []).map((ref) => ({ ...ref, port: 9081 })) })) },
  { name: 'the planned rule removed', apply: rewrite((spec) => ({ ...spec, rules: [{ backendRefs: [{ name: 'v1', port: 9080 }] }] })) },
  { name: 'the HTTPRoute deleted', apply: (world) => world.deleteVirtualService() },
  {
    name: 'the HTTPRoute deleted and created again as it was',
    apply: async (world) => {
      const spec = world.httpRouteSpec();
      await world.deleteVirtualService();
      world.putHttpRoute(spec, {});
    },
  },
];

export interface RaceSuite {
  readonly title: string;
  readonly races: readonly Race[];
  /** The seeds each race is interleaved with. */
  readonly seeds: readonly number[];
  readonly changes: readonly Change[];
  /** Operations run with each change at each of their calls (or a seeded sample), under a label for the test name. */
  readonly underneath: readonly { readonly label: string; readonly operation: Operation; readonly sample?: Sample }[];
}

export function describeRaces(suite: RaceSuite): void {
  describe(`fault injection: ${suite.title} (issue #9)`, () => {
    let runs = 0;
    let violations = 0;
    after(() => console.log(`fault suite (${suite.title}): ${runs} runs, ${violations} violations`));

    for (const race of suite.races) {
      it(`${race.name}: ${suite.seeds.length} seeded interleavings keep I1–I5`, async (t) => {
        const findings: Finding[] = [];
        for (const seed of suite.seeds) {
          const result = await runRace(race, seed);
          for (const violation of result.violations) findings.push({ operation: race.name, fault: `seed ${seed}`, site: '-', violation });
        }
        runs += suite.seeds.length;
        violations += findings.length;
        t.diagnostic(`${race.name}: ${suite.seeds.length} interleavings, ${findings.length} violations`);
        assert.deepEqual(summarize(findings), []);
      });
    }

    for (const { label, operation, sample } of suite.underneath) {
      it(`${label}: the route changed underneath at ${sample ? 'a seeded sample of its' : 'each'} calls keeps I1–I5`, async (t) => {
        const result = await runChanges(operation, suite.changes, sample);
        runs += result.runs;
        violations += result.findings.length;
        t.diagnostic(`${operation.name}: ${suite.changes.length} changes at ${result.faultPoints} points, ${result.runs} runs, ${result.findings.length} violations`);
        assert.deepEqual(summarize(result.findings), []);
      });
    }
  });
}
