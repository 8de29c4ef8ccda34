import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, afterEach, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import nock from 'nock';
import { startBot, type Bot } from '../support/bot.ts';
import { nockKubeConfig } from '../support/kube-nock.ts';
import { blockText, findButton } from '../support/blocks.ts';

const SYNTHETIC = fileURLToPath(new URL('../fixtures/istioctl-extra/synthetic_sidecar_config_dump_with_secrets.json', import.meta.url));

/** Key material planted in the synthetic dump (see test/fixtures/istioctl-extra/README.md), read from the file itself. */
function plantedSecrets(): string[] {
  const dump = JSON.parse(readFileSync(SYNTHETIC, 'utf8'));
  const secrets = dump.configs.find((c: { '@type': string }) => c['@type'].endsWith('SecretsConfigDump'));
  const tls = secrets.dynamic_active_secrets[0].secret.tls_certificate;
  const root: string = secrets.dynamic_active_secrets[1].secret.validation_context.trusted_ca.inline_bytes;
  const keyPem = Buffer.from(tls.private_key.inline_bytes as string, 'base64').toString('utf8');
  const jwt: string = dump.configs[0].bootstrap.dynamic_resources.ads_config.grpc_services[0].initial_metadata[0].value.replace('Bearer ', '');
  const keyLines = keyPem.split('\n').filter((line) => line && !line.startsWith('-----'));
  return [(tls.certificate_chain.inline_bytes as string).slice(0, 40), (tls.private_key.inline_bytes as string).slice(0, 40), root.slice(0, 40), ...keyLines, 'PRIVATE KEY', 'BEGIN CERTIFICATE', jwt, 'ya29.opaque-synthetic-access-token-0123456789', 'synthetic-key-passphrase', 'c3ludGhldGljOnBhc3N3b3Jk'];
}

before(() => nock.enableNetConnect(/127\.0\.0\.1/));
afterEach(() => nock.cleanAll());
after(() => nock.restore());

