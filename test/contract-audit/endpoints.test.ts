// DESIGN.md §3: `GET /healthz` (process alive), `GET /readyz` (Slack connection up and Kubernetes API reachable;
// 503 otherwise — test/slack/status.e2e.test.ts and test/breaker-config/readyz*.test.ts), `GET /metrics`
// (Prometheus text), served on PORT beside `POST /slack/events` (HTTP mode).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startFakeKubeApi, type FakeKubeApi } from '../../src/sandbox/kube-api.ts';
import { startBot, type Bot } from '../support/bot.ts';

describe('ops endpoints (DESIGN.md §3)', () => {
  let api: FakeKubeApi;
  let bot: Bot;
  before(async () => {
    api = await startFakeKubeApi();
    bot = await startBot({ istioctl: { version: '1.24.2', scenario: 'healthy' }, kubeConfig: () => api.kubeConfig() });
  });
  after(async () => {
    await bot.close();
    await api.close();
  });

  it('GET /metrics is Prometheus text: its content type and a HELP/TYPE line per metric', async () => {
    await bot.slash('help');
    const response = await fetch(`${bot.url}/metrics`);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    const text = await response.text();
    assert.match(text, /^# HELP mesh_bot_commands_total .+\n# TYPE mesh_bot_commands_total counter$/m);
    for (const sample of text.split('\n').filter((line) => line !== '' && !line.startsWith('#'))) assert.match(sample, /^[a-zA-Z_:][a-zA-Z0-9_:]*(\{.*\})? [-+0-9.eEInfNa]+$/, sample);
  });

  it('GET /healthz answers 200 and GET /readyz 200 while Slack and the Kubernetes API answer', async () => {
    assert.equal((await fetch(`${bot.url}/healthz`)).status, 200);
    assert.equal((await fetch(`${bot.url}/readyz`)).status, 200);
  });
});
