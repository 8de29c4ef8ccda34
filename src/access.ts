import type { AppConfig } from './config.ts';
import type { Role } from './command.ts';
import type { Logger } from './log.ts';
import { slackErrorCode } from './slack/errors.ts';

/** Looks up the members of a Slack user group; rejects when Slack cannot answer. */
export type UsergroupMembers = (usergroupId: string) => Promise<readonly string[]>;

export interface AccessDecision {
  readonly allowed: boolean;
  /** For refusals: one sentence saying who may do it (Slack mrkdwn, mentions allowed). */
  readonly reason: string;
}

const ALLOWED: AccessDecision = { allowed: true, reason: '' };

/** A group's members as Slack listed them; `unread` is Slack's error code when it could not list them. */
interface GroupMembers {
  readonly users: readonly string[];
  readonly unread: string | undefined;
}

/** Errors a retry does not cure: the group does not exist (or not any more), or the workspace has no user groups. */
const LASTING_ERRORS = ['no_such_subteam', 'subteam_not_found', 'plan_upgrade_required', 'missing_scope', 'not_allowed_token_type'];

export interface AccessPolicy {
  /** Where commands may be run: the allowlist (`access.channels`; empty = every channel and DM). */
  channel(channelId: string): AccessDecision;
  /**
   * Where buttons are honoured: the allowlist plus the channels the bot posts to on its own (approval cards,
   * scheduled digests), so a card is usable where the bot put it. Roles are checked separately, as for commands.
   */
  button(channelId: string): AccessDecision;
  role(userId: string, role: Role, action: string): Promise<AccessDecision>;
}

export interface AccessOptions {
  readonly access: AppConfig['access'];
  /** Channels the bot posts to without being asked there: `approvals.channel` and the `digests:` channels. */
  readonly postsTo?: readonly string[];
  readonly usergroupMembers: UsergroupMembers;
  readonly logger: Logger;
  readonly cacheTtlMs?: number;
  /** How long a role decision waits for Slack to list a group's members; default 10 s. */
  readonly lookupWaitMs?: number;
  readonly now?: () => number;
}

/**
 * How long a group's members, as Slack listed them, decide roles. Every role decision changes a cluster or approves
 * a change, so someone taken out of an approver group must lose the right at once, not minutes later; the cache
 * only spares `usergroups.users.list` (Tier 2, about 20 calls a minute) a burst of clicks and commands.
 */
const GROUP_MEMBERS_TTL_MS = 30_000;

/**
 * Channel allowlist and roles from the config file, used by every command and every button.
 * Group membership is cached briefly (GROUP_MEMBERS_TTL_MS); a workspace without user groups (free plan:
 * `plan_upgrade_required`) still works with user ids alone.
 */
export function createAccessPolicy(options: AccessOptions): AccessPolicy {
  const { access, logger } = options;
  const ttl = options.cacheTtlMs ?? GROUP_MEMBERS_TTL_MS;
  // The Web API client waits out 429s (Retry-After can be a minute) before it answers; a click must not hang that long
  // in silence. Past this the decision is made without the group and says so; the lookup goes on and fills the cache.
  const lookupWaitMs = options.lookupWaitMs ?? 10_000;
  const now = options.now ?? Date.now;
  const cache = new Map<string, { expiresAt: number; members: Promise<GroupMembers> }>();

  function members(group: string): Promise<GroupMembers> {
    const hit = cache.get(group);
    if (hit && hit.expiresAt > now()) return hit.members;
    const members = options.usergroupMembers(group).then(
      (users): GroupMembers => ({ users, unread: undefined }),
      (cause: unknown): GroupMembers => {
        logger.warn({ usergroup: group, err: cause }, 'could not read user group members; only user ids in the config count');
        cache.delete(group);
        return { users: [], unread: slackErrorCode(cause) };
      },
    );
    cache.set(group, { expiresAt: now() + ttl, members });
    return members;
  }

  async function withinWait(lookup: Promise<GroupMembers>): Promise<GroupMembers> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<GroupMembers>((resolve) => {
      timer = setTimeout(() => resolve({ users: [], unread: `no answer within ${Math.round(lookupWaitMs / 1000)} s` }), lookupWaitMs);
    });
    try {
      return await Promise.race([lookup, late]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Whether the user is one of `principals`; `unread` lists the groups Slack could not list, and why. */
  async function membership(userId: string, principals: AppConfig['access']['operators']): Promise<{ member: boolean; unread: { group: string; why: string }[] }> {
    if (principals.users.includes(userId)) return { member: true, unread: [] };
    const unread: { group: string; why: string }[] = [];
    for (const group of principals.usergroups) {
      const found = await withinWait(members(group));
      if (found.users.includes(userId)) return { member: true, unread: [] };
      if (found.unread !== undefined) unread.push({ group, why: found.unread });
    }
    return { member: false, unread };
  }

  function who(principals: AppConfig['access']['operators']): string {
    const names = [...principals.users.map((user) => `<@${user}>`), ...principals.usergroups.map((group) => `<!subteam^${group}>`)];
    return names.join(', ');
  }

  function channel(channelId: string): AccessDecision {
    if (access.channels.length === 0 || access.channels.includes(channelId)) return ALLOWED;
    return { allowed: false, reason: `mesh-bot is not enabled in this channel. Use it in ${access.channels.map((allowed) => `<#${allowed}>`).join(', ')}, or ask an admin to add this channel to access.channels.` };
  }

  return {
    channel,
    button(channelId) {
      return options.postsTo?.includes(channelId) ? ALLOWED : channel(channelId);
    },
    async role(userId, role, action) {
      if (role === 'reader') return ALLOWED;
      const [principals, title, key] = role === 'operator' ? [access.operators, 'operators', 'access.operators'] : [access.approvers, 'approvers', 'access.approvers'];
      const { member, unread } = await membership(userId, principals);
      if (member) return ALLOWED;
      // "Ask one of them" makes no sense when there is nobody (a card posted before approvers were removed from the config).
      if (principals.users.length + principals.usergroups.length === 0) {
        return { allowed: false, reason: `Nobody may ${action}: no ${title} are configured. An admin has to add user ids or user groups to ${key} in mesh-bot's config file (MESH_BOT_CONFIG) and restart it.` };
      }
      // Refused because a group could not be read is not "you are not one of them": a member would be told to ask
      // someone else for a right they have. Say what failed, so they retry instead.
      if (unread.length > 0) {
        const lasting = unread.some(({ why }) => LASTING_ERRORS.includes(why));
        const next = lasting ? `ask one of them, or ask an admin to check the user groups in ${key}` : 'try again in a minute, or ask one of them';
        const groups = unread.map(({ group, why }) => `<!subteam^${group}> (${why})`).join(', ');
        return { allowed: false, reason: `Only ${title} may ${action}: ${who(principals)}. mesh-bot could not read the members of ${groups} from Slack, so it could not tell whether you are one of them; ${next}.` };
      }
      return { allowed: false, reason: `Only ${title} may ${action}: ${who(principals)}. Ask one of them, or have an admin add you to ${key}.` };
    },
  };
}
