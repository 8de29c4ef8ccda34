// The simulated istioctl's `bookinfo` scenario, which the sandbox runs: every answer comes from the one demo mesh
// (src/sandbox/demo-mesh.ts), in real output formats, and a pod that does not exist is answered as istioctl does.
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { parseSecretJson, parseSecretTable } from '../../src/istioctl/parsers/proxy-config.ts';
import { demoMeshObjects, demoRootCa } from '../../src/sandbox/demo-mesh.ts';
import { startFakeKubeApi, type FakeKubeApi } from '../../src/sandbox/kube-api.ts';

const ISTIOCTL = fileURLToPath(new URL('../../src/sandbox/istioctl/istioctl', import.meta.url));
const MAIN = fileURLToPath(new URL('../../src/sandbox/istioctl/main.ts', import.meta.url));
const CORPUS_SECRET = fileURLToPath(new URL('../fixtures/istioctl/proxy-config/secret/v1.20-1.25_output.txt', import.meta.url));
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** The demo mesh came up an hour ago: the stuck certificate (20 h old then) has 3 h left. */
const MESH_START = new Date(Math.floor(Date.now() / 1000) * 1000 - HOUR_MS);
const PRODUCTPAGE = 'productpage-v1-d5789fdfb-7pq2k.bookinfo';
const REVIEWS_V1 = 'reviews-v1-5fd6d4f8f8-66j45.bookinfo';

const istioctl = (args: string[], options: { version?: string; env?: Record<string, string> } = {}) =>
  execa(process.execPath, [MAIN, ...args], {
    env: { FAKE_ISTIOCTL_SCENARIO: 'bookinfo', FAKE_ISTIOCTL_VERSION: options.version ?? '1.28.1', FAKE_ISTIOCTL_MESH_START: MESH_START.toISOString(), ...options.env },
    extendEnv: false,
    reject: false,
  });

async function secrets(pod: string) {
  const r = await istioctl(['pc', 'secret', pod]);
  assert.equal(r.exitCode, 0, r.stderr);
  const parsed = parseSecretTable(r.stdout);
  assert.ok(parsed.ok);
  const chain = parsed.value.find((cert) => cert.name === 'default');
  const root = parsed.value.find((cert) => cert.name === 'ROOTCA');
  assert.ok(chain && root, r.stdout);
  return { stdout: r.stdout, chain, root };
}

/** `-o json` output of a proxy-config subcommand (istioctl prints protojson: camelCase). */
async function json(args: string[], env: Record<string, string> = {}): Promise<unknown> {
  const r = await istioctl([...args, '-o', 'json'], { env });
  assert.equal(r.exitCode, 0, r.stderr);
  return JSON.parse(r.stdout);
}

interface RouteConfig {
  name?: string;
  virtualHosts?: { name: string; domains: string[]; routes: { route?: { cluster?: string; weightedClusters?: { clusters: { name: string; weight: number }[] } }; metadata?: { filterMetadata?: { istio?: { config?: string } } } }[] }[];
}

const reviewsHost = (routes: RouteConfig[]) => routes.find((table) => table.name === '9080')?.virtualHosts?.find((host) => host.name === 'reviews.bookinfo.svc.cluster.local:9080');

