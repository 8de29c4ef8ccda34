// Block Kit and mrkdwn rendering for the sandbox page: close enough to Slack to judge a message's layout and
// wording, built with DOM nodes only (never innerHTML), so whatever the bot sends is shown as text.

const EMOJI = {
  warning: '⚠️', x: '❌', no_entry: '⛔', large_yellow_circle: '🟡', red_circle: '🔴', large_green_circle: '🟢',
  white_circle: '⚪', hourglass_flowing_sand: '⏳', white_check_mark: '✅', leftwards_arrow_with_hook: '↩️',
  information_source: 'ℹ️', gear: '⚙️', boom: '💥', rocket: '🚀', lock: '🔒', tada: '🎉', eyes: '👀',
  heavy_check_mark: '✔️', arrow_right: '➡️', bell: '🔔', calendar: '📅', chart_with_upwards_trend: '📈',
};

function el(tag, className, children) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  for (const child of children ?? []) node.append(child);
  return node;
}

const unescape = (text) => text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

export function emojify(text) {
  return text.replace(/:([a-z0-9_+-]+):/g, (whole, name) => EMOJI[name] ?? whole);
}

/** `<…>` tokens: mentions, channels, user groups, special mentions, dates and links. */
function token(inner, ctx) {
  const [target, label] = inner.split('|', 2);
  if (target.startsWith('@')) return el('span', 'mention', [`@${ctx.userName(target.slice(1))}`]);
  if (target.startsWith('#')) return el('span', 'mention', [`#${label ?? ctx.channelName(target.slice(1))}`]);
  if (target.startsWith('!subteam^')) return el('span', 'mention', [label ?? `@${ctx.groupName(target.slice(9))}`]);
  if (target.startsWith('!date^')) return document.createTextNode(label ?? target);
  if (target.startsWith('!')) return el('span', 'mention', [`@${target.slice(1)}`]);
  const link = el('a', '', [unescape(label ?? target)]);
  link.href = unescape(target);
  link.target = '_blank';
  link.rel = 'noreferrer';
  return link;
}

// Markers only count at word boundaries, as in Slack: `a_b_c` stays plain text.
const INLINE = /<([^<>\n]+)>|(^|[^\p{L}\p{N}*_~])([*_~])(?=\S)([^\n]*?\S)\3(?![\p{L}\p{N}])/gu;
const STYLE = { '*': 'b', _: 'i', '~': 's' };

function inline(text, ctx, into) {
  let last = 0;
  for (const match of text.matchAll(INLINE)) {
    const [whole, link, before, marker, inner] = match;
    into.append(emojify(unescape(text.slice(last, match.index))));
    if (link !== undefined) into.append(token(link, ctx));
    else {
      into.append(before);
      inline(inner, ctx, into.appendChild(document.createElement(STYLE[marker])));
    }
    last = match.index + whole.length;
  }
  into.append(emojify(unescape(text.slice(last))));
}

/** Slack mrkdwn: ```pre```, `code`, *bold*, _italic_, ~strike~, > quotes, links, mentions, emoji shortcodes. */
export function mrkdwn(text, ctx) {
  const root = el('div', 'mrkdwn');
  text.split(/```/).forEach((part, index) => {
    if (index % 2 === 1) {
      root.append(el('pre', '', [unescape(part.replace(/^\n/, ''))]));
      return;
    }
    part.split(/(`[^`\n]+`)/).forEach((piece) => {
      if (/^`[^`\n]+`$/.test(piece)) root.append(el('code', '', [unescape(piece.slice(1, -1))]));
      else {
        piece.split('\n').forEach((line, lineIndex) => {
          if (lineIndex > 0) root.append(document.createElement('br'));
          const quote = /^&gt; ?/.exec(line);
          inline(quote ? line.slice(quote[0].length) : line, ctx, quote ? root.appendChild(el('span', 'quote')) : root);
        });
      }
    });
  });
  return root;
}

function textObject(object, ctx) {
  if (!object) return el('span');
  return object.type === 'mrkdwn' ? mrkdwn(object.text ?? '', ctx) : el('span', 'plain', [emojify(object.text ?? '')]);
}

function button(element, block, ctx) {
  const node = el('button', `bk-button ${element.style ?? ''}`.trim(), [emojify(element.text?.text ?? '')]);
  node.type = 'button';
  node.dataset.actionId = element.action_id ?? '';
  node.addEventListener('click', () => {
    if (element.url) window.open(element.url, '_blank', 'noreferrer');
    if (!element.action_id) return;
    const act = () => ctx.onAction({ blockId: block.block_id ?? '', actionId: element.action_id });
    if (element.confirm) confirmDialog(element.confirm, element.style, ctx).then((yes) => yes && act());
    else act();
  });
  return node;
}

/** Slack's confirmation dialog: title, mrkdwn text, a confirm button (red for danger buttons) and a deny button. */
function confirmDialog(confirm, style, ctx) {
  return new Promise((resolve) => {
    const yes = el('button', `bk-button ${style === 'danger' ? 'danger' : 'primary'}`, [confirm.confirm?.text ?? 'Yes']);
    const no = el('button', 'bk-button', [confirm.deny?.text ?? 'Cancel']);
    const dialog = el('div', 'dialog', [
      el('h2', '', [confirm.title?.text ?? 'Are you sure?']),
      textObject(confirm.text, ctx),
      el('div', 'dialog-buttons', [no, yes]),
    ]);
    dialog.setAttribute('role', 'dialog');
    dialog.setAttribute('aria-modal', 'true');
    const backdrop = el('div', 'backdrop', [dialog]);
    const close = (answer) => {
      backdrop.remove();
      resolve(answer);
    };
    yes.addEventListener('click', () => close(true));
    no.addEventListener('click', () => close(false));
    backdrop.addEventListener('click', (event) => event.target === backdrop && close(false));
    document.body.append(backdrop);
    yes.focus();
  });
}

function contextElement(element, ctx) {
  if (element.type === 'image') {
    const image = el('img', 'bk-context-image');
    image.src = element.image_url;
    image.alt = element.alt_text ?? '';
    return image;
  }
  return textObject(element, ctx);
}

const RENDERERS = {
  header: (block, ctx) => el('div', 'bk-header', [emojify(block.text?.text ?? '')]),
  divider: () => el('hr', 'bk-divider'),
  section: (block, ctx) => {
    const body = el('div', 'bk-section-body');
    if (block.text) body.append(textObject(block.text, ctx));
    if (block.fields) body.append(el('div', 'bk-fields', block.fields.map((field) => textObject(field, ctx))));
    const accessory = block.accessory?.type === 'button' ? [el('div', 'bk-accessory', [button(block.accessory, block, ctx)])] : [];
    return el('div', 'bk-section', [body, ...accessory]);
  },
  context: (block, ctx) => el('div', 'bk-context', (block.elements ?? []).map((element) => contextElement(element, ctx))),
  actions: (block, ctx) => el('div', 'bk-actions', (block.elements ?? []).filter((element) => element.type === 'button').map((element) => button(element, block, ctx))),
  image: (block) => {
    const image = el('img', 'bk-image');
    image.src = block.image_url;
    image.alt = block.alt_text ?? '';
    return image;
  },
};

export function renderBlocks(blocks, ctx) {
  return el(
    'div',
    'blocks',
    blocks.map((block) => (RENDERERS[block.type] ?? ((unknown) => el('div', 'bk-unsupported', [`(block type ${unknown.type} is not shown in the sandbox)`])))(block, ctx)),
  );
}
