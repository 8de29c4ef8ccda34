// Redaction by value: the credentials an operator configured (SLACK_SIGNING_SECRET, SLACK_BOT_TOKEN,
// SLACK_APP_TOKEN) never appear in a log line, whatever part of the line they reach — and the line still says
// everything else. The logger is read as an operator reads it: the JSON lines it writes.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createLogger } from '../src/log.ts';
import { cluster, meshBot, namespace, standIn } from './breaker-ambient/support/harness.ts';

/** 32 hex digits, like Slack's: no pattern can tell it from a hash or an id. */
const SIGNING_SECRET = '8f14e45fceea167a5a36dedd4bea2543';
/** Valid for the config (xoxb- and no whitespace) but not only the characters the token pattern knows. */
const BOT_TOKEN = 'xoxb-1111111111-2222222222-Prod.Bot_Token.Value';
/** A quote and a backslash: the line holds it JSON-escaped, and doubly so inside a quoted JSON body. */
const APP_TOKEN = 'xapp-1-A0"B\\C-0123456789abcdef';
const SECRETS = [SIGNING_SECRET, BOT_TOKEN, APP_TOKEN];

function capture(secrets: readonly string[]): { logger: ReturnType<typeof createLogger>; lines: () => string[] } {
  const written: string[] = [];
  const logger = createLogger('debug', { write: (line: string) => void written.push(line) }, secrets);
  return { logger, lines: () => written.join('').split('\n').filter((line) => line !== '') };
}

/** Every spelling the value could have in a line: as is, JSON-escaped once (a string) and twice (a quoted JSON body). */
function leaks(line: string, secret: string): boolean {
  const once = JSON.stringify(secret).slice(1, -1);
  const twice = JSON.stringify(once).slice(1, -1);
  return [secret, once, twice].some((spelling) => line.includes(spelling));
}

function assertNoSecret(lines: readonly string[], secrets: readonly string[] = SECRETS): void {
  for (const line of lines) {
    assert.doesNotThrow(() => JSON.parse(line), `not JSON: ${line}`);
    for (const secret of secrets) assert.equal(leaks(line, secret), false, `${secret.slice(0, 6)}… is in ${line}`);
  }
}

