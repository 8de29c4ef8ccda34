// `/mesh proxy-config` of a large and hostile config dump through Slack: every answer must be a post Slack takes
// (Block Kit limits, contract §6) and names from the dump must not notify anyone or become links.

import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import nock from 'nock';
import { blockText } from '../support/blocks.ts';
import { nockKubeConfig } from '../support/kube-nock.ts';
import { startBot, type Bot } from '../support/bot.ts';
import { blockKitViolations, liveMarkup } from './support/block-kit.ts';
import { hostileDump } from './support/hostile-dump.ts';
import { selfSignedRootPem, workloadCertificatePem } from '../../src/sandbox/root-ca.ts';
import { secretsConfigDumpJson } from '../support/secrets-dump.ts';
import { hoursFromNow, standIn } from '../breaker-ambient/support/harness.ts';

before(() => nock.enableNetConnect(/127\.0\.0\.1/));
afterEach(() => nock.cleanAll());
after(() => nock.restore());

const INJECT = '<!channel>-<https://evil.example|login>';

describe('/mesh pc on a dump with 3,000 clusters, 1,500 listeners, 400 virtual hosts and mrkdwn in names', () => {
  let bot: Bot | undefined;
  before(async () => {
    const dump = await hostileDump({ clusters: 3000, listeners: 1500, virtualHosts: 400, domainsPerHost: 12, inject: INJECT, unknownSection: true });
    bot = await startBot({ istioctl: { version: '1.28.1', configDumpFile: dump }, kubeConfig: nockKubeConfig });
  });
  after(() => bot?.close());

  for (const type of ['clusters', 'listeners', 'routes', 'endpoints', 'bootstrap', 'all']) {
    it(`pc ${type}: one answer within Block Kit limits, no live mention or link`, async () => {
      bot!.slack.reset();
      await bot!.slash(`pc ${type} productpage-v1.default`);
      const answer = await bot!.answer('C0OPS');
      assert.deepEqual(blockKitViolations(answer), []);
      assert.deepEqual(liveMarkup(`${answer.text}\n${blockText(answer.blocks)}`), []);
      assert.doesNotMatch(answer.text, /could not read|failed/i, answer.text);
    });
  }
});

describe('/mesh pc on a pod with the longest names Kubernetes allows', () => {
  let bot: Bot | undefined;
  before(async () => {
    const dump = await hostileDump({});
    bot = await startBot({ istioctl: { version: '1.28.1', configDumpFile: dump }, kubeConfig: nockKubeConfig });
  });
  after(() => bot?.close());

  // A pod name is a DNS subdomain (dots allowed), a namespace a DNS label (63 characters).
  const label = (letter: string) => letter.repeat(63);
  // POD.NAMESPACE is checked as one DNS subdomain (253), so the pod name is 188 characters here.
  const pod = [label('p'), label('q'), label('r').slice(0, 60)].join('.');
  const namespace = label('n');

  for (const type of ['clusters', 'routes', 'all']) {
    it(`pc ${type} ${pod.length}-character pod in a ${namespace.length}-character namespace: a post Slack takes`, async () => {
      bot!.slack.reset();
      await bot!.slash(`pc ${type} ${pod}.${namespace}`);
      const answer = await bot!.answer('C0OPS');
      assert.deepEqual(blockKitViolations(answer), []);
      assert.ok(blockText(answer.blocks).includes(pod), 'the pod is named in full somewhere');
    });
  }
});

describe('/mesh pc log of an Envoy with 600 loggers at every level (stand-in istioctl)', () => {
  let bot: Bot | undefined;
  before(async () => {
    // `istioctl proxy-config log POD` prints `POD.NS:` then Envoy's /logging answer verbatim (corpus log/INDEX row).
    const levels = ['trace', 'debug', 'info', 'warning', 'error', 'critical', 'off'];
    const loggers = Array.from({ length: 600 }, (_, index) => `  ${'envoy.extension.'.repeat(3)}logger_${index}: ${levels[index % levels.length]}`);
    const istioctl = await standIn('1.28.1', [{ when: ['proxy-config', 'log'], stdout: `web-1.default:\nactive loggers:\n${loggers.join('\n')}\n` }]);
    bot = await startBot({ kubeConfig: nockKubeConfig, env: { ISTIOCTL: istioctl.path } });
  });
  after(() => bot?.close());

  it('answers within Block Kit limits', async () => {
    await bot!.slash('pc log web-1.default');
    const answer = await bot!.answer('C0OPS');
    assert.deepEqual(blockKitViolations(answer), []);
    const counted = [...answer.text.matchAll(/(\d+) (trace|debug|info|warning|error|critical|off)\b/g)].reduce((sum, match) => sum + Number(match[1]), 0);
    assert.equal(counted, 600, answer.text);
  });
});

describe('/mesh pc secret of an ingress gateway serving 300 credentialName secrets (stand-in istioctl)', () => {
  let bot: Bot | undefined;
  before(async () => {
    // `proxy-config secret -o json`: 300 gateway credentials (leaf only), one expired, and the ROOTCA.
    const credentials = Array.from({ length: 300 }, (_, index) => ({
      name: `kubernetes://tls-${index}-${'x'.repeat(40)}`,
      chain: [workloadCertificatePem({ serial: (0x1000 + index).toString(16), notBefore: hoursFromNow(-24 * 30), notAfter: index === 299 ? hoursFromNow(-5) : hoursFromNow(24 * 60) }, `spiffe://cluster.local/ns/istio-system/sa/tls-${index}`)],
    }));
    const root = selfSignedRootPem({ serial: '2bcd', notBefore: hoursFromNow(-24 * 300), notAfter: hoursFromNow(24 * 3000) });
    const istioctl = await standIn('1.28.1', [{ when: ['proxy-config', 'secret'], stdout: secretsConfigDumpJson([...credentials, { name: 'ROOTCA', trustedCa: root }]) }]);
    bot = await startBot({ kubeConfig: nockKubeConfig, env: { ISTIOCTL: istioctl.path } });
  });
  after(() => bot?.close());

  it('answers within Block Kit limits and names the expired one', async () => {
    await bot!.slash('pc secret istio-ingressgateway-5d8f9c7b6-abcde.istio-system');
    const answer = await bot!.answer('C0OPS');
    assert.deepEqual(blockKitViolations(answer), []);
    assert.match(answer.text, /301 certificates: 1 critical/);
    assert.match(blockText(answer.blocks), /kubernetes:\/\/tls-299-x+ \(certificate\): CRITICAL, expired/);
  });
});
