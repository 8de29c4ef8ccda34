/**
 * Gateway API and ambient against the real components: an HTTPRoute canary promoted, approved, proven and rolled back
 * on the real API server (the Gateway API CRDs with their validation, JSON Patch `test` answered 422), with istiod
 * writing the route's parent status the proof reads; and `waypoint` run with the real istioctl on waypoint Gateways
 * that istiod programs, cannot program, or never sees, and an HTTPRoute change proven through the waypoint serving it.
 *
 * Runs after mesh.ts, on what it leaves: istiod running, the bookinfo Services and Running pods (no kubelet), and the
 * VirtualService `reviews`, which shares its name with the HTTPRoute here.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as k8s from '@kubernetes/client-node';
import { execa } from 'execa';
import { blockText } from '../support/blocks.ts';
import { approvalCards } from './harness/approval-cards.ts';
import { startBotProcess, type BotProcess } from './harness/bot-process.ts';
import { applyObjects, binary, createObjects, serviceAccountRequests, type Istiod } from './harness/control-plane.ts';
import { start, waitFor } from './harness/processes.ts';
import { assertNoForbidden, botConfig, type Tier } from './tier.cluster.ts';

const GATEWAY_API = { group: 'gateway.networking.k8s.io', version: 'v1', namespace: 'bookinfo' } as const;
const MESH_PARENT = { group: '', kind: 'Service', name: 'reviews', port: 9080 };

/** An object as a manifest file holds it: metadata and whatever its kind has beside (spec, endpoints, ...). */
type Manifest = k8s.KubernetesObject & { readonly [field: string]: unknown };

/** The backend Services a GAMMA route splits between: one per version of reviews, selecting mesh.ts's pods. */
const BACKENDS: Manifest[] = ['v1', 'v2'].map((version) => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: `reviews-${version}`, namespace: 'bookinfo', labels: { app: 'reviews', version } },
  spec: { selector: { app: 'reviews', version }, ports: [{ name: 'http', port: 9080 }] },
}));

/** Istio's samples/bookinfo/gateway-api/route-reviews-90-10.yaml (corpus gateway-api/httproute-weighted), with other weights and names. */
function reviewsRoute(name: string, [stable, canary]: readonly [number, number], metadata: Omit<k8s.V1ObjectMeta, 'name' | 'namespace'> = {}): k8s.KubernetesObject & { spec: unknown } {
  return {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: { name, namespace: 'bookinfo', ...metadata },
    spec: {
      parentRefs: [MESH_PARENT],
      rules: [{ backendRefs: [{ name: 'reviews-v1', port: 9080, weight: stable }, { name: 'reviews-v2', port: 9080, weight: canary }] }],
    },
  };
}

interface StoredRoute {
  metadata: k8s.V1ObjectMeta;
  spec: { rules: { backendRefs: { name: string; weight?: number }[] }[] };
  status?: { parents?: { controllerName?: string; parentRef: { kind?: string; name: string }; conditions?: { type: string; status: string; reason?: string; observedGeneration?: number }[] }[] };
}

interface StoredGateway {
  status?: { conditions?: { type: string; status: string; reason?: string; message?: string; lastTransitionTime?: string }[] };
}

/** A waypoint Gateway as `istioctl waypoint generate` writes one: class istio-waypoint, the HBONE listener on 15008. */
function waypointGateway(name: string, labels: Record<string, string>): Manifest {
  return {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'Gateway',
    metadata: { name, namespace: 'bookinfo', labels: { 'istio.io/waypoint-for': 'service', ...labels } },
    spec: { gatewayClassName: 'istio-waypoint', listeners: [{ name: 'mesh', port: 15008, protocol: 'HBONE' }] },
  };
}

interface WaypointJson {
  waypoints: { namespace: string; name: string; programmed: boolean; programmedStatus: string; trafficType: string | null; revision: string | null; reason: string; message: string }[];
  notProgrammed: number;
  services: { labelled: number; problems: { service: string | null; waypoint: string; problem: string }[] } | null;
}

