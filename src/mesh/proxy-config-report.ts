import type { ProxyConfigOutput } from '../istioctl/istioctl.ts';
import {
  parseBootstrapJson,
  parseClustersJson,
  parseConfigDump,
  parseEndpointsJson,
  parseListenersJson,
  parseLogLevels,
  parseRoutesJson,
  parseSecretTable,
} from '../istioctl/parsers/proxy-config.ts';
import type { BootstrapInfo, SecretCertificate } from '../istioctl/parsers/proxy-config.ts';
import { parseSecretChainsJson } from '../istioctl/parsers/proxy-config/secret.ts';
import type { ParseFailure } from '../istioctl/types.ts';
import type { Result } from '../result.ts';
import { ok } from '../result.ts';
import {
  groupLogLevels,
  summarizeCertificates,
  summarizeClusters,
  summarizeConfigDump,
  summarizeEndpoints,
  summarizeListeners,
  summarizeRoutes,
  type CertificatesSummary,
  type ClustersSummary,
  type ConfigDumpSummary,
  type EndpointsSummary,
  type ListenersSummary,
  type RoutesSummary,
  withPluggedInCas,
} from './proxy-config.ts';
import type { CaThresholds } from './certificate-health.ts';
import { redactConfigDump, redactJsonText, redactText } from './redact.ts';

/** What `/mesh proxy-config TYPE` shows, one variant per TYPE. */
export type ProxyConfigReport =
  | { readonly type: 'clusters'; readonly clusters: ClustersSummary; readonly fqdn: string | undefined }
  /** `routesChecked`: false when the route configs could not be read, so no listener is called route-less. */
  | { readonly type: 'listeners'; readonly listeners: ListenersSummary; readonly routesChecked: boolean }
  | { readonly type: 'routes'; readonly routes: RoutesSummary }
  | { readonly type: 'endpoints'; readonly endpoints: EndpointsSummary }
  | { readonly type: 'secret'; readonly certificates: CertificatesSummary }
  | { readonly type: 'bootstrap'; readonly bootstrap: BootstrapInfo }
  | { readonly type: 'log'; readonly proxies: readonly { readonly proxy: string; readonly byLevel: Readonly<Record<string, readonly string[]>> }[] }
  | { readonly type: 'all'; readonly all: ConfigDumpSummary };

export interface ReportOptions {
  readonly now: Date;
  /** secret and all: when a CA counts as expiring (config `certificates`); Istio's workload rule needs nothing. */
  readonly ca?: CaThresholds;
  /** clusters only: keep clusters whose name contains this (istioctl's `--fqdn` is a substring match too). */
  readonly fqdn?: string;
  /** listeners only: the route configs' `-o json`, to find listeners whose RDS route no config provides. */
  readonly routes?: ProxyConfigOutput;
}

/**
 * Parses and summarizes one proxy-config output. Certificate facts are read before anything is redacted
 * (summaries carry no key material); only redactProxyConfig's output may be uploaded.
 */
export function summarizeProxyConfig(output: ProxyConfigOutput, options: ReportOptions): Result<ProxyConfigReport, ParseFailure> {
  switch (output.type) {
    case 'clusters': {
      const parsed = parseClustersJson(jsonOf(output));
      return parsed.ok ? ok({ type: 'clusters', clusters: summarizeClusters(parsed.value, options.fqdn ? { fqdn: options.fqdn } : {}), fqdn: options.fqdn }) : parsed;
    }
    case 'listeners': {
      const parsed = parseListenersJson(jsonOf(output));
      if (!parsed.ok) return parsed;
      const routes = options.routes ? parseRoutesJson(jsonOf(options.routes)) : undefined;
      const routeNames = routes?.ok ? new Set(routes.value.map((route) => route.name).filter((name) => name !== '')) : undefined;
      return ok({ type: 'listeners', listeners: summarizeListeners(parsed.value, routeNames ? { routeNames } : {}), routesChecked: routeNames !== undefined });
    }
    case 'routes': {
      const parsed = parseRoutesJson(jsonOf(output));
      return parsed.ok ? ok({ type: 'routes', routes: summarizeRoutes(parsed.value) }) : parsed;
    }
    case 'endpoints': {
      const parsed = parseEndpointsJson(jsonOf(output));
      return parsed.ok ? ok({ type: 'endpoints', endpoints: summarizeEndpoints(parsed.value) }) : parsed;
    }
    case 'secret': {
      const parsed = secretCertificates(output, options);
      return parsed.ok ? ok({ type: 'secret', certificates: summarizeCertificates(parsed.value, options) }) : parsed;
    }
    case 'bootstrap': {
      const parsed = parseBootstrapJson(jsonOf(output));
      return parsed.ok ? ok({ type: 'bootstrap', bootstrap: parsed.value }) : parsed;
    }
    case 'log': {
      const parsed = parseLogLevels(output.stdout);
      return parsed.ok ? ok({ type: 'log', proxies: parsed.value.map((proxy) => ({ proxy: proxy.proxy, byLevel: groupLogLevels(proxy) })) }) : parsed;
    }
    case 'all': {
      const dump = parseConfigDump(jsonOf(output));
      if (!dump.ok) return dump;
      const summary = summarizeConfigDump(dump.value, options);
      return summary.ok ? ok({ type: 'all', all: summary.value }) : summary;
    }
  }
}

/**
 * The certificates of `proxy-config secret` that `pc secret` and the digest judge: istioctl's rows plus the
 * plugged-in intermediates behind each leaf, added as `pc all` adds them (withPluggedInCas). Only the `-o json`
 * output carries the chains; a table (what istioctl prints without `-o json`) has the leaves and roots only.
 */
export function secretCertificates(output: ProxyConfigOutput, options: Pick<ReportOptions, 'now' | 'ca'>): Result<SecretCertificate[], ParseFailure> {
  if (output.format !== 'json') return parseSecretTable(output.stdout);
  const chains = parseSecretChainsJson(jsonOf(output), options.now);
  return chains.ok ? ok(withPluggedInCas(chains.value.secrets, chains.value.issuers, options.ca)) : chains;
}

/** The JSON parsers' input: istioctl's bytes when the runner kept them (never decoded whole), else stdout. */
function jsonOf(output: ProxyConfigOutput): Uint8Array | string {
  return output.bytes ?? output.stdout;
}

export interface RedactedOutput {
  readonly content: string;
  readonly extension: 'json' | 'txt';
}

/**
 * The full output made safe to upload: JSON is parsed and kept by allow-list (redactConfigDump: routing facts and
 * certificate facts stay, every other string value becomes "[redacted]"), then re-indented; text is redacted line
 * by line. JSON that does not parse is uploaded as text, its string values still kept by the allow-list
 * (redactJsonText), so nothing is ever uploaded unredacted.
 */
export function redactProxyConfig(output: ProxyConfigOutput): RedactedOutput {
  // Read once: for output kept as bytes, each read decodes them.
  const stdout = output.stdout;
  if (output.format === 'json') {
    try {
      return { content: JSON.stringify(redactConfigDump(JSON.parse(stdout) as unknown), null, 2), extension: 'json' };
    } catch {
      return { content: redactJsonText(stdout), extension: 'txt' };
    }
  }
  return { content: redactText(stdout), extension: 'txt' };
}
