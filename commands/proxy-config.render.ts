import type { KnownBlock } from '@slack/types';
import { clockTime } from '../src/command.ts';
import type { BootstrapInfo } from '../src/istioctl/parsers/proxy-config.ts';
import { bySeverity, describeHealth, healthJson, roleLabel, secretRole, type CertificateStatus, type CertificatesSummary, type HealthLevel } from '../src/mesh/certificate-health.ts';
import type { ClustersSummary, ConfigDumpSummary, EndpointsSummary, ListenersSummary, RoutesSummary } from '../src/mesh/proxy-config.ts';
import type { ProxyConfigReport } from '../src/mesh/proxy-config-report.ts';
import { actions, button, context, escapeMrkdwn, header, message, section, truncate, type SlackMessage } from '../src/slack/blocks.ts';
import { absentAsNull } from '../src/json.ts';
import type { ProxyConfigResult } from './proxy-config.ts';

export const UPLOAD_FULL_ACTION = 'pc_upload_full';
/** Lines per list in the Slack message; every list says how many it left out, and the full output is a click away. */
const SHOWN = 10;
const LINE_MAX = 200;

function proxyName(result: ProxyConfigResult): string {
  return `${result.pod}.${result.namespace}`;
}

const plural = (count: number, one: string, many = `${one}s`) => `${count} ${count === 1 ? one : many}`;

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
  return `${plural(summary.total, 'cluster')} (${inbound} inbound, ${outbound} outbound, ${other} other)`;
}

function listenersLine(summary: ListenersSummary): string {
  return `${plural(summary.total, 'listener')} (${counts(summary.byDirection)})`;
}

function routesLine(summary: RoutesSummary): string {
  return `${plural(summary.tables, 'route table')}, ${plural(summary.virtualHosts, 'virtual host')}, ${plural(summary.rows.length, 'route')}`;
}

function endpointsLine(summary: EndpointsSummary): string {
  return `${plural(summary.total, 'endpoint')} in ${plural(summary.clusters.length, 'cluster')} (${counts(summary.byStatus)})`;
}

function certificatesLine(summary: CertificatesSummary): string {
  if (summary.certificates.length === 0) return 'no active or warming secrets';
  const certificates = plural(summary.certificates.length, 'certificate');
  if (summary.needingAttention === 0) return `${certificates}, all healthy`;
  const attention = summary.needingAttention - summary.critical;
  const parts = [...(summary.critical > 0 ? [`${summary.critical} critical`] : []), ...(attention > 0 ? [`${plural(attention, 'needs', 'need')} attention`] : [])];
  return `${certificates}: ${parts.join(', ')}`;
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
    case 'all': {
      // A certificate problem leads, so the notification text says it too.
      const certificates = report.all.certificates;
      const first = certificates && certificates.level !== 'healthy' ? [certificatesLine(certificates)] : [];
      return [...first, ...allLines(report.all)].slice(0, 3).join('; ');
    }
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

/** `15001: 1, 15006: 1, 9080: 2, internal (no port): 1`: port 0 is an Envoy internal listener, which has no socket. */
function portCounts(byPort: Readonly<Record<string, number>>): string {
  const entries = Object.entries(byPort).sort(([a], [b]) => (Number(a) || Infinity) - (Number(b) || Infinity));
  return entries.length === 0 ? 'none' : entries.map(([port, count]) => `${port === '0' ? 'internal (no port)' : port}: ${count}`).join(', ');
}

function listenerDetail(summary: ListenersSummary, routesChecked: boolean): { title: string; lines: string[] }[] {
  const missing = routesChecked
    ? summary.missingRoutes.length === 0
      ? ['every RDS route name has a route config']
      : summary.missingRoutes.map((entry) => `${entry.listener || '(unnamed)'} → route ${entry.route} missing`)
    : ['not checked (route configs unavailable)'];
  return [
    { title: 'By protocol', lines: [counts(summary.byProtocol)] },
    { title: 'Listeners per port', lines: [portCounts(summary.byPort)] },
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

/**
 * One short line per certificate: name and what it is, its state, the time left, then what to do.
 * `default (workload certificate): rotation overdue by 2 h, 9 h left → check that the proxy reaches istiod …`
 */
function certificateLine(cert: CertificateStatus): string {
  const what = [roleLabel(secretRole(cert)), ...(cert.trustDomain ? [cert.trustDomain] : [])].join(', ');
  const state = `${cert.status !== 'ACTIVE' ? `${cert.status}, ` : ''}${describeHealth(cert.health)}`;
  return `${cert.name} (${what}): ${state}${cert.health.action ? ` → ${cert.health.action}` : ''}`;
}

function certificateDetail(summary: CertificatesSummary): { title: string; lines: string[] }[] {
  if (summary.certificates.length === 0) return [{ title: 'Certificates', lines: ['No active or warming secrets found.'] }];
  // Problems first: an on-call engineer reads the top of the list.
  return [{ title: 'Certificates', lines: [...summary.certificates].sort(bySeverity).map(certificateLine) }];
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
  if (attention.length > 0) parts.push({ title: 'Certificates needing attention', lines: [...attention].sort(bySeverity).map(certificateLine) });
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

const LEVEL_ICON: Readonly<Record<HealthLevel, string>> = { healthy: ':large_green_circle:', attention: ':large_yellow_circle:', critical: ':red_circle:' };

/** The report's verdict: an expired or nearly expired certificate is critical, whatever else is fine. */
function verdict(report: ProxyConfigReport): HealthLevel {
  const certificates = report.type === 'secret' ? report.certificates.level : report.type === 'all' ? (report.all.certificates?.level ?? 'healthy') : 'healthy';
  if (certificates === 'critical') return 'critical';
  const attention =
    certificates === 'attention' ||
    (report.type === 'endpoints' && report.endpoints.endpoints.some((endpoint) => endpoint.status !== 'HEALTHY')) ||
    (report.type === 'listeners' && report.listeners.missingRoutes.length > 0);
  return attention ? 'attention' : 'healthy';
}

export function renderProxyConfigSlack(result: ProxyConfigResult): SlackMessage {
  const blocks: KnownBlock[] = [header(`proxy-config ${result.type} · ${proxyName(result)}`)];
  const report = result.report;
  if (report) blocks.push(section(`${LEVEL_ICON[verdict(report)]} *${escapeMrkdwn(reportLine(report))}*`));
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
    serial: absentAsNull(cert.serial),
    notAfter: absentAsNull(cert.notAfter),
    daysRemaining: cert.daysRemaining,
    notBefore: absentAsNull(cert.notBefore),
    expiringSoon: cert.expiringSoon,
    needsAttention: cert.needsAttention,
    health: healthJson(cert.health),
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
    ...(result.report ? reportJson(result.report) : UNREAD[result.type]),
  };
}

/**
 * The fields of each TYPE when nothing could be read: present and null, as status and analyze do it, so a script
 * reading `.certificates` gets null with the reason in `errors`, not a missing key.
 */
const UNREAD: Readonly<Record<ProxyConfigResult['type'], Record<string, null>>> = {
  clusters: { clusters: null },
  listeners: { listeners: null },
  routes: { routes: null },
  endpoints: { endpoints: null },
  secret: { certificates: null },
  bootstrap: { bootstrap: null },
  log: { loggers: null },
  all: { all: null, certificates: null },
};
