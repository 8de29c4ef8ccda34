/** The operations of issue #9's fault model, each driven through the production command and click listeners. */
import { APPROVE_ACTION, REJECT_ACTION, ROLLBACK_ACTION } from '../../../../commands/canary.render.ts';
import { setupRequest, type Context, type Operation } from '../../../support/faults-run.ts';
import { World, type Seed } from '../../../support/faults-world.ts';

const noRollback = { rollback: false, stable: null } as const;

export function requestOf(context: Context): string {
  if (!context.requestId) throw new Error('the prefix made no request');
  return context.requestId;
}

/** reviews 90/10 promoted to 50/50 and approved: a canary to roll back. */
export async function appliedPromotion(world: World): Promise<Context> {
  const context = await setupRequest(world);
  world.advance(30_000);
  await world.click(world.actor('setup-approver'), APPROVE_ACTION, requestOf(context), 'U0BOB');
  return context;
}

/** After appliedPromotion, a second request (v2 to 80%) waiting for approval: the request id is the second one's. */
export async function secondRequest(world: World): Promise<Context> {
  const first = await appliedPromotion(world);
  world.advance(60_000);
  const answer = await world.promote(world.actor('setup'), 'U0ALICE', 80);
  const requestId = [...world.requests().values()].find((request) => request.id !== first.requestId && request.state === 'pending')?.id;
  if (requestId === undefined) throw new Error(`the second promotion was not requested: ${answer.text}`);
  return { requestId };
}

export const promote: Operation = {
  name: 'promote',
  truth: noRollback,
  run: (world, actor) => world.promote(actor),
  retry: (world, actor) => world.promote(actor),
};

export const approve: Operation = {
  name: 'approve',
  truth: noRollback,
  prefix: setupRequest,
  run: (world, actor, context) => world.click(actor, APPROVE_ACTION, requestOf(context), 'U0BOB'),
  retry: (world, actor, context) => world.click(actor, APPROVE_ACTION, requestOf(context), 'U0CAROL'),
};

export const reject: Operation = {
  name: 'reject',
  truth: noRollback,
  prefix: setupRequest,
  run: (world, actor, context) => world.click(actor, REJECT_ACTION, requestOf(context), 'U0CAROL'),
  retry: (world, actor, context) => world.click(actor, REJECT_ACTION, requestOf(context), 'U0CAROL'),
};

/** A pending request whose TTL (30 minutes) has just passed. */
async function overdueRequest(world: World): Promise<Context> {
  const context = await setupRequest(world);
  world.advance(31 * 60_000);
  return context;
}

/** An approval click that arrives after the TTL: the request expires and nothing changes. */
export const expireOnClick: Operation = {
  name: 'expire (late click)',
  truth: noRollback,
  prefix: overdueRequest,
  run: (world, actor, context) => world.click(actor, APPROVE_ACTION, requestOf(context), 'U0BOB'),
  retry: (world, actor, context) => world.click(actor, APPROVE_ACTION, requestOf(context), 'U0CAROL'),
};

export const sweepExpiry: Operation = {
  name: 'sweep (expiry)',
  truth: noRollback,
  prefix: overdueRequest,
  run: (world, actor) => world.sweep(actor),
};

/** An approval whose replica died (a) just after its patch landed, (b) just before: the leader settles it. */
function sweepSettle(landed: boolean, kind: RouteKind = 'VirtualService'): Operation {
  return {
    name: `sweep (settle an approval interrupted ${landed ? 'after' : 'before'} its patch)`,
    truth: noRollback,
    ...(kind === 'VirtualService' ? {} : { seed: { kind } }),
    prefix: async (world) => {
      const context = await setupRequest(world);
      const patchAt = await approvalCallNumber(kind);
      const dying = world.actor('dying', { kind: landed ? 'crash' : 'crash-before', at: patchAt });
      void world.click(dying, APPROVE_ACTION, requestOf(context), 'U0BOB');
      await dying.replica.crashed;
      world.advance(6 * 60_000);
      return context;
    },
    run: (world, actor) => world.sweep(actor),
  };
}

type RouteKind = NonNullable<Seed['kind']>;

const WEIGHT_PATCH: Record<RouteKind, RegExp> = {
  VirtualService: /patchNamespacedCustomObject\(virtualservices\/reviews\)$/,
  HTTPRoute: /patchNamespacedCustomObject\(httproutes\/reviews\)$/,
};

const approvalCalls = new Map<RouteKind, Promise<readonly string[]>>();

/** The number of an approval's weight patch (its first non-dry-run patch of the route), learnt once per kind from a clean approval. */
async function approvalCallNumber(kind: RouteKind): Promise<number> {
  let calls = approvalCalls.get(kind);
  if (!calls) {
    calls = (async () => {
      const probe = await World.start({ kind });
      try {
        const context = await setupRequest(probe);
        const actor = probe.actor('probe');
        await probe.click(actor, APPROVE_ACTION, requestOf(context), 'U0BOB');
        return actor.replica.calls.map((call) => call.site);
      } finally {
        await probe.close();
      }
    })();
    approvalCalls.set(kind, calls);
  }
  const index = (await calls).findIndex((site) => WEIGHT_PATCH[kind].test(site));
  if (index < 0) throw new Error('a clean approval makes no such call');
  return index + 1;
}

export const sweepSettleLanded = sweepSettle(true);
export const sweepSettleNotLanded = sweepSettle(false);

export const rollbackCommand: Operation = {
  name: 'rollback (command)',
  truth: { rollback: true, stable: 'v1' },
  prefix: appliedPromotion,
  run: (world, actor) => world.rollback(actor),
  retry: (world, actor) => world.rollback(actor),
};

export const rollbackCard: Operation = {
  name: 'rollback (card button)',
  truth: { rollback: true, stable: 'v1' },
  prefix: appliedPromotion,
  run: (world, actor, context) => world.click(actor, ROLLBACK_ACTION, requestOf(context), 'U0DAVE'),
  retry: (world, actor, context) => world.click(actor, ROLLBACK_ACTION, requestOf(context), 'U0DAVE'),
};

/** v1 30 / v2 70 set by kubectl, nothing on record: nothing says which subset is stable. */
export const rollbackWithoutRecord: Operation = {
  name: 'rollback (no record of the stable subset)',
  seed: { weights: [30, 70] },
  truth: { rollback: true, stable: null },
  run: (world, actor) => world.rollback(actor),
};


/** The same operations on a Gateway API HTTPRoute (issue #12 item 5): one state machine, another traffic provider. */
const onHttpRoute = (operation: Operation): Operation => ({ ...operation, name: `${operation.name} on an HTTPRoute`, seed: { ...operation.seed, kind: 'HTTPRoute' } });

export const promoteHttpRoute = onHttpRoute(promote);
export const approveHttpRoute = onHttpRoute(approve);
export const rejectHttpRoute = onHttpRoute(reject);
export const expireOnClickHttpRoute = onHttpRoute(expireOnClick);
export const sweepExpiryHttpRoute = onHttpRoute(sweepExpiry);
export const sweepSettleLandedHttpRoute = onHttpRoute(sweepSettle(true, 'HTTPRoute'));
export const sweepSettleNotLandedHttpRoute = onHttpRoute(sweepSettle(false, 'HTTPRoute'));
export const rollbackCommandHttpRoute = onHttpRoute(rollbackCommand);
export const rollbackCardHttpRoute = onHttpRoute(rollbackCard);
export const rollbackWithoutRecordHttpRoute = onHttpRoute(rollbackWithoutRecord);
