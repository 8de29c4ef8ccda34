// BD-2: the digest's sample of proxies reads `proxy-config secret`, whose ROOTCA row is the root that proxy verifies its
// peers with. README Certificate health: "An expired certificate is critical everywhere: the red verdict of pc secret
// and pc all, and the digest's." `pc secret` of the same proxy is red; the digest must not be Healthy.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { meshBot } from '../breaker-ambient/support/harness.ts';
import { ONE_PROXY, PRODUCTPAGE, secretDump, terminalWorld } from './support/sidecar.ts';

describe('digest when a sampled proxy trusts an expired root', () => {
  // The ConfigMap root is valid until 2056; the proxy still holds a root that expired a day ago.
  const world = terminalWorld('1.24.2', [
    { when: ['proxy-status'], stdout: ONE_PROXY },
    { when: ['analyze'], stdout: '[]\n' },
    { when: ['proxy-config', 'secret'], stdout: secretDump({ ageHours: 4, rootNotAfterHours: -24 }) },
  ]);

  it('pc secret and the digest agree: critical', async () => {
    const { env } = world();
    const secret = await meshBot(['pc', 'secret', `${PRODUCTPAGE}.bookinfo`], env);
    assert.match(secret.stdout, /ROOTCA \(CA\): CRITICAL, expired/);

    const json = JSON.parse((await meshBot(['digest', '-o', 'json'], env)).stdout) as { verdict: { level: string; reasons: string[] } };
    assert.equal(json.verdict.level, 'critical', json.verdict.reasons.join(', '));
    const text = (await meshBot(['digest'], env)).stdout;
    assert.match(text, /^Verdict: Critical: .*expired/m);
    assert.match(text, new RegExp(`${PRODUCTPAGE}\\.bookinfo ROOTCA: CRITICAL, expired`));
  });
});
