import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import nock from 'nock';
import { startBot, SIGNING_SECRET, type Bot } from '../support/bot.ts';
import { eventually } from '../support/eventually.ts';
import { FORBIDDEN_PODS_STATUS, NOCK_KUBE_URL, NOCK_KUBE_URL_US, nockIstiods, nockKubeConfig, nockTwoClustersKubeConfig } from '../support/kube-nock.ts';
import { sendSignedRequest, slashCommandFields } from '../../src/sandbox/slack-requests.ts';
import { blockText, findButton } from '../support/blocks.ts';
import { startFakeKubeApi, type FakeKubeApi } from '../../src/sandbox/kube-api.ts';

function proxyStatusRuns(invocations: string[][]): number {
  return invocations.filter((argv) => argv[0] === 'proxy-status').length;
}

/**
 * The proxy-status runs that answer. The first status of a process also starts `proxy-status --output json` beside
 * `version` (src/istioctl/istioctl.ts), which 1.20-1.26 refuse while parsing flags and 1.30+ answer with.
 */
function answeringRuns(invocations: string[][]): string[][] {
  return invocations.filter((argv) => argv[0] === 'proxy-status' && !argv.includes('--output'));
}

/** A Kubernetes API with one ready istiod and the namespaces `default` and `quiet` (no proxies there). */
function statusApi(): Promise<FakeKubeApi> {
  return startFakeKubeApi({
    objects: [
      ...['default', 'quiet', 'istio-system', 'mesh-bot'].map((name) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } })),
      {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'istiod-7d4f9-abcde', namespace: 'istio-system', labels: { app: 'istiod', 'app.kubernetes.io/version': '1.24.2' } },
        spec: { containers: [{ name: 'discovery', image: 'docker.io/istio/pilot:1.24.2' }] },
        status: { phase: 'Running', containerStatuses: [{ name: 'discovery', ready: true, restartCount: 0, image: 'pilot', imageID: '', started: true }] },
      },
    ],
  });
}

before(() => nock.enableNetConnect(/127\.0\.0\.1/));
afterEach(() => nock.cleanAll());
after(() => nock.restore());

