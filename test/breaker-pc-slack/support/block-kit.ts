// What Slack itself refuses or mangles (/work/shared/reference/slack.md "Size limits"), checked on a message the bot
// posted, so a test states every limit a post broke instead of the first.

interface TextObject {
  readonly type?: string;
  readonly text?: string;
}
interface Element {
  readonly type?: string;
  readonly text?: TextObject | string;
  readonly value?: string;
  readonly action_id?: string;
}
interface Block {
  readonly type?: string;
  readonly text?: TextObject;
  readonly fields?: readonly TextObject[];
  readonly elements?: readonly Element[];
  readonly accessory?: Element;
}

const text = (value: TextObject | string | undefined) => (typeof value === 'string' ? value : (value?.text ?? ''));

/** Every Block Kit limit this message breaks, one sentence each; [] when Slack would take it. */
export function blockKitViolations(message: { readonly text?: string; readonly blocks?: unknown }): string[] {
  const problems: string[] = [];
  const blocks = (Array.isArray(message.blocks) ? message.blocks : []) as Block[];
  if ((message.text ?? '').trim() === '') problems.push('no top-level text');
  if ((message.text ?? '').length >= 4000) problems.push(`top-level text of ${message.text?.length} characters`);
  if (blocks.length > 50) problems.push(`${blocks.length} blocks`);
  let total = 0;
  blocks.forEach((block, index) => {
    const own = text(block.text);
    total += own.length;
    if (block.type === 'header' && own.length > 150) problems.push(`block ${index}: header of ${own.length} characters`);
    if (block.type === 'section' && own.length > 3000) problems.push(`block ${index}: section text of ${own.length} characters`);
    for (const field of block.fields ?? []) {
      total += text(field).length;
      if (text(field).length > 2000) problems.push(`block ${index}: a field of ${text(field).length} characters`);
    }
    if ((block.fields ?? []).length > 10) problems.push(`block ${index}: ${block.fields?.length} fields`);
    const elements = [...(block.elements ?? []), ...(block.accessory ? [block.accessory] : [])];
    if (block.type === 'context' && elements.length > 10) problems.push(`block ${index}: ${elements.length} context elements`);
    if (block.type === 'actions' && elements.length > 25) problems.push(`block ${index}: ${elements.length} actions`);
    for (const element of elements) {
      total += text(element.text).length;
      if (element.type === 'button' && text(element.text).length > 75) problems.push(`block ${index}: button text of ${text(element.text).length} characters`);
      if (element.type === 'button' && (element.value ?? '').length > 2000) problems.push(`block ${index}: button value of ${element.value?.length} characters`);
      if ((element.action_id ?? '').length > 255) problems.push(`block ${index}: action_id of ${element.action_id?.length} characters`);
      if (block.type === 'context' && text(element.text).length > 3000) problems.push(`block ${index}: context text of ${text(element.text).length} characters`);
    }
  });
  // Undocumented: msg_blocks_too_long around 12-13k characters; the README budgets about 11k.
  if (total > 12_000) problems.push(`${total} characters of block text`);
  return problems;
}

/** Mentions and links Slack would act on in text the bot did not write: `<!channel>`, `<@U…>`, `<https://…|…>`. */
export function liveMarkup(textValue: string): string[] {
  return [...textValue.matchAll(/<[!@#][^>]*>|<https?:[^>]*>/g)].map((match) => match[0]);
}
