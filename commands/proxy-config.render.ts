import type { KnownBlock } from '@slack/types';
import { clockTime } from '../src/command.ts';
import type { BootstrapInfo } from '../src/istioctl/parsers/proxy-config.ts';
import type { CertificateStatus, CertificatesSummary, ClustersSummary, ConfigDumpSummary, EndpointsSummary, ListenersSummary, RoutesSummary } from '../src/mesh/proxy-config.ts';
import type { ProxyConfigReport } from '../src/mesh/proxy-config-report.ts';
import { actions, button, context, escapeMrkdwn, header, message, section, truncate, type SlackMessage } from '../src/slack/blocks.ts';
import type { ProxyConfigResult } from './proxy-config.ts';

export const UPLOAD_FULL_ACTION = 'pc_upload_full';
/** Lines per list in the Slack message; every list says how many it left out, and the full output is a click away. */
const SHOWN = 10;
const LINE_MAX = 200;

function proxyName(result: ProxyConfigResult): string {
  return `${result.pod}.${result.namespace}`;
}

function counts(record: Readonly<Record<string, number>>): string {
  const entries = Object.entries(record).sort(([a, x], [b, y]) => y - x || a.localeCompare(b));
  return entries.length === 0 ? 'none' : entries.map(([key, count]) => `${count} ${key}`).join(', ');
}

/** At most `max` lines, plus one saying how many were left out. */
function capped(lines: readonly string[], max = SHOWN): string[] {
  const shown = lines.slice(0, max);
  if (lines.length > max) shown.push(`…and ${lines.length - max} more`);
  return shown;
}

// ---- one line per TYPE ----

function clustersLine(summary: ClustersSummary): string {
  const { inbound, outbound, other } = summary.byDirection;
  return `${summary.total} clusters (${inbound} inbound, ${outbound} outbound, ${other} other)`;
}

function listenersLine(summary: ListenersSummary): string {
  return `${summary.total} listeners (${counts(summary.byDirection)})`;
}

function routesLine(summary: RoutesSummary): string {
  return `${summary.tables} route tables, ${summary.virtualHosts} virtual hosts, ${summary.rows.length} routes`;
}

function endpointsLine(summary: EndpointsSummary): string {
  return `${summary.total} endpoints in ${summary.clusters.length} clusters (${counts(summary.byStatus)})`;
}

function certificatesLine(summary: CertificatesSummary): string {
  if (summary.certificates.length === 0) return 'no active or warming secrets';
  const attention = summary.needingAttention > 0 ? `, ${summary.needingAttention} need attention` : ', all valid';
  return `${summary.certificates.length} certificates${attention}`;
}

function bootstrapLine(info: BootstrapInfo): string {
  return `Istio ${info.istioVersion || 'unknown'}, Envoy ${info.envoyVersion || 'unknown'}`;
}

function reportLine(report: ProxyConfigReport): string {
  switch (report.type) {
    case 'clusters':
      return `${clustersLine(report.clusters)}${report.fqdn ? ` matching "${report.fqdn}"` : ''}`;
    case 'listeners':
      return `${listenersLine(report.listeners)}${report.listeners.missingRoutes.length > 0 ? `, ${report.listeners.missingRoutes.length} without their route` : ''}`;
    case 'routes':
      return routesLine(report.routes);
    case 'endpoints':
      return endpointsLine(report.endpoints);
    case 'secret':
      return certificatesLine(report.certificates);
    case 'bootstrap':
      return bootstrapLine(report.bootstrap);
    case 'log':
      return `logger levels: ${report.proxies.map((proxy) => Object.entries(proxy.byLevel).map(([level, loggers]) => `${loggers.length} ${level}`).join(', ')).join('; ')}`;
    case 'all':
      return allLines(report.all).slice(0, 3).join('; ');
  }
}

export function proxyConfigHeadline(result: ProxyConfigResult): string {
  const what = result.report ? reportLine(result.report) : `${result.type} unavailable`;
  return `${proxyName(result)} (${result.cluster}) ${result.type}: ${what} (as of ${clockTime(result.asOf)})`;
}