describe('/mesh status end to end through the Bolt HTTP receiver', () => {
  let bot: Bot | undefined;
  let api: FakeKubeApi | undefined;
  afterEach(async () => {
    await bot?.close();
    await api?.close();
    bot = undefined;
    api = undefined;
  });

  /** A bot whose Kubernetes API is the stateful fake (its state store works, so kept problem lists do too). */
  async function botWithApi(scenario: string, configYaml?: string): Promise<Bot> {
    const started = await statusApi();
    api = started;
    return startBot({ istioctl: { version: '1.24.2', scenario }, kubeConfig: () => started.kubeConfig(), env: { POD_NAMESPACE: 'mesh-bot' }, ...(configYaml ? { configYaml } : {}) });
  }

  it('acks at once, then posts the summary in the channel with the counts from istioctl 1.24', async () => {
    nockIstiods([{ name: 'istiod-7d4f9-abcde', version: '1.20.8' }, { name: 'istiod-7d4f9-fghij', version: '1.20.8' }]);
    bot = await startBot({ istioctl: { version: '1.24.2', scenario: 'multi-pilot' }, kubeConfig: nockKubeConfig });
    const { http } = await bot.slash('status');
    assert.equal(http.status, 200);
    assert.match(JSON.parse(http.body).text, /Running `status` on cluster `default`/);
    assert.equal(JSON.parse(http.body).response_type, 'ephemeral');

    const answer = await bot.answer('C0OPS');
    // corpus v1.22-1.26/multiXdsStatusMultiPilot.txt: 4 proxies, proxy1-3 STALE somewhere, proxy3 LDS ERROR.
    assert.match(answer.text, /^default: degraded — 3 of 4 proxies STALE, 1 ERROR — istiod 2\/2 ready \(as of \d\d:\d\d:\d\d UTC\)$/);
    const text = blockText(answer.blocks);
    assert.match(text, /4 total · 1 healthy · 3 STALE · 1 ERROR/);
    assert.match(text, /1 proxy runs 1\.19: proxy2/, 'version skew names the proxy: proxy2 runs 1.19 against istiod 1.20');
    // All three problem proxies fit on the card, so there is no button for "all" of them.
    assert.match(text, /\*Problem proxies\*\n• `proxy3` LDS ERROR, EDS STALE \(via istiod3\)\n• `proxy2` /);
    assert.equal(findButton(answer.blocks, 'status_show_problems'), undefined);
    // One name per cluster: the bot's (`default`); istioctl's cluster ids (cluster1…cluster4) are not on the card.
    assert.doesNotMatch(text, /cluster\d/);
    assert.ok((answer.blocks?.length ?? 0) <= 50);
    assert.deepEqual(answeringRuns(await bot.istioctlInvocations()), [['proxy-status']]);
  });

  it('answers the ack before a slow istioctl (5 s) has finished', async () => {
    nockIstiods([{ name: 'istiod-a', version: '1.22.1' }]);
    bot = await startBot({ istioctl: { version: '1.22.1', scenario: 'single-pilot', delayMs: 5000 }, kubeConfig: nockKubeConfig });
    const { http } = await bot.slash('status');
    assert.equal(http.status, 200);
    assert.equal(bot.slack.responses.length, 0, 'the summary must not exist yet when the ack arrives');
    const answer = await bot.answer('C0OPS');
    assert.match(answer.text, /2 proxies|2 proxies STALE/);
  });

  it('passes --verbosity 1 to istioctl 1.28 so per-type states are visible', async () => {
    nockIstiods([{ name: 'istiod-a', version: '1.28.1' }]);
    bot = await startBot({ istioctl: { version: '1.28.1', scenario: 'multi-pilot' }, kubeConfig: nockKubeConfig });
    await bot.slash('status');
    const answer = await bot.answer('C0OPS');
    assert.deepEqual(answeringRuns(await bot.istioctlInvocations()), [['proxy-status', '--verbosity', '1']]);
    assert.match(answer.text, /proxies STALE/);
  });

  it('reads the JSON documents of istioctl 1.30', async () => {
    nockIstiods([{ name: 'istiod-a', version: '1.30.1' }]);
    const golden = fileURLToPath(new URL('../fixtures/istioctl/proxy-status/v1.30+_output-json-yaml/multiXdsStatusSinglePilot.json', import.meta.url));
    bot = await startBot({ istioctl: { version: '1.30.1', proxyStatusFile: golden }, kubeConfig: nockKubeConfig });
    await bot.slash('status');
    const answer = await bot.answer('C0OPS');
    const run = (await bot.istioctlInvocations()).find((argv) => argv[0] === 'proxy-status');
    assert.deepEqual(run, ['proxy-status', '--output', 'json']);
    // multiXdsStatusSinglePilot.json: one proxy, CDS STALE.
    assert.match(answer.text, /1 of 1 proxy STALE, 0 ERROR/);
  });

  it('runs ONE proxy-status and one set of Kubernetes reads for 20 people typing /mesh status at once, and answers all 20', async () => {
    let istiodReads = 0;
    nockIstiods([{ name: 'istiod-a', version: '1.24.2' }]).on('request', (request: Request) => {
      if (new URL(request.url).pathname === '/api/v1/namespaces/istio-system/pods') istiodReads += 1;
    });
    bot = await startBot({ istioctl: { version: '1.24.2', scenario: 'multi-pilot', delayMs: 500 }, kubeConfig: nockKubeConfig });
    const channels = Array.from({ length: 20 }, (_, index) => `C0INC${index}`);
    const acks = await Promise.all(channels.map((channelId) => bot!.slash('status', { channelId, userId: `U0USER${channels.indexOf(channelId)}` })));
    assert.ok(acks.every(({ http }) => http.status === 200));
    const answers = await Promise.all(channels.map((channelId) => bot!.answer(channelId)));
    assert.equal(answers.length, 20);
    assert.ok(answers.every((answer) => /3 of 4 proxies STALE/.test(answer.text)));
    const invocations = await bot.istioctlInvocations();
    assert.equal(answeringRuns(invocations).length, 1);
    assert.equal(invocations.filter((argv) => argv[0] === 'proxy-status' && argv.includes('--output')).length, 1, 'one refused --output json, not one per person');
    assert.equal(istiodReads, 1, 'one read of the istiod pods for all 20');
  });

  it('says the control plane is down when istioctl finds no istiod, and shows the pods the API sees', async () => {
    nockIstiods([{ name: 'istiod-a', version: '1.24.2', ready: false }]);
    bot = await startBot({ istioctl: { version: '1.24.2', scenario: 'no-istiod' }, kubeConfig: nockKubeConfig });
    await bot.slash('status');
    const answer = await bot.answer('C0OPS');
    assert.match(answer.text, /^default: control plane down — proxy sync state unavailable — istiod 0\/1 ready/);
    const text = blockText(answer.blocks);
    assert.match(text, /istioctl: .*istio-system/);
    assert.match(text, /istiod-a: NOT READY/);
  });

  it('still shows proxy sync when the Kubernetes API refuses, and says which part failed', async () => {
    nock(NOCK_KUBE_URL).persist().get('/api/v1/namespaces/istio-system/pods').query(true).reply(403, FORBIDDEN_PODS_STATUS);
    bot = await startBot({ istioctl: { version: '1.24.2', scenario: 'multi-pilot' }, kubeConfig: nockKubeConfig });
    await bot.slash('status');
    const answer = await bot.answer('C0OPS');
    const text = blockText(answer.blocks);
    assert.match(text, /4 total · 1 healthy · 3 STALE · 1 ERROR/);
    assert.match(text, /Kubernetes API: mesh-bot may not list pods in istio-system in cluster default \(403 Forbidden\)/);
  });

  it('refuses a forged signature, a stale timestamp and the wrong content type, and runs nothing', async () => {
    nockIstiods([{ name: 'istiod-a', version: '1.24.2' }]);
    bot = await startBot({ istioctl: { version: '1.24.2', scenario: 'multi-pilot' }, kubeConfig: nockKubeConfig });
    const body = new URLSearchParams(slashCommandFields({ text: 'status', userId: 'U0EVE', channelId: 'C0OPS', responseUrl: bot.slack.responseUrl() })).toString();
    const forged = await sendSignedRequest(bot.url, 'not-the-secret', body);
    const stale = await sendSignedRequest(bot.url, SIGNING_SECRET, body, { timestamp: Math.floor(Date.now() / 1000) - 6 * 60 });
    const wrongType = await sendSignedRequest(bot.url, SIGNING_SECRET, body, { contentType: 'application/x-www-form-urlencoded; charset=UTF-8' });
    assert.equal(forged.status, 401);
    assert.equal(stale.status, 401);
    assert.equal(wrongType.status, 400);
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(proxyStatusRuns(await bot.istioctlInvocations()), 0);
    assert.equal(bot.slack.responses.length, 0);
  });

  it('answers an unknown subcommand and bad input with an ephemeral message naming the problem and the usage', async () => {
    bot = await startBot({ istioctl: { version: '1.24.2' }, kubeConfig: nockKubeConfig });
    const unknown = await bot.slash('stauts');
    assert.deepEqual(JSON.parse(unknown.http.body), { response_type: 'ephemeral', text: ':x: unknown command "stauts". Did you mean `/mesh status`? Try `/mesh help` for the list of commands.' });
    const far = JSON.parse((await bot.slash('reboot')).http.body) as { text: string };
    assert.equal(far.text, ':x: unknown command "reboot". Try `/mesh help` for the list of commands.', 'no guess when no command is close');
    const badNamespace = await bot.slash('status -n Bad_NS');
    const reply = JSON.parse(badNamespace.http.body) as { text: string; response_type: string };
    assert.equal(reply.response_type, 'ephemeral');
    assert.match(reply.text, /"Bad_NS" is not a valid namespace name/);
    assert.match(reply.text, /Usage: `\/mesh status \[-n NAMESPACE\] \[--cluster NAME\]`/);
    const optionAsName = JSON.parse((await bot.slash('status -n --cluster')).http.body) as { text: string };
    assert.match(optionAsName.text, /option-like "--cluster"/);
    const unknownCluster = JSON.parse((await bot.slash('status --cluster mars')).http.body) as { text: string };
    assert.match(unknownCluster.text, /unknown cluster "mars"; configured: default/);
    assert.equal(proxyStatusRuns(await bot.istioctlInvocations()), 0);
  });

  it('lists every command for /mesh help', async () => {
    bot = await startBot({ istioctl: { version: '1.24.2' }, kubeConfig: nockKubeConfig });
    const help = JSON.parse((await bot.slash('help')).http.body) as { text: string; blocks: unknown[]; response_type: string };
    assert.equal(help.response_type, 'ephemeral');
    assert.match(blockText(help.blocks), /\/mesh status \[-n NAMESPACE\] \[--cluster NAME\]/);
    assert.match(blockText(help.blocks), /alias `ps`/);
  });

  it('refuses commands outside the allowed channels, naming the channels, and logs the refusal', async () => {
    bot = await startBot({ istioctl: { version: '1.24.2' }, kubeConfig: nockKubeConfig, configYaml: 'access:\n  channels: [C0OPS]\n' });
    const refused = JSON.parse((await bot.slash('status', { channelId: 'C0RANDOM', userId: 'U0MALLORY' })).http.body) as { text: string };
    assert.match(refused.text, /not enabled in this channel\. Use it in <#C0OPS>/);
    const auditLine = bot.logLines.find((line) => (line['audit'] as { user?: string } | undefined)?.user === 'U0MALLORY');
    assert.deepEqual({ ...(auditLine?.['audit'] as Record<string, unknown>), durationMs: 0 }, { kind: 'command', user: 'U0MALLORY', channel: 'C0RANDOM', command: 'status', outcome: 'refused', durationMs: 0, detail: 'channel' });
  });

  it('logs one audit line per command with user, channel, command, outcome and duration, and never the tokens', async () => {
    nockIstiods([{ name: 'istiod-a', version: '1.24.2' }]);
    nock(NOCK_KUBE_URL).persist().get('/api/v1/namespaces/default').reply(200, { kind: 'Namespace', apiVersion: 'v1', metadata: { name: 'default' } });
    bot = await startBot({ istioctl: { version: '1.24.2', scenario: 'multi-pilot' }, kubeConfig: nockKubeConfig });
    await bot.slash('ps -n default');
    await bot.answer('C0OPS');
    await eventually(() => bot!.logLines.find((line) => line['audit'] !== undefined));
    const audits = bot.logLines.filter((line) => line['audit'] !== undefined).map((line) => line['audit'] as Record<string, unknown>);
    assert.equal(audits.length, 1);
    assert.equal(audits[0]?.['command'], 'status');
    assert.equal(audits[0]?.['outcome'], 'ok');
    assert.equal(audits[0]?.['user'], 'U0ALICE');
    assert.equal(typeof audits[0]?.['durationMs'], 'number');
    const everything = JSON.stringify(bot.logLines);
    assert.equal(everything.includes('xoxb-test-token'), false);
    assert.equal(everything.includes(SIGNING_SECRET), false);
  });

  it('posts the list of the card\'s own run (same "as of") behind "Show all problem proxies", without running istioctl again', async () => {
    // No result cache: a click that ran istioctl again would show up as a second proxy-status run.
    bot = await botWithApi('large:40', 'istioctl:\n  cacheTtl: 1ms\n');
    await bot.slash('status');
    const answer = await bot.answer('C0OPS');
    const cardAsOf = /as of (\d\d:\d\d:\d\d UTC)/.exec(answer.text)?.[1];
    assert.ok(cardAsOf);
    const shown = /\*Worst problem proxies\* \(8 of (\d+)\)/.exec(blockText(answer.blocks))?.[1];
    assert.ok(Number(shown) > 8, 'more problem proxies than the card lists');
    const button = findButton(answer.blocks, 'status_show_problems');
    assert.ok(button?.value);
    const runsBefore = proxyStatusRuns(await bot.istioctlInvocations());

    await bot.click({ actionId: 'status_show_problems', value: button.value, messageTs: answer.ts });
    const reply = await bot.slack.waitFor((fake) => fake.threadReplies('C0OPS', answer.ts)[0]);
    assert.equal(reply.text, `${shown} problem proxies in default, as of ${cardAsOf}`);
    const lines = blockText(reply.blocks).replace(/```/g, '').split('\n').filter((line) => line !== '');
    assert.equal(lines[0], `${shown} problem proxies in default, as of ${cardAsOf}:`);
    assert.equal(lines.length - 1, Number(shown), 'one line per problem proxy');
    assert.match(lines[1] ?? '', /^\S+: .*(ERROR|STALE) \(via istiod-\S+, istioctl cluster id prod-\w\w-1\)$/, 'istioctl\'s cluster id only as detail');
    assert.equal(proxyStatusRuns(await bot.istioctlInvocations()), runsBefore, 'the click read the kept list, not a new istioctl run');
  });

  it('says so when the card\'s list could not be kept, and then shows a new run with its own time', async () => {
    nockIstiods([{ name: 'istiod-a', version: '1.24.2' }]);
    bot = await startBot({ istioctl: { version: '1.24.2', scenario: 'large:40' }, kubeConfig: nockKubeConfig });
    await bot.slash('status');
    const answer = await bot.answer('C0OPS');
    const button = findButton(answer.blocks, 'status_show_problems');
    assert.ok(button?.value);
    await bot.click({ actionId: 'status_show_problems', value: button.value, messageTs: answer.ts });
    const reply = await bot.slack.waitFor((fake) => fake.threadReplies('C0OPS', answer.ts)[0]);
    assert.match(blockText(reply.blocks), /The list of the card \(\d\d:\d\d:\d\d UTC\) is no longer available \([\s\S]+\); this is a new run\.\n\d+ problem proxies in default, as of \d\d:\d\d:\d\d UTC:/);
  });

  it('uploads the problem list as a file when it is too long for a thread message', async () => {
    bot = await botWithApi('large:3000');
    await bot.slash('status');
    const answer = await bot.answer('C0OPS');
    assert.ok((answer.blocks?.length ?? 0) <= 50);
    const button = findButton(answer.blocks, 'status_show_problems');
    assert.ok(button?.value);
    await bot.click({ actionId: 'status_show_problems', value: button.value, messageTs: answer.ts });
    const file = await bot.slack.waitFor((fake) => fake.files.find((candidate) => candidate.completed));
    assert.equal(file.threadTs, answer.ts);
    const lines = (file.content?.toString('utf8') ?? '').split('\n');
    const headline = /^(\d+) problem proxies in default, as of/.exec(lines[0] ?? '')?.[1];
    assert.equal(lines.length - 1, Number(headline), 'one line per problem proxy after the heading');
  });

  it('refuses a namespace that does not exist with an error only the typist sees, never "healthy — 0 proxies"', async () => {
    bot = await botWithApi('multi-pilot');
    await bot.slash('status -n nosuchns');
    const answer = await bot.slack.waitFor((fake) => fake.messages('C0OPS').find((message) => message.via === 'response_url'));
    assert.equal(answer.ephemeralTo, 'U0ALICE');
    assert.equal(answer.text, ':x: Namespace nosuchns does not exist in cluster default. Check the name with `kubectl get namespaces`.');
    assert.doesNotMatch(JSON.stringify(answer), /healthy|all in sync/i);
  });

  it('says "no proxies in namespace X" for an existing namespace without proxies, and no green verdict', async () => {
    bot = await botWithApi('multi-pilot');
    await bot.slash('status -n quiet');
    const answer = await bot.answer('C0OPS');
    assert.match(answer.text, /^default\/quiet: no proxies in namespace quiet — istiod 1\/1 ready \(as of \d\d:\d\d:\d\d UTC\)$/);
    const text = blockText(answer.blocks);
    assert.match(text, /:white_circle: \*No proxies\*/);
    assert.doesNotMatch(text, /healthy|large_green_circle|every proxy runs/i);
  });

  it('says it is checking the role while a rate-limited user-group lookup runs, then refuses without "Running …"', async () => {
    bot = await startBot({
      istioctl: { version: '1.24.2' },
      kubeConfig: nockKubeConfig,
      configYaml: 'access:\n  operators: { usergroups: [S0SRE] }\n  approvers: { users: [U0AARON] }\n',
      slack: { usergroups: { S0SRE: ['U0OLIVIA'] } },
    });
    // Slack answers the group lookup with 429 Retry-After: 2 s; the ack cannot wait that long (3 s limit).
    bot.slack.rateLimitNext('usergroups.users.list', { retryAfterSeconds: 2 });
    const { http } = await bot.slash('canary promote reviews --weight 50 -n bookinfo', { userId: 'U0VERA' });
    assert.equal((JSON.parse(http.body) as { text: string }).text, ':hourglass_flowing_sand: Checking whether you may run `canary promote`…');
    const refusal = await bot.slack.waitFor((fake) => fake.messages('C0OPS').find((message) => message.via === 'response_url'));
    assert.equal(refusal.ephemeralTo, 'U0VERA');
    assert.match(refusal.text, /^:no_entry: Only operators may run `\/mesh canary promote`: <!subteam\^S0SRE>/);
    assert.doesNotMatch(JSON.stringify(bot.slack.messages('C0OPS')), /Running/);
  });

  it('checks the role before saying anything runs: a viewer reads the refusal, never "Running …"', async () => {
    bot = await startBot({ istioctl: { version: '1.24.2' }, kubeConfig: nockKubeConfig, configYaml: 'access:\n  operators: { users: [U0OLIVIA] }\n  approvers: { users: [U0AARON] }\n' });
    const { http } = await bot.slash('canary promote reviews --weight 50 -n bookinfo', { userId: 'U0VERA' });
    const ack = JSON.parse(http.body) as { text: string; response_type: string };
    assert.equal(ack.response_type, 'ephemeral');
    assert.equal(ack.text, ':no_entry: Only operators may run `/mesh canary promote`: <@U0OLIVIA>. Ask one of them, or have an admin add you to access.operators.');
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.doesNotMatch(JSON.stringify(bot.slack.messages('C0OPS')), /Running/);
  });

  it('serves /healthz, /readyz and /metrics', async () => {
    nockIstiods([{ name: 'istiod-a', version: '1.24.2' }]);
    bot = await startBot({ istioctl: { version: '1.24.2' }, kubeConfig: nockKubeConfig });
    assert.equal((await fetch(`${bot.url}/healthz`)).status, 200);
    const ready = await fetch(`${bot.url}/readyz`);
    assert.equal(ready.status, 200);
    assert.deepEqual(((await ready.json()) as { checks: Record<string, { ok: boolean }> }).checks['kubernetes']?.ok, true);
    const metrics = await (await fetch(`${bot.url}/metrics`)).text();
    assert.match(metrics, /mesh_bot_commands_total/);
  });

  it('is not ready when the Kubernetes API is unreachable', async () => {
    nock(NOCK_KUBE_URL).persist().get('/version').replyWithError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }));
    bot = await startBot({ istioctl: { version: '1.24.2' }, kubeConfig: nockKubeConfig });
    const ready = await fetch(`${bot.url}/readyz`);
    assert.equal(ready.status, 503);
    const report = (await ready.json()) as { checks: Record<string, { ok: boolean; detail: string }> };
    assert.equal(report.checks['slack']?.ok, true);
    assert.match(report.checks['kubernetes']?.detail ?? '', /not reachable \(ECONNREFUSED\)/);
  });

  it('serves several clusters from one bot: --cluster picks the kubeconfig context for istioctl and the Kubernetes API', async () => {
    nockIstiods([{ name: 'istiod-eu-1', version: '1.24.2' }]);
    nockIstiods([{ name: 'istiod-us-1', version: '1.24.2' }, { name: 'istiod-us-2', version: '1.24.2' }], 'istio-system', NOCK_KUBE_URL_US);
    bot = await startBot({
      istioctl: { version: '1.24.2', scenario: 'multi-pilot' },
      kubeConfig: nockTwoClustersKubeConfig,
      configYaml: 'clusters:\n  - { name: prod-eu, context: gke-eu, default: true }\n  - { name: prod-us, context: gke-us }\n',
    });
    await bot.slash('status --cluster prod-us');
    const answer = await bot.answer('C0OPS');
    assert.match(answer.text, /^prod-us: degraded — .* istiod 2\/2 ready/);
    assert.match(blockText(answer.blocks), /istiod-us-2: ready/);
    assert.deepEqual(answeringRuns(await bot.istioctlInvocations()), [['proxy-status', '--context', 'gke-us']]);
  });
});
