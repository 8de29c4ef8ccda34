import type { WebClient } from '@slack/web-api';
import { renderCard } from '../../commands/canary.render.ts';
import type { Logger } from '../log.ts';
import { escapeMrkdwnKeepingMentions } from './blocks.ts';
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
        const reason = (cause as { data?: { error?: string } }).data?.error ?? (cause instanceof Error ? cause.message : String(cause));
        return err(reason === 'not_in_channel' || reason === 'channel_not_found' ? `mesh-bot cannot post in <#${channel}> (${reason}); invite it with \`/invite @mesh-bot\`` : reason);
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
