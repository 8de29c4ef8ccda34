import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { startBot, type Bot } from '../support/bot.ts';
import { eventually } from '../support/eventually.ts';
import { reviewsWeights, seedReviews } from '../support/bookinfo.ts';
import { startFakeKubeApi, type FakeKubeApi } from '../../src/sandbox/kube-api.ts';
import { startFakeSlack, type FakeSlack } from '../../src/sandbox/slack-api.ts';

/** Approval cards go to the channel the command is typed in, so the promote confirmation is private (ephemeral). */
const CONFIG = `
access:
  operators: { users: [U0ALICE] }
  approvers: { users: [U0BOB] }
approvals:
  ttl: 30m
`;

interface AuditEntry {
  readonly command: string;
  readonly outcome: string;
  readonly detail?: string;
}

/**
 * Private answers (`response_type: ephemeral`) are not all refusals: the audit line says what happened, so a
 * security review counting refusals counts only refusals.
 */
describe('the audit line of a /mesh command with a private answer', () => {
  let api: FakeKubeApi;
  let slack: FakeSlack;
  let bot: Bot | undefined;

  before(async () => {
    slack = await startFakeSlack();
  });
  after(() => slack.close());
  beforeEach(async () => {
    slack.reset();
    api = await startFakeKubeApi();
    seedReviews(api);
    bot = await startBot({ istioctl: { version: '1.24.2', scenario: 'healthy' }, kubeConfig: () => api.kubeConfig(), sharedSlack: slack, configYaml: CONFIG });
  });
  afterEach(async () => {
    await bot?.close();
    bot = undefined;
    await api.close();
  });

  async function audited(text: string, reply: RegExp): Promise<{ entry: AuditEntry; answer: { text: string; responseType: unknown } }> {
    const running = bot!;
    await running.slash(text, { userId: 'U0ALICE', channelId: 'C0OPS' });
    const response = await slack.waitFor((fake) => fake.responses.find((candidate) => reply.test(String(candidate.body['text'] ?? ''))), { timeoutMs: 10_000 });
    const entry = await eventually(() => running.logLines.map((line) => line['audit'] as AuditEntry | undefined).find((audit) => audit !== undefined && audit.command !== undefined && audit.command.startsWith('canary')));
    return { entry, answer: { text: String(response.body['text']), responseType: response.body['response_type'] } };
  }

  it('a promotion request confirmed privately (its card is in the same channel) is audited ok', async () => {
    const { entry, answer } = await audited('canary promote reviews --weight 50 -n bookinfo', /^Approval requested for bookinfo\/reviews/);
    assert.equal(answer.responseType, 'ephemeral');
    assert.deepEqual({ command: entry.command, outcome: entry.outcome, detail: entry.detail }, { command: 'canary promote', outcome: 'ok', detail: undefined });
  });

  it('"already at that weight" is audited ok, not refused', async () => {
    const { entry, answer } = await audited('canary promote reviews --weight 10 -n bookinfo', /already/);
    assert.equal(answer.responseType, 'ephemeral');
    assert.match(answer.text, /^:information_source: /);
    assert.deepEqual({ command: entry.command, outcome: entry.outcome }, { command: 'canary promote', outcome: 'ok' });
    assert.deepEqual(reviewsWeights(api), [90, 10]);
  });

  it('a rollback with no stable/canary record and no --to is audited refused, with the reason', async () => {
    const { entry, answer } = await audited('canary rollback reviews -n bookinfo', /^:no_entry: /);
    assert.equal(answer.responseType, 'ephemeral');
    assert.equal(entry.command, 'canary rollback');
    assert.equal(entry.outcome, 'refused');
    assert.equal(entry.detail, answer.text.replace(/^:no_entry: /, ''));
    assert.deepEqual(reviewsWeights(api), [90, 10]);
  });

  it('a VirtualService that does not exist is audited refused, and nothing is written', async () => {
    const { entry } = await audited('canary promote ratings --weight 50 -n bookinfo', /^:no_entry: /);
    assert.deepEqual({ command: entry.command, outcome: entry.outcome }, { command: 'canary promote', outcome: 'refused' });
    assert.equal(api.requests.filter((request) => request.method === 'PATCH' || request.method === 'POST').filter((request) => /virtualservices/.test(request.path)).length, 0);
  });
});
