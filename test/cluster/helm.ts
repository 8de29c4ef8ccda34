/**
 * The Helm chart (deploy/helm/mesh-bot): linted and rendered by the real helm, compared object by object with the
 * kustomize base so the two cannot drift, installed into the real API server, and the bot run as the chart's
 * ServiceAccount (read-only by default: canary writes are opt-in).
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import type * as k8s from '@kubernetes/client-node';
import { execa } from 'execa';
import { blockText } from '../support/blocks.ts';
import { startBotProcess, serviceAccountKubeconfig } from './harness/bot-process.ts';
import { applyObjects, binary, parseObjects } from './harness/control-plane.ts';
import { assertNoForbidden, botConfig, type Tier } from './tier.cluster.ts';

const CHART = 'deploy/helm/mesh-bot';
/** Labels and annotations only Helm adds: who manages the object, which chart made it, and the config checksum that rolls the pods. */
const HELM_ONLY_LABELS = ['helm.sh/chart', 'app.kubernetes.io/managed-by'];
const HELM_ONLY_ANNOTATIONS = ['checksum/config'];

type Obj = Record<string, unknown>;

function withoutHelmMarks(object: k8s.KubernetesObject): Obj {
  const copy = structuredClone(object) as Obj & { metadata?: { labels?: Obj } };
  for (const label of HELM_ONLY_LABELS) delete copy.metadata?.labels?.[label];
  const template = (copy['spec'] as { template?: { metadata?: { annotations?: Obj } } } | undefined)?.template;
  if (template?.metadata?.annotations) {
    for (const annotation of HELM_ONLY_ANNOTATIONS) delete template.metadata.annotations[annotation];
    if (Object.keys(template.metadata.annotations).length === 0) delete template.metadata.annotations;
  }
  return copy;
}

const key = (object: k8s.KubernetesObject) => `${object.kind}/${object.metadata?.namespace ?? ''}/${object.metadata?.name ?? ''}`;

function byKey(objects: readonly k8s.KubernetesObject[]): Map<string, Obj> {
  return new Map(objects.map((object) => [key(object), withoutHelmMarks(object)]));
}

