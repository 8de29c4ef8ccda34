// The breakers' outside view of mesh-bot: the real terminal entry point (bin/mesh-bot.js) in its own process,
// KUBECONFIG pointing at a fake Kubernetes API and ISTIOCTL at a stand-in that replays corpus files verbatim.

import { execFile } from 'node:child_process';
import { chmod, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before } from 'node:test';
import { startFakeKubeApi, type FakeKubeApi, type KubeObject } from '../../../src/sandbox/kube-api.ts';
import { putRootCert } from '../../mesh/digest/harness.ts';
import { blockText } from '../../support/blocks.ts';
import { startBot, type Bot } from '../../support/bot.ts';

/** The repository's copy of the istioctl corpus (test/fixtures/istioctl), so a fresh clone has every file. */
export const CORPUS = fileURLToPath(new URL('../../fixtures/istioctl', import.meta.url));
export const AMBIENT = `${CORPUS}/ambient`;
const STANDIN = fileURLToPath(new URL('../fixtures/standin-istioctl.mjs', import.meta.url));
const BIN = fileURLToPath(new URL('../../../bin/mesh-bot.js', import.meta.url));

export interface Rule {
  readonly when: readonly string[];
  readonly stdoutFile?: string;
  readonly stdout?: string;
  readonly stderr?: string;
  readonly exit?: number;
  /** The run stays alive this long and records how many runs were alive with it (see `StandIn.concurrency`). */
  readonly holdMs?: number;
}

export interface StandIn {
  readonly path: string;
  invocations(): Promise<string[][]>;
  /** Replaces the answers from the next invocation on (the cluster changed). */
  answer(rules: readonly Rule[]): Promise<void>;
  /** For each run of a rule with `holdMs`: how many such runs were alive when it ended. */
  concurrency(): Promise<number[]>;
}

/** `istioctl version --remote=false -o json` as the corpus shape prints it, for a client of this version. */
export function versionRule(version: string): Rule {
  const json = { clientVersion: { version, revision: 'unknown', golang_version: 'go1.X', status: 'Clean', tag: version } };
  return { when: ['version', '--remote=false'], stdout: `${JSON.stringify(json, null, 2)}\n` };
}

export async function standIn(version: string, rules: readonly Rule[]): Promise<StandIn> {
  const dir = await mkdtemp(join(tmpdir(), 'breaker-istioctl-'));
  const rulesPath = join(dir, 'rules.json');
  const log = join(dir, 'argv.jsonl');
  await writeFile(rulesPath, JSON.stringify([versionRule(version), ...rules]));
  const path = join(dir, 'istioctl');
  const running = join(dir, 'running');
  await writeFile(path, `#!/bin/sh\nSTANDIN_RULES='${rulesPath}' STANDIN_LOG='${log}' STANDIN_RUNNING='${running}' exec '${process.execPath}' '${STANDIN}' "$@"\n`);
  await chmod(path, 0o755);
  return {
    path,
    answer: (rules) => writeFile(rulesPath, JSON.stringify([versionRule(version), ...rules])),
    concurrency: async () =>
      (await readFile(`${running}.log`, 'utf8').catch(() => ''))
        .split('\n')
        .filter((line) => line !== '')
        .map(Number),
    invocations: async () =>
      (await readFile(log, 'utf8').catch(() => ''))
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as string[]),
  };
}

export interface Cluster {
  readonly api: FakeKubeApi;
  readonly kubeconfig: string;
  close(): Promise<void>;
}

export async function cluster(objects: readonly KubeObject[]): Promise<Cluster> {
  const api = await startFakeKubeApi({ objects });
  const dir = await mkdtemp(join(tmpdir(), 'breaker-kube-'));
  const kubeconfig = join(dir, 'config');
  await writeFile(kubeconfig, api.kubeConfigYaml());
  return { api, kubeconfig, close: () => api.close() };
}

export interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** `mesh-bot ARGV` in a child process, as a shell would run it. */
export function meshBot(argv: readonly string[], env: { readonly KUBECONFIG: string; readonly ISTIOCTL: string } & Record<string, string>): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...argv],
      { env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '/tmp', ...env }, timeout: 20_000 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

// ---- Kubernetes objects -------------------------------------------------------------------------------------

export function namespace(name: string, labels: Record<string, string> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } };
}

