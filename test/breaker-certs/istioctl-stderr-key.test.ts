// istioctl's error text is shown to the user (terminal and Slack: "istioctl failed: <its Error: line>"). It went
// through a redaction that knew Bearer/Basic credentials, `token=`/`password:` assignments and Slack tokens, but not
// PEM: an error line quoting a private key (a secret istioctl or a plugin failed to load) was printed whole.
// README: private keys are never printed, whatever the path.

import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { describe, it } from 'node:test';
import { meshBot } from '../breaker-ambient/support/harness.ts';
import { PRODUCTPAGE, terminalWorld } from '../breaker-analyze/support/sidecar.ts';

const KEY_BODY = 'MHcCAQEEIBkg4LVWM9nuwNSk3yByxZpYRTBnVJk5YQ5PnjU2J3eToAoGCCqGSM49';
const STDERR = `Error: failed to load secret: key -----BEGIN EC PRIVATE KEY-----\\n${KEY_BODY}\\n-----END EC PRIVATE KEY----- is invalid\n`;

describe('pc secret when istioctl fails with a private key in its error line', () => {
  const world = terminalWorld('1.24.2', [{ when: ['proxy-config', 'secret'], stderr: STDERR, exit: 1 }]);

  it('says istioctl failed, without the key', async () => {
    const run = await meshBot(['pc', 'secret', `${PRODUCTPAGE}.bookinfo`], world().env);
    assert.notEqual(run.code, 0);
    assert.match(run.stderr, /istioctl failed: failed to load secret/);
    assert.ok(!run.stdout.includes(KEY_BODY.slice(0, 16)) && !run.stderr.includes(KEY_BODY.slice(0, 16)), run.stderr);
    assert.doesNotMatch(run.stderr, /PRIVATE KEY/);
  });
});

// The same redaction did not know key material without PEM armour (base64 DER, as a plugin or a Secret's data holds
// it) nor a token written as a URL's user name (`https://TOKEN@host`, a kubeconfig server client-go quotes).
describe('pc secret when istioctl fails quoting a bare base64 DER key and a URL with a token as its user', () => {
  const der = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'der' }).toString('base64');
  const token = 'kubeconfigtoken0123456789abcdef';
  const stderr = `Error: failed to load secret: key ${der} is invalid (Get "https://${token}@10.0.0.1:6443/api/v1/namespaces/bookinfo/secrets")\n`;
  const world = terminalWorld('1.24.2', [{ when: ['proxy-config', 'secret'], stderr, exit: 1 }]);

  it('says istioctl failed, without the key or the token', async () => {
    const run = await meshBot(['pc', 'secret', `${PRODUCTPAGE}.bookinfo`], world().env);
    assert.notEqual(run.code, 0);
    assert.match(run.stderr, /istioctl failed: failed to load secret/);
    for (const secret of [der.slice(0, 24), token]) assert.ok(!run.stdout.includes(secret) && !run.stderr.includes(secret), run.stderr);
  });
});
