import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { approverMentions, renderCard } from '../../../commands/canary.render.ts';
import { blockText, buttons } from '../../support/blocks.ts';
import { requestRecord } from './harness.ts';

const now = new Date('2026-11-21T10:05:00Z');
const pending = requestRecord();

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
