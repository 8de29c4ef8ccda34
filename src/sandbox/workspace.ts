/** The sandbox's pretend Slack workspace: who can be played, which channels exist, who is in which user group. */

export interface SandboxUser {
  readonly id: string;
  /** Slack's `user_name` / `username`. */
  readonly handle: string;
  readonly name: string;
  readonly role: 'operator' | 'approver' | 'viewer';
}

export const SANDBOX_USERS: readonly SandboxUser[] = [
  { id: 'U0OPERATOR', handle: 'olivia', name: 'Olivia (operator)', role: 'operator' },
  { id: 'U0APPROVER', handle: 'aaron', name: 'Aaron (approver)', role: 'approver' },
  { id: 'U0VIEWER', handle: 'vera', name: 'Vera (viewer)', role: 'viewer' },
];

export const SANDBOX_CHANNELS: Readonly<Record<string, { readonly name: string }>> = {
  C0MESHOPS: { name: 'mesh-ops' },
  C0RELEASES: { name: 'releases' },
};

/** Approvers are a user group, so that role checks go through `usergroups.users.list` as in a paid workspace. */
export const APPROVERS_GROUP = { id: 'S0APPROVERS', handle: 'mesh-approvers', members: ['U0APPROVER'] } as const;

export const SANDBOX_TEAM = { id: 'T0SANDBOX', domain: 'mesh-bot-sandbox', name: 'mesh-bot sandbox' } as const;

/** The bot's access rules and a daily digest, as a MESH_BOT_CONFIG file would say them. */
export function sandboxConfigYaml(): string {
  const operators = SANDBOX_USERS.filter((user) => user.role === 'operator').map((user) => user.id);
  return [
    'access:',
    `  operators: { users: [${operators.join(', ')}] }`,
    `  approvers: { usergroups: [${APPROVERS_GROUP.id}] }`,
    'approvals:',
    '  ttl: 30m',
    'digests:',
    '  - { channel: C0MESHOPS, schedule: "0 9 * * 1-5", timezone: UTC }',
    '',
  ].join('\n');
}
