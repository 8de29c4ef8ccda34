import assert from 'node:assert/strict';
import type { FakeSlack, StoredMessage } from '../../../src/sandbox/slack-api.ts';
import { blockText, buttons } from '../../support/blocks.ts';
import type { BotProcess } from './bot-process.ts';

export interface ApprovalCards {
  /** The approval cards posted in the approvals channel so far (thread replies left out). */
  cards(): StoredMessage[];
  /** Asks `bot` for a promotion as U0ALICE in C0OPS and returns the new card: its ts, request id and text. */
  request(bot: BotProcess, command: string): Promise<{ ts: string; id: string; text: string }>;
  /** The card at `ts` once its text matches `pattern`; the error quotes what it says when it never does. */
  settled(ts: string, pattern: RegExp): Promise<StoredMessage>;
}

/**
 * The approval cards the bots post into `channel` (C0REL: the tier's approvals channel). `slack` is asked at each
 * use: the tier's fake Slack starts in a before hook, after the scenarios are registered.
 */
export function approvalCards(slack: () => FakeSlack, channel = 'C0REL'): ApprovalCards {
  const cards = () => slack().messages(channel).filter((message) => message.via === 'api' && message.threadTs === undefined);
  return {
    cards,
    async request(bot, command) {
      const before = cards().length;
      await bot.slash(command, { userId: 'U0ALICE', channelId: 'C0OPS' });
      const card = await slack().waitFor((fake) => fake.messages(channel).filter((message) => message.via === 'api' && message.threadTs === undefined)[before], { timeoutMs: 60_000 });
      const id = buttons(card.blocks).find((element) => element.action_id === 'canary_approve')?.value;
      assert.ok(id, `the card has an Approve button: ${blockText(card.blocks)}`);
      return { ts: card.ts, id, text: `${card.text}\n${blockText(card.blocks)}` };
    },
    settled: (ts, pattern) =>
      slack()
        .waitFor((fake) => {
          const card = fake.message(channel, ts);
          return card && pattern.test(`${card.text}\n${blockText(card.blocks)}`) ? card : undefined;
        }, { timeoutMs: 60_000 })
        .catch((cause: unknown) => {
          const card = slack().message(channel, ts);
          throw new Error(`the card never matched ${String(pattern)}; it says:\n${card?.text ?? ''}\n${blockText(card?.blocks)}`, { cause });
        }),
  };
}
