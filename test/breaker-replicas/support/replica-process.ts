// A mesh-bot replica as `npm start` runs it (src/main.ts in its own process, HTTP mode), pointed at a fake Slack
// and a fake Kubernetes API that live in the test process, so a test can stop, pause or kill it like a pod.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FakeKubeApi } from '../../../src/sandbox/kube-api.ts';
import type { FakeSlack } from '../../../src/sandbox/slack-api.ts';
import { fakeIstioctl, type FakeIstioctlSettings } from '../../support/bot.ts';

const MAIN = fileURLToPath(new URL('../../../src/main.ts', import.meta.url));

export interface ReplicaProcess {
  readonly name: string;
  readonly child: ChildProcess;
  readonly lines: readonly Record<string, unknown>[];
  readonly exited: Promise<number | null>;
  signal(signal: NodeJS.Signals): void;
}

export async function startReplicaProcess(options: { name: string; api: FakeKubeApi; slack: FakeSlack; configYaml: string; istioctl?: FakeIstioctlSettings }): Promise<ReplicaProcess> {
  const dir = await mkdtemp(join(tmpdir(), `mesh-bot-${options.name}-`));
  await writeFile(join(dir, 'config.yaml'), options.configYaml);
  await writeFile(join(dir, 'kubeconfig'), options.api.kubeConfigYaml('fake', 'mesh-bot'));
  const istioctl = await fakeIstioctl(options.istioctl ?? { version: '1.24.2', scenario: 'healthy' });
  const child = spawn(process.execPath, [MAIN], {
    env: {
      PATH: process.env['PATH'] ?? '',
      HOME: dir,
      SLACK_BOT_TOKEN: 'xoxb-breaker-replicas',
      SLACK_SIGNING_SECRET: 'breaker-replicas-signing-secret-0123',
      SLACK_API_URL: options.slack.apiUrl,
      PORT: '0',
      ISTIOCTL: istioctl.path,
      KUBECONFIG: join(dir, 'kubeconfig'),
      MESH_BOT_CONFIG: join(dir, 'config.yaml'),
      POD_NAME: options.name,
      POD_NAMESPACE: 'mesh-bot',
      LOG_LEVEL: 'debug',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: Record<string, unknown>[] = [];
  const collect = (stream: NodeJS.ReadableStream | null) => {
    let rest = '';
    stream?.on('data', (chunk: Buffer) => {
      const parts = (rest + chunk.toString('utf8')).split('\n');
      rest = parts.pop() ?? '';
      for (const line of parts) {
        if (line.trim() === '') continue;
        try {
          lines.push(JSON.parse(line) as Record<string, unknown>);
        } catch {
          lines.push({ raw: line });
        }
      }
    });
  };
  collect(child.stdout);
  collect(child.stderr);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { name: options.name, child, lines, exited, signal: (signal) => child.kill(signal) };
}
