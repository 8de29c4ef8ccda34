// DESIGN.md §2: POD_NAME is "this replica's name for leader election and audit"; each process adds a random
// suffix. With two replicas behind one Slack app, the audit trail must say which replica ran a command.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startFakeKubeApi, type FakeKubeApi } from '../../src/sandbox/kube-api.ts';
import { startBot, type Bot } from '../support/bot.ts';
import { eventually } from '../support/eventually.ts';

const POD_NAME = 'mesh-bot-6c9f7d5b8-q4x2z';

describe('POD_NAME (DESIGN.md §2)', () => {
  let api: FakeKubeApi;
  let bot: Bot;
  before(async () => {
    api = await startFakeKubeApi({ objects: [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'mesh-bot' } }] });
    bot = await startBot({ istioctl: { version: '1.24.2', scenario: 'healthy' }, kubeConfig: () => api.kubeConfig(), env: { POD_NAME, POD_NAMESPACE: 'mesh-bot' } });
  });
  after(async () => {
    await bot.close();
    await api.close();
  });

  it('names the leader candidate: the Lease holder is POD_NAME plus a per-process suffix', async () => {
    const holder = await eventually(() => {
      const lease = api.get('coordination.k8s.io/v1', 'Lease', 'mesh-bot', 'mesh-bot-leader') as { spec?: { holderIdentity?: string } } | undefined;
      return lease?.spec?.holderIdentity || undefined;
    }, 10_000);
    assert.match(holder, new RegExp(`^${POD_NAME}-[0-9a-f]+$`));
  });

  it('names the replica in the audit line of a command: the Lease holder\'s name', async () => {
    await bot.slash('help', { userId: 'U0ALICE', channelId: 'C0OPS' });
    const audit = await eventually(() => bot.logLines.find((line) => line['audit'] !== undefined), 10_000);
    const lease = api.get('coordination.k8s.io/v1', 'Lease', 'mesh-bot', 'mesh-bot-leader') as { spec?: { holderIdentity?: string } } | undefined;
    assert.match(String(audit['replica']), new RegExp(`^${POD_NAME}-[0-9a-f]+$`));
    assert.equal(audit['replica'], lease?.spec?.holderIdentity);
  });
});
