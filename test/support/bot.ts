import { chmod, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { KubeConfig } from '@kubernetes/client-node';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/log.ts';
import type { Clock } from '../../src/schedule/clock.ts';
import { runScheduledDigest } from '../../src/schedule/digests.ts';
import { startServer } from '../../src/server.ts';
import { startFakeSlack, type FakeSlack, type FakeSlackOptions, type StoredMessage } from '../../src/sandbox/slack-api.ts';
import { sendBlockAction, sendSlashCommand, type SlackHttpResponse } from '../../src/sandbox/slack-requests.ts';

export const SIGNING_SECRET = 'test-signing-secret-0123456789';
const FAKE_ISTIOCTL_MAIN = fileURLToPath(new URL('../../src/sandbox/istioctl/main.ts', import.meta.url));

export interface FakeIstioctlSettings {
  readonly version?: string;
  readonly scenario?: string;
  readonly delayMs?: number;
  readonly proxyStatusFile?: string;
  /** FAKE_ISTIOCTL_ANALYZE_FILE: the exact `analyze -o json` stdout. */
  readonly analyzeFile?: string;
  /** FAKE_ISTIOCTL_CONFIG_DUMP_FILE: the Envoy config dump behind `proxy-config`. */
  readonly configDumpFile?: string;
}

/**
 * A launcher for the fake istioctl with its settings baked in, so each bot under test gets its own
 * behaviour without touching the test process's environment. Returns the path and the invocation log.
 */
export async function fakeIstioctl(settings: FakeIstioctlSettings = {}): Promise<{ path: string; invocations: () => Promise<string[][]> }> {
  const dir = await mkdtemp(join(tmpdir(), 'mesh-bot-istioctl-'));
  const log = join(dir, 'invocations.jsonl');
  const env: Record<string, string> = { FAKE_ISTIOCTL_LOG: log };
  if (settings.version) env['FAKE_ISTIOCTL_VERSION'] = settings.version;
  if (settings.scenario) env['FAKE_ISTIOCTL_SCENARIO'] = settings.scenario;
  if (settings.delayMs) env['FAKE_ISTIOCTL_DELAY_MS'] = String(settings.delayMs);
  if (settings.proxyStatusFile) env['FAKE_ISTIOCTL_PROXY_STATUS_FILE'] = settings.proxyStatusFile;
  if (settings.analyzeFile) env['FAKE_ISTIOCTL_ANALYZE_FILE'] = settings.analyzeFile;
  if (settings.configDumpFile) env['FAKE_ISTIOCTL_CONFIG_DUMP_FILE'] = settings.configDumpFile;
  const path = join(dir, 'istioctl');
  await writeFile(path, `#!/usr/bin/env node\nObject.assign(process.env, ${JSON.stringify(env)});\nawait import(${JSON.stringify(FAKE_ISTIOCTL_MAIN)});\n`);
  await chmod(path, 0o755);
  return {
    path,
    invocations: async () =>
      (await readFile(log, 'utf8').catch(() => ''))
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => (JSON.parse(line) as { argv: string[] }).argv),
  };
}

export interface BotOptions {
  readonly istioctl?: FakeIstioctlSettings;
  readonly configYaml?: string;
  readonly kubeConfig: () => KubeConfig;
  readonly slack?: FakeSlackOptions;
  /** Reuse a running fake Slack (two bot instances sharing one workspace). */
  readonly sharedSlack?: FakeSlack;
  readonly env?: Record<string, string>;
  /** Virtual time for leader election and schedules. */
  readonly clock?: Clock;
}

export interface Bot {
  readonly url: string;
  readonly slack: FakeSlack;
  readonly logLines: readonly Record<string, unknown>[];
  readonly istioctlInvocations: () => Promise<string[][]>;
  /** This replica holds the scheduling Lease right now. */
  isLeader(): boolean;
  slash(text: string, options?: { userId?: string; channelId?: string }): Promise<{ http: SlackHttpResponse; responseUrl: string; channelId: string }>;
  click(options: { actionId: string; value: string; userId?: string; channelId?: string; messageTs: string }): Promise<SlackHttpResponse>;
  /** The in-channel answer posted through the command's response_url. */
  answer(channelId: string): Promise<StoredMessage>;
  close(): Promise<void>;
}

export async function startBot(options: BotOptions): Promise<Bot> {
  const slack = options.sharedSlack ?? (await startFakeSlack(options.slack));
  const istioctl = await fakeIstioctl(options.istioctl);
  const dir = await mkdtemp(join(tmpdir(), 'mesh-bot-config-'));
  const configPath = join(dir, 'config.yaml');
  if (options.configYaml !== undefined) await writeFile(configPath, options.configYaml);
  const loaded = await loadConfig({
    SLACK_BOT_TOKEN: 'xoxb-test-token',
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: slack.apiUrl,
    PORT: '0',
    ISTIOCTL: istioctl.path,
    ...(options.configYaml !== undefined ? { MESH_BOT_CONFIG: configPath } : {}),
    ...options.env,
  });
  if (!loaded.ok) throw new Error(`test config refused: ${loaded.error.message}`);
  const logLines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim() !== '') logLines.push(JSON.parse(line) as Record<string, unknown>);
      callback();
    },
  });
  const logger = createLogger('info', sink);
  const running = await startServer({
    config: loaded.value,
    botToken: 'xoxb-test-token',
    logger,
    loadKubeConfig: options.kubeConfig,
    runDigest: runScheduledDigest,
    ...(options.clock ? { clock: options.clock } : {}),
  });
  const url = `http://127.0.0.1:${running.port}`;

  return {
    url,
    slack,
    logLines,
    istioctlInvocations: istioctl.invocations,
    isLeader: () => running.leader?.isLeader() ?? false,
    async slash(text, { userId = 'U0ALICE', channelId = 'C0OPS' } = {}) {
      const responseUrl = slack.responseUrl(undefined, { channel: channelId, user: userId });
      const http = await sendSlashCommand(url, SIGNING_SECRET, { text, userId, channelId, responseUrl });
      return { http, responseUrl, channelId };
    },
    click({ actionId, value, userId = 'U0ALICE', channelId = 'C0OPS', messageTs }) {
      const responseUrl = slack.responseUrl(undefined, { channel: channelId, user: userId, messageTs });
      return sendBlockAction(url, SIGNING_SECRET, { userId, channelId, actionId, value, messageTs, responseUrl });
    },
    answer(channelId) {
      return slack.waitFor((fake) => fake.messages(channelId).find((message) => message.via === 'response_url' && message.ephemeralTo === undefined), { timeoutMs: 15_000 });
    },
    async close() {
      await running.stop();
      if (!options.sharedSlack) await slack.close();
    },
  };
}
