// Replicas of mesh-bot on virtual clocks against one fake Kubernetes API and one fake Slack workspace, as
// test/slack/replicas.e2e.test.ts runs them: the real composition root (startServer), the real Lease election,
// scheduler and digest runner; only time is virtual.
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fakeIstioctl, startBot, type Bot } from '../../support/bot.ts';
import { FakeClock } from '../../support/fake-clock.ts';
import { startFakeKubeApi, type FakeKubeApi } from '../../../src/sandbox/kube-api.ts';
import { startFakeSlack, type FakeSlack } from '../../../src/sandbox/slack-api.ts';

export const DIGEST_CHANNEL = 'C0DIGEST';

export interface World {
  readonly api: FakeKubeApi;
  readonly slack: FakeSlack;
  /** A replica with this config whose clock starts at `start`; `env` overrides its environment (ISTIOCTL, …). */
  replica(configYaml: string, start: Date | string, env?: Record<string, string>): Promise<{ bot: Bot; clock: FakeClock }>;
  /** The digests Slack accepted in the digest channel, by the fire time their one-line text names. */
  digestTimes(): string[];
  /** Every digest schedule record (one per configured digest ever seen) marks `firedAt` done, as the Kubernetes API holds them. */
  digestFiresDone(firedAt: string): boolean;
  /** Stops the replica as SIGTERM would (scheduler, then the Lease handed over). */
  stop(bot: Bot): Promise<void>;
  close(): Promise<void>;
}

/** `istioctlDelayMs`: real time each fake istioctl run takes, for digests still being gathered when the next fire comes. */
export async function startWorld({ istioctlDelayMs = 0 } = {}): Promise<World> {
  const api = await startFakeKubeApi();
  const slack = await startFakeSlack();
  const bots: Bot[] = [];
  return {
    api,
    slack,
    async replica(configYaml, start, env) {
      const clock = new FakeClock(start);
      const bot = await startBot({ istioctl: { version: '1.24.2', scenario: 'healthy', delayMs: istioctlDelayMs }, kubeConfig: () => api.kubeConfig(), sharedSlack: slack, configYaml, clock, ...(env ? { env } : {}) });
      bots.push(bot);
      return { bot, clock };
    },
    digestTimes: () =>
      slack
        .callsTo('chat.postMessage')
        .filter((call) => call.args['channel'] === DIGEST_CHANNEL && call.status === 200 && call.error === undefined)
        .map((call) => /, (\d\d:\d\d \S+):/.exec(String(call.args['text']))?.[1] ?? String(call.args['text'])),
    digestFiresDone(firedAt) {
      const records = api.list('v1', 'ConfigMap', 'mesh-bot', { labelSelector: 'mesh-bot/kind=schedule' }).filter((record) => record.metadata?.name?.startsWith('mesh-bot-schedule-digest'));
      return records.length > 0 && records.every((record) => {
        const value = JSON.parse(String((record as { data?: Record<string, string> }).data?.['value.json'] ?? '{}')) as { lastFired?: string };
        return Date.parse(value.lastFired ?? '') >= Date.parse(firedAt);
      });
    },
    async stop(bot) {
      bots.splice(bots.indexOf(bot), 1);
      await bot.close();
    },
    async close() {
      for (const bot of bots.splice(0)) await bot.close();
      await api.close();
      await slack.close();
    },
  };
}

/**
 * An istioctl that waits while the gate is closed, then runs the fake one: a replica whose digest is still being
 * gathered for as long as a test needs, without timing anything.
 */
export async function gatedIstioctl(): Promise<{ path: string; close(): Promise<void>; open(): Promise<void> }> {
  const fake = await fakeIstioctl({ version: '1.24.2', scenario: 'healthy' });
  const dir = await mkdtemp(join(tmpdir(), 'mesh-bot-gate-'));
  const closed = join(dir, 'closed');
  const path = join(dir, 'istioctl');
  await writeFile(path, `#!/bin/sh\nwhile [ -e '${closed}' ]; do sleep 0.05; done\nexec '${fake.path}' "$@"\n`);
  await chmod(path, 0o755);
  return { path, close: () => writeFile(closed, ''), open: () => rm(closed, { force: true }) };
}
