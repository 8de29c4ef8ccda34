import type { App } from '@slack/bolt';
import { escapeMrkdwn } from '../blocks.ts';
import { audit, postSafely, type ListenerContext } from '../context.ts';
import { handledActionIds } from './actions/click.ts';

const UNKNOWN_BUTTON = ':warning: mesh-bot does not handle this button or menu (it may come from another mesh-bot version). Run the command again with `/mesh …` for a fresh answer.';

/**
 * Acks what Slack delivers to the Request URL that no other listener takes: a click on a button another mesh-bot
 * version rendered (during a rolling update any replica may get any click), a modal, a shortcut, a menu's options,
 * a slash command under another name.
 * Unacked, Bolt's receiver answers 404 after 3 s and Slack shows the person an error and nothing else.
 */
export function registerUnhandled(app: App, ctx: ListenerContext): void {
  // The manifest's command renamed (two mesh-bots in one workspace): every answer and hint says `/mesh`.
  app.command(/^(?!\/mesh$)/, async ({ ack, command }) => {
    await ack({ response_type: 'ephemeral', text: `:warning: mesh-bot answers the slash command \`/mesh\` only, and this app sends it \`${escapeMrkdwn(command.command)}\`. Ask the app's admin to name the command \`/mesh\` in its manifest.` });
    audit(ctx, 'command', { user: command.user_id, channel: command.channel_id, command: 'unknown', outcome: 'invalid', durationMs: 0, detail: command.command });
  });
  app.action(/^/, async ({ ack, action, body, respond }) => {
    const actionId = 'action_id' in action ? action.action_id : '';
    if (handledActionIds(app).has(actionId)) return;
    await ack();
    const channel = 'channel' in body ? (body.channel?.id ?? '') : '';
    if (body.type === 'block_actions') await postSafely(ctx.logger, () => respond({ response_type: 'ephemeral', replace_original: false, text: UNKNOWN_BUTTON }), 'unknown button notice');
    ctx.metrics.clicks.inc({ action: 'unknown', outcome: 'invalid' });
    audit(ctx, 'click', { user: body.user.id, channel, command: 'unknown', outcome: 'invalid', durationMs: 0, detail: actionId });
  });
  app.view(/^/, async ({ ack }) => ack());
  app.view({ type: 'view_closed', callback_id: /^/ }, async ({ ack }) => ack());
  app.shortcut(/^/, async ({ ack }) => ack());
  app.options(/^/, async ({ ack }) => ack({ options: [] }));
}