// ---- detail lines per TYPE (plain text; Slack escapes them) ----

function clusterDetail(summary: ClustersSummary): { title: string; lines: string[] }[] {
  return [
    { title: 'By type', lines: [counts(summary.byType)] },
    {
      title: `Services (${summary.services.length})`,
      lines: summary.services.map(
        (service) =>
          `${service.fqdn}${service.ports.length > 0 ? ` :${service.ports.join(',')}` : ''}${service.subsets.length > 0 ? ` subsets ${service.subsets.join(', ')}` : ''}${service.destinationRules.length > 0 ? ` (DestinationRule ${service.destinationRules.join(', ')})` : ''}`,
      ),
    },
    { title: `DestinationRules referenced (${summary.destinationRules.length})`, lines: [...summary.destinationRules] },
  ];
}

function listenerDetail(summary: ListenersSummary, routesChecked: boolean): { title: string; lines: string[] }[] {
  const missing = routesChecked
    ? summary.missingRoutes.length === 0
      ? ['every RDS route name has a route config']
      : summary.missingRoutes.map((entry) => `${entry.listener || '(unnamed)'} → route ${entry.route} missing`)
    : ['not checked (route configs unavailable)'];
  return [
    { title: 'By protocol', lines: [counts(summary.byProtocol)] },
    { title: 'By port', lines: [counts(summary.byPort)] },
    { title: 'Listeners without their route', lines: missing },
  ];
}

function routeDetail(summary: RoutesSummary): { title: string; lines: string[] }[] {
  return [
    {
      title: 'Routes by VirtualService',
      lines: Object.keys(summary.byVirtualService).length === 0 ? ['none from a VirtualService'] : Object.entries(summary.byVirtualService).sort(([, a], [, b]) => b - a).map(([vs, count]) => `${vs}: ${count}`),
    },
    {
      title: 'Routes (table, virtual host, domains, match, VirtualService)',
      lines: summary.rows.map((row) => `${row.table || '(static)'} · ${row.virtualHost} · ${row.domains} · ${row.match}${row.virtualService ? ` · ${row.virtualService}` : ''}`),
    },
  ];
}

function endpointDetail(summary: EndpointsSummary): { title: string; lines: string[] }[] {
  const unhealthy = summary.endpoints.filter((endpoint) => endpoint.status !== 'HEALTHY');
  return [
    { title: 'Per cluster (unhealthy first)', lines: summary.clusters.map((cluster) => `${cluster.cluster}: ${counts(cluster.byStatus)}`) },
    { title: `Endpoints not HEALTHY (${unhealthy.length})`, lines: unhealthy.length === 0 ? ['none'] : unhealthy.map((endpoint) => `${endpoint.status} ${endpoint.address} (${endpoint.cluster})`) },
  ];
}

function certificateLine(cert: CertificateStatus): string {
  const days = cert.daysRemaining === null ? 'expiry unknown' : cert.daysRemaining < 0 ? `expired ${-cert.daysRemaining} days ago` : `${cert.daysRemaining} days left`;
  const flag = !cert.valid ? 'NOT VALID · ' : cert.expiringSoon ? 'EXPIRES SOON · ' : '';
  const serial = cert.serial ? ` serial ${cert.serial}` : '';
  return `${flag}${cert.name} ${cert.type || '(no certificate)'} ${cert.status}${cert.trustDomain ? ` (${cert.trustDomain})` : ''}${serial}${cert.notAfter ? ` not after ${cert.notAfter}` : ''}, ${days}`;
}

function certificateDetail(summary: CertificatesSummary): { title: string; lines: string[] }[] {
  if (summary.certificates.length === 0) return [{ title: 'Certificates', lines: ['No active or warming secrets found.'] }];
  // Problems first: an on-call engineer reads the top of the list.
  const sorted = [...summary.certificates].sort((a, b) => Number(b.needsAttention) - Number(a.needsAttention));
  return [{ title: 'Certificates', lines: sorted.map(certificateLine) }];
}