export function pod(name: string, ns: string, node: string, labels: Record<string, string>, options: { ready?: boolean; container?: string; image?: string; phase?: string } = {}): KubeObject {
  const container = options.container ?? 'app';
  const image = options.image ?? container;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: ns, labels },
    spec: { nodeName: node, containers: [{ name: container, image }] },
    status: { phase: options.phase ?? 'Running', containerStatuses: [{ name: container, ready: options.ready ?? true, restartCount: 0, image, imageID: '', started: true }] },
  };
}

export function daemonSet(name: string, labels: Record<string, string>, desired: number, ready: number, ns = 'istio-system'): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name, namespace: ns, labels },
    spec: { selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name, image: name }] } } },
    status: { desiredNumberScheduled: desired, currentNumberScheduled: desired, numberReady: ready, numberMisscheduled: 0 },
  };
}

export function service(ns: string, name: string, labels: Record<string, string>): KubeObject {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: ns, labels }, spec: { selector: { app: name }, ports: [{ name: 'http', port: 9080 }] } };
}

export const ZTUNNELS = [
  { pod: 'ztunnel-n5bg2', node: 'ambient-control-plane' },
  { pod: 'ztunnel-xljhg', node: 'ambient-worker' },
  { pod: 'ztunnel-qk2pp', node: 'ambient-worker2' },
] as const;

/** The corpus goldens' ambient mesh: three ztunnels, istiod, the ztunnel and istio-cni DaemonSets, default and bookinfo in ambient. */
export function ambientMesh(options: { ztunnelsReady?: number; cniReady?: number; istiodVersion?: string } = {}): KubeObject[] {
  const ready = options.ztunnelsReady ?? 3;
  const ambient = { 'istio.io/dataplane-mode': 'ambient' };
  return [
    namespace('istio-system'),
    namespace('default', ambient),
    namespace('bookinfo', ambient),
    pod('istiod-8c7b98fc4-mwjfp', 'istio-system', 'ambient-worker2', { app: 'istiod', istio: 'pilot', 'app.kubernetes.io/version': options.istiodVersion ?? '1.24.6' }, { container: 'discovery' }),
    ...ZTUNNELS.map((ztunnel, index) => pod(ztunnel.pod, 'istio-system', ztunnel.node, { app: 'ztunnel' }, { container: 'istio-proxy', ready: index < ready })),
    daemonSet('ztunnel', { app: 'ztunnel' }, 3, ready),
    daemonSet('istio-cni-node', { 'k8s-app': 'istio-cni-node' }, 3, options.cniReady ?? 3),
  ];
}

/** Go's text/tabwriter with minwidth 0 and this padding, space-filled: every cell but a line's last is padded to its column. */
export function tabwrite(rows: readonly (readonly string[])[], padding: number): string {
  const widths: number[] = [];
  for (const row of rows) row.slice(0, -1).forEach((cell, index) => (widths[index] = Math.max(widths[index] ?? 0, cell.length)));
  return rows.map((row) => row.map((cell, index) => (index < row.length - 1 ? cell.padEnd((widths[index] ?? 0) + padding) : cell)).join('')).join('\n') + '\n';
}

/** A 1.22-1.26 `proxy-status` table (corpus proxy-status/v1.22-1.26: padding 5). */
export function proxyStatus122(rows: readonly { name: string; states: readonly [string, string, string, string, string]; istiod: string; version: string }[]): string {
  return tabwrite([['NAME', 'CLUSTER', 'CDS', 'LDS', 'EDS', 'RDS', 'ECDS', 'ISTIOD', 'VERSION'], ...rows.map((row) => [row.name, 'Kubernetes', ...row.states, row.istiod, row.version])], 5);
}

const TYPE_URL: Readonly<Record<string, string>> = {
  CDS: 'type.googleapis.com/envoy.config.cluster.v3.Cluster',
  LDS: 'type.googleapis.com/envoy.config.listener.v3.Listener',
  RDS: 'type.googleapis.com/envoy.config.route.v3.RouteConfiguration',
  EDS: 'type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment',
  ECDS: 'type.googleapis.com/envoy.config.core.v3.TypedExtensionConfig',
  WDS: 'type.googleapis.com/istio.workload.Address',
  WADS: 'type.googleapis.com/istio.security.Authorization',
};

