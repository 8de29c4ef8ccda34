// The sandbox's Slack-like client: channels, messages and threads from the local Slack's store (refreshed on each
// Server-Sent Event), a composer whose slash commands the server signs and sends to the bot, and a user switcher.
import { mrkdwn, renderBlocks } from './blocks.js';

const EXAMPLES = [
  '/mesh status',
  '/mesh status -n bookinfo',
  '/mesh analyze -n bookinfo',
  '/mesh pc secret productpage-v1-d5789fdfb-7pq2k.bookinfo',
  '/mesh pc routes reviews-v1-5fd6d4f8f8-66j45.bookinfo',
  '/mesh pc clusters reviews-v1-5fd6d4f8f8-66j45.bookinfo',
  '/mesh canary status reviews -n bookinfo',
  '/mesh canary promote reviews --weight 50 -n bookinfo',
  '/mesh canary rollback reviews -n bookinfo',
  '/mesh zc workloads',
  '/mesh zc certificates',
  '/mesh wp list -A',
  '/mesh canary promote hotels --weight 50 -n travel',
  '/mesh digest now',
  '/mesh help',
];

const $ = (id) => document.getElementById(id);
const state = {
  workspace: null,
  user: localStorage.getItem('sandbox.user') ?? 'U0OPERATOR',
  channel: localStorage.getItem('sandbox.channel') ?? 'C0MESHOPS',
  thread: null,
  channels: {},
};

async function api(path, body) {
  const response = await fetch(path, body ? { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {});
  return response.json();
}

const ctx = {
  userName: (id) => (id === state.workspace.bot.id ? state.workspace.bot.name : (state.workspace.users.find((user) => user.id === id)?.name ?? id)),
  channelName: (id) => state.workspace.channels.find((channel) => channel.id === id)?.name ?? id,
  groupName: (id) => state.workspace.usergroups.find((group) => group.id === id)?.handle ?? id,
};

function el(tag, className, children) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  for (const child of children ?? []) node.append(child);
  return node;
}

function messageNode(message, { inThread }) {
  const isBot = message.user === state.workspace.bot.id;
  const name = ctx.userName(message.user);
  const time = message.postedAt ? new Date(message.postedAt).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }) : '';
  const meta = el('div', 'meta', [el('span', 'author', [name])]);
  if (isBot) meta.append(el('span', 'app-badge', ['APP']));
  meta.append(el('span', 'time', [time]));
  if (message.edited) meta.append(el('span', 'edited', ['(edited)']));
  const body = el('div', 'body', [meta]);
  if (message.ephemeral) body.append(el('div', 'only-you', ['Only visible to you']));
  const onAction = ({ blockId, actionId }) => api('/sandbox/action', { channel: state.channel, user: state.user, messageTs: message.ts, blockId, actionId });
  // Slack shows the blocks when there are any; the top-level text is then only for notifications.
  body.append(message.blocks ? renderBlocks(message.blocks, { ...ctx, onAction }) : mrkdwn(message.text, ctx));
  for (const attachment of message.attachments ?? []) {
    body.append(el('div', 'attachment', [attachment.blocks ? renderBlocks(attachment.blocks, { ...ctx, onAction }) : mrkdwn(attachment.text ?? attachment.fallback ?? '', ctx)]));
  }
  for (const file of message.files) {
    const link = el('a', 'file', [`📄 ${file.title || file.name}`]);
    link.href = file.url;
    link.download = file.name;
    body.append(link);
  }
  const replies = inThread ? [] : state.channels[state.channel].filter((other) => other.threadTs === message.ts && other.ts !== message.ts);
  if (replies.length > 0) {
    const open = el('button', 'replies', [`${replies.length} ${replies.length === 1 ? 'reply' : 'replies'}`]);
    open.type = 'button';
    open.addEventListener('click', () => {
      state.thread = message.ts;
      render();
    });
    body.append(open);
  }
  const avatar = el('div', `avatar ${isBot ? 'bot' : ''}`, [name.slice(0, 1)]);
  const node = el('div', `message ${message.ephemeral ? 'ephemeral' : ''}`, [avatar, body]);
  node.dataset.ts = message.ts;
  return node;
}

function fill(container, messages, options) {
  const atBottom = container.scrollHeight - container.scrollTop - container.clientHeight < 80;
  container.replaceChildren(...messages.map((message) => messageNode(message, options)));
  if (atBottom) container.scrollTop = container.scrollHeight;
}

function render() {
  const messages = state.channels[state.channel] ?? [];
  $('channel-name').textContent = `# ${ctx.channelName(state.channel)}`;
  $('message').placeholder = `Message #${ctx.channelName(state.channel)} — try /mesh status`;
  for (const item of $('channels').children) item.classList.toggle('active', item.dataset.id === state.channel);
  fill($('messages'), messages.filter((message) => message.threadTs === null || message.threadTs === message.ts), { inThread: false });
  const parent = messages.find((message) => message.ts === state.thread);
  $('thread').hidden = !parent;
  if (parent) fill($('thread-messages'), [parent, ...messages.filter((message) => message.threadTs === parent.ts && message.ts !== parent.ts)], { inThread: true });
}

async function refresh() {
  const { channels } = await api(`/sandbox/messages?user=${encodeURIComponent(state.user)}`);
  state.channels = channels;
  render();
}

let pending = null;
function refreshSoon() {
  pending ??= setTimeout(() => {
    pending = null;
    refresh();
  }, 30);
}

function send(input, threadTs) {
  const text = input.value.trim();
  if (text === '') return;
  input.value = '';
  api('/sandbox/command', { channel: state.channel, user: state.user, text, ...(threadTs ? { threadTs } : {}) });
}

async function start() {
  state.workspace = await api('/sandbox/workspace');
  const people = state.workspace.users.filter((user) => user.id !== 'USLACKBOT');
  if (!people.some((user) => user.id === state.user)) state.user = people[0].id;
  for (const user of people) {
    const option = el('option', '', [user.name]);
    option.value = user.id;
    $('user').append(option);
  }
  $('user').value = state.user;
  $('user').addEventListener('change', () => {
    state.user = $('user').value;
    localStorage.setItem('sandbox.user', state.user);
    refresh();
  });
  for (const channel of state.workspace.channels) {
    const item = el('li', '', [`# ${channel.name}`]);
    item.dataset.id = channel.id;
    item.addEventListener('click', () => {
      state.channel = channel.id;
      state.thread = null;
      localStorage.setItem('sandbox.channel', channel.id);
      render();
    });
    $('channels').append(item);
  }
  for (const example of EXAMPLES) {
    const item = el('li', '', [el('code', '', [example])]);
    item.title = example;
    item.addEventListener('click', () => {
      $('message').value = example;
      $('message').focus();
    });
    $('examples').append(item);
  }
  $('composer').addEventListener('submit', (event) => {
    event.preventDefault();
    send($('message'));
  });
  $('thread-composer').addEventListener('submit', (event) => {
    event.preventDefault();
    send($('thread-message'), state.thread);
  });
  $('close-thread').addEventListener('click', () => {
    state.thread = null;
    render();
  });
  // EventSource reconnects by itself; every change (and every reconnect) re-reads the store.
  const events = new EventSource('/sandbox/events');
  events.onmessage = refreshSoon;
  events.onopen = refreshSoon;
  await refresh();
}

start();