function bootstrapDetail(info: BootstrapInfo): { title: string; lines: string[] }[] {
  const value = (text: string) => text || 'unknown';
  return [
    {
      title: 'Versions and node',
      lines: [
        `Istio version: ${value(info.istioVersion)}`,
        `Istio proxy version: ${value(info.istioProxyVersion)}`,
        `Envoy version: ${value(info.envoyVersion)}`,
        `Cluster: ${value(info.clusterId)}`,
        `Namespace: ${value(info.namespace)}`,
        `Mesh id: ${value(info.meshId)}`,
      ],
    },
  ];
}

const LEVEL_ORDER = ['trace', 'debug', 'info', 'warning', 'error', 'critical', 'off'];

function logDetail(report: Extract<ProxyConfigReport, { type: 'log' }>): { title: string; lines: string[] }[] {
  return report.proxies.map((proxy) => ({
    title: proxy.proxy ? `Logger levels of ${proxy.proxy}` : 'Logger levels',
    lines: Object.entries(proxy.byLevel)
      .sort(([a], [b]) => LEVEL_ORDER.indexOf(a) - LEVEL_ORDER.indexOf(b))
      .map(([level, loggers]) => `${level} (${loggers.length}): ${loggers.join(', ')}`),
  }));
}

function allLines(summary: ConfigDumpSummary): string[] {
  const lines: string[] = [];
  if (summary.bootstrap) lines.push(`bootstrap: ${bootstrapLine(summary.bootstrap)}`);
  if (summary.clusters) lines.push(clustersLine(summary.clusters));
  if (summary.listeners) lines.push(`${listenersLine(summary.listeners)}${summary.listeners.missingRoutes.length > 0 ? `, ${summary.listeners.missingRoutes.length} without their route` : ''}`);
  if (summary.routes) lines.push(routesLine(summary.routes));
  if (summary.endpoints) lines.push(endpointsLine(summary.endpoints));
  if (summary.certificates) lines.push(certificatesLine(summary.certificates));
  return lines;
}

function allDetail(summary: ConfigDumpSummary): { title: string; lines: string[] }[] {
  const parts = [{ title: 'Roll-up', lines: allLines(summary) }];
  const attention = summary.certificates?.certificates.filter((cert) => cert.needsAttention) ?? [];
  if (attention.length > 0) parts.push({ title: 'Certificates needing attention', lines: attention.map(certificateLine) });
  const unhealthy = summary.endpoints?.clusters.filter((cluster) => Object.keys(cluster.byStatus).some((status) => status !== 'HEALTHY')) ?? [];
  if (unhealthy.length > 0) parts.push({ title: 'Clusters with endpoints not HEALTHY', lines: unhealthy.map((cluster) => `${cluster.cluster}: ${counts(cluster.byStatus)}`) });
  if (summary.listeners && summary.listeners.missingRoutes.length > 0) {
    parts.push({ title: 'Listeners without their route', lines: summary.listeners.missingRoutes.map((entry) => `${entry.listener || '(unnamed)'} → route ${entry.route} missing`) });
  }
  return parts;
}

function details(report: ProxyConfigReport): { title: string; lines: string[] }[] {
  switch (report.type) {
    case 'clusters':
      return clusterDetail(report.clusters);
    case 'listeners':
      return listenerDetail(report.listeners, report.routesChecked);
    case 'routes':
      return routeDetail(report.routes);
    case 'endpoints':
      return endpointDetail(report.endpoints);
    case 'secret':
      return certificateDetail(report.certificates);
    case 'bootstrap':
      return bootstrapDetail(report.bootstrap);
    case 'log':
      return logDetail(report);
    case 'all':
      return allDetail(report.all);
  }
}

function icon(report: ProxyConfigReport): string {
  const attention =
    (report.type === 'secret' && report.certificates.needingAttention > 0) ||
    (report.type === 'all' && (report.all.certificates?.needingAttention ?? 0) > 0) ||
    (report.type === 'endpoints' && report.endpoints.endpoints.some((endpoint) => endpoint.status !== 'HEALTHY')) ||
    (report.type === 'listeners' && report.listeners.missingRoutes.length > 0);
  return attention ? ':large_yellow_circle:' : ':large_green_circle:';
}