describe('simulated istioctl, bookinfo scenario', () => {
  test('the launcher exists and is executable', () => {
    assert.ok(readFileSync(ISTIOCTL, 'utf8').startsWith('#!/usr/bin/env node'));
  });

  test('prints the secret table in the corpus layout: the stuck proxy has a 24-hour certificate 21 h old, the root is the published one', async () => {
    const { stdout, chain, root } = await secrets(PRODUCTPAGE);
    assert.equal(stdout.split('\n')[0], readFileSync(CORPUS_SECRET, 'utf8').split('\n')[0], 'same columns and padding as real istioctl');
    const issued = MESH_START.getTime() - 20 * HOUR_MS;
    assert.equal(chain.notAfter, new Date(issued + DAY_MS).toISOString().replace('.000Z', 'Z'));
    assert.equal(chain.notBefore, new Date(issued - 2 * 60_000).toISOString().replace('.000Z', 'Z'), 'istiod backdates NotBefore by 2 minutes');
    assert.equal(chain.type, 'Cert Chain');
    assert.equal(chain.valid, true);
    const ca = demoRootCa(MESH_START);
    assert.deepEqual([root.serial, root.notBefore, root.notAfter], [ca.serial, ca.notBefore, ca.notAfter]);
    assert.equal((Date.parse(root.notAfter) - Date.parse(root.notBefore)) / DAY_MS, 3650, 'a 10-year self-signed root');
  });

  test('every other proxy rotates on schedule: a 24-hour certificate less than 12 h old', async () => {
    for (const pod of [REVIEWS_V1, 'details-v1-65cfcf56f9-4drsk.bookinfo', 'shipping-v2-84f7d9c6b-w7m4t.shop', 'istio-ingressgateway-5c8f6b7d9b-x2kqn.istio-system']) {
      const { chain } = await secrets(pod);
      const issued = Date.parse(chain.notBefore) + 2 * 60_000;
      assert.equal(Date.parse(chain.notAfter) - issued, DAY_MS, pod);
      // measured after istioctl answered: a renewal due in between may add the few milliseconds of the run
      const age = Date.now() - issued;
      assert.ok(age >= 0 && age < 12 * HOUR_MS + 60_000, `${pod}: certificate is ${age / HOUR_MS} h old`);
    }
  });

  test('pc all carries the same certificates as pc secret, and the chain is signed by the root the ConfigMaps publish', async () => {
    const { chain, root } = await secrets(PRODUCTPAGE);
    const all = await istioctl(['pc', 'all', PRODUCTPAGE, '-o', 'json']);
    assert.equal(all.exitCode, 0, all.stderr);
    const fromDump = parseSecretJson(all.stdout, new Date());
    assert.ok(fromDump.ok);
    const dumpChain = fromDump.value.find((cert) => cert.name === 'default');
    const dumpRoot = fromDump.value.find((cert) => cert.name === 'ROOTCA');
    assert.deepEqual([dumpChain?.serial, dumpChain?.notAfter], [chain.serial.padStart(32, '0'), chain.notAfter]);
    assert.deepEqual([dumpRoot?.serial, dumpRoot?.notAfter], [root.serial, root.notAfter]);

    const dump = JSON.parse(all.stdout) as { configs: { dynamic_active_secrets?: { name: string; secret: { tls_certificate?: { certificate_chain: { inline_bytes: string } } } }[] }[] };
    const bytes = dump.configs.flatMap((section) => section.dynamic_active_secrets ?? []).find((secret) => secret.name === 'default')?.secret.tls_certificate?.certificate_chain.inline_bytes ?? '';
    const leaf = new X509Certificate(Buffer.from(bytes, 'base64').toString('utf8'));
    assert.equal(leaf.subjectAltName, 'URI:spiffe://cluster.local/ns/bookinfo/sa/bookinfo-productpage');
    const configMap = demoMeshObjects(MESH_START).find((o) => o.kind === 'ConfigMap' && o.metadata?.namespace === 'bookinfo');
    const published = new X509Certificate((configMap?.['data'] as Record<string, string>)['root-cert.pem'] ?? '');
    assert.ok(leaf.verify(published.publicKey), 'the workload certificate verifies against the published root');
  });

  test('routes of a reviews sidecar carry the reviews VirtualService: v1 90 % / v2 10 %', async () => {
    const host = reviewsHost((await json(['pc', 'routes', REVIEWS_V1])) as RouteConfig[]);
    assert.ok(host);
    assert.deepEqual(host.domains.slice(0, 4), ['reviews.bookinfo.svc.cluster.local', 'reviews.bookinfo.svc', 'reviews.bookinfo', 'reviews']);
    const [route] = host.routes;
    assert.equal(route?.metadata?.filterMetadata?.istio?.config, '/apis/networking.istio.io/v1/namespaces/bookinfo/virtual-service/reviews');
    assert.deepEqual(route?.route?.weightedClusters?.clusters, [
      { name: 'outbound|9080|v1|reviews.bookinfo.svc.cluster.local', weight: 90 },
      { name: 'outbound|9080|v2|reviews.bookinfo.svc.cluster.local', weight: 10 },
    ]);
  });

  test('clusters carry the DestinationRule subsets, and endpoints the pods of each subset (v3 has none)', async () => {
    const clusters = (await json(['pc', 'clusters', PRODUCTPAGE])) as { name: string; metadata?: { filterMetadata?: { istio?: { config?: string } } } }[];
    const reviews = clusters.filter((c) => c.name.endsWith('|reviews.bookinfo.svc.cluster.local'));
    assert.deepEqual(reviews.map((c) => c.name.split('|')[2]), ['', 'v1', 'v2', 'v3']);
    for (const c of reviews) assert.equal(c.metadata?.filterMetadata?.istio?.config, '/apis/networking.istio.io/v1/namespaces/bookinfo/destination-rule/reviews');
    assert.ok(!clusters.some((c) => /httpbin|grafana|skywalking/.test(c.name)), 'nothing from another application');

    const eds = (await json(['pc', 'eds', PRODUCTPAGE])) as { clusterName: string; endpoints?: { lbEndpoints: { endpoint: { address: { socketAddress: { address: string } } } }[] }[] }[];
    const addresses = (cluster: string) => eds.find((cla) => cla.clusterName === cluster)?.endpoints?.flatMap((group) => group.lbEndpoints.map((lb) => lb.endpoint.address.socketAddress.address)) ?? [];
    const podIp = (name: string) => String((demoMeshObjects(MESH_START).find((o) => o.metadata?.name === name)?.['status'] as { podIP: string }).podIP);
    assert.deepEqual(addresses('outbound|9080|v1|reviews.bookinfo.svc.cluster.local'), [podIp('reviews-v1-5fd6d4f8f8-66j45')]);
    assert.deepEqual(addresses('outbound|9080|v2|reviews.bookinfo.svc.cluster.local'), [podIp('reviews-v2-6f9b55c5db-c94m2')]);
    assert.deepEqual(addresses('outbound|9080|v3|reviews.bookinfo.svc.cluster.local'), []);
  });

  test('proxy-status lists exactly the demo pods that run an istio-proxy, each with its image version', async () => {
    const ps = await istioctl(['ps', '--verbosity', '1']);
    const rows = ps.stdout.trim().split('\n').slice(1).map((line) => line.trim().split(/\s+/));
    const seen = new Map(rows.map((cells) => [cells[0], cells.at(-1)]));
    const proxies = demoMeshObjects(MESH_START).flatMap((o) => {
      const proxy = ((o['spec'] as { containers?: { name: string; image: string }[] } | undefined)?.containers ?? []).find((c) => c.name === 'istio-proxy');
      return o.kind === 'Pod' && proxy ? [[`${o.metadata?.name}.${o.metadata?.namespace}`, proxy.image.split(':').at(-1)] as const] : [];
    });
    assert.deepEqual(new Map(proxies), seen);
  });

  test('bootstrap reports the version proxy-status shows for the same proxy', async () => {
    const ps = await istioctl(['ps', '--verbosity', '1']);
    for (const pod of [REVIEWS_V1, 'shipping-v2-84f7d9c6b-w7m4t.shop']) {
      const row = ps.stdout.split('\n').find((line) => line.startsWith(`${pod} `)) ?? '';
      const { bootstrap } = (await json(['pc', 'bootstrap', pod])) as { bootstrap: { node: { id: string; metadata: Record<string, string> } } };
      assert.equal(row.trim().split(/\s+/).at(-1), bootstrap.node.metadata['ISTIO_VERSION'], `${pod}: ${row}`);
      assert.match(bootstrap.node.id, new RegExp(`^sidecar~10\\.244\\.\\d+\\.\\d+~${pod.replace(/\./g, '\\.')}~`));
    }
    const shipping = (await json(['pc', 'bootstrap', 'shipping-v2-84f7d9c6b-w7m4t.shop'])) as { bootstrap: { node: { metadata: Record<string, string> } } };
    assert.equal(shipping.bootstrap.node.metadata['ISTIO_VERSION'], '1.27.4');
  });

  describe('a pod that does not exist is answered as istioctl does', () => {
    const notFound = (pod: string, namespace: string, prefix = `failed to execute command on ${pod}.${namespace} sidecar`) =>
      `Error: ${prefix}: failure running port forward process: failure running port forward process: building port forwarded: failed retrieving: pods "${pod}" not found in the "${namespace}" namespace\n`;
    for (const [what, args, pod, namespace] of [
      ['a typo', ['pc', 'routes', 'reviews-v1-5fd6d4f8f8-66j54.bookinfo', '-o', 'json'], 'reviews-v1-5fd6d4f8f8-66j54', 'bookinfo'],
      ['a Service name', ['pc', 'clusters', 'reviews', '-n', 'bookinfo', '-o', 'json'], 'reviews', 'bookinfo'],
      ['a pod in the wrong namespace', ['pc', 'secret', 'reviews-v1-5fd6d4f8f8-66j45.shop'], 'reviews-v1-5fd6d4f8f8-66j45', 'shop'],
      ['no namespace at all (istioctl then uses default)', ['pc', 'all', 'reviews-v1-5fd6d4f8f8-66j45', '-o', 'json'], 'reviews-v1-5fd6d4f8f8-66j45', 'default'],
    ] as const) {
      test(what, async () => {
        const r = await istioctl([...args]);
        assert.deepEqual([r.exitCode, r.stdout, r.stderr + '\n'], [1, '', notFound(pod, namespace)]);
      });
    }

    test('proxy-config log goes through Envoy\'s /logging, so its prefix differs', async () => {
      const r = await istioctl(['pc', 'log', 'ratings.bookinfo']);
      assert.deepEqual([r.exitCode, r.stdout, r.stderr + '\n'], [1, '', notFound('ratings', 'bookinfo', 'failed to execute command on Envoy')]);
    });

    test('istiod runs no Envoy: the port-forward fails with klog lines first', async () => {
      const r = await istioctl(['pc', 'clusters', 'istiod-7d4f74889d-mb5dh.istio-system', '-o', 'json']);
      assert.equal(r.exitCode, 1);
      const lines = r.stderr.split('\n');
      assert.match(lines[0] ?? '', /^\d{4}-\d\d-\d\dT[\d:.]+Z\terror\tklog\tan error occurred forwarding 43805 -> 15000: /);
      assert.equal(lines.at(-1), 'Error: failed to execute command on istiod-7d4f74889d-mb5dh.istio-system sidecar: failure running port forward process: Get "http://127.0.0.1:43805/config_dump?mask=dynamic_active_clusters,static_clusters": EOF');
    });
  });

  describe('inside the sandbox it reads the live Kubernetes API', () => {
    let api: FakeKubeApi;
    before(async () => {
      api = await startFakeKubeApi({ objects: demoMeshObjects(MESH_START) });
    });
    after(() => api.close());
    const live = () => ({ FAKE_ISTIOCTL_KUBE_API: api.url });

    test('a promotion of the reviews canary shows in the routes; a deleted pod is no longer found', async () => {
      const vs = api.get('networking.istio.io/v1', 'VirtualService', 'bookinfo', 'reviews');
      assert.ok(vs);
      const spec = vs['spec'] as { http: { route: { weight: number }[] }[] };
      const [v1, v2] = spec.http[0]?.route ?? [];
      assert.ok(v1 && v2);
      v1.weight = 50;
      v2.weight = 50;
      api.put(vs);
      const host = reviewsHost((await json(['pc', 'routes', PRODUCTPAGE], live())) as RouteConfig[]);
      assert.deepEqual(host?.routes[0]?.route?.weightedClusters?.clusters.map((c) => c.weight), [50, 50]);

      const ratings = ['pc', 'bootstrap', 'ratings-v1-9bd8c8595-hvc5b.bookinfo', '-o', 'json'];
      assert.equal((await istioctl(ratings, { env: live() })).exitCode, 0);
      assert.equal((await fetch(`${api.url}/api/v1/namespaces/bookinfo/pods/ratings-v1-9bd8c8595-hvc5b`, { method: 'DELETE' })).status, 200);
      const gone = await istioctl(ratings, { env: live() });
      assert.equal(gone.exitCode, 1);
      assert.match(gone.stderr, /pods "ratings-v1-9bd8c8595-hvc5b" not found in the "bookinfo" namespace/);
    });
  });

  test('a broken setup of the fake itself exits 2 with a fake-istioctl line, never an istioctl exit code', async () => {
    const unreachable = await istioctl(['pc', 'routes', `${REVIEWS_V1}`, '-o', 'json'], { env: { FAKE_ISTIOCTL_KUBE_API: 'http://127.0.0.1:9' } });
    assert.deepEqual([unreachable.exitCode, unreachable.stdout], [2, '']);
    assert.match(unreachable.stderr, /^fake-istioctl: FAKE_ISTIOCTL_KUBE_API: GET \/api\/v1\/pods failed/);
    const badStart = await istioctl(['pc', 'secret', PRODUCTPAGE], { env: { FAKE_ISTIOCTL_MESH_START: 'yesterday' } });
    assert.deepEqual([badStart.exitCode, badStart.stderr], [2, 'fake-istioctl: invalid FAKE_ISTIOCTL_MESH_START "yesterday": expected an ISO 8601 time']);
  });

  test('every analyze finding is about an object of the demo mesh, with the fault the message names', async () => {
    const objects = demoMeshObjects(MESH_START);
    const findings = JSON.parse((await istioctl(['analyze', '-A', '-o', 'json'])).stdout) as { code: string; message: string; origin: string }[];
    for (const finding of findings) {
      const [, kind, rest] = /^(\w+) (\S+)$/.exec(finding.origin) ?? [];
      const [namespace, name] = rest?.includes('/') ? rest.split('/') : [undefined, rest];
      assert.ok(objects.some((o) => o.kind === kind && o.metadata?.name === name && o.metadata?.namespace === namespace), `${finding.code}: ${finding.origin} is in the demo mesh`);
    }
    const annotation = /Unknown annotation: (\S+)/.exec(findings.find((f) => f.code === 'IST0108')?.message ?? '')?.[1] ?? '';
    const details = objects.find((o) => o.metadata?.name === 'details-v1-65cfcf56f9-4drsk');
    assert.ok(details?.metadata?.annotations?.[annotation], `the details pod carries ${annotation}`);
    assert.ok(!objects.some((o) => o.kind === 'Gateway' && o.metadata?.name === 'bookinfo-gateway'), 'IST0101: no bookinfo-gateway exists');
    assert.ok(!objects.some((o) => o.kind === 'Pod' && o.metadata?.labels?.['app'] === 'reviews' && o.metadata.labels['version'] === 'v3'), 'IST0173: no reviews v3 pod');
  });

  test('analyze finds the subset without pods only on versions that have IST0173', async () => {
    const newer = await istioctl(['analyze', '-n', 'bookinfo', '-o', 'json']);
    const older = await istioctl(['analyze', '-n', 'bookinfo', '-o', 'json'], { version: '1.24.2' });
    const codes = (stdout: string) => (JSON.parse(stdout) as { code: string }[]).map((finding) => finding.code);
    assert.deepEqual(codes(newer.stdout), ['IST0173', 'IST0101', 'IST0118', 'IST0108']);
    assert.deepEqual(codes(older.stdout), ['IST0101', 'IST0118', 'IST0108']);
  });

  test('proxy-status shows the two STALE sidecars of the shop namespace and a healthy bookinfo', async () => {
    const shop = await istioctl(['ps', '-n', 'shop', '--verbosity', '1']);
    assert.match(shop.stdout, /payments-v1-7c9d8b6f5-k2x8p\.shop .*STALE/);
    const bookinfo = await istioctl(['ps', '-n', 'bookinfo', '--verbosity', '1']);
    assert.doesNotMatch(bookinfo.stdout, /STALE|ERROR/);
    assert.equal(bookinfo.stdout.trim().split('\n').length, 6, 'header + 5 bookinfo proxies');
  });
});

