import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createAccessPolicy, type UsergroupMembers } from '../src/access.ts';
import { quietLogger } from './support/quiet.ts';

const quiet = quietLogger();

const access = {
  channels: ['C0OPS'],
  operators: { users: ['U0ALICE'], usergroups: ['S0SRE'] },
  approvers: { users: ['U0BOB'], usergroups: [] },
};

function countingGroups(members: Record<string, string[]>): { lookup: UsergroupMembers; calls: () => number } {
  let calls = 0;
  return {
    lookup: async (group) => {
      calls += 1;
      const found = members[group];
      if (!found) throw new Error('no_such_subteam');
      return found;
    },
    calls: () => calls,
  };
}

describe('access policy', () => {
  it('honours buttons in the channels the bot posts to on its own (approval cards, digests), but not commands there', () => {
    const policy = createAccessPolicy({ access, postsTo: ['C0REL'], usergroupMembers: countingGroups({}).lookup, logger: quiet });
    assert.equal(policy.button('C0REL').allowed, true);
    assert.equal(policy.button('C0OPS').allowed, true);
    assert.match(policy.button('C0RANDOM').reason, /not enabled in this channel/);
    assert.equal(policy.channel('C0REL').allowed, false, 'commands stay limited to access.channels');
  });

  it('allows every channel when no allowlist is configured, and only listed channels otherwise', () => {
    const open = createAccessPolicy({ access: { ...access, channels: [] }, usergroupMembers: countingGroups({}).lookup, logger: quiet });
    assert.equal(open.channel('C0ANY').allowed, true);
    const closed = createAccessPolicy({ access, usergroupMembers: countingGroups({}).lookup, logger: quiet });
    assert.equal(closed.channel('C0OPS').allowed, true);
    assert.match(closed.channel('C0RANDOM').reason, /Use it in <#C0OPS>/);
  });

  it('lets anyone read, and operators by user id or by user group membership operate', async () => {
    const groups = countingGroups({ S0SRE: ['U0CAROL'] });
    const policy = createAccessPolicy({ access, usergroupMembers: groups.lookup, logger: quiet });
    assert.equal((await policy.role('U0NOBODY', 'reader', 'run status')).allowed, true);
    assert.equal((await policy.role('U0ALICE', 'operator', 'promote')).allowed, true);
    assert.equal((await policy.role('U0CAROL', 'operator', 'promote')).allowed, true);
    const refused = await policy.role('U0DAVE', 'operator', 'run `/mesh canary promote`');
    assert.equal(refused.allowed, false);
    assert.equal(refused.reason, 'Only operators may run `/mesh canary promote`: <@U0ALICE>, <!subteam^S0SRE>. Ask one of them, or have an admin add you to access.operators.');
  });

  it('asks Slack for a group’s members once within the cache time', async () => {
    let now = 0;
    const groups = countingGroups({ S0SRE: ['U0CAROL'] });
    const policy = createAccessPolicy({ access, usergroupMembers: groups.lookup, logger: quiet, cacheTtlMs: 60_000, now: () => now });
    await policy.role('U0CAROL', 'operator', 'x');
    await policy.role('U0DAVE', 'operator', 'x');
    assert.equal(groups.calls(), 1);
    now += 61_000;
    await policy.role('U0CAROL', 'operator', 'x');
    assert.equal(groups.calls(), 2);
  });

  it('someone taken out of an approver group can no longer approve half a minute later', async () => {
    let now = 0;
    const members: Record<string, string[]> = { S0REL: ['U0ERIN'] };
    const policy = createAccessPolicy({ access: { ...access, approvers: { users: [], usergroups: ['S0REL'] } }, usergroupMembers: countingGroups(members).lookup, logger: quiet, now: () => now });
    assert.equal((await policy.role('U0ERIN', 'approver', 'approve')).allowed, true);
    members['S0REL'] = [];
    now += 31_000;
    const refused = await policy.role('U0ERIN', 'approver', 'approve');
    assert.equal(refused.allowed, false);
    assert.match(refused.reason, /^Only approvers may approve: <!subteam\^S0REL>\./);
  });

  it('still works with user ids alone when the workspace has no user groups (free plan)', async () => {
    const policy = createAccessPolicy({
      access,
      usergroupMembers: async () => {
        throw new Error('An API error occurred: plan_upgrade_required');
      },
      logger: quiet,
    });
    assert.equal((await policy.role('U0ALICE', 'operator', 'x')).allowed, true);
    assert.equal((await policy.role('U0CAROL', 'operator', 'x')).allowed, false);
  });
});
