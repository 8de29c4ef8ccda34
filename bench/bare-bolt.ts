import bolt from '@slack/bolt';

/**
 * The floor of bench/serve.ts: a Bolt app from the same node_modules whose `/mesh` listener acks at once and does
 * nothing else. Same receiver (HTTP, processBeforeResponse false) and WebClient settings as mesh-bot's HTTP mode.
 * Prints `listening PORT` on stdout once it serves.
 */
const { App, HTTPReceiver } = bolt;
const receiver = new HTTPReceiver({ signingSecret: process.env['SLACK_SIGNING_SECRET'] ?? '', processBeforeResponse: false });
const app = new App({ token: process.env['SLACK_BOT_TOKEN'] ?? '', receiver, clientOptions: { slackApiUrl: process.env['SLACK_API_URL'] ?? '' }, deferInitialization: true });
await app.init();
app.command('/mesh', async ({ ack }) => {
  await ack({ response_type: 'ephemeral', text: 'ok' });
});
const server = (await app.start(Number(process.env['PORT'] ?? '0'))) as import('node:http').Server;
const address = server.address();
process.stdout.write(`listening ${typeof address === 'object' && address !== null ? address.port : ''}\n`);