describe('simulated istioctl, bookinfo scenario: the ambient namespace travel', () => {
  const ZTUNNEL_GOLDENS = fileURLToPath(new URL('../fixtures/istioctl/ambient/ztunnel-config/', import.meta.url));
  const headerOf = (text: string) => text.split('\n')[0]?.split(/ {2,}| (?=[A-Z])/).filter((cell) => cell !== '').join(' ');
  const goldenHeader = (path: string) => headerOf(readFileSync(`${ZTUNNEL_GOLDENS}${path}`, 'utf8'));

  test('proxy-status lists a ztunnel per node subscribed to WADS and WDS, and the waypoint', async () => {
    const r = await istioctl(['ps']);
    assert.equal(r.exitCode, 0, r.stderr);
    const ztunnels = r.stdout.split('\n').filter((line) => line.startsWith('ztunnel-'));
    assert.equal(ztunnels.length, 3);
    assert.ok(ztunnels.every((line) => /\.istio-system .* 2 \(WADS,WDS\)$/.test(line)), ztunnels.join('\n'));
    assert.match(r.stdout, /^travel-waypoint-6c9f8d7b5d-p4n7x\.travel .* 4 \(CDS,LDS,EDS,RDS\)$/m);
  });

  test('zc workloads: the golden columns; the pod with redirection disabled and the waypoint are TCP, the other travel pods HBONE', async () => {
    const r = await istioctl(['zc', 'workloads', '--workload-namespace', 'travel']);
    assert.equal(r.exitCode, 0, r.stderr);
    assert.equal(headerOf(r.stdout), goldenHeader('workloads/v1.24+_workloadsummary.txt'));
    const protocols = Object.fromEntries(r.stdout.trim().split('\n').slice(1).map((line) => line.split(/\s+/)).map((cells) => [cells[1], cells[5]]));
    assert.deepEqual(protocols, {
      'batch-importer-5f6b7c8d9-h4j7k': 'TCP',
      'flights-v1-7b8c9d6f5-m2q4t': 'HBONE',
      'hotels-v1-5d7f8b9c6-x8k2p': 'HBONE',
      'hotels-v2-6c8d9f7b4-t5w9z': 'HBONE',
      'travel-waypoint-6c9f8d7b5d-p4n7x': 'TCP',
      'trips-v1-84c6d7f9b-q3n8v': 'HBONE',
    });
  });

  test('zc services: hotels uses the waypoint; zc certificates of a ztunnel: leaves of 24 h and the published root', async () => {
    const services = await istioctl(['zc', 'services']);
    assert.match(services.stdout, /^travel +hotels +10\.96\.130\.12 +travel-waypoint +2\/2$/m);
    const certificates = await istioctl(['zc', 'certificates', 'ztunnel-b7kzx.istio-system']);
    assert.equal(certificates.exitCode, 0, certificates.stderr);
    assert.equal(headerOf(certificates.stdout), goldenHeader('certificates/v1.22+_secretsummary.txt'));
    const rows = certificates.stdout.trim().split('\n').slice(1).map((line) => line.split(/\s+/));
    // sandbox-worker runs flights-v1 and hotels-v2: one leaf and one root per identity.
    assert.deepEqual(rows.map((cells) => `${cells[0]} ${cells[1]}`), ['spiffe://cluster.local/ns/travel/sa/flights Leaf', 'spiffe://cluster.local/ns/travel/sa/flights Root', 'spiffe://cluster.local/ns/travel/sa/hotels Leaf', 'spiffe://cluster.local/ns/travel/sa/hotels Root']);
    for (const cells of rows.filter((row) => row[1] === 'Leaf')) {
      assert.equal(Date.parse(cells[5] ?? '') - Date.parse(cells[6] ?? ''), DAY_MS, 'a leaf lives 24 h');
      const left = Date.parse(cells[5] ?? '') - Date.now();
      assert.ok(left > 11 * HOUR_MS && left <= DAY_MS, 'renewed at half its life: 12 to 24 h left');
    }
    const root = demoRootCa(MESH_START);
    assert.ok(rows.filter((row) => row[1] === 'Root').every((cells) => cells[4] === root.serial && cells[5] === root.notAfter));
    const missing = await istioctl(['zc', 'certificates', 'ztunnel-nope.istio-system']);
    assert.deepEqual([missing.exitCode, missing.stderr], [1, 'Error: pods "ztunnel-nope" not found']);
  });

  test('waypoint list -A: the travel waypoint, class istio-waypoint, programmed, for services', async () => {
    const r = await istioctl(['waypoint', 'list', '-A']);
    assert.equal(r.exitCode, 0, r.stderr);
    assert.deepEqual(r.stdout.trim().split('\n').map((line) => line.split(/\s{2,}/)), [
      ['NAMESPACE', 'NAME', 'REVISION', 'TRAFFIC TYPE', 'PROGRAMMED'],
      ['travel', 'travel-waypoint', 'default', 'service', 'True'],
    ]);
  });
});
