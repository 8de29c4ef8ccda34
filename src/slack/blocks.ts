import type { ActionsBlock, Button, ContextBlock, DividerBlock, HeaderBlock, KnownBlock, SectionBlock } from '@slack/types';

/** Block Kit limits (Slack docs; `msg_blocks_too_long` seen around 12-13k characters of block text). */
export const LIMITS = {
  blocks: 50,
  sectionText: 3000,
  fieldText: 2000,
  fields: 10,
  headerText: 150,
  contextElements: 10,
  buttonText: 75,
  buttonValue: 2000,
  confirmTitle: 100,
  confirmText: 300,
  confirmButton: 30,
  totalBlockText: 11_000,
  topLevelText: 3900,
} as const;

export interface SlackMessage {
  /** One line saying the essential: notifications and screen readers read only this. */
  readonly text: string;
  readonly blocks: readonly KnownBlock[];
}

/**
 * THE escape for text mesh-bot did not write (istioctl output, Kubernetes names and errors, user input) before it
 * goes into any mrkdwn field: a message's top-level `text` (message() does it), section/field/context text, thread
 * replies (postListUnder does it), ephemeral replies. Slack reads only `&`, `<` and `>` as control characters, so
 * escaping these three makes `<!channel>`, `<!here>`, `<@U…>` and `<https://…|label>` show as typed instead of
 * notifying people or becoming links. plain_text fields (headers, buttons) and uploaded files are not parsed and
 * must not be escaped.
 */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * Escapes a sentence of ours that names people: user, user-group and channel mentions (`<@U…>`, `<!subteam^S…>`,
 * `<#C…>`) stay live so Slack shows names, everything else is escaped as with escapeMrkdwn.
 */
export function escapeMrkdwnKeepingMentions(text: string): string {
  return text
    .split(/(<@[UW][A-Z0-9]+>|<!subteam\^[A-Z0-9]+>|<#C[A-Z0-9]+>)/)
    .map((part, index) => (index % 2 === 1 ? part : escapeMrkdwn(part)))
    .join('');
}

export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${text.slice(0, Math.max(0, max - 1))}…`;
}

export function header(text: string): HeaderBlock {
  return { type: 'header', text: { type: 'plain_text', text: truncate(text, LIMITS.headerText), emoji: true } };
}

export function section(markdown: string): SectionBlock {
  return { type: 'section', text: { type: 'mrkdwn', text: truncate(markdown, LIMITS.sectionText) } };
}

export function fields(items: readonly string[]): SectionBlock {
  return {
    type: 'section',
    fields: items.slice(0, LIMITS.fields).map((item) => ({ type: 'mrkdwn', text: truncate(item, LIMITS.fieldText) })),
  };
}

export function context(items: readonly string[]): ContextBlock {
  return { type: 'context', elements: items.slice(0, LIMITS.contextElements).map((item) => ({ type: 'mrkdwn', text: truncate(item, LIMITS.fieldText) })) };
}

export function divider(): DividerBlock {
  return { type: 'divider' };
}

export interface ButtonSpec {
  readonly text: string;
  readonly actionId: string;
  readonly value: string;
  readonly style?: 'primary' | 'danger';
  readonly confirm?: { readonly title: string; readonly text: string; readonly confirm: string; readonly deny: string };
}

export function button(spec: ButtonSpec): Button {
  const element: Button = {
    type: 'button',
    text: { type: 'plain_text', text: truncate(spec.text, LIMITS.buttonText), emoji: true },
    action_id: spec.actionId,
    value: truncate(spec.value, LIMITS.buttonValue),
  };
  if (spec.style) element.style = spec.style;
  if (spec.confirm) {
    element.confirm = {
      title: { type: 'plain_text', text: truncate(spec.confirm.title, LIMITS.confirmTitle) },
      text: { type: 'mrkdwn', text: truncate(spec.confirm.text, LIMITS.confirmText) },
      confirm: { type: 'plain_text', text: truncate(spec.confirm.confirm, LIMITS.confirmButton) },
      deny: { type: 'plain_text', text: truncate(spec.confirm.deny, LIMITS.confirmButton) },
    };
  }
  return element;
}

export function actions(blockId: string, buttons: readonly Button[]): ActionsBlock {
  return { type: 'actions', block_id: blockId, elements: buttons.slice(0, 25) };
}

function blockTextLength(block: KnownBlock): number {
  return JSON.stringify(block).length;
}

/**
 * Builds a message that always fits Slack's limits: at most 50 blocks and a total block size within budget.
 * Blocks beyond the budget are dropped from the end, replaced by a context line saying so; the
 * top-level text is escaped (plain text in, mentions of people kept) and clipped. Callers put the most
 * important blocks first, and escape what they put into blocks themselves (blocks mix our mrkdwn with theirs).
 */
export function message(text: string, blocks: readonly KnownBlock[]): SlackMessage {
  const kept: KnownBlock[] = [];
  let size = 0;
  const reserve = 200;
  for (const [index, block] of blocks.entries()) {
    const length = blockTextLength(block);
    const isLast = index === blocks.length - 1;
    const roomForNotice = isLast ? 0 : reserve;
    if (kept.length >= LIMITS.blocks - (isLast ? 0 : 1) || size + length > LIMITS.totalBlockText - roomForNotice) {
      kept.push(context([`_${blocks.length - index} more block(s) left out to fit Slack's message limits._`]));
      break;
    }
    kept.push(block);
    size += length;
  }
  // The top-level text is mrkdwn too (notifications show it): escaped here, once, for every message; the
  // approver mentions a pending canary card carries on purpose stay live.
  return { text: truncate(escapeMrkdwnKeepingMentions(text), LIMITS.topLevelText), blocks: kept };
}
