// What reaches mesh-bot's log as free text or nested fields, beyond the configured Slack credentials: README
// "Tokens, signing secrets, bearer credentials, JWTs and private keys are redacted from every log line, including
// free text". Each line below is logged the way mesh-bot logs failures (`{ err }`, a message, a nested field).

import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { describe, it } from 'node:test';
import { capturingLogger } from '../support/quiet.ts';

const capture = () => capturingLogger('debug');

describe('log lines that carry a credential nobody configured', () => {
  it('redact a private key in base64 DER (no PEM armour) quoted by an error, of every algorithm', () => {
    const { logger, text } = capture();
    const keys = [
      generateKeyPairSync('ed25519').privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64'),
      generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'der', type: 'sec1' }).toString('base64'),
      generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64'),
    ];
    for (const key of keys) logger.error({ err: new Error(`failed to load key ${key}: bad curve`) }, 'secret load failed');
    const log = text();
    for (const key of keys) assert.equal(log.includes(key.slice(0, 40)), false, `a key starting ${key.slice(0, 8)} was logged`);
    assert.match(log, /failed to load key \[redacted\]: bad curve/);
  });

  it('redact Basic credentials and a password in a URL', () => {
    const { logger, text } = capture();
    logger.warn({ err: new Error('upstream said 401 to Authorization: Basic YWRtaW46aHVudGVyMmh1bnRlcjI=') }, 'request failed');
    logger.warn({ err: new Error('request to https://admin:hunter2hunter2@10.0.0.1:6443/api failed') }, 'request failed');
    const log = text();
    assert.doesNotMatch(log, /YWRtaW46aHVudGVyMmh1bnRlcjI/);
    assert.doesNotMatch(log, /hunter2hunter2/);
    assert.match(log, /10\.0\.0\.1:6443\/api failed/, 'the host stays, so the line still says where');
  });

  it('redact Slack refresh tokens (xoxe-) like every other Slack token', () => {
    const { logger, text } = capture();
    logger.warn({ err: new Error('token rotation failed for xoxe-1-My0xLTEyMzQ1Njc4OTAxMi0xMjM0NTY3ODkwMTIz') }, 'Slack call failed');
    assert.doesNotMatch(text(), /My0xLTEyMzQ1Njc4OTAxMi0xMjM0NTY3ODkwMTIz/);
  });

  it('redact a Socket Mode connection ticket, a file upload URL and Kubernetes tokens that carry no Bearer (EKS, OpenShift)', () => {
    const { logger, text } = capture();
    logger.debug('http request result: {"ok":true,"url":"wss://wss-primary.slack.com/link/?ticket=5b8f2c1e-0d7a-4a9b-9c3e-0f1a2b3c4d5e&app_id=A0MESHBOT"}');
    logger.warn({ err: new Error('exec plugin printed status.token k8s-aws-v1.aHR0cHM6Ly9zdHMuYW1hem9uYXdzLmNvbS8_QWN0aW9uPUdldENhbGxlcklkZW50aXR5 unexpectedly') }, 'credential plugin failed');
    logger.warn({ err: new Error('oauth: sha256~Xk3vQp9rLm2NwB7yTz5aHc8dJf4gKs1eUo6iPq0 rejected') }, 'API call failed');
    logger.warn({ err: new Error('gke-gcloud-auth-plugin: token ya29.a0AfB_byC3xVb8Nq2Lp5Kd9Rt4Wm7Yz1Hs6Jf0Ge expired') }, 'credential plugin failed');
    logger.debug('http request result: {"ok":true,"upload_url":"https://files.slack.com/upload/v1/CwABAAAAXwoAAVnX2kq9","file_id":"F0FILE"}');
    const log = text();
    assert.doesNotMatch(log, /CwABAAAAXwoAAVnX2kq9/);
    assert.match(log, /"file_id\\?":\\?"F0FILE/, 'the file id stays');
    assert.doesNotMatch(log, /5b8f2c1e-0d7a-4a9b/);
    assert.match(log, /app_id=A0MESHBOT/, 'only the ticket is removed from the URL');
    assert.doesNotMatch(log, /aHR0cHM6Ly9zdHMuYW1hem9uYXdzLmNvbS8/);
    assert.doesNotMatch(log, /Xk3vQp9rLm2NwB7yTz5aHc8dJf4gKs1eUo6iPq0/);
    assert.doesNotMatch(log, /a0AfB_byC3xVb8Nq2Lp5Kd9Rt4Wm7Yz1Hs6Jf0Ge/);
  });

  it('never write an object nested deeper than the scrubber walks as it is', () => {
    const { logger, text } = capture();
    const request = { headers: { authorization: 'Bearer sha256~DeepKubeTokenValue0123456789', password: 'hunter2hunter2' } };
    logger.warn({ err: { response: { request: { options: { agent: { proxy: { auth: request } } } } } } }, 'API call failed');
    const log = text();
    assert.doesNotMatch(log, /DeepKubeTokenValue0123456789/);
    assert.doesNotMatch(log, /hunter2hunter2/);
    assert.match(log, /API call failed/);
  });

  it('name each error by its class, with neither its stack nor its cause (where secrets hide)', () => {
    const { logger, text } = capture();
    logger.error({ err: new TypeError('fetch failed', { cause: new Error('Bearer sha256~CauseTokenValue0123456789') }) }, 'API call failed');
    logger.error(new RangeError('out of range'));
    const [first, second] = text().trim().split('\n').map((line) => JSON.parse(line) as { err: Record<string, unknown> });
    assert.deepEqual(first?.err, { type: 'TypeError', message: 'fetch failed' });
    assert.deepEqual(second?.err, { type: 'RangeError', message: 'out of range' });
    assert.doesNotMatch(text(), /CauseTokenValue/);
  });
});
