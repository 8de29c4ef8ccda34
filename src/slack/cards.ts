import type { WebClient } from '@slack/web-api';
import { renderCard } from '../../commands/canary.render.ts';
import type { Logger } from '../log.ts';
import { escapeMrkdwnKeepingMentions } from './blocks.ts';
import { notInChannel, slackErrorCode, unconfirmed } from './errors.ts';
import type { ApprovalCards } from '../mesh/canary/cards.ts';
import { err, ok } from '../result.ts';

/** Approval cards as Slack channel messages: posted once, then rewritten in place from the durable request. */
export function slackApprovalCards(client: WebClient, logger: Logger, now: () => Date): ApprovalCards {
  return {
    async post(request, channel, notify) {
      const card = renderCard(request, now(), notify);
      try {
        const posted = await client.chat.postMessage({ channel, text: card.text, blocks: [...card.blocks] });
        if (!posted.ts || !posted.channel) return err('Slack did not return the message timestamp');
        return ok({ channel: posted.channel, ts: posted.ts });
      } catch (cause) {
        logger.warn({ err: cause }, 'could not post the approval card');
        if (notInChannel(cause)) return err(`mesh-bot cannot post in <#${channel}> (${slackErrorCode(cause)}); invite it with \`/invite @mesh-bot\``);
        // The card may be in the channel all the same: its request is cancelled, so its buttons can change nothing.
        const lost = unconfirmed(cause);
        if (lost !== null) return err(`Slack did not confirm the card (${lost}); a card that shows up in <#${channel}> anyway belongs to the cancelled request and its buttons change nothing`);
        return err(`Slack answered \`${slackErrorCode(cause)}\``);
      }
    },
    async update(request) {
      if (!request.card) return false;
      const card = renderCard(request, now());
      try {
        await client.chat.update({ channel: request.card.channel, ts: request.card.ts, text: card.text, blocks: [...card.blocks] });
        return true;
      } catch (cause) {
        logger.warn({ err: cause, request: request.id }, 'could not update the approval card');
        return false;
      }
    },
    async reply(request, text) {
      if (!request.card) return;
      try {
        // Replies quote Kubernetes errors (outcome messages): escaped, with the people they name still mentioned.
        await client.chat.postMessage({ channel: request.card.channel, thread_ts: request.card.ts, text: escapeMrkdwnKeepingMentions(text) });
      } catch (cause) {
        logger.warn({ err: cause, request: request.id }, 'could not reply under the approval card');
      }
    },
  };
}
