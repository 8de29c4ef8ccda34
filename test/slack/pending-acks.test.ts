import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { pendingAcks, type CommandArgs } from '../../src/slack/listeners/commands/mesh.ts';

/** Just enough of Bolt's listener arguments: an ack that records who was acked, in order. */
function argsFor(name: string, acked: string[]): CommandArgs {
  return { ack: async () => void acked.push(name) } as unknown as CommandArgs;
}

const turns = (count: number) => (async () => {
  for (let turn = 0; turn < count; turn++) await new Promise((resolve) => setImmediate(resolve));
})();

describe('work after an ack waits for the commands received since', () => {
  it('starts a command\'s work only once a command that arrived after it has been acked', async () => {
    const acks = pendingAcks();
    const events: string[] = [];
    let letSlowAck: () => void = () => undefined;
    const slowAckMayGo = new Promise<void>((resolve) => (letSlowAck = resolve));
    const first = acks.counted(async ({ ack }) => {
      await ack();
      await acks.settled();
      events.push('first: work');
    });
    const second = acks.counted(async ({ ack }) => {
      await slowAckMayGo;
      await ack();
    });
    const running = [first(argsFor('first', events)), second(argsFor('second', events))];
    await turns(10);
    assert.deepEqual(events, ['first'], 'the first command is acked, its work waits for the second ack');
    letSlowAck();
    await Promise.all(running);
    assert.deepEqual(events, ['first', 'second', 'first: work']);
  });

  it('does not hold work back for a command that failed before acking', async () => {
    const acks = pendingAcks();
    const failing = acks.counted(async () => {
      throw new Error('listener crashed before its ack');
    });
    await assert.rejects(failing(argsFor('failing', [])), /crashed/);
    const finished: string[] = [];
    await Promise.all([acks.settled().then(() => finished.push('work may start')), turns(3).then(() => finished.push('three turns later'))]);
    assert.deepEqual(finished, ['work may start', 'three turns later']);
  });

  it('posts answers that became ready together one per turn, and reads a request that arrives meanwhile between them', async () => {
    const acks = pendingAcks();
    const events: string[] = [];
    const server = createServer((_request, response) => {
      events.push('new slash command read');
      response.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const arriving = fetch(`http://127.0.0.1:${port}/slack/events`, { method: 'POST', body: 'command=%2Fmesh' });
      // Forty answers of one shared istioctl run, all ready in the same tick.
      await Promise.all(Array.from({ length: 40 }, async (_, index) => {
        await acks.turn();
        events.push(`answer ${index} posted`);
      }));
      await arriving;
      const read = events.indexOf('new slash command read');
      assert.ok(read > 0 && read < events.length - 1, `the new command was read between the answers, not after all of them: ${events.join(', ')}`);
      assert.deepEqual(events.filter((event) => event !== 'new slash command read'), Array.from({ length: 40 }, (_, index) => `answer ${index} posted`), 'answers keep their order');
    } finally {
      server.close();
    }
  });
});
