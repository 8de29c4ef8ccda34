import assert from 'node:assert/strict';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { startFakeKubeApi, type FakeKubeApi } from '../../src/sandbox/kube-api.ts';
import { blockText } from '../support/blocks.ts';
import { startBot, type Bot } from '../support/bot.ts';
import { cli } from '../support/cli.ts';

/** The Namespaces of the corpus's ambient analyzer inputs (injection and sidecar-default-selector), as the cluster holds them. */
async function corpusNamespaces(): Promise<Record<string, unknown>[]> {
  const namespaces: Record<string, unknown>[] = [];
  for (const file of ['v1.20-1.29_injection.yaml', 'v1.24+_sidecar-default-selector.yaml']) {
    const text = await readFile(new URL(`../fixtures/istioctl/ambient/analyze/${file}`, import.meta.url), 'utf8');
    for (const doc of parseAllDocuments(text)) {
      const object = doc.toJS() as { kind?: string } | null;
      if (object?.kind === 'Namespace') namespaces.push(object as Record<string, unknown>);
    }
  }
  return namespaces;
}

/**
 * What istioctl analyze reports for those inputs (INDEX.md, ambient): IST0171 for the ConditionAnalyzer input,
 * IST0167 for the ambient Sidecars, IST0102 only on Namespace bar. Messages follow messages.yaml's templates.
 */
const FINDINGS = [
  { code: 'IST0171', level: 'Warning', origin: 'Service default/negative-condition-svc', message: 'A condition with a negative status is present: type=istio.io/WaypointBound, reason=NoWaypoint, message=waypoint "default/waypoint" is not ready.' },
  { code: 'IST0171', level: 'Warning', origin: 'AuthorizationPolicy default/negative-condition-authz', message: 'A condition with a negative status is present: type=ZtunnelAccepted, reason=UnsupportedValue, message=ztunnel does not support the CUSTOM action.' },
  { code: 'IST0171', level: 'Warning', origin: 'Gateway default/negative-condition-gateway', message: 'A condition with a negative status is present: type=Programmed, reason=AddressNotUsable, message=Failed to assign to any requested addresses: port 15008 not found for hostname "waypoint.default.svc.cluster.local".' },
  { code: 'IST0167', level: 'Warning', origin: 'Sidecar ns-ambient/namespace-scoped', message: 'The policy has no impact: namespace is in ambient mode, the policy has no impact.' },
  { code: 'IST0102', level: 'Info', origin: 'Namespace bar', message: "The namespace is not enabled for Istio injection. Run 'kubectl label namespace bar istio-injection=enabled' to enable it, or 'kubectl label namespace bar istio-injection=disabled' to explicitly mark it as not needing injection." },
];

async function analyzeFile(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'mesh-bot-analyze-ambient-'));
  const path = join(dir, 'analyze.json');
  const body = FINDINGS.map((f) => ({ code: f.code, documentationUrl: `https://istio.io/v1.28/docs/reference/config/analysis/${f.code.toLowerCase()}/?ref=istioctl-analyze`, level: f.level, message: f.message, origin: f.origin }));
  await writeFile(path, JSON.stringify(body, null, '\t'));
  return path;
}

describe('/mesh analyze speaks ambient', () => {
  let api: FakeKubeApi;
  let bot: Bot | undefined;
  before(async () => {
    api = await startFakeKubeApi({ objects: [...(await corpusNamespaces()), { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'mesh-bot' } }] });
    const dir = await mkdtemp(join(tmpdir(), 'mesh-bot-kubeconfig-'));
    await writeFile(join(dir, 'config'), api.kubeConfigYaml());
    process.env['KUBECONFIG'] = join(dir, 'config');
  });
  after(() => api.close());
  afterEach(async () => {
    await bot?.close();
    bot = undefined;
  });

  it('explains IST0171 and IST0167 per object and says IST0102 was skipped for the ambient namespaces', async () => {
    bot = await startBot({ istioctl: { version: '1.28.1', analyzeFile: await analyzeFile() }, kubeConfig: () => api.kubeConfig(), env: { POD_NAMESPACE: 'mesh-bot' } });
    await bot.slash('analyze -A');
    const text = blockText((await bot.answer('C0OPS')).blocks);
    assert.match(text, /• Service default\/negative-condition-svc: not bound to its waypoint: traffic to it does not get the waypoint's L7 policies and routes \(istio\.io\/WaypointBound — NoWaypoint: waypoint "default\/waypoint" is not ready\)/);
    assert.match(text, /• AuthorizationPolicy default\/negative-condition-authz: ztunnel does not enforce this policy \(or part of it\) \(ZtunnelAccepted — UnsupportedValue: ztunnel does not support the CUSTOM action\)/);
    assert.match(text, /• Gateway default\/negative-condition-gateway: not programmed: no proxy serves this Gateway \(a waypoint when its class is istio-waypoint\) yet \(Programmed — AddressNotUsable: /);
    assert.match(text, /• Sidecar ns-ambient\/namespace-scoped: has no effect in ambient mode, where pods have no sidecar to apply it \(namespace is in ambient mode, the policy has no impact\)/);
    // The Namespaces of the inputs Istio runs in ambient mode: labelled istio.io/dataplane-mode=ambient without an
    // injection label. multi-ns-2, multi-ns-3, ns-not-ambient and ns-not-ambient-rev add istio-injection=enabled or
    // istio.io/rev, which wins (Istio's HasLegacyLabel; the corpus names one "ns-not-ambient"): their pods get
    // sidecars. not-conflict-ns-1's istio-injection=disabled is no injection label.
    assert.match(text, /IST0102 \(namespace not enabled for injection\) is skipped for 3 ambient namespaces \(ambient, not-conflict-ns-1, ns-ambient\): istioctl does not check namespaces labelled istio\.io\/dataplane-mode=ambient/);
  });

  it('-n of an ambient namespace says so in one sentence; a namespace that is not ambient gets no such line', async () => {
    const ambient = await cli(['analyze', '-n', 'ambient'], { version: '1.22.8', analyzeFile: await analyzeFile() }, { POD_NAMESPACE: 'mesh-bot' });
    assert.equal(ambient.code, 0, ambient.stderr);
    assert.match(ambient.stdout, /\nIST0102 \(namespace not enabled for injection\) is skipped for ambient namespace ambient: /);
    const bar = await cli(['analyze', '-n', 'bar'], { version: '1.22.8', analyzeFile: await analyzeFile() }, { POD_NAMESPACE: 'mesh-bot' });
    assert.doesNotMatch(bar.stdout, /is skipped for/);
  });

  it('-o json: the explanations and the skipped namespaces', async () => {
    const run = await cli(['analyze', '-A', '-o', 'json'], { version: '1.30.3', analyzeFile: await analyzeFile() }, { POD_NAMESPACE: 'mesh-bot' });
    const json = JSON.parse(run.stdout) as { errors: string[]; ambient: { injectionSkippedNamespaces: string[]; explained: { code: string; origin: string }[] } };
    assert.deepEqual(json.errors, []);
    assert.deepEqual(json.ambient.injectionSkippedNamespaces, ['ambient', 'not-conflict-ns-1', 'ns-ambient']);
    assert.deepEqual(json.ambient.explained.map((entry) => `${entry.code} ${entry.origin}`), [
      'IST0171 Service default/negative-condition-svc',
      'IST0171 AuthorizationPolicy default/negative-condition-authz',
      'IST0171 Gateway default/negative-condition-gateway',
      'IST0167 Sidecar ns-ambient/namespace-scoped',
    ]);
  });
});
