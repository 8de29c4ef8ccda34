/**
 * mesh-bot as users run it: `node src/main.ts` in its own process, HTTP mode, talking to the local fake Slack
 * (src/sandbox/slack-api.ts), with a kubeconfig that holds only a ServiceAccount token and the real istioctl.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as k8s from '@kubernetes/client-node';
import type { FakeSlack, StoredMessage } from '../../../src/sandbox/slack-api.ts';
import { sendBlockAction, sendSlashCommand, type SlackHttpResponse } from '../../../src/sandbox/slack-requests.ts';
import { binary, kubeconfigYaml, type ControlPlane } from './control-plane.ts';
import { start, waitFor, type Started } from './processes.ts';

const MAIN = fileURLToPath(new URL('../../../src/main.ts', import.meta.url));
const SIGNING_SECRET = 'cluster-tier-signing-secret-0123456789';

export interface BotProcess {
  readonly name: string;
  readonly url: string;
  readonly process: Started;
  slash(text: string, options?: { userId?: string; channelId?: string }): Promise<SlackHttpResponse>;
  click(options: { actionId: string; value: string; userId: string; channelId: string; messageTs: string }): Promise<SlackHttpResponse>;
  /** The next in-channel answer posted through a response_url in `channelId` after `since` messages. */
  answer(channelId: string, since?: number): Promise<StoredMessage>;
  stop(): Promise<void>;
}

/**
 * A kubeconfig whose only credential is a fresh token of the ServiceAccount (TokenRequest, as the kubelet mounts it),
 * so the bot and its istioctl have exactly the rights the installed RBAC grants.
 */
export async function serviceAccountKubeconfig(controlPlane: ControlPlane, namespace: string, name: string): Promise<string> {
  const core = controlPlane.admin.makeApiClient(k8s.CoreV1Api);
  const request = await core.createNamespacedServiceAccountToken({ namespace, name, body: { spec: { audiences: [], expirationSeconds: 3600 } } });
  const token = request.status?.token;
  if (!token) throw new Error(`no token for ServiceAccount ${namespace}/${name}`);
  const file = path.join(controlPlane.dir, `${namespace}-${name}.kubeconfig`);
  await writeFile(file, kubeconfigYaml({ server: controlPlane.server, caFile: controlPlane.pki.caCert, user: { token }, namespace }));
  return file;
}

export async function startBotProcess(options: {
  readonly name: string;
  readonly controlPlane: ControlPlane;
  readonly slack: FakeSlack;
  readonly kubeconfig: string;
  readonly configYaml: string;
  readonly namespace?: string;
}): Promise<BotProcess> {
  const home = path.join(options.controlPlane.dir, options.name);
  await mkdir(home, { recursive: true });
  const configFile = path.join(home, 'config.yaml');
  await writeFile(configFile, options.configYaml);
  const bot = start({
    name: options.name,
    command: process.execPath,
    args: [MAIN],
    dir: options.controlPlane.dir,
    cwd: home,
    env: {
      SLACK_BOT_TOKEN: 'xoxb-cluster-tier',
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: options.slack.apiUrl,
      SLACK_APP_TOKEN: '',
      // The bot picks a free port and logs it.
      PORT: '0',
      ISTIOCTL: binary('istioctl'),
      KUBECONFIG: options.kubeconfig,
      MESH_BOT_CONFIG: configFile,
      POD_NAME: options.name,
      POD_NAMESPACE: options.namespace ?? 'mesh-bot',
      LOG_LEVEL: 'info',
      // istioctl keeps its config directory under $HOME.
      HOME: home,
    },
  });
  const port = await waitFor(bot, 'its port', async () => /"port":(\d+)[^\n]*is serving Slack/.exec(await bot.log())?.[1], 60_000);
  const url = `http://127.0.0.1:${port}`;
  // /readyz: the Slack connection is up and the Kubernetes API answers this ServiceAccount.
  await waitFor(bot, 'readiness', async () => ((await fetch(`${url}/readyz`)).ok ? true : undefined), 60_000);
  return {
    name: options.name,
    url,
    process: bot,
    slash(text, { userId = 'U0ALICE', channelId = 'C0OPS' } = {}) {
      const responseUrl = options.slack.responseUrl(undefined, { channel: channelId, user: userId });
      return sendSlashCommand(url, SIGNING_SECRET, { text, userId, channelId, responseUrl });
    },
    click({ actionId, value, userId, channelId, messageTs }) {
      const responseUrl = options.slack.responseUrl(undefined, { channel: channelId, user: userId, messageTs });
      return sendBlockAction(url, SIGNING_SECRET, { userId, channelId, actionId, value, messageTs, responseUrl });
    },
    answer(channelId, since = 0) {
      return options.slack.waitFor((fake) => fake.messages(channelId).filter((message) => message.via === 'response_url' && message.ephemeralTo === undefined)[since], { timeoutMs: 120_000 });
    },
    stop: () => bot.stop(),
  };
}
