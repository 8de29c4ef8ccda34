/** The sandbox's pretend Slack workspace: who can be played, which channels exist, who is in which user group. */

export interface SandboxUser {
  readonly id: string;
  /** Slack's `user_name` / `username`. */
  readonly handle: string;
  readonly name: string;
  /** What the bot's config grants; none = a viewer, who may only read. */
  readonly roles: readonly ('operator' | 'approver')[];
}

export const SANDBOX_USERS: readonly SandboxUser[] = [
  { id: 'U0OPERATOR', handle: 'olivia', name: 'Olivia (operator)', roles: ['operator'] },
  { id: 'U0APPROVER', handle: 'aaron', name: 'Aaron (approver)', roles: ['approver'] },
  // Both roles, so the page can show four-eyes refusing someone who approves their own request.
  { id: 'U0LEAD', handle: 'sam', name: 'Sam (operator + approver)', roles: ['operator', 'approver'] },
  { id: 'U0VIEWER', handle: 'vera', name: 'Vera (viewer)', roles: [] },
];

export const SANDBOX_CHANNELS: Readonly<Record<string, { readonly name: string }>> = {
  C0MESHOPS: { name: 'mesh-ops' },
  C0RELEASES: { name: 'releases' },
};

/** Approvers are a user group, so that role checks go through `usergroups.users.list` as in a paid workspace. */
export const APPROVERS_GROUP = {
  id: 'S0APPROVERS',
  handle: 'mesh-approvers',
  members: SANDBOX_USERS.filter((user) => user.roles.includes('approver')).map((user) => user.id),
} as const;

export const SANDBOX_TEAM = { id: 'T0SANDBOX', domain: 'mesh-bot-sandbox', name: 'mesh-bot sandbox' } as const;

/** The bot's access rules and a daily digest, as a MESH_BOT_CONFIG file would say them. */
export function sandboxConfigYaml(): string {
  const operators = SANDBOX_USERS.filter((user) => user.roles.includes('operator')).map((user) => user.id);
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
