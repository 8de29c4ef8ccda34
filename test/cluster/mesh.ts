/**
 * Scenarios against the real istiod: the error a user sees while it is absent, /mesh status with simulated proxies
 * connected over ADS, analyze on real objects, Istio's validating webhook, approval-gated canary promotion with real
 * conflicts, and leader election through a real Lease.
 */
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as k8s from '@kubernetes/client-node';
import { execa } from 'execa';
import { blockText } from '../support/blocks.ts';
import { approvalCards } from './harness/approval-cards.ts';
import { startBotProcess, type BotProcess } from './harness/bot-process.ts';
import { applyObjects, binary, createObjects, parseObjects, serviceAccountRequests, type Istiod } from './harness/control-plane.ts';
import { start, waitFor, type Started } from './harness/processes.ts';
import { assertNoForbidden, BOT_SA, botConfig, type Tier } from './tier.cluster.ts';

/**
 * The data plane istiod sees, as node ids of real proxies: four sidecars in bookinfo (ratings never acknowledges what
 * istiod sends, so it is STALE), bookinfo's waypoint, and a ztunnel.
 */
const PROXIES = [
  'sidecar/bookinfo/productpage-v1-6b746f74dc-9stvs/ack/1.31-dev',
  'sidecar/bookinfo/reviews-v1-545db77b95-rfhmv/ack/1.31-dev',
  'sidecar/bookinfo/reviews-v2-7bf8c9648f-kbn6p/ack/1.31-dev',
  'sidecar/bookinfo/ratings-v1-6484c4d9bb-zvqtv/noack/1.31-dev',
  'waypoint/bookinfo/waypoint-5c9c6b7b8d-x2kqz/ack/1.31-dev',
  'ztunnel/istio-system/ztunnel-8vlqs/ack/1.31-dev',
];

/** What a manifest file holds: an object with a spec. */
type Manifest = k8s.KubernetesObject & { readonly spec?: unknown };

const BOOKINFO: Manifest[] = [
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'bookinfo' } },
  // No controller manager: the ServiceAccount admission plugin wants the namespace's `default` to exist for pods.
  { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace: 'bookinfo' } },
  ...['productpage', 'reviews', 'ratings'].map((app) => ({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: app, namespace: 'bookinfo', labels: { app } },
    spec: { selector: { app }, ports: [{ name: 'http', port: 9080 }] },
  })),
  // The label Istio's gateway controller puts on a waypoint's pods: how mesh-bot tells a waypoint from a sidecar.
  {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'waypoint-5c9c6b7b8d-x2kqz', namespace: 'bookinfo', labels: { 'gateway.istio.io/managed': 'istio.io-mesh-controller', 'gateway.networking.k8s.io/gateway-name': 'waypoint' } },
    spec: { containers: [{ name: 'istio-proxy', image: 'docker.io/istio/proxyv2:1.31-dev' }] },
  },
  ...([['reviews', 'v1'], ['reviews', 'v2'], ['ratings', 'v1'], ['productpage', 'v1']] as const).map(([app, version]) => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: `${app}-${version}-cluster-tier`, namespace: 'bookinfo', labels: { app, version } },
    spec: { containers: [{ name: app, image: `docker.io/istio/examples-bookinfo-${app}-${version}:1.20.2` }] },
  })),
];

/**
 * Created as a person would (`kubectl create`): mesh-bot refuses to patch a VirtualService whose spec.http a
 * server-side apply owns, since that applier would revert the weights.
 */
const ISTIO_CONFIG: Manifest[] = [
  {
    apiVersion: 'networking.istio.io/v1',
    kind: 'DestinationRule',
    metadata: { name: 'reviews', namespace: 'bookinfo' },
    spec: { host: 'reviews', subsets: [{ name: 'v1', labels: { version: 'v1' } }, { name: 'v2', labels: { version: 'v2' } }] },
  },
  reviewsVirtualService([90, 10]),
  // The known misconfiguration: a gateway that does not exist (IST0101 ReferencedResourceNotFound).
  {
    apiVersion: 'networking.istio.io/v1',
    kind: 'VirtualService',
    metadata: { name: 'productpage', namespace: 'bookinfo' },
    spec: { hosts: ['productpage.example.com'], gateways: ['bookinfo-gateway'], http: [{ route: [{ destination: { host: 'productpage' } }] }] },
  },
];

