import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { botPostedChannels, checkSlackSettings, loadConfig } from '../src/config.ts';

const files = (content: Record<string, string>) => async (path: string) => {
  const text = content[path];
  if (text === undefined) throw Object.assign(new Error('missing'), { code: 'ENOENT' });
  return text;
};

async function configError(env: Record<string, string>, fileText?: string): Promise<string> {
  const result = await loadConfig(fileText === undefined ? env : { ...env, MESH_BOT_CONFIG: '/etc/mesh-bot.yaml' }, files({ '/etc/mesh-bot.yaml': fileText ?? '' }));
  assert.equal(result.ok, false, 'expected the configuration to be refused');
  return result.ok ? '' : result.error.message;
}

describe('configuration', () => {
  it('runs with no config file: one cluster "default" on the current kubeconfig context', async () => {
    const result = await loadConfig({});
    assert.ok(result.ok);
    assert.deepEqual(result.value.clusters, [{ name: 'default', context: undefined, default: true, istioNamespace: 'istio-system', defaultNamespace: 'default' }]);
    assert.equal(result.value.port, 3000);
    assert.equal(result.value.istioctlPath, 'istioctl');
    assert.equal(result.value.approvals.ttl, 30 * 60_000);
    assert.deepEqual(result.value.access.approvers, { users: [], usergroups: [] });
  });

  it('reads the DESIGN.md example file with clusters, access, approvals and digests', async () => {
    const yaml = `
clusters:
  - name: prod-eu
    context: gke_prod_europe-west1
    default: true
  - name: staging
    context: kind-staging
access:
  channels: [C0123OPS]
  operators: { users: [U0ALICE], usergroups: [S0SRE] }
  approvers: { users: [U0BOB], usergroups: [S0LEADS] }
approvals:
  ttl: 30m
  channel: C0123REL
digests:
  - channel: C0123OPS
    schedule: "0 9 * * 1-5"
    timezone: Europe/Berlin
    cluster: prod-eu
    namespaces: [checkout, payments]
`;
    const result = await loadConfig({ MESH_BOT_CONFIG: '/etc/mesh-bot.yaml' }, files({ '/etc/mesh-bot.yaml': yaml }));
    assert.ok(result.ok, result.ok ? '' : result.error.message);
    assert.deepEqual(result.value.clusters.map((cluster) => [cluster.name, cluster.context, cluster.default]), [
      ['prod-eu', 'gke_prod_europe-west1', true],
      ['staging', 'kind-staging', false],
    ]);
    assert.deepEqual(result.value.access.operators, { users: ['U0ALICE'], usergroups: ['S0SRE'] });
    assert.equal(result.value.approvals.channel, 'C0123REL');
    assert.equal(result.value.digests[0]?.timezone, 'Europe/Berlin');
  });

  it('makes the first cluster the default when none says default: true', async () => {
    const result = await loadConfig({ MESH_BOT_CONFIG: '/c.yaml' }, files({ '/c.yaml': 'clusters:\n  - name: a\n  - name: b\n' }));
    assert.ok(result.ok);
    assert.deepEqual(result.value.clusters.map((cluster) => cluster.default), [true, false]);
  });

  it('names the setting and the problem in one line for a bad PORT', async () => {
    const message = await configError({ PORT: 'eighty' });
    assert.match(message, /^PORT: /);
    assert.equal(message.includes('\n'), false);
  });

  it('refuses a bot token of the wrong kind without echoing it', async () => {
    const message = await configError({ SLACK_BOT_TOKEN: 'xoxp-user-token-value' });
    assert.match(message, /^SLACK_BOT_TOKEN: must be a bot token/);
    assert.equal(message.includes('xoxp-user-token-value'), false);
  });

  it('names the file path and the YAML path of a bad value', async () => {
    const message = await configError({}, 'access:\n  approvers:\n    users: [bob]\n');
    assert.match(message, /^MESH_BOT_CONFIG \/etc\/mesh-bot.yaml: access\.approvers\.users\[0\]: must be a Slack user id/);
  });

  it('refuses an unknown key, a bad duration, two default clusters and an unknown time zone', async () => {
    assert.match(await configError({}, 'acess: {}\n'), /acess/);
    assert.match(await configError({}, 'approvals:\n  ttl: soon\n'), /approvals\.ttl: "soon" is not a duration/);
    assert.match(await configError({}, 'clusters:\n  - {name: a, default: true}\n  - {name: b, default: true}\n'), /only one cluster may be default/);
    assert.match(await configError({}, 'digests:\n  - {channel: C0OPS, schedule: "0 9 * * *", timezone: Mars/Olympus}\n'), /timezone "Mars\/Olympus"/);
    assert.match(await configError({}, 'digests:\n  - {channel: C0OPS, schedule: "0 9 * * *", cluster: nope}\n'), /cluster "nope" is not in clusters/);
  });

  it('says when the config file cannot be read or is not YAML', async () => {
    const unreadable = await loadConfig({ MESH_BOT_CONFIG: '/missing.yaml' }, files({}));
    assert.equal(unreadable.ok, false);
    assert.match(unreadable.ok ? '' : unreadable.error.message, /^MESH_BOT_CONFIG: cannot read \/missing.yaml \(ENOENT\)/);
    assert.match(await configError({}, 'clusters: [unclosed\n'), /not valid YAML/);
  });

  it('treats an empty environment variable as unset', async () => {
    const result = await loadConfig({ SLACK_APP_TOKEN: '', PORT: '' });
    assert.ok(result.ok);
    assert.equal(result.value.slack.appToken, undefined);
  });

  it('refuses an only operator who is also the only approver: no promotion could ever be approved', async () => {
    const message = await configError({}, 'access:\n  operators: { users: [U0ALICE] }\n  approvers: { users: [U0ALICE] }\n');
    assert.match(message, /^MESH_BOT_CONFIG \/etc\/mesh-bot\.yaml: access: U0ALICE is the only operator and the only approver, so no promotion could ever be approved .*Add a second approver/);
    const withGroup = await loadConfig({ MESH_BOT_CONFIG: '/c.yaml' }, files({ '/c.yaml': 'access:\n  operators: { users: [U0ALICE] }\n  approvers: { users: [U0ALICE], usergroups: [S0LEADS] }\n' }));
    assert.ok(withGroup.ok, 'a group of approvers may hold someone else');
  });

  it('refuses a propagation check interval that is not shorter than its timeout', async () => {
    assert.match(await configError({}, 'approvals:\n  propagationTimeout: 5s\n  propagationInterval: 5s\n'), /approvals\.propagationInterval must be shorter than approvals\.propagationTimeout/);
  });

  it('names the channels the bot posts to on its own, where its buttons must work: approvals.channel and every digest channel', async () => {
    const loaded = await loadConfig({ MESH_BOT_CONFIG: '/c.yaml' }, files({ '/c.yaml': 'access:\n  channels: [C0OPS]\napprovals:\n  channel: C0REL\ndigests:\n  - { channel: C0DIGEST, schedule: "0 9 * * *" }\n  - { channel: C0REL, schedule: "0 17 * * *" }\n' }));
    assert.ok(loaded.ok);
    assert.deepEqual(botPostedChannels(loaded.value), ['C0REL', 'C0DIGEST']);
  });

  it('explains settings that leave a feature off or open to every channel and DM', async () => {
    const open = await loadConfig({});
    assert.ok(open.ok);
    assert.deepEqual(open.value.notices.map((notice) => notice.split(':')[0]), ['access.channels is empty', 'access.approvers is empty', 'access.operators is empty']);
    assert.match(open.value.notices[0] ?? '', /every channel, private channel and direct message/);
    const lonely = await loadConfig({ MESH_BOT_CONFIG: '/c.yaml' }, files({ '/c.yaml': 'access:\n  channels: [C0OPS]\n  operators: { users: [U0ALICE, U0DAVE] }\n  approvers: { users: [U0ALICE] }\n' }));
    assert.ok(lonely.ok);
    assert.deepEqual(lonely.value.notices, ['access.approvers has only U0ALICE, who is also an operator: promotions U0ALICE requests can never be approved (nobody approves their own).']);
  });

  it('requires a bot token to serve Slack, and a signing secret unless Socket Mode is used', () => {
    assert.match(checkSlackSettings({ botToken: undefined, appToken: undefined, signingSecret: undefined, apiUrl: undefined })?.message ?? '', /^SLACK_BOT_TOKEN/);
    assert.match(checkSlackSettings({ botToken: 'xoxb-1', appToken: undefined, signingSecret: undefined, apiUrl: undefined })?.message ?? '', /^SLACK_SIGNING_SECRET/);
    assert.equal(checkSlackSettings({ botToken: 'xoxb-1', appToken: 'xapp-1', signingSecret: undefined, apiUrl: undefined }), null);
  });
});