/** 1.30+ `proxy-status -o json` in the corpus golden's shape (4-space indent, one ClientConfig per proxy). */
export function proxyStatusJson(istiod: string, istiodVersion: string, proxies: readonly { id: string; version: string; types: Record<string, string> }[]): string {
  return (
    JSON.stringify(
      {
        versionInfo: istiodVersion,
        resources: proxies.map((proxy) => ({
          '@type': 'type.googleapis.com/envoy.service.status.v3.ClientConfig',
          node: { id: proxy.id, metadata: { CLUSTER_ID: 'Kubernetes', ISTIO_VERSION: proxy.version } },
          genericXdsConfigs: Object.entries(proxy.types).map(([type, configStatus]) => ({ typeUrl: TYPE_URL[type], configStatus })),
        })),
        typeUrl: 'type.googleapis.com/envoy.service.status.v3.ClientConfig',
        controlPlane: { identifier: JSON.stringify({ Component: 'istiod', ID: istiod, Info: { version: istiodVersion, revision: '', golang_version: '', status: '', tag: '' } }) },
      },
      null,
      4,
    ) + '\n'
  );
}

export interface CertRow {
  readonly name: string;
  readonly type: string;
  readonly status: string;
  readonly valid: string;
  readonly serial: string;
  readonly notAfter: string;
  readonly notBefore: string;
}

/** A 1.22+ `ztunnel-config certificates` table (corpus certificates/v1.22+_secretsummary.txt: padding 5). */
export function certificatesTable(rows: readonly CertRow[]): string {
  return tabwrite([['CERTIFICATE NAME', 'TYPE', 'STATUS', 'VALID CERT', 'SERIAL NUMBER', 'NOT AFTER', 'NOT BEFORE'], ...rows.map((row) => [row.name, row.type, row.status, row.valid, row.serial, row.notAfter, row.notBefore])], 5);
}

