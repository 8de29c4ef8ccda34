import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { scrubSecrets } from '../src/log.ts';
import { capturingLogger } from './support/quiet.ts';

const capture = () => capturingLogger('info');

const BOT_TOKEN = 'xoxb-1234567890-0987654321-AbCdEfGhIjKlMnOpQrStUvWx';
const APP_TOKEN = 'xapp-1-A012345-6789-abcdef0123456789';
const JWT = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQifQ.c2lnbmF0dXJlLXNpZ25hdHVyZQ';
const KEY = '-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA7Vb\n-----END RSA PRIVATE KEY-----';

describe('structured logs', () => {
  it('writes one JSON object per line with level and time', () => {
    const { logger, text } = capture();
    logger.info({ audit: { user: 'U0ALICE' } }, 'command status ok');
    const line = JSON.parse(text().trim()) as Record<string, unknown>;
    assert.equal(line['level'], 'info');
    assert.equal(line['msg'], 'command status ok');
    assert.deepEqual(line['audit'], { user: 'U0ALICE' });
    assert.ok(!Number.isNaN(Date.parse(String(line['time']))));
  });

  it('never prints tokens, signing secrets, bearer credentials, JWTs or private keys, under any key or in free text', () => {
    const { logger, text } = capture();
    logger.info({ token: 'plain-secret-value', signingSecret: 'signing-secret-value', headers: { authorization: `Bearer ${JWT}` } }, 'auth');
    logger.warn({ err: new Error(`Slack said invalid_auth for ${BOT_TOKEN}`) }, 'Slack call failed');
    logger.error(`istioctl stderr: ${KEY} and ${APP_TOKEN}`);
    const output = text();
    for (const secret of ['plain-secret-value', 'signing-secret-value', JWT, BOT_TOKEN, APP_TOKEN, 'MIIEowIBAAKCAQEA7Vb']) assert.equal(output.includes(secret), false, `leaked ${secret.slice(0, 12)}…`);
    assert.match(output, /\[redacted\]/);
  });

  it('keeps ordinary text intact', () => {
    assert.equal(scrubSecrets('proxy reviews-v1-5fd6.bookinfo is STALE'), 'proxy reviews-v1-5fd6.bookinfo is STALE');
  });
});
