// `/mesh analyze` explains IST0171/IST0167 per object with the object's own condition reason and message: that
// message is free text from the cluster and must reach Slack escaped; the explanation names the affected object.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, it } from 'node:test';
import { startBot, type Bot } from '../support/bot.ts';
import { blockText } from '../support/blocks.ts';
import { cluster, namespace, standIn, type Cluster } from './support/harness.ts';

const FINDINGS = fileURLToPath(new URL('./fixtures/analyze-ambient-1.30.json', import.meta.url));
const HOSTILE = '<!channel> <https://evil.example/login|log in again> & more';

let kube: Cluster;
let bot: Bot;
before(async () => {
  kube = await cluster([namespace('istio-system'), namespace('default'), namespace('ns-ambient', { 'istio.io/dataplane-mode': 'ambient' })]);
  const findings = JSON.parse(readFileSync(FINDINGS, 'utf8')) as { message: string }[];
  // The Service's WaypointBound condition message carries the waypoint's name and text a cluster user controls.
  const hostile = findings.map((finding) => ({ ...finding, message: finding.message.replace('is not ready', `is not ready ${HOSTILE}`) }));
  const dir = await mkdtemp(join(tmpdir(), 'breaker-analyze-'));
  await writeFile(join(dir, 'analyze.json'), JSON.stringify(hostile, null, '\t'));
  const istioctl = await standIn('1.30.3', [{ when: ['analyze'], stdoutFile: join(dir, 'analyze.json') }]);
  bot = await startBot({ kubeConfig: () => kube.api.kubeConfig(), env: { POD_NAMESPACE: 'mesh-bot', ISTIOCTL: istioctl.path } });
});
after(async () => {
  await bot.close();
  await kube.close();
});

it('/mesh analyze -A: each IST0171 object explained, IST0102 skipped for the ambient namespace, nothing live in the condition message', async () => {
  await bot.slash('analyze -A');
  const answer = await bot.answer('C0OPS');
  const text = blockText(answer.blocks);
  assert.match(text, /Service default\/negative-condition-svc/);
  assert.match(text, /AuthorizationPolicy default\/negative-condition-authz/);
  assert.match(text, /Sidecar ns-ambient\/namespace-scoped/);
  assert.match(text, /IST0102/);
  assert.match(text, /ns-ambient/);
  assert.match(text, /&lt;!channel&gt;/, 'the message is shown, escaped');
  for (const live of ['<!channel>', '<https://evil.example/login|log in again>']) {
    assert.ok(!text.includes(live), `live ${live} in the card`);
    assert.ok(!answer.text.includes(live), `live ${live} in the notification text`);
  }
});
