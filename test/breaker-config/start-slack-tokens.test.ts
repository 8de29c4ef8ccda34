// DESIGN.md §2: "A missing or invalid setting stops the process at start with one line that names the setting and the
// problem". A token Slack refuses is such a setting; in Socket Mode there are two, and the line must name the one
// Slack refused: a revoked SLACK_APP_TOKEN was reported as "Check SLACK_BOT_TOKEN and SLACK_API_URL".

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { emptyHome, start, startWorld } from './support/start.ts';

const BOT_TOKEN = 'xoxb-1-2-breakerconfigbottoken';
const APP_TOKEN = 'xapp-1-A0FAKE-breakerconfigapptoken';

const world = startWorld();

async function startWith(env: Record<string, string>) {
  return start({ HOME: await emptyHome(), SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_API_URL: world().slack.apiUrl, PORT: '0', POD_NAMESPACE: 'mesh-bot', KUBECONFIG: world().kube.kubeconfig, ISTIOCTL: world().istioctl, ...env });
}

/** The plain lines that stop the start (JSON log records aside), after checking no line echoes a token. */
function failureLines(lines: readonly string[]): string[] {
  for (const line of lines) {
    assert.equal(line.includes(BOT_TOKEN), false, 'the bot token is not echoed');
    assert.equal(line.includes(APP_TOKEN), false, 'the app token is not echoed');
  }
  return lines.filter((line) => line.trim() !== '' && !line.startsWith('{'));
}

describe('a Slack token Slack refuses at start', () => {
  it('Socket Mode, app-level token revoked: one line naming SLACK_APP_TOKEN, not SLACK_BOT_TOKEN', async () => {
    world().slack.reset();
    world().slack.failNext('apps.connections.open', 'invalid_auth', 20);
    const outcome = await startWith({ SLACK_APP_TOKEN: APP_TOKEN });
    assert.equal(outcome.result, 2, outcome.lines.join('\n'));
    assert.deepEqual(failureLines(outcome.lines), [
      'mesh-bot: SLACK_APP_TOKEN: Slack refused it (invalid_auth). Generate an app-level token with the connections:write scope under Basic Information → App-Level Tokens and set it.',
    ]);
  });

  it('Socket Mode, bot token revoked: one line naming SLACK_BOT_TOKEN', async () => {
    world().slack.reset();
    world().slack.failNext('auth.test', 'token_revoked', 20);
    const outcome = await startWith({ SLACK_APP_TOKEN: APP_TOKEN });
    assert.equal(outcome.result, 2, outcome.lines.join('\n'));
    assert.deepEqual(failureLines(outcome.lines), [
      "mesh-bot: SLACK_BOT_TOKEN: Slack refused it (token_revoked). Copy the Bot User OAuth Token (xoxb-…) from the app's Install App page, reinstalling the app if it was revoked.",
    ]);
  });

  it('HTTP mode, bot token refused: one line naming SLACK_BOT_TOKEN', async () => {
    world().slack.reset();
    world().slack.failNext('auth.test', 'invalid_auth', 20);
    const outcome = await startWith({ SLACK_SIGNING_SECRET: 'breaker-config-signing-secret' });
    assert.equal(outcome.result, 2, outcome.lines.join('\n'));
    assert.deepEqual(failureLines(outcome.lines), [
      "mesh-bot: SLACK_BOT_TOKEN: Slack refused it (invalid_auth). Copy the Bot User OAuth Token (xoxb-…) from the app's Install App page, reinstalling the app if it was revoked.",
    ]);
  });
});