describe('configured secrets in log lines', () => {
  it('are replaced in messages, error messages, nested fields, key names, child bindings, JSON and URLs, and the rest of the line stays', () => {
    const { logger, lines } = capture(SECRETS);
    logger.warn({ what: 'command result' }, `Slack call failed: invalid_auth for ${BOT_TOKEN}; check the app's scopes`);
    logger.error({ err: new Error(`signature check with ${SIGNING_SECRET} failed`) }, 'Slack listener error');
    logger.error(new Error(`istioctl: Unauthorized (${APP_TOKEN})`));
    logger.info({ request: { headers: [`x-echo: ${SIGNING_SECRET}`] }, [SIGNING_SECRET]: 'pasted as a key' }, 'echoed request');
    logger.warn({ body: JSON.stringify({ ok: false, error: 'invalid_auth', token: APP_TOKEN }) }, 'Slack answered');
    logger.child({ command: `status --cluster ${SIGNING_SECRET}` }).info('command status invalid');
    logger.debug({ url: `https://slack.example/api/auth.test?token=${encodeURIComponent(APP_TOKEN)}&pretty=1` }, 'Slack request');

    const written = lines();
    assert.equal(written.length, 7);
    assertNoSecret(written);
    assert.equal(written.some((line) => line.includes(encodeURIComponent(APP_TOKEN))), false);
    const [slack, listener, thrown, echoed, body, child, request] = written.map((line) => JSON.parse(line) as Record<string, unknown>);
    assert.equal(slack?.['msg'], "Slack call failed: invalid_auth for [redacted]; check the app's scopes");
    assert.equal((listener?.['err'] as { message: string }).message, 'signature check with [redacted] failed');
    assert.equal(listener?.['msg'], 'Slack listener error');
    assert.equal(thrown?.['msg'], 'istioctl: Unauthorized ([redacted])');
    assert.deepEqual(echoed?.['request'], { headers: ['x-echo: [redacted]'] });
    assert.equal(echoed?.['[redacted]'], 'pasted as a key');
    assert.deepEqual(JSON.parse(String(body?.['body'])), { ok: false, error: 'invalid_auth', token: '[redacted]' });
    assert.equal(child?.['command'], 'status --cluster [redacted]');
    assert.equal(child?.['msg'], 'command status invalid');
    assert.equal(request?.['url'], 'https://slack.example/api/auth.test?token=[redacted]&pretty=1');
  });

  it('are replaced when the text holding them was clipped through the secret (its first or last 8+ characters)', () => {
    const { logger, lines } = capture(SECRETS);
    logger.info({ audit: { detail: `frobnicate xxxxxxxxxx ${SIGNING_SECRET.slice(0, 18)}…` } }, 'command unknown invalid');
    logger.info({ tail: `…${SIGNING_SECRET.slice(-9)} was the rest` }, 'clipped at the start');
    const [head, tail] = lines().map((line) => JSON.parse(line) as Record<string, unknown>);
    assert.deepEqual(head?.['audit'], { detail: 'frobnicate xxxxxxxxxx [redacted]…' });
    assert.equal(tail?.['tail'], '…[redacted] was the rest');
  });

  it('are replaced in a number, which becomes the string "[redacted]" so the line stays JSON', () => {
    const { logger, lines } = capture(['4444444455555555']);
    logger.warn({ timestamp: 4444444455555555, durationMs: 12 }, 'refused a request');
    const line = JSON.parse(lines()[0] ?? '') as Record<string, unknown>;
    assert.deepEqual({ timestamp: line['timestamp'], durationMs: line['durationMs'], msg: line['msg'] }, { timestamp: '[redacted]', durationMs: 12, msg: 'refused a request' });
  });

  it('shorter than 8 characters are not searched for, so they cannot blank out ordinary words', () => {
    const { logger, lines } = capture([SIGNING_SECRET, 'mesh', 'serving']);
    logger.info({ port: 3000 }, `mesh-bot is serving Slack (http mode) on port 3000, not ${SIGNING_SECRET}`);
    const line = JSON.parse(lines()[0] ?? '') as Record<string, unknown>;
    assert.equal(line['app'], 'mesh-bot');
    assert.equal(line['msg'], 'mesh-bot is serving Slack (http mode) on port 3000, not [redacted]');
  });
});

describe('an error logged without a message of its own', () => {
  it('has its token-shaped text redacted in the message pino takes from it, configured or not', () => {
    const { logger, lines } = capture([]);
    logger.error(new Error('Slack said invalid_auth for xoxb-999-888-SomeoneElsesToken'));
    logger.warn({ err: new Error('Bearer eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJib3QifQ.c2lnbmF0dXJlLXNpZ24 rejected') });
    const [first, second] = lines().map((line) => JSON.parse(line) as Record<string, unknown>);
    assert.equal(first?.['msg'], 'Slack said invalid_auth for [redacted]');
    assert.equal(second?.['msg'], '[redacted] rejected');
  });
});

describe('the terminal mode (mesh-bot on a laptop or in the pod, LOG_LEVEL=debug)', () => {
  it('logs the istioctl run of a command typed with the signing secret in it without the secret', async () => {
    const kube = await cluster([namespace('istio-system')]);
    try {
      const istioctl = await standIn('1.28.1', [{ when: ['analyze'], stdout: '[]\n' }]);
      const run = await meshBot(['analyze', '-n', SIGNING_SECRET], { KUBECONFIG: kube.kubeconfig, ISTIOCTL: istioctl.path, LOG_LEVEL: 'debug', SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_BOT_TOKEN: BOT_TOKEN });
      const logLines = run.stderr.split('\n').filter((line) => line.startsWith('{'));
      const finished = logLines.map((line) => JSON.parse(line) as { msg?: string; istioctl?: { args: string[] } }).find((line) => line.msg === 'istioctl finished' && line.istioctl?.args[0] === 'analyze');
      assert.ok(finished, `no istioctl line in:\n${run.stderr}`);
      assert.deepEqual(finished.istioctl?.args.slice(0, 3), ['analyze', '--namespace', '[redacted]']);
      assertNoSecret(logLines);
    } finally {
      await kube.close();
    }
  });
});