const HOUR_MS = 3_600_000;
/** RFC 3339 in UTC without fractions, as istioctl prints NOT AFTER, `hours` from now. */
export function hoursFromNow(hours: number): string {
  return new Date(Math.floor((Date.now() + hours * HOUR_MS) / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** Cells of a tabwriter table, cut at the header's column starts (`columns` names each header cell, spaces and all). */
export function cells(text: string, columns: readonly string[]): string[][] {
  const lines = text.split('\n').filter((line) => line.trim() !== '');
  const header = lines[0] ?? '';
  const starts = columns.map((column) => header.indexOf(column));
  if (starts.some((start) => start < 0)) throw new Error(`header ${header} lacks one of ${columns.join(', ')}`);
  return lines.slice(1).map((line) => starts.map((start, index) => line.slice(start, starts[index + 1] ?? line.length).trim()));
}

/**
 * A corpus table as an older istioctl prints it: the same rows without the columns that version lacks (its writer
 * prints the remaining cells with the same tabwriter settings), e.g. connections before PROTOCOL arrived in 1.26.
 */
export function withoutColumns(text: string, columns: readonly string[], drop: readonly string[], padding: number): string {
  const keep = columns.map((column, index) => [column, index] as const).filter(([column]) => !drop.includes(column));
  const rows = cells(text, columns);
  return tabwrite([keep.map(([column]) => column), ...rows.map((row) => keep.map(([, index]) => row[index] ?? ''))], padding);
}

/**
 * A bot answering signed Slack requests with this stand-in istioctl and the shortest istioctl cache (1 s), so a
 * second digest after `settle()` reads the mesh as it is then.
 */
export interface SlackBot {
  readonly bot: Bot;
  digestNow(count: number): Promise<string>;
  settle(): Promise<void>;
}

export async function slackBot(kube: Cluster, istioctl: StandIn): Promise<SlackBot> {
  const bot = await startBot({ kubeConfig: () => kube.api.kubeConfig(), configYaml: 'istioctl:\n  cacheTtl: 1s\n', env: { POD_NAMESPACE: 'mesh-bot', ISTIOCTL: istioctl.path } });
  return {
    bot,
    /** Asks `/mesh digest now` in C0OPS and returns the text of that channel's `count`-th digest. */
    async digestNow(count) {
      await bot.slash('digest now', { channelId: 'C0OPS' });
      const posted = await bot.slack.waitFor((fake) => fake.messages('C0OPS').filter((message) => message.via === 'api' && message.threadTs === undefined)[count - 1], { timeoutMs: 20_000 });
      return `${posted.text}\n${blockText(posted.blocks)}`;
    },
    settle: () => new Promise((resolve) => setTimeout(resolve, 1100)),
  };
}

/** What a 1.30 stand-in answers for a digest of the corpus ambient mesh: three SYNCED ztunnels, no findings, the corpus certificates. */
export function ambientDigestRules(answers: { readonly workloads: string; readonly waypoints: string }): Rule[] {
  return [
    { when: ['proxy-status'], stdout: proxyStatusJson('istiod-8c7b98fc4-mwjfp', '1.30.3', ZTUNNELS.map((z) => ({ id: `${z.pod}.istio-system`, version: '1.30.3', types: { WADS: 'SYNCED', WDS: 'SYNCED' } }))) },
    { when: ['analyze'], stdout: '[]\n' },
    { when: ['ztunnel-config', 'certificate'], stdoutFile: `${AMBIENT}/ztunnel-config/certificates/v1.22+_secretsummary.txt` },
    { when: ['ztunnel-config', 'workload'], stdout: answers.workloads },
    { when: ['waypoint', 'list'], stdout: answers.waypoints },
  ];
}

/** The parts of a digest test's world, ready once its `before` hook ran. */
export interface DigestWorld {
  readonly kube: Cluster;
  readonly istioctl: StandIn;
  readonly slack: SlackBot;
}

/**
 * Registers the hooks every digest test of this folder needs: the mesh `objects` with the root CA ConfigMap, a 1.30.3
 * stand-in answering `rules`, and a Slack bot on both, closed after the file's tests.
 */
export function digestWorld(objects: readonly KubeObject[], rules: readonly Rule[]): () => DigestWorld {
  let world: DigestWorld | undefined;
  let kube: Cluster | undefined;
  before(async () => {
    kube = await cluster(objects);
    putRootCert(kube.api);
    const istioctl = await standIn('1.30.3', rules);
    world = { kube, istioctl, slack: await slackBot(kube, istioctl) };
  });
  after(async () => {
    await world?.slack.bot.close();
    await kube?.close();
  });
  return () => {
    if (world === undefined) throw new Error('the digest world did not start (see the before hook)');
    return world;
  };
}

/**
 * istioctl 1.30.3 for a digest of a healthy ambient mesh: the first `connected` ztunnels SYNCED to istiod, each
 * holding a 24-hour identity issued 2 h ago and a root valid ten more years (all Available), every pod of the
 * ambient namespaces captured (HBONE), no waypoints, no analyze findings.
 */
export function healthyAmbientDigestRules(connected: number = ZTUNNELS.length): { when: string[]; stdout: string }[] {
  const synced = { WADS: 'SYNCED', WDS: 'SYNCED' };
  const certificates = certificatesTable([
    { name: 'spiffe://cluster.local/ns/istio-system/sa/ztunnel', type: 'Leaf', status: 'Available', valid: 'true', serial: 'e5dfb59150b2ba7f108d93dcec5aa613', notAfter: hoursFromNow(22), notBefore: hoursFromNow(-2) },
    { name: 'spiffe://cluster.local/ns/istio-system/sa/ztunnel', type: 'Root', status: 'Available', valid: 'true', serial: '8a516645c40ce76c2c0d27ab4e2461c1', notAfter: hoursFromNow(24 * 3650), notBefore: hoursFromNow(-24 * 365) },
  ]);
  const workloads = tabwrite([['NAMESPACE', 'POD NAME', 'ADDRESS', 'NODE', 'WAYPOINT', 'PROTOCOL'], ['bookinfo', 'details-v1-698d88b-dqrbr', '10.244.2.51', 'ambient-worker2', 'None', 'HBONE']], 1);
  return [
    { when: ['proxy-status'], stdout: proxyStatusJson('istiod-8c7b98fc4-mwjfp', '1.30.3', ZTUNNELS.slice(0, connected).map((z) => ({ id: `${z.pod}.istio-system`, version: '1.30.3', types: synced }))) },
    { when: ['analyze'], stdout: '[]\n' },
    { when: ['ztunnel-config', 'certificate'], stdout: certificates },
    { when: ['ztunnel-config', 'workload'], stdout: workloads },
    { when: ['waypoint', 'list'], stdout: 'No waypoints found.\n' },
  ];
}
