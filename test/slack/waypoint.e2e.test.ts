import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { startFakeKubeApi, type FakeKubeApi } from '../../src/sandbox/kube-api.ts';
import { blockText } from '../support/blocks.ts';
import { startBot, type Bot } from '../support/bot.ts';
import { waypointClusterObjects } from '../support/ambient-cluster.ts';

describe('/mesh waypoint end to end through the Bolt HTTP receiver and the simulated istioctl', () => {
  let api: FakeKubeApi;
  let bot: Bot | undefined;
  before(async () => {
    api = await startFakeKubeApi({ objects: waypointClusterObjects() });
  });
  after(() => api.close());
  afterEach(async () => {
    await bot?.close();
    bot = undefined;
  });
  const env = { POD_NAMESPACE: 'mesh-bot' };

  it('1.28: -A lists the unprogrammed waypoints first, explains traffic type none, and names the Services whose waypoint is missing or not programmed', async () => {
    bot = await startBot({ istioctl: { version: '1.28.1' }, kubeConfig: () => api.kubeConfig(), env });
    await bot.slash('waypoint -A');
    const answer = await bot.answer('C0OPS');
    assert.match(answer.text, /^default \(all namespaces\): 2 of 6 waypoints not programmed; 2 Services with a missing or unprogrammed waypoint \(as of \d\d:\d\d:\d\d UTC\)$/);
    const text = blockText(answer.blocks);
    const lines = text.split('\n').filter((line) => /PROGRAMMED/.test(line));
    assert.deepEqual(lines.slice(0, 2), [
      ':red_circle: default/bookinfo — PROGRAMMED False · traffic type none · revision default',
      ':red_circle: default/waypoint — PROGRAMMED False · traffic type none · revision default',
    ]);
    assert.match(text, /:large_green_circle: bookinfo\/bookinfo-traffic-type — PROGRAMMED True · traffic type all · revision default/);
    assert.match(text, /Traffic type `none` means the Gateway has no `istio.io\/waypoint-for` label .* it does not mean the waypoint carries no traffic\./);
    assert.match(text, /• Service default\/details: waypoint default\/waypiont does not exist\n• Service default\/ratings: waypoint default\/waypoint is not programmed/);
    assert.doesNotMatch(text, /shop\/cart|shop\/legacy|bookinfo\/reviews/);
    const run = (await bot.istioctlInvocations()).find((argv) => argv.includes('waypoint'));
    assert.deepEqual(run, ['waypoint', 'list', '--all-namespaces']);
  });

  it('1.20 (`x waypoint`, SERVICE ACCOUNT column, no traffic type) in the default namespace when no -n is given, alias wp', async () => {
    bot = await startBot({ istioctl: { version: '1.20.8' }, kubeConfig: () => api.kubeConfig(), env });
    await bot.slash('wp');
    const answer = await bot.answer('C0OPS');
    // 1.20's default namespace waypoint is named `namespace`; the Service labelled for `waypoint` finds nothing.
    assert.match(answer.text, /^default\/default: 2 of 3 waypoints not programmed; 2 Services with a missing or unprogrammed waypoint/);
    const text = blockText(answer.blocks);
    assert.match(text, /:red_circle: default\/namespace — PROGRAMMED False · revision default/);
    assert.doesNotMatch(text, /traffic type/);
    assert.match(text, /Service default\/ratings: waypoint default\/waypoint does not exist/);
    assert.match(text, /Namespace `default` \(no `-n` given\)/);
    assert.deepEqual((await bot.istioctlInvocations()).find((argv) => argv.includes('waypoint')), ['x', 'waypoint', 'list', '--namespace', 'default']);
  });

  it('1.24: a namespace whose Services use a waypoint elsewhere says it was not read there, and is green', async () => {
    bot = await startBot({ istioctl: { version: '1.24.6' }, kubeConfig: () => api.kubeConfig(), env });
    await bot.slash('waypoint list -n shop');
    const answer = await bot.answer('C0OPS');
    assert.match(answer.text, /^default\/shop: no waypoints \(as of/);
    assert.match(blockText(answer.blocks), /Service shop\/cart: waypoint bookinfo\/bookinfo-rev is in another namespace, not read here \(use -A\)/);
  });

  it('1.30 status: --wait=false, the Programmed condition per waypoint, with the list beside it', async () => {
    bot = await startBot({ istioctl: { version: '1.30.3' }, kubeConfig: () => api.kubeConfig(), env });
    await bot.slash('waypoint status -n bookinfo');
    const answer = await bot.answer('C0OPS');
    assert.match(answer.text, /^default\/bookinfo: 3 waypoints, all programmed/);
    assert.match(blockText(answer.blocks), /:large_green_circle: bookinfo\/bookinfo-rev — PROGRAMMED True · traffic type none · revision rev1\n/);
    const waypointRuns = (await bot.istioctlInvocations()).filter((argv) => argv.includes('waypoint'));
    assert.deepEqual(waypointRuns.map((argv) => argv.join(' ')).sort(), ['waypoint list --namespace bookinfo', 'waypoint status --wait=false --namespace bookinfo']);
  });

  it('1.26 status: says status needs 1.29 and answers from waypoint list instead (never a blocking status run)', async () => {
    bot = await startBot({ istioctl: { version: '1.26.8' }, kubeConfig: () => api.kubeConfig(), env });
    await bot.slash('waypoint status');
    const answer = await bot.answer('C0OPS');
    assert.match(blockText(answer.blocks), /istioctl 1\.26\.8 has no `waypoint status --wait=false` \(1\.29\+; .*\), so this is `waypoint list`/);
    assert.match(answer.text, /^default\/default: 2 of 3 waypoints not programmed/);
    assert.equal((await bot.istioctlInvocations()).some((argv) => argv.includes('status')), false);
  });

  it('a namespace that does not exist is an error only the typist sees, never "no waypoints"', async () => {
    bot = await startBot({ istioctl: { version: '1.28.1' }, kubeConfig: () => api.kubeConfig(), env });
    await bot.slash('waypoint -n missing-ns');
    const answer = await bot.slack.waitFor((fake) => fake.messages('C0OPS').find((message) => message.via === 'response_url'));
    assert.equal(answer.ephemeralTo, 'U0ALICE');
    assert.equal(answer.text, ':x: Namespace missing-ns does not exist in cluster default. Check the name with `kubectl get namespaces`.');
  });

  it('refuses an unknown action and -n with -A, with the usage line', async () => {
    bot = await startBot({ istioctl: { version: '1.28.1' }, kubeConfig: () => api.kubeConfig(), env });
    const bad = JSON.parse((await bot.slash('waypoint delete')).http.body) as { text: string };
    assert.match(bad.text, /unknown waypoint action "delete" \(use list or status\)/);
    assert.match(bad.text, /waypoint \[list\|status\] \[-n NAMESPACE \| -A\] \[--cluster NAME\]/);
    const both = JSON.parse((await bot.slash('waypoint -n shop -A')).http.body) as { text: string };
    assert.match(both.text, /use either -n NAMESPACE or -A, not both/);
  });
});
