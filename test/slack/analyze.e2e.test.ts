import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { historyRecordName } from '../../src/mesh/analyze-history.ts';
import { startBot, type Bot } from '../support/bot.ts';
import { startFakeKubeApi, type FakeKubeApi } from '../../src/sandbox/kube-api.ts';
import { blockText, findButton } from '../support/blocks.ts';

/** An `analyze -o json` body in istioctl's formatter layout (tab indent, sorted keys). */
async function analyzeFile(findings: { code: string; level: string; message: string; origin: string }[]): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'mesh-bot-analyze-'));
  const path = join(dir, 'analyze.json');
  const body = findings.map((f) => ({ code: f.code, documentationUrl: `https://istio.io/v1.24/docs/reference/config/analysis/${f.code.toLowerCase()}/?ref=istioctl-analyze`, level: f.level, message: f.message, origin: f.origin }));
  await writeFile(path, JSON.stringify(body, null, '\t'));
  return path;
}

describe('/mesh analyze end to end through the Bolt HTTP receiver', () => {
  let api: FakeKubeApi;
  let bot: Bot | undefined;
  before(async () => {
    // The namespaces these tests analyze exist; `missing-ns` does not.
    api = await startFakeKubeApi({ objects: ['default', 'shop', 'quiet', 'bookinfo'].map((name) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } })) });
  });
  after(() => api.close());
  afterEach(async () => {
    await bot?.close();
    bot = undefined;
  });
  const env = { POD_NAMESPACE: 'mesh-bot' };

  it('groups the findings by code with the 1.24 catalogue description and docs link, analyzing `default` when no -n is given', async () => {
    bot = await startBot({ istioctl: { version: '1.24.6' }, kubeConfig: () => api.kubeConfig(), env });
    const { http } = await bot.slash('analyze');
    assert.match(JSON.parse(http.body).text, /Running `analyze` on cluster `default`/);
    const answer = await bot.answer('C0OPS');
    // The fake's `healthy` cluster (docs walk-through): in `default` 2 IST0101 errors and 4 IST0174 warnings.
    assert.match(answer.text, /^default\/default: 2 errors, 4 warnings, 0 info — first analyze of this scope \(as of \d\d:\d\d:\d\d UTC\)$/);
    const text = blockText(answer.blocks);
    assert.match(text, /IST0101 ReferencedResourceNotFound \(Error, 2×\) — A resource being referenced does not exist\./);
    assert.match(text, /<https:\/\/istio\.io\/v1\.24\/docs\/reference\/config\/analysis\/ist0101\/\|docs>/);
    // The findings' own messages, not only the catalogue's generic sentence (istio.io's analyze walk-through:
    // the Gateway's selector and the VirtualService's host are both missing).
    assert.match(text, /• Gateway default\/bookinfo-gateway: Referenced selector not found: "istio=ingressgateway"/);
    assert.match(text, /• VirtualService default\/bookinfo: Referenced host not found: "productpage"/);
    assert.match(text, /Show all 6 findings/);
    assert.match(text, /Analyzed namespace `default` \(no `-n` given\)/);
    assert.ok(findButton(answer.blocks, 'analyze_show_findings'));
    const run = (await bot.istioctlInvocations()).find((argv) => argv[0] === 'analyze');
    assert.deepEqual(run, ['analyze', '--namespace', 'default', '--output', 'json', '--timeout', '50s']);
  });

  it('analyzes the cluster\'s configured default namespace when no -n is given', async () => {
    bot = await startBot({ istioctl: { version: '1.24.6' }, kubeConfig: () => api.kubeConfig(), env, configYaml: 'clusters:\n  - { name: prod-eu, defaultNamespace: bookinfo }\n' });
    await bot.slash('analyze');
    const answer = await bot.answer('C0OPS');
    assert.match(blockText(answer.blocks), /Analyzed namespace `bookinfo` \(no `-n` given\)/);
    const run = (await bot.istioctlInvocations()).find((argv) => argv[0] === 'analyze');
    assert.deepEqual(run, ['analyze', '--namespace', 'bookinfo', '--output', 'json', '--timeout', '50s']);
  });

  it('says what is new and what was resolved since the previous run, from the ConfigMap, across a restart', async () => {
    const before = await analyzeFile([
      { code: 'IST0101', level: 'Error', message: 'Referenced host not found: "productpage"', origin: 'VirtualService shop/bookinfo' },
      { code: 'IST0174', level: 'Warning', message: 'The host details defined in the DestinationRule does not match any services in the mesh.', origin: 'DestinationRule shop/details' },
    ]);
    const afterFix = await analyzeFile([
      { code: 'IST0174', level: 'Warning', message: 'The host details defined in the DestinationRule does not match any services in the mesh.', origin: 'DestinationRule shop/details' },
      { code: 'IST0118', level: 'Info', message: "Port name web (port: 80, targetPort: 8080) doesn't follow the naming convention of Istio port.", origin: 'Service shop/web' },
    ]);
    bot = await startBot({ istioctl: { version: '1.24.6', analyzeFile: before }, kubeConfig: () => api.kubeConfig(), env });
    await bot.slash('analyze -n shop');
    assert.match((await bot.answer('C0OPS')).text, /first analyze of this scope/);
    const stored = api.get('v1', 'ConfigMap', 'mesh-bot', historyRecordName('default', 'namespace-shop'));
    assert.ok(stored, 'the run is kept in a ConfigMap in the bot namespace');
    await bot.close();

    // A new process (restart, or another replica) reads the same history.
    bot = await startBot({ istioctl: { version: '1.24.6', analyzeFile: afterFix }, kubeConfig: () => api.kubeConfig(), env });
    await bot.slash('analyze -n shop');
    const answer = await bot.answer('C0OPS');
    assert.match(answer.text, /1 new, 1 resolved since the previous run/);
    const text = blockText(answer.blocks);
    assert.match(text, /\*New\*\n• Info \[IST0118\] \(Service shop\/web\)/);
    assert.match(text, /\*Resolved\*\n• Error \[IST0101\] \(VirtualService shop\/bookinfo\)/);
  });

  it('keeps the scopes apart: -A has its own history', async () => {
    bot = await startBot({ istioctl: { version: '1.24.6' }, kubeConfig: () => api.kubeConfig(), env });
    await bot.slash('analyze -A');
    const answer = await bot.answer('C0OPS');
    assert.match(answer.text, /^default \(all namespaces\): 2 errors, 4 warnings, 1 info — first analyze of this scope/);
    assert.deepEqual((await bot.istioctlInvocations()).find((argv) => argv[0] === 'analyze')?.slice(0, 2), ['analyze', '--all-namespaces']);
  });

  it('still answers when the history cannot be read, and says why the comparison is missing', async () => {
    api.failNext({ method: 'GET', pathPattern: /configmaps\/mesh-bot-analyze/, status: 403 });
    bot = await startBot({ istioctl: { version: '1.28.1', scenario: 'empty-mesh' }, kubeConfig: () => api.kubeConfig(), env });
    await bot.slash('analyze -n quiet');
    const answer = await bot.answer('C0OPS');
    assert.match(answer.text, /^default\/quiet: no validation issues/);
    assert.match(blockText(answer.blocks), /could not compare with the previous run: mesh-bot may not read ConfigMap/);
  });

  it('answers a namespace that does not exist with an error only the typist sees, never "no validation issues", and stores nothing', async () => {
    bot = await startBot({ istioctl: { version: '1.28.1', scenario: 'empty-mesh' }, kubeConfig: () => api.kubeConfig(), env });
    await bot.slash('analyze -n missing-ns');
    const answer = await bot.slack.waitFor((fake) => fake.messages('C0OPS').find((message) => message.via === 'response_url'));
    assert.equal(answer.ephemeralTo, 'U0ALICE');
    assert.equal(answer.text, ':x: Namespace missing-ns does not exist in cluster default. Check the name with `kubectl get namespaces`.');
    assert.doesNotMatch(JSON.stringify(answer.blocks), /no validation issues/);
    assert.equal(api.get('v1', 'ConfigMap', 'mesh-bot', historyRecordName('default', 'namespace-missing-ns')), undefined);
  });

  it('refuses -n together with -A, with the usage line, and runs nothing', async () => {
    bot = await startBot({ istioctl: { version: '1.28.1' }, kubeConfig: () => api.kubeConfig(), env });
    const reply = JSON.parse((await bot.slash('analyze -n shop -A')).http.body) as { text: string; response_type: string };
    assert.equal(reply.response_type, 'ephemeral');
    assert.match(reply.text, /use either -n NAMESPACE or -A, not both/);
    assert.match(reply.text, /Usage: `\/mesh analyze \[-n NAMESPACE \| -A\] \[--cluster NAME\]`/);
    assert.equal((await bot.istioctlInvocations()).filter((argv) => argv[0] === 'analyze').length, 0);
  });

  it('stays within Block Kit limits for 10,000 findings and uploads the full list as a file', async () => {
    bot = await startBot({ istioctl: { version: '1.28.1', scenario: 'large:10000' }, kubeConfig: () => api.kubeConfig(), env });
    await bot.slash('analyze -A');
    const answer = await bot.answer('C0OPS');
    assert.ok((answer.blocks?.length ?? 0) <= 50);
    assert.ok(JSON.stringify(answer.blocks).length <= 12_000);
    for (const block of (answer.blocks ?? []) as { text?: { text: string } }[]) assert.ok((block.text?.text.length ?? 0) <= 3000);
    // large:N cycles 5 codes: 2000 IST0101 errors, 4000 warnings (IST0174, IST0128), 4000 info.
    assert.match(answer.text, /2000 errors, 4000 warnings, 4000 info/);
    const button = findButton(answer.blocks, 'analyze_show_findings');
    assert.ok(button?.value && button.value.length <= 2000);
    await bot.click({ actionId: 'analyze_show_findings', value: button.value, messageTs: answer.ts });
    const file = await bot.slack.waitFor((fake) => fake.files.find((candidate) => candidate.completed));
    assert.equal(file.threadTs, answer.ts);
    const lines = (file.content?.toString('utf8') ?? '').split('\n');
    assert.match(lines[0] ?? '', /^10000 findings in default \(all namespaces\), as of \d\d:\d\d:\d\d UTC:$/);
    assert.equal(lines.length, 10_001);
    assert.match(lines[1] ?? '', /^Error \[IST0101\]/, 'errors first');
  });

  it('posts a short finding list in the thread, and refuses a forged button value', async () => {
    bot = await startBot({ istioctl: { version: '1.28.1' }, kubeConfig: () => api.kubeConfig(), env });
    await bot.slash('analyze -n default');
    const answer = await bot.answer('C0OPS');
    const button = findButton(answer.blocks, 'analyze_show_findings');
    assert.ok(button?.value);
    await bot.click({ actionId: 'analyze_show_findings', value: button.value, messageTs: answer.ts });
    const reply = await bot.slack.waitFor((fake) => fake.threadReplies('C0OPS', answer.ts)[0]);
    const text = blockText(reply.blocks);
    assert.match(text, /Warning \[IST0174\] \(DestinationRule default\/reviews\)/);
    assert.equal(text.split('\n').filter((line) => /^(Error|Warning|Info) \[/.test(line.replace(/^```/, ''))).length, 6);

    await bot.click({ actionId: 'analyze_show_findings', value: JSON.stringify({ cluster: 'default', namespace: '--all; rm -rf' }), messageTs: answer.ts });
    const refusal = await bot.slack.waitFor((fake) => fake.responses.find((response) => /no longer knows/.test(JSON.stringify(response))));
    assert.ok(refusal);
  });
});