export function renderProxyConfigSlack(result: ProxyConfigResult): SlackMessage {
  const blocks: KnownBlock[] = [header(`proxy-config ${result.type} · ${proxyName(result)}`)];
  const report = result.report;
  if (report) blocks.push(section(`${icon(report)} *${escapeMrkdwn(reportLine(report))}*`));
  for (const error of result.errors) blocks.push(section(`:warning: ${escapeMrkdwn(truncate(error, 1000))}`));
  if (report) {
    for (const part of details(report).slice(0, 8)) {
      const lines = capped(part.lines).map((line) => `• ${escapeMrkdwn(truncate(line, LINE_MAX))}`);
      blocks.push(section(`*${escapeMrkdwn(part.title)}*\n${lines.join('\n')}`));
    }
    blocks.push(
      actions('pc_actions', [
        button({
          text: 'Upload full output (redacted)',
          actionId: UPLOAD_FULL_ACTION,
          value: JSON.stringify({ cluster: result.cluster, type: result.type, pod: result.pod, namespace: result.namespace }),
        }),
      ]),
    );
  }
  blocks.push(context([`${escapeMrkdwn(proxyName(result))} · cluster ${escapeMrkdwn(result.cluster)} · as of ${clockTime(result.asOf)}`]));
  return message(proxyConfigHeadline(result), blocks);
}

export function renderProxyConfigText(result: ProxyConfigResult): string {
  const lines = [`proxy-config ${result.type}: ${proxyName(result)} (${result.cluster}) — ${result.report ? reportLine(result.report) : 'unavailable'} (as of ${clockTime(result.asOf)})`];
  if (result.report) {
    for (const part of details(result.report)) {
      lines.push(`${part.title}:`);
      for (const line of part.lines) lines.push(`  ${line}`);
    }
  }
  for (const error of result.errors) lines.push(`Error: ${error}`);
  return `${lines.join('\n')}\n`;
}

function certificatesJson(summary: CertificatesSummary): Record<string, unknown>[] {
  return summary.certificates.map((cert) => ({
    name: cert.name,
    type: cert.type,
    status: cert.status,
    valid: cert.valid,
    serial: cert.serial,
    notAfter: cert.notAfter,
    daysRemaining: cert.daysRemaining,
    expiringSoon: cert.expiringSoon,
    needsAttention: cert.needsAttention,
    ...(cert.trustDomain ? { trustDomain: cert.trustDomain } : {}),
  }));
}

function reportJson(report: ProxyConfigReport): Record<string, unknown> {
  switch (report.type) {
    case 'clusters':
      return { clusters: report.clusters, fqdn: report.fqdn ?? null };
    case 'listeners':
      return { listeners: report.listeners, routesChecked: report.routesChecked };
    case 'routes':
      return { routes: report.routes };
    case 'endpoints':
      return { endpoints: { total: report.endpoints.total, byStatus: report.endpoints.byStatus, clusters: report.endpoints.clusters, unhealthy: report.endpoints.endpoints.filter((endpoint) => endpoint.status !== 'HEALTHY') } };
    case 'secret':
      return { certificates: certificatesJson(report.certificates) };
    case 'bootstrap':
      return { bootstrap: report.bootstrap };
    case 'log':
      return { loggers: report.proxies };
    case 'all': {
      const { certificates, endpoints, ...rest } = report.all;
      return {
        all: {
          ...rest,
          ...(endpoints ? { endpoints: { total: endpoints.total, byStatus: endpoints.byStatus, clusters: endpoints.clusters } } : {}),
        },
        ...(certificates ? { certificates: certificatesJson(certificates) } : {}),
      };
    }
  }
}

export function renderProxyConfigJson(result: ProxyConfigResult): Record<string, unknown> {
  return {
    command: 'proxy-config',
    cluster: result.cluster,
    asOf: result.asOf.toISOString(),
    errors: result.errors,
    type: result.type,
    pod: result.pod,
    namespace: result.namespace,
    ...(result.report ? reportJson(result.report) : {}),
  };
}
