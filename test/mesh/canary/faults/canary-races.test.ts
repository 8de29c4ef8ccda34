/**
 * Issue #9's fault-injection suite, part 2: two replicas and double clicks interleaved one call at a time in
 * seeded orders, and the VirtualService changed underneath an operation at each of its calls — then I1–I5.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { APPROVE_ACTION, REJECT_ACTION, ROLLBACK_ACTION } from '../../../../commands/canary.render.ts';
import { runChanges, runRace, setupRequest, summarize, type Change, type Context, type Finding, type Race } from '../../../support/faults-run.ts';
import { reviewsRoute, VS_NAME } from '../../../support/faults-world.ts';
import { appliedPromotion, approve, rollbackCommand, requestOf, sweepSettleLanded } from './operations.ts';

const SEEDS_PER_RACE = 8;

const lanes = (entries: readonly (readonly [string, () => Promise<unknown>])[]) => new Map<string, () => Promise<unknown>>(entries);
const noRollback = { rollback: false, stable: null } as const;

const RACES: readonly Race[] = [
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
    prefix: async (world) => {
      await appliedPromotion(world);
      world.advance(60_000);
      return setupRequest(world);
    },
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
    prefix: (world) => (sweepSettleLanded.prefix?.(world) ?? Promise.resolve({} as Context)),
    lanes: (world, { a, b }) =>
      lanes([
        ['A sweep', () => world.sweep(a)],
        ['B sweep', () => world.sweep(b)],
      ]),
  },
];

const CHANGES: readonly Change[] = [
  { name: 'another writer sets 80/20', apply: async (world) => world.putVirtualService(world.http()?.map((route) => (route.route[0]?.destination.subset === 'v1' ? { ...route, route: reviewsRoute([80, 20], null).route } : route)) ?? []) },
  { name: 'a route with the same destinations inserted above', apply: async (world) => world.putVirtualService([reviewsRoute([90, 10], null, [{ headers: { 'x-canary-test': { exact: 'yes' } } }]), ...(world.http() ?? [])]) },
  { name: 'the planned route removed', apply: async (world) => world.putVirtualService([{ name: 'all-to-v1', route: [{ destination: { host: VS_NAME, subset: 'v1' }, weight: 100 }] }]) },
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

function report(findings: readonly Finding[]): string[] {
  return summarize(findings);
}

describe('fault injection: interleavings and changes underneath (issue #9)', () => {
  let runs = 0;
  let violations = 0;
  after(() => console.log(`fault suite (races and changes): ${runs} runs, ${violations} violations`));

  for (const race of RACES) {
    it(`${race.name}: ${SEEDS_PER_RACE} seeded interleavings keep I1–I5`, async (t) => {
      const findings: Finding[] = [];
      for (let seed = 1; seed <= SEEDS_PER_RACE; seed += 1) {
        const result = await runRace(race, seed);
        for (const violation of result.violations) findings.push({ operation: race.name, fault: `seed ${seed}`, site: '-', violation });
      }
      runs += SEEDS_PER_RACE;
      violations += findings.length;
      t.diagnostic(`${race.name}: ${SEEDS_PER_RACE} interleavings, ${findings.length} violations`);
      assert.deepEqual(report(findings), []);
    });
  }

  for (const [label, operation] of [
    ['approval of an unnamed route', { ...approve, name: 'approve (unnamed route)', seed: { routeName: null } }],
    ['rollback', rollbackCommand],
  ] as const) {
    it(`${label}: the VirtualService changed underneath at each call keeps I1–I5`, async (t) => {
      const result = await runChanges(operation, CHANGES);
      runs += result.runs;
      violations += result.findings.length;
      t.diagnostic(`${operation.name}: ${result.faultPoints} points × ${CHANGES.length} changes, ${result.findings.length} violations`);
      assert.deepEqual(report(result.findings), []);
    });
  }
});