export function registerGatewayApiScenarios(tier: Tier): void {
  let bot: BotProcess;
  let istiod: Istiod;
  const custom = () => tier.controlPlane.admin.makeApiClient(k8s.CustomObjectsApi);
  const route = async (name = 'reviews') => (await custom().getNamespacedCustomObject({ ...GATEWAY_API, plural: 'httproutes', name })) as StoredRoute;
  const weights = async (name = 'reviews') => (await route(name)).spec.rules[0]?.backendRefs.map((ref) => ref.weight);
  const gateway = async (name: string) => (await custom().getNamespacedCustomObject({ ...GATEWAY_API, plural: 'gateways', name })) as StoredGateway;
  const condition = async (name: string, type: string) => (await gateway(name)).status?.conditions?.find((candidate) => candidate.type === type);
  const refusal = (pattern: RegExp) => tier.slack.waitFor((fake) => fake.responses.find((response) => pattern.test(String(response.body['text'] ?? ''))), { timeoutMs: 60_000 }).then((response) => String(response.body['text']));

  const approvals = approvalCards(() => tier.slack);
  const requestPromotion = (weight: number) => approvals.request(bot, `canary promote reviews --weight ${weight} --kind httproute -n bookinfo`);
  const settled = approvals.settled;
  /** The bot's HTTPRoute patches since `from` audit lines: dry runs apart from writes, each with the API server's answer. */
  const routePatches = async (from: number, name = 'reviews') => {
    const patches = (await serviceAccountRequests(tier.controlPlane)).slice(from).filter((request) => request.verb === 'patch' && request.resource === 'httproutes.gateway.networking.k8s.io' && request.name === name);
    return { dryRuns: patches.filter((request) => /dryRun=All/.test(request.uri)).map((request) => request.code), writes: patches.filter((request) => !/dryRun=All/.test(request.uri)).map((request) => request.code) };
  };
  const auditLength = async () => (await serviceAccountRequests(tier.controlPlane)).length;

  describe('Gateway API: an HTTPRoute canary on the real API server, proven by the route status istiod writes', () => {
    before(async () => {
      istiod = tier.controlPlane.istiod ?? (await tier.controlPlane.startIstiod());
      await applyObjects(tier.controlPlane.adminKubeconfig, BACKENDS);
      // Created as a person would (`kubectl create`), not server-side applied: an applier of spec.rules would own the weights.
      await createObjects(tier.controlPlane.adminKubeconfig, [
        reviewsRoute('reviews', [90, 10]),
        // Flagger sets this controller reference on a route it creates (pkg/router/gateway_api.go, v1.44.0).
        reviewsRoute('reviews-flagger', [100, 0], { ownerReferences: [{ apiVersion: 'flagger.app/v1beta1', kind: 'Canary', name: 'reviews', uid: '5f0c2a1e-7d43-4b8e-9a51-2c6d8e4f1b07', controller: true, blockOwnerDeletion: true }] }),
        // The Argo Rollouts Gateway API plugin labels a route while its canary weight is not 0 (pkg/plugin/labels.go, v0.15.0).
        reviewsRoute('reviews-argo', [80, 20], { labels: { 'rollouts.argoproj.io/gatewayapi-canary': 'in-progress' } }),
      ]);
      bot = await startBotProcess({ name: 'bot-gw', controlPlane: tier.controlPlane, slack: tier.slack, kubeconfig: tier.botKubeconfig, configYaml: botConfig(tier) });
      tier.bots.push(bot);
    });

    it('asks which kind when a VirtualService shares the name; with --kind httproute, a second person approves, the weights land once, istiod\'s parent status proves them, and rollback restores them', async () => {
      await bot.slash('canary promote reviews --weight 50 -n bookinfo', { userId: 'U0ALICE', channelId: 'C0OPS' });
      assert.match(await refusal(/Both a VirtualService and an HTTPRoute/), /Both a VirtualService and an HTTPRoute are named bookinfo\/reviews; say which one to use with --kind virtualservice or --kind httproute\./);

      const beforeRequest = await auditLength();
      const { ts, id, text } = await requestPromotion(50);
      assert.match(text, /reviews-v1 90% \/ reviews-v2 10%/, text);
      assert.match(text, /Dry run passed/);
      // Before approval the weights are only dry-run; the one write marks the route as owned by the request.
      const pending = await route();
      assert.deepEqual(pending.spec.rules[0]?.backendRefs.map((ref) => ref.weight), [90, 10], 'no weight is written before approval');
      assert.equal(pending.metadata.annotations?.['mesh-bot/owner'], id);
      assert.deepEqual((await routePatches(beforeRequest)).dryRuns, [200], 'the weights passed the CRD\'s validation in a server-side dry run');

      const beforeApproval = await auditLength();
      await bot.click({ actionId: 'canary_approve', value: id, userId: 'U0BOB', channelId: 'C0REL', messageTs: ts });
      const card = blockText((await settled(ts, /Weights changed/)).blocks);
      assert.match(card, /Weights changed: reviews-v1 90% \/ reviews-v2 10% → reviews-v1 50% \/ reviews-v2 50%/, card);
      // The proof: istiod's own status on the route's Service parent, for the generation the write created.
      const proven = blockText((await settled(ts, /parents? accepted/)).blocks);
      // No Service or Namespace names a waypoint yet (a sidecar mesh route): the parents are the whole proof.
      assert.match(proven, /1\/1 parents accepted the change \(Accepted and ResolvedRefs True\) after \d+ s\./, proven);

      const written = await route();
      assert.deepEqual(written.spec.rules[0]?.backendRefs.map((ref) => ref.weight), [50, 50]);
      assert.equal(written.metadata.annotations?.['mesh-bot/stable-subset'], 'reviews-v1');
      assert.equal(written.metadata.annotations?.['mesh-bot/canary-subset'], 'reviews-v2');
      assert.equal(written.metadata.annotations?.['mesh-bot/owner'], undefined, 'the owner annotation is removed in the same patch');
      const parent = written.status?.parents?.find((candidate) => candidate.parentRef.kind === 'Service' && candidate.parentRef.name === 'reviews');
      assert.equal(parent?.controllerName, 'istio.io/gateway-controller');
      for (const type of ['Accepted', 'ResolvedRefs']) {
        const reported: { status: string; observedGeneration?: number } | undefined = parent?.conditions?.find((candidate) => candidate.type === type);
        assert.equal(reported?.status, 'True', `${type} on the mesh parent`);
        assert.ok((reported?.observedGeneration ?? 0) >= (written.metadata.generation ?? Infinity), `${type} observed generation ${reported?.observedGeneration} of ${written.metadata.generation}`);
      }
      assert.deepEqual((await routePatches(beforeApproval)).writes, [200], 'one real write');

      const events = await tier.controlPlane.admin.makeApiClient(k8s.CoreV1Api).listNamespacedEvent({ namespace: 'bookinfo' });
      assert.ok(
        events.items.some((event) => event.involvedObject.kind === 'HTTPRoute' && event.involvedObject.name === 'reviews' && /^weights reviews-v1 90% \/ reviews-v2 10% → reviews-v1 50% \/ reviews-v2 50% requested by <@U0ALICE>, approved by <@U0BOB> via mesh-bot$/.test(event.message ?? '')),
        events.items.map((event) => `${event.involvedObject.kind}: ${event.message}`).join('\n'),
      );

      await bot.click({ actionId: 'canary_rollback', value: id, userId: 'U0ALICE', channelId: 'C0REL', messageTs: ts });
      await settled(ts, /Rolled back\* by <@U0ALICE>/);
      assert.deepEqual(await weights(), [100, 0]);
      await assertNoForbidden(tier);
    });

    it('writes nothing when another writer changed the HTTPRoute\'s weights between request and approval: the API server fails the patch\'s test (422)', async () => {
      const { ts, id } = await requestPromotion(30);
      const current = await route();
      await custom().replaceNamespacedCustomObject({ ...GATEWAY_API, plural: 'httproutes', name: 'reviews', body: { ...reviewsRoute('reviews', [70, 30]), metadata: { ...current.metadata, managedFields: undefined } } });
      const beforeApproval = await auditLength();
      await bot.click({ actionId: 'canary_approve', value: id, userId: 'U0BOB', channelId: 'C0REL', messageTs: ts });
      const card = blockText((await settled(ts, /not applied/)).blocks);
      assert.match(card, /not applied\*: HTTPRoute bookinfo\/reviews changed since the request was made: .*so nothing was written/, card);
      const after = await route();
      assert.deepEqual(after.spec.rules[0]?.backendRefs.map((ref) => ref.weight), [70, 30], 'the other writer\'s weights stay');
      const [refused, ...rest] = (await routePatches(beforeApproval)).writes;
      assert.equal(refused, 422, 'the API server refused the weight patch, whose test no longer held');
      // What followed only released the route: the owner annotation is gone, the weights are the other writer's.
      assert.ok(rest.every((code) => code === 200), `writes after the refusal: ${rest.join(', ')}`);
      assert.equal(after.metadata.annotations?.['mesh-bot/owner'], undefined);
      await assertNoForbidden(tier);
    });

    it('writes nothing when another writer re-attached the HTTPRoute to an ingress Gateway between request and approval: the test of its parentRefs fails on the real API server', async () => {
      const { ts, id } = await requestPromotion(40);
      const current = await route();
      const reattached = { parentRefs: [{ name: 'bookinfo-gateway' }], rules: current.spec.rules };
      await custom().replaceNamespacedCustomObject({ ...GATEWAY_API, plural: 'httproutes', name: 'reviews', body: { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { ...current.metadata, managedFields: undefined }, spec: reattached } });
      const beforeApproval = await auditLength();
      await bot.click({ actionId: 'canary_approve', value: id, userId: 'U0BOB', channelId: 'C0REL', messageTs: ts });
      const card = blockText((await settled(ts, /not applied/)).blocks);
      assert.match(card, /not applied\*: HTTPRoute bookinfo\/reviews changed since the request was made: its parentRefs \(which traffic it routes\) changed, so nothing was written/, card);
      assert.deepEqual(await weights(), [70, 30]);
      assert.equal((await routePatches(beforeApproval)).writes[0], 422);
      // Back on the mesh Service, as the scenarios below need it.
      const moved = await route();
      await custom().replaceNamespacedCustomObject({ ...GATEWAY_API, plural: 'httproutes', name: 'reviews', body: { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { ...moved.metadata, managedFields: undefined }, spec: { ...reattached, parentRefs: [MESH_PARENT] } } });
      await assertNoForbidden(tier);
    });

    it('refuses an HTTPRoute that Flagger or the Argo Rollouts Gateway API plugin drives, before any dry run', async () => {
      const beforeRequests = await auditLength();
      await bot.slash('canary promote reviews-flagger --weight 50 -n bookinfo', { userId: 'U0ALICE', channelId: 'C0OPS' });
      assert.match(await refusal(/reviews-flagger/), /Flagger manages HTTPRoute bookinfo\/reviews-flagger \(Canary bookinfo\/reviews owns it\), so mesh-bot will not patch it\./);
      await bot.slash('canary promote reviews-argo --weight 50 -n bookinfo', { userId: 'U0ALICE', channelId: 'C0OPS' });
      assert.match(await refusal(/reviews-argo/), /Argo Rollouts manages HTTPRoute bookinfo\/reviews-argo \(.*label rollouts\.argoproj\.io\/gatewayapi-canary=in-progress.*\), so mesh-bot will not patch it\./);
      assert.deepEqual(await routePatches(beforeRequests, 'reviews-flagger'), { dryRuns: [], writes: [] });
      assert.deepEqual(await routePatches(beforeRequests, 'reviews-argo'), { dryRuns: [], writes: [] });
      assert.deepEqual(await weights('reviews-flagger'), [100, 0]);
      assert.deepEqual(await weights('reviews-argo'), [80, 20]);
      // No Argo Rollouts here: the Rollout list the Argo check makes is answered 404 (no such API), which is not a 403.
      await assertNoForbidden(tier);
    });
  });

  describe('ambient waypoints through the real istioctl', () => {
    const cli = async (...args: string[]) => {
      const configFile = path.join(tier.controlPlane.dir, 'cli-config-waypoint.yaml');
      await writeFile(configFile, botConfig(tier));
      return execa(process.execPath, ['bin/mesh-bot.js', ...args], { env: { KUBECONFIG: tier.botKubeconfig, ISTIOCTL: binary('istioctl'), MESH_BOT_CONFIG: configFile, HOME: tier.controlPlane.dir }, reject: false });
    };
    const waypointJson = async (...args: string[]) => {
      const { stdout, stderr } = await cli('waypoint', ...args, '-A', '-o', 'json');
      assert.ok(stdout.startsWith('{'), `mesh-bot waypoint ${args.join(' ')} -A -o json printed no JSON: ${stdout}${stderr}`);
      return JSON.parse(stdout) as WaypointJson;
    };
    const byName = (report: WaypointJson) => Object.fromEntries(report.waypoints.map((waypoint) => [waypoint.name, waypoint]));
    /** istiod writes a waypoint's status once it has seen it: wait until Programmed is no longer the CRD's default. */
    const writtenByIstiod = (name: string, status: string) =>
      waitFor(istiod.process, `istiod's status on Gateway bookinfo/${name}`, async () => {
        const programmed = await condition(name, 'Programmed');
        return programmed?.status === status && programmed.reason !== 'Pending' ? programmed : undefined;
      }, 30_000);

    before(async () => {
      const objects: Manifest[] = [
        waypointGateway('waypoint', {}),
        // A revision whose istiod is not installed: no controller ever writes its status.
        waypointGateway('waypoint-canary', { 'istio.io/rev': 'canary' }),
        { apiVersion: 'v1', kind: 'Service', metadata: { name: 'details', namespace: 'bookinfo', labels: { app: 'details', 'istio.io/use-waypoint': 'waypoint-gone' } }, spec: { selector: { app: 'details' }, ports: [{ name: 'http', port: 9080 }] } },
      ];
      await createObjects(tier.controlPlane.adminKubeconfig, objects);
      for (const [service, waypoint] of [['ratings', 'waypoint'], ['productpage', 'waypoint-canary']] as const) {
        await execa('kubectl', ['--kubeconfig', tier.controlPlane.adminKubeconfig, 'label', 'service', '-n', 'bookinfo', service, `istio.io/use-waypoint=${waypoint}`]);
      }
    });
    after(async () => {
      await bot?.stop();
      tier.bots.splice(tier.bots.indexOf(bot), 1);
    });

    it('without a Service behind it, istiod writes Programmed False, and a waypoint of a revision nobody runs keeps the CRD\'s "Waiting for controller"', async () => {
      const notProgrammed = await writtenByIstiod('waypoint', 'False');
      // No deployment controller made the waypoint's Service here: istiod says it cannot find its address.
      assert.equal(notProgrammed.reason, 'AddressNotUsable');
      assert.match(notProgrammed.message ?? '', /hostname "waypoint\.bookinfo\.svc\.cluster\.local" not found/);
      // Nobody wrote this one: these are the Gateway CRD's defaults for a Gateway no controller has seen.
      const unseen = await condition('waypoint-canary', 'Programmed');
      assert.deepEqual([unseen?.status, unseen?.reason, unseen?.message, unseen?.lastTransitionTime], ['Unknown', 'Pending', 'Waiting for controller', '1970-01-01T00:00:00Z']);

      const listed = await waypointJson();
      assert.deepEqual(byName(listed)['waypoint'], { namespace: 'bookinfo', name: 'waypoint', programmed: false, programmedStatus: 'False', trafficType: 'service', revision: 'default', reason: '', message: '' });
      assert.deepEqual(byName(listed)['waypoint-canary'], { namespace: 'bookinfo', name: 'waypoint-canary', programmed: false, programmedStatus: 'Unknown', trafficType: 'service', revision: 'canary', reason: '', message: '' });
      assert.equal(listed.notProgrammed, 2);
      assert.deepEqual(
        listed.services?.problems.map((problem) => `${problem.service} → ${problem.waypoint}: ${problem.problem}`),
        ['details → waypoint-gone: missing', 'productpage → waypoint-canary: not-programmed', 'ratings → waypoint: not-programmed'],
      );

      // `waypoint status` shows the reason and message of the condition istioctl prints.
      const status = await waypointJson('status');
      assert.deepEqual(
        [byName(status)['waypoint-canary']?.programmed, byName(status)['waypoint-canary']?.programmedStatus, byName(status)['waypoint-canary']?.reason, byName(status)['waypoint-canary']?.message],
        [false, 'Unknown', 'Pending', 'Waiting for controller'],
      );
      // istioctl 1.31's `waypoint status --wait=false` prints the Programmed condition only when it is True; otherwise
      // the last condition of the Gateway (pkg/waypoint/waypoint.go printWaypointStatus keeps its loop variable), here
      // istiod's ResolvedRefs True. mesh-bot takes the Programmed status from `waypoint list` beside it, so that row
      // neither makes the waypoint programmed nor lends it a reason.
      const { stdout: raw } = await execa(binary('istioctl'), ['waypoint', 'status', '--wait=false', '-n', 'bookinfo', '--kubeconfig', tier.botKubeconfig], { env: { HOME: tier.controlPlane.dir } });
      assert.match(raw, /^waypoint\s+True\s+ResolvedRefs\s+ResolvedRefs\s+All references resolved\s*$/m, raw);
      const fromStatus = byName(status)['waypoint'];
      assert.deepEqual([fromStatus?.programmed, fromStatus?.programmedStatus, fromStatus?.reason], [false, 'False', '']);
      assert.equal(status.notProgrammed, 2);
      assert.deepEqual(
        status.services?.problems.map((problem) => `${problem.service} → ${problem.waypoint}: ${problem.problem}`),
        ['details → waypoint-gone: missing', 'productpage → waypoint-canary: not-programmed', 'ratings → waypoint: not-programmed'],
      );
      await assertNoForbidden(tier);
    });

    it('once the waypoint\'s Service has a ready endpoint, istiod programs it, and /mesh waypoint says which Service still lacks its waypoint', async () => {
      const core = tier.controlPlane.admin.makeApiClient(k8s.CoreV1Api);
      const pod = await core.readNamespacedPod({ namespace: 'bookinfo', name: 'waypoint-5c9c6b7b8d-x2kqz' });
      const podIP = pod.status?.podIP ?? '';
      assert.ok(podIP, 'mesh.ts marked the waypoint pod Running with an IP');
      // What Istio's deployment controller and the EndpointSlice controller would make (neither runs here).
      const madeByControllers: Manifest[] = [
        { apiVersion: 'v1', kind: 'Service', metadata: { name: 'waypoint', namespace: 'bookinfo', labels: { 'gateway.networking.k8s.io/gateway-name': 'waypoint', 'gateway.istio.io/managed': 'istio.io-mesh-controller' } }, spec: { selector: { 'gateway.networking.k8s.io/gateway-name': 'waypoint' }, ports: [{ name: 'mesh', port: 15008, appProtocol: 'all' }] } },
        {
          apiVersion: 'discovery.k8s.io/v1',
          kind: 'EndpointSlice',
          metadata: { name: 'waypoint-x2kqz', namespace: 'bookinfo', labels: { 'kubernetes.io/service-name': 'waypoint', 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io' } },
          addressType: 'IPv4',
          endpoints: [{ addresses: [podIP], conditions: { ready: true }, targetRef: { kind: 'Pod', namespace: 'bookinfo', name: 'waypoint-5c9c6b7b8d-x2kqz' } }],
          ports: [{ name: 'mesh', port: 15008, protocol: 'TCP' }],
        },
      ];
      await createObjects(tier.controlPlane.adminKubeconfig, madeByControllers);
      const programmed = await writtenByIstiod('waypoint', 'True');
      assert.equal(programmed.message, 'Resource programmed, assigned to service(s) waypoint.bookinfo.svc.cluster.local:15008');

      const listed = await waypointJson();
      assert.deepEqual([byName(listed)['waypoint']?.programmed, byName(listed)['waypoint']?.programmedStatus], [true, 'True']);
      assert.equal(listed.notProgrammed, 1);
      assert.deepEqual(listed.services?.problems.map((problem) => `${problem.service} → ${problem.waypoint}: ${problem.problem}`), ['details → waypoint-gone: missing', 'productpage → waypoint-canary: not-programmed']);

      const status = await waypointJson('status');
      assert.deepEqual(byName(status)['waypoint'], { namespace: 'bookinfo', name: 'waypoint', programmed: true, programmedStatus: 'True', trafficType: 'service', revision: 'default', reason: 'Programmed', message: 'Resource programmed, assigned to service(s) waypoint.bookinfo.svc.cluster.local:15008' });

      const answers = () => tier.slack.messages('C0OPS').filter((message) => message.via === 'response_url' && message.ephemeralTo === undefined).length;
      const since = answers();
      await bot.slash('waypoint -n bookinfo');
      const answer = await bot.answer('C0OPS', since);
      const text = `${answer.text}\n${blockText(answer.blocks)}`;
      assert.match(text, /1 of 2 waypoints not programmed/, text);
      assert.match(text, /waypoint-canary/);
      assert.match(text, /productpage/);
      assert.match(text, /details/);
      assert.match(text, /waypoint-gone/);
      await assertNoForbidden(tier);
    });

    it('in ambient, an HTTPRoute promotion is proven only once the waypoint serving its Service is SYNCED in istiod\'s proxy-status', async () => {
      // istiod now sends the route to this waypoint: the parents' acceptance alone proves nothing about the data path.
      await execa('kubectl', ['--kubeconfig', tier.controlPlane.adminKubeconfig, 'label', 'service', '-n', 'bookinfo', 'reviews', 'istio.io/use-waypoint=waypoint']);
      const waiting = await requestPromotion(40);
      await bot.click({ actionId: 'canary_approve', value: waiting.id, userId: 'U0BOB', channelId: 'C0REL', messageTs: waiting.ts });
      // No proxy of the waypoint's pod is connected: at approvals.propagationTimeout the card says so, never green.
      const unproven = blockText((await settled(waiting.ts, /parents accepted the change[^\n]*, but after/)).blocks);
      assert.match(unproven, /1\/1 parents accepted the change \(Accepted and ResolvedRefs True\), but after \d+ s waypoint bookinfo\/waypoint[^\n]*no proxy connected to istiod/, unproven);
      assert.deepEqual(await weights(), [60, 40]);

      const proxies = start({ name: 'ads-waypoint', command: binary('ads-proxies'), args: ['-xds', istiod.plaintextXdsAddress, 'waypoint/bookinfo/waypoint-5c9c6b7b8d-x2kqz/ack/1.31-dev'], dir: tier.controlPlane.dir });
      try {
        await waitFor(proxies, 'the waypoint proxy connected', async () => (/^ready$/m.test(await proxies.log()) ? true : undefined), 60_000);
        const synced = await requestPromotion(60);
        await bot.click({ actionId: 'canary_approve', value: synced.id, userId: 'U0BOB', channelId: 'C0REL', messageTs: synced.ts });
        const proven = blockText((await settled(synced.ts, /parents accepted the change[^\n]* after \d+ s/)).blocks);
        assert.match(proven, /1\/1 parents accepted the change \(Accepted and ResolvedRefs True\) and waypoint bookinfo\/waypoint SYNCED \(1\/1 pods\) after \d+ s\./, proven);
        assert.deepEqual(await weights(), [40, 60]);
      } finally {
        await proxies.stop();
      }
      await assertNoForbidden(tier);
    });
  });
}