function reviewsVirtualService([stable, canary]: readonly [number, number]): k8s.KubernetesObject & { spec: unknown } {
  return {
    apiVersion: 'networking.istio.io/v1',
    kind: 'VirtualService',
    metadata: { name: 'reviews', namespace: 'bookinfo' },
    spec: {
      hosts: ['reviews'],
      http: [{ name: 'reviews-route', route: [{ destination: { host: 'reviews', subset: 'v1' }, weight: stable }, { destination: { host: 'reviews', subset: 'v2' }, weight: canary }] }],
    },
  };
}

/** No kubelet runs here: the pods are reported Running the way a kubelet would, through the status subresource. */
async function markPodsRunning(tier: Tier, namespace: string): Promise<void> {
  const core = tier.controlPlane.admin.makeApiClient(k8s.CoreV1Api);
  for (const [index, pod] of (await core.listNamespacedPod({ namespace })).items.entries()) {
    const now = new Date();
    pod.status = { phase: 'Running', podIP: `10.244.1.${10 + index}`, startTime: now, conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: now }] };
    await core.replaceNamespacedPodStatus({ namespace, name: pod.metadata?.name ?? '', body: pod });
  }
}

export function registerMeshScenarios(tier: Tier): void {
  let istiod: Istiod;
  let proxies: Started;
  let bot: BotProcess;
  const statusAnswers = () => tier.slack.messages('C0OPS').filter((message) => message.via === 'response_url' && message.ephemeralTo === undefined).length;

  describe('istiod absent', () => {
    it('answers /mesh status with istioctl\'s own error and what to do', async () => {
      bot = await startBotProcess({ name: 'bot-a', controlPlane: tier.controlPlane, slack: tier.slack, kubeconfig: tier.botKubeconfig, configYaml: botConfig(tier) });
      tier.bots.push(bot);
      const since = statusAnswers();
      await bot.slash('status');
      const answer = await bot.answer('C0OPS', since);
      const text = `${answer.text}\n${blockText(answer.blocks)}`;
      // istioctl could not dial the xDS address (its stderr names the dial error); the bot names that address, where
      // it comes from, and istioctl's reason.
      assert.match(answer.text, /^tier: control plane down/, text);
      assert.match(text, /istiod at 127\.0\.0\.1:\d+ \(clusters\[\]\.xdsAddress of tier\) did not answer the xDS status request: .*connection refused.*\. Check that address and that mesh-bot can reach it, then try again\./);
      await assertNoForbidden(tier);
    });
  });

  describe('with istiod and simulated proxies over ADS', () => {
    before(async () => {
      istiod = await tier.controlPlane.startIstiod();
      await applyObjects(tier.controlPlane.adminKubeconfig, BOOKINFO);
      await createObjects(tier.controlPlane.adminKubeconfig, ISTIO_CONFIG);
      await markPodsRunning(tier, 'bookinfo');
      proxies = start({ name: 'ads-proxies', command: binary('ads-proxies'), args: ['-xds', istiod.plaintextXdsAddress, ...PROXIES], dir: tier.controlPlane.dir });
      await waitFor(proxies, 'every proxy connected', async () => ((await proxies.log()).includes('\nready') || (await proxies.log()).startsWith('ready') ? true : undefined), 60_000);
    });
    after(async () => {
      await proxies?.stop();
    });

    it('/mesh status counts the proxies istiod reports and names the STALE one', async () => {
      const since = statusAnswers();
      await bot.slash('status');
      const answer = await bot.answer('C0OPS', since);
      const text = `${answer.text}\n${blockText(answer.blocks)}`;
      assert.match(answer.text, /1 of 6 proxies STALE/, text);
      assert.match(text, /ratings-v1-6484c4d9bb-zvqtv\.bookinfo/);
      // The bot read the real `istioctl version -o json` and picked its flags for 1.31 from it.
      assert.match(text, /istioctl 1\.31-dev/);
      await assertNoForbidden(tier);
    });

    it('the terminal mode reports sidecars, the waypoint and the ztunnel by kind', async () => {
      const configFile = path.join(tier.controlPlane.dir, 'cli-config.yaml');
      await writeFile(configFile, botConfig(tier));
      const { stdout } = await execa(process.execPath, ['bin/mesh-bot.js', 'status', '-o', 'json'], {
        env: { KUBECONFIG: tier.botKubeconfig, ISTIOCTL: binary('istioctl'), MESH_BOT_CONFIG: configFile, HOME: tier.controlPlane.dir },
        reject: false,
      });
      const report = JSON.parse(stdout) as { proxies: { total: number; stale: number; healthy: number; byKind: Record<string, number>; problems: { name: string }[] } };
      assert.equal(report.proxies.total, 6);
      assert.equal(report.proxies.stale, 1);
      assert.deepEqual(report.proxies.byKind, { sidecar: 4, waypoint: 1, ztunnel: 1, gateway: 0 });
      assert.deepEqual(report.proxies.problems.map((problem) => problem.name), ['ratings-v1-6484c4d9bb-zvqtv.bookinfo']);
      await assertNoForbidden(tier);
    });

    it('istiod\'s validating webhook refuses an invalid VirtualService in a server-side dry run', async () => {
      const custom = tier.controlPlane.admin.makeApiClient(k8s.CustomObjectsApi);
      const invalid = reviewsVirtualService([-5, 105]);
      await assert.rejects(
        custom.createNamespacedCustomObject({ group: 'networking.istio.io', version: 'v1', namespace: 'bookinfo', plural: 'virtualservices', body: { ...invalid, metadata: { name: 'reviews-invalid', namespace: 'bookinfo' } }, dryRun: 'All' }),
        (error: unknown) => {
          const status = JSON.parse(String((error as { body?: unknown }).body)) as { code: number; message: string };
          assert.equal(status.code, 400);
          assert.equal(status.message, 'admission webhook "validation.istio.io" denied the request: configuration is invalid: weight -5 < 0');
          return true;
        },
      );
    });

    it('/mesh analyze -A is refused without the opt-in Secrets grant, and finds IST0101 with it', async () => {
      // istioctl analyze first lists istio-system's remote-cluster Secrets (label istio/multiCluster); the base
      // grants no Secrets, and this istioctl stops at once with the API server's refusal.
      let since = statusAnswers();
      await bot.slash('analyze -A');
      const refused = await bot.answer('C0OPS', since);
      assert.match(refused.text, /^tier \(all namespaces\): analysis unavailable/);
      assert.match(blockText(refused.blocks), /Kubernetes does not allow user system:serviceaccount:mesh-bot:mesh-bot to list secrets \(core API group\) in namespace istio-system/);
      assert.match(blockText(refused.blocks), /deploy\/optional\/analyze-secrets\.yaml/);
      await assertNoForbidden(tier, (description) => description === `${BOT_SA} list secrets in namespace istio-system`);

      await applyObjects(tier.controlPlane.adminKubeconfig, parseObjects(await readFile('deploy/optional/analyze-secrets.yaml', 'utf8')));
      // The authorizer sees a new binding through its informer: wait until it answers yes for the bot.
      await waitFor(istiod.process, 'the Secrets grant', async () => ((await execa('kubectl', ['--kubeconfig', tier.botKubeconfig, 'auth', 'can-i', 'list', 'secrets', '-A'], { reject: false })).stdout.trim() === 'yes' ? true : undefined), 30_000);
      // The bot answers a repeated command from its cache for istioctl.cacheTtl (1 s here): ask after it.
      await new Promise((resolve) => setTimeout(resolve, 1100));
      since = statusAnswers();
      await bot.slash('analyze -A');
      const answer = await bot.answer('C0OPS', since);
      const text = `${answer.text}\n${blockText(answer.blocks)}`;
      assert.match(text, /IST0101/, text);
      assert.match(text, /bookinfo-gateway/);
      await assertNoForbidden(tier);
    });
  });

  describe('approval-gated canary promotion against the real API server and webhook', () => {
    let second: BotProcess;
    const custom = () => tier.controlPlane.admin.makeApiClient(k8s.CustomObjectsApi);
    const weights = async () => {
      const vs = (await custom().getNamespacedCustomObject({ group: 'networking.istio.io', version: 'v1', namespace: 'bookinfo', plural: 'virtualservices', name: 'reviews' })) as { spec: { http: { route: { weight?: number }[] }[] } };
      return vs.spec.http[0]?.route.map((destination) => destination.weight ?? 0);
    };
    const setWeights = async (next: readonly [number, number]) => {
      const current = (await custom().getNamespacedCustomObject({ group: 'networking.istio.io', version: 'v1', namespace: 'bookinfo', plural: 'virtualservices', name: 'reviews' })) as k8s.KubernetesObject;
      await custom().replaceNamespacedCustomObject({ group: 'networking.istio.io', version: 'v1', namespace: 'bookinfo', plural: 'virtualservices', name: 'reviews', body: { ...reviewsVirtualService(next), metadata: { ...reviewsVirtualService(next).metadata, resourceVersion: current.metadata?.resourceVersion } } });
    };
    const approvals = approvalCards(() => tier.slack);
    const requestPromotion = (weight: number) => approvals.request(bot, `canary promote reviews --weight ${weight} -n bookinfo`);
    const settled = approvals.settled;

    before(async () => {
      second = await startBotProcess({ name: 'bot-b', controlPlane: tier.controlPlane, slack: tier.slack, kubeconfig: tier.botKubeconfig, configYaml: botConfig(tier) });
      tier.bots.push(second);
    });

    it('dry-runs through istiod, applies exactly once when two replicas get two approvals at once, and records an Event', async () => {
      const { ts, id, text } = await requestPromotion(50);
      assert.match(text, /Dry run passed/);
      assert.deepEqual(await weights(), [90, 10], 'nothing is written before approval');

      // A second promotion asked on the other replica meanwhile: its create of the per-VirtualService lock meets a
      // real 409 (AlreadyExists) from the API server, and the requester is told which request holds it.
      const beforeSecond = (await serviceAccountRequests(tier.controlPlane)).length;
      await second.slash('canary promote reviews --weight 30 -n bookinfo', { userId: 'U0ALICE', channelId: 'C0OPS' });
      const busy = await tier.slack.waitFor((fake) => fake.responses.find((response) => /is already pending/.test(String(response.body['text'] ?? ''))), { timeoutMs: 60_000 });
      assert.match(String(busy.body['text']), new RegExp(`request ${id}`));
      const lockConflicts = (await serviceAccountRequests(tier.controlPlane)).slice(beforeSecond).filter((request) => request.code === 409 && request.verb === 'create' && request.resource === 'configmaps');
      assert.equal(lockConflicts.length, 1, "the second replica's lock create met one real 409");
      assert.deepEqual(await weights(), [90, 10], 'the refused promotion wrote nothing');

      const beforeApproval = (await serviceAccountRequests(tier.controlPlane)).length;
      await Promise.all([
        bot.click({ actionId: 'canary_approve', value: id, userId: 'U0BOB', channelId: 'C0REL', messageTs: ts }),
        second.click({ actionId: 'canary_approve', value: id, userId: 'U0CAROL', channelId: 'C0REL', messageTs: ts }),
      ]);
      const card = await settled(ts, /Weights changed/);
      assert.match(blockText(card.blocks), /Weights changed: v1 90% \/ v2 10% → v1 50% \/ v2 50%/);
      assert.deepEqual(await weights(), [50, 50]);
      const loser = await tier.slack.waitFor((fake) => fake.responses.find((response) => /already approved/.test(String(response.body['text'] ?? ''))), { timeoutMs: 30_000 });
      assert.equal(loser.body['response_type'], 'ephemeral');

      const requests = (await serviceAccountRequests(tier.controlPlane)).slice(beforeApproval);
      const patches = requests.filter((request) => request.verb === 'patch' && request.resource === 'virtualservices.networking.istio.io' && request.name === 'reviews' && !/dryRun=All/.test(request.uri));
      assert.deepEqual(patches.map((request) => request.code), [200], 'one real write');
      // Which way the loser learns it lost depends on timing alone: when both reads precede both writes the API
      // server answers its write with a real 409, otherwise its read already shows the decision. Either way it wrote
      // nothing, and every 409 it met was on the shared state, never on the VirtualService.
      const conflicts = requests.filter((request) => request.code === 409);
      assert.ok(conflicts.every((request) => request.namespace === 'mesh-bot' && request.resource === 'configmaps'), `409s outside the state ConfigMaps: ${JSON.stringify(conflicts)}`);
      process.stdout.write(`# concurrent approvals: ${conflicts.length === 0 ? 'the loser read the decided state' : `the loser met ${conflicts.length} real 409(s) on the state ConfigMap`}\n`);
      const events = await tier.controlPlane.admin.makeApiClient(k8s.CoreV1Api).listNamespacedEvent({ namespace: 'bookinfo' });
      assert.ok(events.items.some((event) => event.involvedObject.kind === 'VirtualService' && /^weights v1 90% \/ v2 10% → v1 50% \/ v2 50% requested by <@U0ALICE>, approved by <@U0(BOB|CAROL)> via mesh-bot$/.test(event.message ?? '')), events.items.map((event) => event.message).join('\n'));

      // The request's durable state, as the API server stores it: one ConfigMap per request in the bot's namespace.
      const record = await tier.controlPlane.admin.makeApiClient(k8s.CoreV1Api).readNamespacedConfigMap({ namespace: 'mesh-bot', name: `mesh-bot-promo-${id}` });
      assert.equal(record.metadata?.labels?.['app.kubernetes.io/managed-by'], 'mesh-bot');

      await bot.click({ actionId: 'canary_rollback', value: id, userId: 'U0ALICE', channelId: 'C0REL', messageTs: ts });
      await settled(ts, /Rolled back\* by <@U0ALICE>/);
      assert.deepEqual(await weights(), [100, 0]);
      await assertNoForbidden(tier);
    });

    it('writes nothing when another writer changed the VirtualService between request and approval', async () => {
      const { ts, id } = await requestPromotion(30);
      await setWeights([80, 20]);
      await bot.click({ actionId: 'canary_approve', value: id, userId: 'U0BOB', channelId: 'C0REL', messageTs: ts });
      const card = await settled(ts, /not applied/);
      assert.match(blockText(card.blocks), /not applied\*: VirtualService bookinfo\/reviews changed since the request was made: .*so nothing was written/);
      assert.deepEqual(await weights(), [80, 20]);
      await assertNoForbidden(tier);
    });

    it('writes nothing when another writer bound the VirtualService to a gateway between request and approval (the real API server fails the null test of an added field)', async () => {
      const { ts, id } = await requestPromotion(30);
      const current = (await custom().getNamespacedCustomObject({ group: 'networking.istio.io', version: 'v1', namespace: 'bookinfo', plural: 'virtualservices', name: 'reviews' })) as k8s.KubernetesObject & { spec: Record<string, unknown> };
      await custom().replaceNamespacedCustomObject({ group: 'networking.istio.io', version: 'v1', namespace: 'bookinfo', plural: 'virtualservices', name: 'reviews', body: { ...current, spec: { ...current.spec, gateways: ['mesh', 'bookinfo-gateway'] } } });
      await bot.click({ actionId: 'canary_approve', value: id, userId: 'U0BOB', channelId: 'C0REL', messageTs: ts });
      const card = await settled(ts, /not applied/);
      assert.match(blockText(card.blocks), /not applied\*: VirtualService bookinfo\/reviews changed since the request was made: its gateways \(which traffic it routes\) changed, so nothing was written/);
      assert.deepEqual(await weights(), [80, 20]);
      await setWeights([80, 20]);
      await assertNoForbidden(tier);
    });

    it('refuses a promotion while istiod, and so its validating webhook, is down', async () => {
      await proxies.stop();
      await tier.controlPlane.stopIstiod();
      await bot.slash('canary promote reviews --weight 60 -n bookinfo', { userId: 'U0ALICE', channelId: 'C0OPS' });
      const refusal = await tier.slack.waitFor((fake) => fake.responses.find((response) => /validation\.istio\.io/.test(String(response.body['text'] ?? ''))), { timeoutMs: 60_000 });
      assert.match(String(refusal.body['text']), /failed calling webhook "validation\.istio\.io"/);
      assert.deepEqual(await weights(), [80, 20]);
      await assertNoForbidden(tier);
      istiod = await tier.controlPlane.startIstiod();
    });
  });

  describe('leader election through a real Lease', () => {
    it('two replicas elect one leader, which posts the scheduled digest once per fire', async () => {
      for (const running of tier.bots.splice(0)) await running.stop();
      // Every minute, cron's finest step: the test waits for the first fire, at most a minute.
      const digestConfig = botConfig(tier, 'digests:\n  - channel: C0DIGEST\n    schedule: "* * * * *"\n');
      const replicas = [
        await startBotProcess({ name: 'bot-l1', controlPlane: tier.controlPlane, slack: tier.slack, kubeconfig: tier.botKubeconfig, configYaml: digestConfig }),
        await startBotProcess({ name: 'bot-l2', controlPlane: tier.controlPlane, slack: tier.slack, kubeconfig: tier.botKubeconfig, configYaml: digestConfig }),
      ];
      tier.bots.push(...replicas);
      const digests = () => tier.slack.messages('C0DIGEST').filter((message) => message.via === 'api' && message.threadTs === undefined);
      await tier.slack.waitFor((fake) => (fake.messages('C0DIGEST').filter((message) => message.via === 'api' && message.threadTs === undefined).length >= 1 ? true : undefined), { timeoutMs: 120_000 });
      assert.match(digests()[0]?.text ?? '', /^Mesh digest tier/);
      const lease = await tier.controlPlane.admin.makeApiClient(k8s.CoordinationV1Api).readNamespacedLease({ namespace: 'mesh-bot', name: 'mesh-bot-leader' });
      const holder = lease.spec?.holderIdentity ?? '';
      assert.match(holder, /^bot-l[12]-[0-9a-f]{8}$/);
      // Stopped, each process has logged everything it posted (and the leader has handed the Lease back).
      await Promise.all(replicas.map((replica) => replica.stop()));
      // Each process logs the fire time of every digest it posted.
      const postedBy = async (replica: BotProcess) => (await replica.process.log()).split('\n').filter((line) => line.includes('"digest posted"')).map((line) => (JSON.parse(line) as { digest: { firedAt: string } }).digest.firedAt);
      const [first, second] = [await postedBy(replicas[0] as BotProcess), await postedBy(replicas[1] as BotProcess)];
      const all = [...first, ...second];
      assert.equal(new Set(all).size, all.length, `a fire posted twice: ${all.join(', ')}`);
      assert.equal(all.length, digests().length);
      assert.deepEqual(holder.startsWith('bot-l1') ? second : first, [], 'only the Lease holder posts');
      await assertNoForbidden(tier);
    });
  });
}
