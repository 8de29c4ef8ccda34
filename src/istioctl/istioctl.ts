import type { ClusterConfig } from '../config.ts';
import { err, ok, type Result } from '../result.ts';
import { classifyFailure, parseError, type IstioctlError } from './errors.ts';
import { parseProxyStatus } from './parsers/proxy-status.ts';
import { parseIstioctlVersion, toIstioMinor } from './parsers/version.ts';
import type { IstioctlRun } from './runner.ts';
import type { IstioMinor, ProxyStatusReport } from './types.ts';

export interface ClientVersion {
  readonly version: string;
  /** null for dev builds (`unknown`): treated as the newest known behaviour. */
  readonly minor: IstioMinor | null;
}

export interface Timed<T> {
  readonly value: T;
  /** When istioctl produced the data (the start of the run that answered). */
  readonly asOf: Date;
}

/** istioctl as the domain sees it: version-aware commands with typed results. */
export interface Istioctl {
  clientVersion(): Promise<Result<ClientVersion, IstioctlError>>;
  /** `notBefore`: only data read after that time (after a weight change, to see whether proxies caught up). */
  proxyStatus(cluster: ClusterConfig, options?: { readonly notBefore?: Date }): Promise<Result<Timed<ProxyStatusReport>, IstioctlError>>;
}

/**
 * Flags differ by version: 1.20-1.26 reject `-o` and `-v` on proxy-status (exit 64); 1.27-1.29 hide
 * per-type states unless `--verbosity 1`; 1.30+ print DiscoveryResponse JSON with `-o json`.
 */
export function proxyStatusArgs(minor: IstioMinor | null, istioNamespace: string): string[] {
  const base = ['proxy-status', '--istioNamespace', istioNamespace];
  if (minor === null || minor.major > 1 || minor.minor >= 30) return [...base, '--output', 'json'];
  if (minor.minor >= 27) return [...base, '--verbosity', '1'];
  return base;
}

export function createIstioctl(run: IstioctlRun): Istioctl {
  let detected: Promise<Result<ClientVersion, IstioctlError>> | undefined;

  async function detect(): Promise<Result<ClientVersion, IstioctlError>> {
    const outcome = await run({ args: ['version', '--remote=false', '--output', 'json'] });
    if (!outcome.ok) return outcome;
    if (outcome.value.exitCode !== 0) return err(classifyFailure({ stderr: outcome.value.stderr, exitCode: outcome.value.exitCode }));
    const parsed = parseIstioctlVersion(outcome.value.stdout);
    if (!parsed.ok) return err(parseError(parsed.error));
    return ok({ version: parsed.value.client, minor: toIstioMinor(parsed.value.client) });
  }

  async function clientVersion(): Promise<Result<ClientVersion, IstioctlError>> {
    detected ??= detect();
    const result = await detected;
    // A failed detection (binary missing, transient error) is retried on the next command rather than remembered.
    if (!result.ok) detected = undefined;
    return result;
  }

  return {
    clientVersion,
    async proxyStatus(cluster, options = {}) {
      const version = await clientVersion();
      if (!version.ok) return version;
      const outcome = await run({ args: proxyStatusArgs(version.value.minor, cluster.istioNamespace), context: cluster.context, ...(options.notBefore ? { notBefore: options.notBefore } : {}) });
      if (!outcome.ok) return outcome;
      const { stdout, stderr, exitCode, startedAt } = outcome.value;
      if (exitCode !== 0) {
        const failure = classifyFailure({ stderr, exitCode, istioNamespace: cluster.istioNamespace });
        // 1.27.0 reports an empty mesh as an error; every other version prints an empty table.
        if (failure.kind === 'no-proxies') return ok({ value: { format: 'empty', proxies: [], istiods: [] }, asOf: startedAt });
        return err(failure);
      }
      const parsed = parseProxyStatus(stdout);
      if (!parsed.ok) return err(parseError(parsed.error));
      return ok({ value: parsed.value, asOf: startedAt });
    },
  };
}
