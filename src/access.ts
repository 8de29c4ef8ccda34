import type { AppConfig } from './config.ts';
import type { Role } from './command.ts';
import type { Logger } from './log.ts';

/** Looks up the members of a Slack user group; rejects when Slack cannot answer. */
export type UsergroupMembers = (usergroupId: string) => Promise<readonly string[]>;

export interface AccessDecision {
  readonly allowed: boolean;
  /** For refusals: one sentence saying who may do it (Slack mrkdwn, mentions allowed). */
  readonly reason: string;
}

const ALLOWED: AccessDecision = { allowed: true, reason: '' };

export interface AccessPolicy {
  /** Where commands may be run: the allowlist (`access.channels`; empty = every channel and DM). */
  channel(channelId: string): AccessDecision;
  /**
   * Where buttons are honoured: the allowlist plus the channels the bot posts to on its own (approval cards,
   * scheduled digests), so a card is usable where the bot put it. Roles are checked separately, as for commands.
   */
  button(channelId: string): AccessDecision;
  role(userId: string, role: Role, action: string): Promise<AccessDecision>;
  /** True when any approver (user or group) is configured. */
  readonly hasApprovers: boolean;
}

export interface AccessOptions {
  readonly access: AppConfig['access'];
  /** Channels the bot posts to without being asked there: `approvals.channel` and the `digests:` channels. */
  readonly postsTo?: readonly string[];
  readonly usergroupMembers: UsergroupMembers;
  readonly logger: Logger;
  readonly cacheTtlMs?: number;
  readonly now?: () => number;
}

/**
 * Channel allowlist and roles from the config file, used by every command and every button.
 * Group membership is cached because `usergroups.users.list` is a Tier 2 method; a workspace without
 * user groups (free plan: `plan_upgrade_required`) still works with user ids alone.
 */
export function createAccessPolicy(options: AccessOptions): AccessPolicy {
  const { access, logger } = options;
  const ttl = options.cacheTtlMs ?? 5 * 60_000;
  const now = options.now ?? Date.now;
  const cache = new Map<string, { expiresAt: number; members: Promise<readonly string[]> }>();

  function members(group: string): Promise<readonly string[]> {
    const hit = cache.get(group);
    if (hit && hit.expiresAt > now()) return hit.members;
    const members = options.usergroupMembers(group).catch((cause: unknown) => {
      logger.warn({ usergroup: group, err: cause }, 'could not read user group members; only user ids in the config count');
      cache.delete(group);
      return [] as readonly string[];
    });
    cache.set(group, { expiresAt: now() + ttl, members });
    return members;
  }

  async function isMember(userId: string, principals: AppConfig['access']['operators']): Promise<boolean> {
    if (principals.users.includes(userId)) return true;
    for (const group of principals.usergroups) if ((await members(group)).includes(userId)) return true;
    return false;
  }

  function who(principals: AppConfig['access']['operators']): string {
    const names = [...principals.users.map((user) => `<@${user}>`), ...principals.usergroups.map((group) => `<!subteam^${group}>`)];
    return names.length === 0 ? 'nobody (none configured)' : names.join(', ');
  }

  function channel(channelId: string): AccessDecision {
    if (access.channels.length === 0 || access.channels.includes(channelId)) return ALLOWED;
    return { allowed: false, reason: `mesh-bot is not enabled in this channel. Use it in ${access.channels.map((allowed) => `<#${allowed}>`).join(', ')}, or ask an admin to add this channel to access.channels.` };
  }

  return {
    hasApprovers: access.approvers.users.length + access.approvers.usergroups.length > 0,
    channel,
    button(channelId) {
      return options.postsTo?.includes(channelId) ? ALLOWED : channel(channelId);
    },
    async role(userId, role, action) {
      if (role === 'reader') return ALLOWED;
      if (role === 'operator') {
        if (await isMember(userId, access.operators)) return ALLOWED;
        return { allowed: false, reason: `Only operators may ${action}: ${who(access.operators)}. Ask one of them, or have an admin add you to access.operators.` };
      }
      if (await isMember(userId, access.approvers)) return ALLOWED;
      return { allowed: false, reason: `Only approvers may ${action}: ${who(access.approvers)}. Ask one of them, or have an admin add you to access.approvers.` };
    },
  };
}
