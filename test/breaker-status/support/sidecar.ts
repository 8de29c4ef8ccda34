// The status breaker's sidecar meshes, built on the ambient breakers' outside harness (bin/mesh-bot.js in a child
// process, the project's fake Kubernetes API, a stand-in istioctl printing corpus shapes): istiod pods as the istiod
// Deployment/Helm chart labels them, and a `status` run that returns the parsed JSON next to the raw run.

import { writeFile, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeObject } from '../../../src/sandbox/kube-api.ts';
import { meshBot, namespace, pod, standIn, type Cluster, type Rule, type Run } from '../../breaker-ambient/support/harness.ts';

/** An istiod pod: label `app=istiod` (every istiod Deployment since 1.5) and Helm's `app.kubernetes.io/version`. */
export function istiod(name: string, version: string, options: { ready?: boolean; revision?: string } = {}): KubeObject {
  return pod(name, 'istio-system', 'node-1', { app: 'istiod', 'app.kubernetes.io/version': version, 'istio.io/rev': options.revision ?? 'default' }, { container: 'discovery', ready: options.ready ?? true });
}

/** Namespaces of the sidecar meshes below: istio-system, default, shop and quiet (a namespace without proxies). */
export function sidecarNamespaces(): KubeObject[] {
  return ['istio-system', 'default', 'shop', 'quiet'].map((name) => namespace(name));
}

/** What `status -o json` prints, as far as these tests read it (DESIGN §5 plus the README's extensions). */
export interface StatusJson {
  verdict: string | null;
  errors: string[];
  proxies: {
    total: number;
    healthy: number;
    stale: number;
    error: number;
    statesKnown: boolean;
    byVersion: Record<string, number>;
    byKind: Record<string, number>;
    problems: { name: string; cluster: string; istiod: string; states: Record<string, string> }[];
    notConnected?: string[] | null;
  } | null;
  controlPlane: { istiods: { name: string; ready: boolean; version: string }[] };
  versionSkew: { controlPlane: string[]; mismatched: { version: string; count: number; proxies: string[] }[] } | null;
}

export interface StatusRun extends Run {
  /** stdout parsed, for `-o json` runs that printed JSON; undefined otherwise. */
  readonly json: StatusJson | undefined;
}

/** `mesh-bot ARGV` against `kube` with a stand-in istioctl of `version` answering `rules`; `configYaml` as MESH_BOT_CONFIG. */
export async function runStatus(kube: Cluster, version: string, rules: readonly Rule[], argv: readonly string[], configYaml?: string): Promise<StatusRun> {
  const istioctl = await standIn(version, rules);
  const env: Record<string, string> = { KUBECONFIG: kube.kubeconfig, ISTIOCTL: istioctl.path };
  if (configYaml !== undefined) {
    const path = join(await mkdtemp(join(tmpdir(), 'breaker-status-config-')), 'config.yaml');
    await writeFile(path, configYaml);
    env['MESH_BOT_CONFIG'] = path;
  }
  const run = await meshBot(argv, env as { KUBECONFIG: string; ISTIOCTL: string } & Record<string, string>);
  const json = argv.includes('json') && run.stdout.trim().startsWith('{') ? (JSON.parse(run.stdout) as StatusJson) : undefined;
  return { ...run, json };
}
