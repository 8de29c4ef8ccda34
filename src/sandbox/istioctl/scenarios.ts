// FAKE_ISTIOCTL_SCENARIO: which mesh (or which failure) the fake sees.

import { bookinfoMesh, healthyMesh, largeMesh, syncGoldenMesh, xdsGoldenMesh } from './mesh.ts';
import type { Mesh } from './mesh.ts';
import { ambientMesh } from './ambient-mesh.ts';

export type ScenarioName =
  | 'healthy'
  | 'bookinfo'
  | 'ambient'
  | 'single-pilot'
  | 'multi-pilot'
  | 'empty-mesh'
  | 'no-istiod'
  | 'xds-unavailable'
  | 'port-forward-error'
  | 'large';

export interface Scenario {
  name: ScenarioName;
  /** proxies for `large:N` */
  size?: number;
}

export const SCENARIO_NAMES: readonly ScenarioName[] = [
  'healthy',
  'bookinfo',
  'ambient',
  'single-pilot',
  'multi-pilot',
  'empty-mesh',
  'no-istiod',
  'xds-unavailable',
  'port-forward-error',
  'large',
];

export const DEFAULT_SCENARIO = 'healthy';

export function parseScenario(raw: string): Scenario {
  const m = /^large:(\d+)$/.exec(raw);
  if (m) {
    const size = Number(m[1]);
    if (!Number.isSafeInteger(size) || size < 1 || size > 1_000_000) {
      throw new Error(`invalid FAKE_ISTIOCTL_SCENARIO ${JSON.stringify(raw)}: N must be 1..1000000`);
    }
    return { name: 'large', size };
  }
  if (raw !== 'large' && (SCENARIO_NAMES as readonly string[]).includes(raw)) return { name: raw as ScenarioName };
  throw new Error(
    `unknown FAKE_ISTIOCTL_SCENARIO ${JSON.stringify(raw)} (known: ${SCENARIO_NAMES.filter((n) => n !== 'large').join(', ')}, large:N)`,
  );
}

/** The istiod pod name used in messages of the failure scenarios. */
export const FAILING_ISTIOD = 'istiod-7d4f74889d-mb5dh';

/**
 * The mesh for a scenario that has one. `dataset` picks the golden inputs: the 1.20-1.21 syncz goldens and the
 * xDS-writer goldens were produced from different test inputs, so single-pilot/multi-pilot differ by writer.
 */
export function meshFor(s: Scenario, dataset: 'syncz' | 'xds', clientVersion: string): Mesh | undefined {
  switch (s.name) {
    case 'healthy':
      return healthyMesh(clientVersion);
    case 'bookinfo':
      return bookinfoMesh(clientVersion);
    case 'ambient':
      return ambientMesh(clientVersion);
    case 'single-pilot':
      return dataset === 'syncz' ? syncGoldenMesh(false) : xdsGoldenMesh(false);
    case 'multi-pilot':
      return dataset === 'syncz' ? syncGoldenMesh(true) : xdsGoldenMesh(true);
    case 'empty-mesh':
      return { istiods: [{ id: FAILING_ISTIOD, version: clientVersion }], proxies: [] };
    case 'large':
      return largeMesh(s.size ?? 100, clientVersion);
    default:
      return undefined;
  }
}

/** `<RFC3339 UTC, microseconds>` as Istio's logger prints it */
export function istioTimestamp(d: Date): string {
  return d.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

export function logLine(level: string, scope: string, msg: string, d = new Date()): string {
  return `${istioTimestamp(d)}\t${level}\t${scope}\t${msg}\n`;
}

export function portForwardKlog(localPort: number, remotePort: number): string {
  return (
    `an error occurred forwarding ${localPort} -> ${remotePort}: error forwarding port ${remotePort} to pod ` +
    `4b1f0f3e2d9c8a7b6e5d4c3b2a1f0e9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b4a3f, uid : failed to execute portforward in ` +
    `network namespace "/var/run/netns/cni-5c3e1d2a-8b7f-4e6d-9c0b-1a2f3e4d5c6b": failed to connect to ` +
    `localhost:${remotePort} inside namespace "4b1f0f3e2d9c", IPv4: dial tcp4 127.0.0.1:${remotePort}: connect: ` +
    `connection refused IPv6 dial tcp6 [::1]:${remotePort}: connect: connection refused `
  );
}

export interface Failure {
  /** istio-format log lines written to stderr before the error */
  preamble: string;
  /** the error; cobra prints it as `Error: <message>` */
  message: string;
}

/** `xds-unavailable`: port-forward noise, then the XDS error (xDS-based proxy-status). */
export function xdsUnavailable(): Failure {
  const now = new Date();
  return {
    preamble: logLine('error', 'klog', portForwardKlog(42139, 15012), now) + logLine('error', 'klog', portForwardKlog(42139, 15012), now),
    message:
      `could not get XDS from discovery pod "${FAILING_ISTIOD}": rpc error: code = Unavailable desc = ` +
      `connection error: desc = "transport: Error while dialing: dial tcp 127.0.0.1:42139: connect: connection refused"`,
  };
}

/** `port-forward-error`: klog lines, then the port-forward failure. */
export function portForwardError(remotePort: number): Failure {
  const now = new Date();
  return {
    preamble:
      logLine('error', 'klog', portForwardKlog(43805, remotePort), now) + logLine('error', 'klog', portForwardKlog(43805, remotePort), now),
    message: 'failure running port forward process: lost connection to pod',
  };
}