export function registerHelmScenarios(tier: Tier): void {
  const helmEnv = () => ({ HELM_CACHE_HOME: path.join(tier.controlPlane.dir, 'helm'), HELM_CONFIG_HOME: path.join(tier.controlPlane.dir, 'helm'), HELM_DATA_HOME: path.join(tier.controlPlane.dir, 'helm') });
  const helm = (...args: string[]) => execa(binary('helm'), args, { env: helmEnv() });
  const render = async (...sets: string[]) => parseObjects((await helm('template', 'mesh-bot', CHART, '--namespace', 'mesh-bot', ...sets.flatMap((set) => ['--set', set]))).stdout);

  describe('the Helm chart', () => {
    it('passes helm lint with its defaults and with every option on', async () => {
      await helm('lint', '--strict', CHART);
      await helm('lint', '--strict', CHART, '--set', 'rbac.canary=true', '--set', 'rbac.analyzeSecrets=true', '--set', 'serviceMonitor.enabled=true');
    });

    it('renders exactly deploy/base (without the Namespace) when canary writes are enabled, so the two cannot drift', async () => {
      const chart = byKey(await render('rbac.canary=true'));
      const base = byKey(tier.baseObjects.filter((object) => object.kind !== 'Namespace'));
      assert.deepEqual([...chart.keys()].sort(), [...base.keys()].sort());
      for (const [name, object] of base) assert.deepEqual(chart.get(name), object, `${name} differs between the chart and deploy/base`);
    });

    it('renders deploy/optional/ for serviceMonitor.enabled and rbac.analyzeSecrets', async () => {
      const chart = byKey(await render('rbac.canary=true', 'rbac.analyzeSecrets=true', 'serviceMonitor.enabled=true'));
      for (const file of ['deploy/optional/servicemonitor.yaml', 'deploy/optional/analyze-secrets.yaml']) {
        for (const [name, object] of byKey(parseObjects(await readFile(file, 'utf8')))) assert.deepEqual(chart.get(name), object, `${name} (${file})`);
      }
    });

    it('grants no write outside its namespace by default: canary promotion is an opt-in', async () => {
      const kinds = (await render()).map(key);
      assert.ok(!kinds.some((name) => /mesh-bot-canary/.test(name)), kinds.join(', '));
      assert.ok(!kinds.some((name) => /analyze-secrets|ServiceMonitor/.test(name)));
      const replicas = (await render('replicas=3', 'image.tag=v9.9.9', 'slack.existingSecret=my-slack')).find((object) => object.kind === 'Deployment') as { spec: { replicas: number; template: { spec: { containers: { image: string; env: { name: string; valueFrom?: { secretKeyRef?: { name: string } } }[] }[] } } } };
      assert.equal(replicas.spec.replicas, 3);
      const container = replicas.spec.template.spec.containers[0];
      assert.equal(container?.image, 'ghcr.io/mesh-bot/mesh-bot:v9.9.9');
      assert.equal(container?.env.find((variable) => variable.name === 'SLACK_BOT_TOKEN')?.valueFrom?.secretKeyRef?.name, 'my-slack');
    });

    it('installs into the real API server, and the bot as the chart\'s ServiceAccount reads the mesh and may not patch', async () => {
      const namespace = tier.baseObjects.find((object) => object.kind === 'Namespace') as k8s.KubernetesObject;
      await applyObjects(tier.controlPlane.adminKubeconfig, [{ ...namespace, metadata: { ...namespace.metadata, name: 'mesh-bot-helm' } }]);
      await execa(binary('helm'), ['install', 'mesh-bot-helm', CHART, '--namespace', 'mesh-bot-helm', '--kubeconfig', tier.controlPlane.adminKubeconfig, '--set', 'replicas=1'], { env: helmEnv() });
      const status = JSON.parse((await execa(binary('helm'), ['status', 'mesh-bot-helm', '--namespace', 'mesh-bot-helm', '--kubeconfig', tier.controlPlane.adminKubeconfig, '-o', 'json'], { env: helmEnv() })).stdout) as { info: { status: string } };
      assert.equal(status.info.status, 'deployed');

      const kubeconfig = await serviceAccountKubeconfig(tier.controlPlane, 'mesh-bot-helm', 'mesh-bot-helm');
      const bot = await startBotProcess({ name: 'bot-helm', controlPlane: tier.controlPlane, slack: tier.slack, kubeconfig, configYaml: botConfig(tier), namespace: 'mesh-bot-helm' });
      tier.bots.push(bot);
      const answers = () => tier.slack.messages('C0HELM').filter((message) => message.via === 'response_url' && message.ephemeralTo === undefined).length;
      const since = answers();
      await bot.slash('status', { channelId: 'C0HELM' });
      const answer = await bot.answer('C0HELM', since);
      assert.match(answer.text, /proxies/, blockText(answer.blocks));

      // gateway-api.ts made an HTTPRoute of the same name: the kind is named so the answer is about RBAC alone.
      await bot.slash('canary promote reviews --weight 50 --kind virtualservice -n bookinfo', { userId: 'U0ALICE', channelId: 'C0HELM' });
      const refusal = await tier.slack.waitFor((fake) => fake.responses.find((response) => /may not patch/.test(String(response.body['text'] ?? ''))), { timeoutMs: 60_000 });
      assert.match(String(refusal.body['text']), /may not patch/);
      // The same for an HTTPRoute (gateway-api.ts made one): the chart's default grants no patch of Gateway API routes.
      await bot.slash('canary promote reviews --weight 50 --kind httproute -n bookinfo', { userId: 'U0ALICE', channelId: 'C0HELM' });
      const routeRefusal = await tier.slack.waitFor((fake) => fake.responses.find((response) => /may not patch HTTPRoute/.test(String(response.body['text'] ?? ''))), { timeoutMs: 60_000 });
      assert.match(String(routeRefusal.body['text']), /The dry run of the change failed: mesh-bot may not patch HTTPRoute bookinfo\/reviews in cluster tier \(403 Forbidden\)/);
      await assertNoForbidden(tier, (description) => /^system:serviceaccount:mesh-bot-helm:mesh-bot-helm patch (virtualservices\.networking\.istio\.io|httproutes\.gateway\.networking\.k8s\.io) reviews in namespace bookinfo$/.test(description));
      await bot.stop();
    });
  });
}
