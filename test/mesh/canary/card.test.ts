import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { approverMentions, renderCard } from '../../../commands/canary.render.ts';
import type { PromotionRequest } from '../../../src/mesh/canary/request.ts';
import { blockText, buttons } from '../../support/blocks.ts';

const now = new Date('2026-11-21T10:05:00Z');
const before = [{ host: 'reviews', subset: 'v1', weight: 90 }, { host: 'reviews', subset: 'v2', weight: 10 }];
const after = [{ host: 'reviews', subset: 'v1', weight: 50 }, { host: 'reviews', subset: 'v2', weight: 50 }];
const pending: PromotionRequest = {
  id: 'pr-0123456789ab',
  cluster: 'prod-eu',
  namespace: 'bookinfo',
  virtualService: 'reviews',
  apiVersion: 'v1',
  requester: 'U0ALICE',
  requestChannel: 'C0OPS',
  requestedAt: '2026-11-21T10:00:00.000Z',
  expiresAt: '2026-11-21T10:30:00.000Z',
  state: 'pending',
  card: { channel: 'C0REL', ts: '1.2' },
  decidedBy: null,
  decidedAt: null,
  plan: { host: 'reviews', stableSubset: 'v1', canarySubset: 'v2', currentWeight: 10, targetWeight: 50, resourceVersion: '7', changes: [{ index: 0, name: 'primary', before, after, readRoute: [] }], patch: [] },
  preflight: { notes: [] },
  outcome: null,
  rolledBack: null,
};

describe('approval card', () => {
  it('mentions approver user groups and users in the top-level text of a pending card only', () => {
    const notify = approverMentions({ users: ['U0BOB'], usergroups: ['S0LEADS'] });
    assert.equal(notify, '<!subteam^S0LEADS> <@U0BOB>');
    assert.match(renderCard(pending, now, notify).text, /waiting for approval \(requested by <@U0ALICE>\) — approvers: <!subteam\^S0LEADS> <@U0BOB>$/);
    assert.doesNotMatch(renderCard({ ...pending, state: 'rejected', decidedBy: 'U0BOB', decidedAt: now.toISOString() }, now, notify).text, /approvers:/);
  });

  it('says expires at only while pending', () => {
    assert.match(blockText(renderCard(pending, now).blocks), /expires at 10:30:00 UTC/);
    const expired = renderCard({ ...pending, state: 'expired' }, new Date('2026-11-21T10:31:00Z'));
    assert.doesNotMatch(blockText(expired.blocks), /expires at/);
  });

  it('says a request that never reached an approver was cancelled, with no buttons', () => {
    const card = renderCard({ ...pending, state: 'cancelled', outcome: { message: 'its approval card could not be posted (not_in_channel).', appliedAt: null, propagation: null } }, now);
    assert.match(blockText(card.blocks), /\*Cancelled\*: its approval card could not be posted \(not\\?_in\\?_channel\)\. Nothing was changed\./);
    assert.deepEqual(buttons(card.blocks), []);
    assert.match(card.text, /: cancelled$/);
  });
});