describe('/mesh proxy-config end to end through the Bolt HTTP receiver', () => {
  let bot: Bot | undefined;
  afterEach(async () => {
    await bot?.close();
    bot = undefined;
  });

  it('summarizes the certificates of the 1.26-1.28 secrets (the table\'s rows), flagging the expired chain and the warming secret', async () => {
    bot = await startBot({ istioctl: { version: '1.28.1' }, kubeConfig: nockKubeConfig });
    await bot.slash('proxy-config secret productpage-v1-6c886ff494-7vxhs.bookinfo');
    const answer = await bot.answer('C0OPS');
    // secret/istio/v1.26-1.28_output.txt: WARMING (no cert), `default` expired 2023-05-16, ROOTCA valid until 2033.
    assert.match(answer.text, /^productpage-v1-6c886ff494-7vxhs\.bookinfo \(default\) secret: 3 certificates: 1 critical, 1 needs attention/);
    const text = blockText(answer.blocks);
    assert.match(text, /^:red_circle: /m, 'an expired certificate is red');
    assert.match(text, /\n• default \(workload certificate\): CRITICAL, expired \d+ days ago → restart the pod/);
    assert.match(text, /\n• ROOTCA \(CA\): healthy, \d+ days left\n/);
    assert.match(text, /\n• configmap:\/\/some\/thing \(certificate\): WARMING, no certificate yet → /);
    const run = (await bot.istioctlInvocations()).find((argv) => argv[0] === 'proxy-config');
    // The JSON, not the table: only it carries the CAs behind each leaf.
    assert.deepEqual(run, ['proxy-config', 'secret', 'productpage-v1-6c886ff494-7vxhs.bookinfo', '--output', 'json']);
  });

  it('reads endpoints from `proxy-config eds -o json` and counts them per status and cluster', async () => {
    bot = await startBot({ istioctl: { version: '1.24.6' }, kubeConfig: nockKubeConfig });
    await bot.slash('pc endpoint sleep-abc -n default');
    const answer = await bot.answer('C0OPS');
    // eds/emptyfilter_output.json: 32 ClusterLoadAssignments, 36 endpoints, all HEALTHY.
    assert.match(answer.text, /sleep-abc\.default \(default\) endpoints: 36 endpoints in 32 clusters \(36 HEALTHY\)/);
    assert.match(blockText(answer.blocks), /• agent: 1 HEALTHY\n[\s\S]*…and 22 more/);
    assert.deepEqual((await bot.istioctlInvocations()).find((argv) => argv[0] === 'proxy-config'), ['proxy-config', 'eds', 'sleep-abc.default', '--output', 'json']);
  });

  it('lists clusters and endpoints that are not HEALTHY first', async () => {
    bot = await startBot({ istioctl: { version: '1.28.1', configDumpFile: SYNTHETIC }, kubeConfig: nockKubeConfig });
    await bot.slash('pc endpoints productpage-v1.default');
    const answer = await bot.answer('C0OPS');
    // The synthetic dump: 11 endpoints in 7 clusters, 4 HEALTHY, 2 UNHEALTHY, 2 DRAINING, 1 DEGRADED, 1 TIMEOUT, 1 UNKNOWN.
    assert.match(answer.text, /11 endpoints in 7 clusters \(4 HEALTHY, 2 DRAINING, 2 UNHEALTHY, 1 DEGRADED, 1 TIMEOUT, 1 UNKNOWN\)/);
    const text = blockText(answer.blocks);
    const perCluster = text.slice(text.indexOf('Per cluster'), text.indexOf('Endpoints not HEALTHY'));
    assert.ok(perCluster.indexOf('prometheus_stats') > perCluster.indexOf('details.default'), 'healthy-only clusters come last');
    assert.match(text, /Endpoints not HEALTHY \(7\)/);
  });

  it('checks listeners against the route configs actually present', async () => {
    bot = await startBot({ istioctl: { version: '1.28.1', configDumpFile: SYNTHETIC }, kubeConfig: nockKubeConfig });
    await bot.slash('pc listeners productpage-v1.default');
    const answer = await bot.answer('C0OPS');
    // The synthetic dump: 7 listeners; 0.0.0.0_15010's RDS route `15010` has no route config.
    assert.match(answer.text, /7 listeners .*1 without their route/);
    assert.match(blockText(answer.blocks), /0\.0\.0\.0_15010 → route 15010 missing/);
  });

  it('answers each pod problem with one clear sentence', async () => {
    bot = await startBot({ istioctl: { version: '1.28.1' }, kubeConfig: nockKubeConfig });
    await bot.slash('pc clusters missing-pod.shop');
    assert.match(blockText((await bot.answer('C0OPS')).blocks), /No pod matches missing-pod\. Check the name and namespace/);
    bot.slack.reset();
    await bot.slash('pc routes nosidecar-job.batch');
    assert.match(blockText((await bot.answer('C0OPS')).blocks), /Could not read the Envoy configuration of nosidecar-job\.batch: the pod has no running istio-proxy sidecar/);
  });

  it('refuses a bad TYPE, a namespace given twice differently and --fqdn outside clusters, with the usage line', async () => {
    bot = await startBot({ istioctl: { version: '1.28.1' }, kubeConfig: nockKubeConfig });
    const reply = async (text: string) => (JSON.parse((await bot!.slash(text)).http.body) as { text: string }).text;
    assert.match(await reply('pc stats x'), /unknown TYPE "stats" \(one of clusters, listeners, routes, endpoints, secret, bootstrap, log, all\)/);
    assert.match(await reply('pc clusters web.shop -n other'), /the pod says namespace "shop" but -n says "other"/);
    assert.match(await reply('pc routes web --fqdn reviews'), /--fqdn only applies to `proxy-config clusters`/);
    assert.match(await reply('pc clusters --fqdn=reviews'), /missing POD name/);
    assert.match(await reply('pc clusters Web_1'), /Usage: `\/mesh proxy-config TYPE POD\[\.NAMESPACE\] \[-n NAMESPACE\] \[--cluster NAME\]`/);
    assert.equal((await bot.istioctlInvocations()).filter((argv) => argv[0] === 'proxy-config').length, 0);
  });

  it('never lets keys, certificates or tokens of a config dump into Slack, uploaded files or logs', async () => {
    const planted = plantedSecrets();
    const raw = readFileSync(SYNTHETIC, 'utf8');
    for (const secret of planted) assert.ok(raw.includes(secret) || JSON.stringify(JSON.parse(raw)).includes(secret), `fixture lacks ${secret.slice(0, 20)}`);
    bot = await startBot({ istioctl: { version: '1.28.1', configDumpFile: SYNTHETIC }, kubeConfig: nockKubeConfig, env: { LOG_LEVEL: 'debug' } });

    await bot.slash('pc all productpage-v1.default');
    const all = await bot.answer('C0OPS');
    // Certificates are still summarized (read before redaction): the leaf expires 2026-11-26.
    assert.match(blockText(all.blocks), /\n• 3 certificates: /);
    const upload = findButton(all.blocks, 'pc_upload_full');
    assert.ok(upload?.value);
    await bot.click({ actionId: 'pc_upload_full', value: upload.value, messageTs: all.ts });
    const file = await bot.slack.waitFor((fake) => fake.files.find((candidate) => candidate.completed));
    const content = file.content?.toString('utf8') ?? '';
    assert.match(content, /outbound\|9080\|v1\|reviews\.default\.svc\.cluster\.local/, 'the useful config is there');
    assert.match(content, /\[redacted\]/);

    bot.slack.reset();
    await bot.slash('pc bootstrap productpage-v1.default');
    const bootstrap = await bot.answer('C0OPS');
    assert.match(blockText(bootstrap.blocks), /Cluster: prod-eu[\s\S]*Mesh id: mesh-prod/);
    // The secret JSON (what `pc secret -o json` prints) is uploaded redacted too.
    await bot.click({ actionId: 'pc_upload_full', value: JSON.stringify({ cluster: 'default', type: 'secret', pod: 'productpage-v1', namespace: 'default' }), messageTs: bootstrap.ts });
    const secretFile = await bot.slack.waitFor((fake) => fake.files.find((candidate) => candidate.completed));

    const everything = [content, secretFile.content?.toString('utf8') ?? '', JSON.stringify(bot.slack.calls), JSON.stringify(bot.slack.responses), JSON.stringify(all), JSON.stringify(bot.logLines)].join('\n');
    for (const secret of planted) assert.ok(!everything.includes(secret), `leaked: ${secret.slice(0, 30)}`);
  });

  it('lets none of the planted-secret corpus reach Slack through pc all, any upload, the thread or the logs', async () => {
    // test/fixtures/planted-secrets: the corpus's waypoint dump with credentials in listeners, routes, clusters, bootstrap, secrets.
    const plantedDump = fileURLToPath(new URL('../fixtures/planted-secrets/config_dump.json', import.meta.url));
    const plantedSecrets = (JSON.parse(readFileSync(new URL('../fixtures/planted-secrets/planted.json', import.meta.url), 'utf8')) as { place: string; secret: string }[]);
    bot = await startBot({ istioctl: { version: '1.28.1', configDumpFile: plantedDump }, kubeConfig: nockKubeConfig, env: { LOG_LEVEL: 'debug' } });

    await bot.slash('pc all waypoint-abc.default');
    const all = await bot.answer('C0OPS');
    const upload = findButton(all.blocks, 'pc_upload_full');
    assert.ok(upload?.value);
    const uploads: string[] = [];
    for (const type of ['all', 'clusters', 'listeners', 'routes', 'bootstrap', 'secret']) {
      const value = type === 'all' ? upload.value : JSON.stringify({ ...(JSON.parse(upload.value) as object), type });
      await bot.click({ actionId: 'pc_upload_full', value, messageTs: all.ts });
      const file = await bot.slack.waitFor((fake) => fake.files.filter((candidate) => candidate.completed)[uploads.length]);
      uploads.push(file.content?.toString('utf8') ?? '');
    }
    const [full = '', clusters = '', listeners = '', routes = ''] = uploads;
    // What an SRE needs is still in the files: cluster names, listener address and port, route domains and match, endpoints, certificate facts.
    assert.match(full, /"name": "outbound\|443\|\|payments\.example\.com"/);
    assert.match(clusters, /"address": "payments\.example\.com",\s*"portValue": 443/);
    assert.match(listeners, /"address": "0\.0\.0\.0",\s*"portValue": 8443/);
    assert.match(routes, /"domains": \[\s*"api\.example\.com",\s*"api\.example\.com:8443"\s*\]/);
    assert.match(routes, /"prefix": "\/partner\/"/);
    assert.match(full, /serial 6fbee254c22900615cb1f74e3d2f1713, .*not after 2023-05-16T01:32:52\.000Z/);

    const everything = [...uploads, JSON.stringify(bot.slack.calls), JSON.stringify(bot.slack.responses), JSON.stringify(bot.logLines)].join('\n');
    assert.deepEqual(plantedSecrets.filter(({ secret }) => everything.includes(secret)).map((p) => p.place), []);
  });

  it('groups logger levels, and shows bootstrap versions per corpus format', async () => {
    bot = await startBot({ istioctl: { version: '1.24.6' }, kubeConfig: nockKubeConfig });
    await bot.slash('pc log ratings-v1.default');
    const log = await bot.answer('C0OPS');
    assert.match(blockText(log.blocks), /Logger levels of ratings-v1\.default[\s\S]*warning \(\d+\): admin, /);
    bot.slack.reset();
    await bot.slash('pc bootstrap ratings-v1.default');
    // bootstrap/v1.20-1.25_bootstrapdump.json: ISTIO_VERSION 1.10.0.
    assert.match((await bot.answer('C0OPS')).text, /bootstrap: Istio 1\.10\.0, Envoy /);
  });
});
