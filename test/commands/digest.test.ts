import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { composeDigest, digestCommand } from '../../commands/digest.ts';
import { findCommand } from '../../commands/index.ts';
import { TERMINAL, type CommandDeps } from '../../src/command.ts';
import type { ClusterConfig } from '../../src/config.ts';
import { baselineRecordName } from '../../src/mesh/digest/baseline.ts';
import { startFakeKubeApi, type FakeKubeApi } from '../../src/sandbox/kube-api.ts';
import { BOT_NAMESPACE, digestDeps, putIstiod } from '../mesh/digest/harness.ts';

const CLUSTER: ClusterConfig = { name: 'default', context: undefined, default: true, istioNamespace: 'istio-system', defaultNamespace: 'default' };

describe('digest [now] [--cluster NAME]', () => {
  it('accepts `digest`, `digest now` and --cluster, like the other commands', () => {
    for (const [tokens, cluster] of [[[], undefined], [['now'], undefined], [['now', '--cluster', 'prod-eu'], 'prod-eu'], [['--cluster=prod-eu'], 'prod-eu']] as const) {
      const prepared = digestCommand.prepare(tokens);
      assert.ok(prepared.ok, prepared.ok ? '' : prepared.error);
      assert.equal(prepared.value.clusterName, cluster);
      assert.equal(prepared.value.role, 'reader');
    }
    assert.equal(findCommand(['digest', 'now']).ok && findCommand(['digest']).ok, true);
  });

  it('refuses anything else with the exact problem', () => {
    assert.deepEqual(digestCommand.prepare(['tomorrow']), { ok: false, error: 'unexpected argument "tomorrow" (only `digest now` exists; scheduled digests are set in the config file)' });
    assert.deepEqual(digestCommand.prepare(['now', 'now']), { ok: false, error: 'unexpected argument "now"' });
    assert.deepEqual(digestCommand.prepare(['-n', 'shop']), { ok: false, error: 'unknown flag -n' });
  });
});

describe('running the digest', () => {
  let api: FakeKubeApi;
  const now = new Date('2025-06-02T07:00:00Z');
  beforeEach(async () => {
    api = await startFakeKubeApi();
    putIstiod(api, { restarts: 0 });
  });
  afterEach(() => api.close());

  const writes = () => api.requests.filter((request) => request.method !== 'GET');

  it('in the terminal prints the digest and changes nothing in the cluster', async () => {
    const deps = await digestDeps(api, { version: '1.24.2' }, now);
    const result = await digestCommand.prepare([]);
    assert.ok(result.ok);
    const run = await result.value.execute(CLUSTER, deps, TERMINAL);
    assert.match(run.toText(), /^Mesh digest: default — Mon 2 Jun 2025, 07:00 UTC\n/);
    assert.equal(run.envelope.command, 'digest');
    assert.equal(run.failed, false);
    assert.deepEqual(writes(), []);
  });

  it('in Slack stores the baseline of that channel and cluster (whole mesh) once posted, so the next digest there compares with it', async () => {
    const deps = await digestDeps(api, { version: '1.24.2' }, now);
    const prepared = digestCommand.prepare(['now']);
    assert.ok(prepared.ok);
    const first = await prepared.value.execute(CLUSTER, deps, { surface: 'slack', user: 'U0ALICE', channel: 'C0OPS' });
    assert.match(first.toSlack().text, /^Mesh digest default, Mon 2 Jun 2025, 07:00 UTC: /);
    assert.equal(api.get('v1', 'ConfigMap', BOT_NAMESPACE, baselineRecordName('default', 'C0OPS', undefined)), undefined, 'nothing stored before the digest is posted');
    await first.afterPost?.();
    assert.ok(api.get('v1', 'ConfigMap', BOT_NAMESPACE, baselineRecordName('default', 'C0OPS', undefined)), 'baseline stored under the channel + cluster key once posted');
    const later = await digestDeps(api, { version: '1.24.2' }, new Date('2025-06-02T08:00:00Z'));
    const second = await prepared.value.execute(CLUSTER, later, { surface: 'slack', user: 'U0BOB', channel: 'C0OPS' });
    assert.match(second.toText(), /compared with the digest of Mon 2 Jun 2025, 07:00 UTC/);
  });

  it('in a channel with a scheduled digest compares with it but never moves its baseline, so nobody can hide changes from the next one', async () => {
    const scheduled = { channel: 'C0OPS', schedule: '0 7 * * *', timezone: 'UTC' };
    const withSchedule = (deps: CommandDeps): CommandDeps => ({ ...deps, config: { ...deps.config, digests: [scheduled] } });
    const morning = withSchedule(await digestDeps(api, { version: '1.24.2' }, now));
    const posted = await composeDigest(morning, { channel: 'C0OPS', cluster: CLUSTER, timezone: 'UTC', schedule: scheduled.schedule }, now);
    assert.ok((await posted.commit()).ok);
    const record = () => api.get('v1', 'ConfigMap', BOT_NAMESPACE, baselineRecordName('default', 'C0OPS', undefined)) as { metadata?: { resourceVersion?: string } } | undefined;
    const stored = record()?.metadata?.resourceVersion;
    assert.ok(stored);

    const prepared = digestCommand.prepare(['now']);
    assert.ok(prepared.ok);
    const later = withSchedule(await digestDeps(api, { version: '1.24.2' }, new Date('2025-06-02T08:00:00Z')));
    const onDemand = await prepared.value.execute(CLUSTER, later, { surface: 'slack', user: 'U0VERA', channel: 'C0OPS' });
    assert.match(onDemand.toText(), /compared with the digest of Mon 2 Jun 2025, 07:00 UTC/);
    await onDemand.afterPost?.();
    assert.equal(record()?.metadata?.resourceVersion, stored, 'the scheduled digest still compares with its own previous post');
  });
});
