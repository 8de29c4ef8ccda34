// README Digests: `/mesh digest now` "compares with the channel + cluster (whole mesh) baseline, in the time zone of
// that channel's scheduled digest if it has one". A channel with a digest of its own namespaces (Tokyo's team) listed
// before the whole-mesh one (Berlin) got `digest now` in Tokyo time, though it compares with — and stands beside —
// the Berlin digest.

import assert from 'node:assert/strict';
import { afterEach, beforeEach, it } from 'node:test';
import { digestCommand } from '../../commands/digest.ts';
import type { CommandDeps } from '../../src/command.ts';
import type { ClusterConfig } from '../../src/config.ts';
import { startFakeKubeApi, type FakeKubeApi } from '../../src/sandbox/kube-api.ts';
import { digestDeps, putIstiod } from '../mesh/digest/harness.ts';

const CLUSTER: ClusterConfig = { name: 'default', context: undefined, default: true, istioNamespace: 'istio-system', defaultNamespace: 'default' };
const NOW = new Date('2025-06-02T07:00:00Z');

let api: FakeKubeApi;
beforeEach(async () => {
  api = await startFakeKubeApi();
  putIstiod(api, { restarts: 0 });
});
afterEach(() => api.close());

it('digest now in a channel with a scoped and a whole-mesh digest uses the whole-mesh digest\'s time zone', async () => {
  const digests = [
    { channel: 'C0OPS', schedule: '0 9 * * 1-5', timezone: 'Asia/Tokyo', namespaces: ['checkout'] },
    { channel: 'C0OPS', schedule: '0 9 * * 1-5', timezone: 'Europe/Berlin' },
  ];
  const base = await digestDeps(api, { version: '1.24.2' }, NOW);
  const deps: CommandDeps = { ...base, config: { ...base.config, digests } };
  const prepared = digestCommand.prepare(['now']);
  assert.ok(prepared.ok);
  const run = await prepared.value.execute(CLUSTER, deps, { surface: 'slack', user: 'U0ALICE', channel: 'C0OPS' });
  assert.match(run.toText(), /^Mesh digest: default — Mon 2 Jun 2025, 09:00 Europe\/Berlin \(GMT\+2\)\n/);
});
