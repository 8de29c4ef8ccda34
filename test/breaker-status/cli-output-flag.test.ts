// BS-3 (OPEN: src/cli.ts is not the status breaker's to change). README Terminal mode: "Flags follow kubectl habits:
// `-n`, `--namespace`, `--namespace=x`, `-nx`" and `mesh-bot <command> [-o text|json]`; kubectl and istioctl take
// `-ojson` (pflag shorthand with the value attached), and mesh-bot takes `-nshop` the same way. CONTRACT §1: invalid
// input gets a message naming the exact problem plus the usage line.

import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { cluster, proxyStatus122, type Cluster } from '../breaker-ambient/support/harness.ts';
import { istiod, runStatus, sidecarNamespaces } from './support/sidecar.ts';

const TABLE = proxyStatus122([{ name: 'productpage-v1-7d9f8c6b5-x2k4m.default', states: ['SYNCED', 'SYNCED', 'SYNCED', 'SYNCED', 'NOT SENT'], istiod: 'istiod-7d4f9-abcde', version: '1.24.6' }]);
const RULES = [{ when: ['proxy-status'], stdout: TABLE }];

let kube: Cluster;
before(async () => {
  kube = await cluster([...sidecarNamespaces(), istiod('istiod-7d4f9-abcde', '1.24.6')]);
});
after(() => kube.close());

it('status -ojson prints the JSON, as -o json and -o=json do', async () => {
  const run = await runStatus(kube, '1.24.6', RULES, ['status', '-ojson']);
  assert.equal(run.code, 0, run.stderr);
  assert.equal(JSON.parse(run.stdout).command, 'status');
});

it('status -o yaml names the problem and prints the usage line', async () => {
  const run = await runStatus(kube, '1.24.6', RULES, ['status', '-o', 'yaml']);
  assert.equal(run.code, 2);
  assert.match(run.stderr, /yaml/);
  assert.match(run.stderr, /Usage: mesh-bot status/);
});
