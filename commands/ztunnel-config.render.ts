import type { KnownBlock } from '@slack/types';
import { clockTime } from '../src/command.ts';
import { describeHealth, healthJson, remainingText, worstLevel, type HealthLevel } from '../src/mesh/certificate-health.ts';
import { CERTIFICATE_ZTUNNELS_READ, type CertificateRow, type ServiceStatus, type WorkloadStatus, type ZtunnelCertificates, type ZtunnelConfigResult, type ZtunnelReport } from '../src/mesh/ztunnel-config.ts';
import type { ZtunnelConnection, ZtunnelPolicy } from '../src/istioctl/parsers/ztunnel-config/index.ts';
import { actions, button, context, escapeMrkdwn, header, message, section, truncate, type SlackMessage } from '../src/slack/blocks.ts';
import { absentAsNull } from '../src/json.ts';
import { counted } from '../src/words.ts';

export const ZC_SHOW_ALL_ACTION = 'zc_show_all';
/** Lines per card section; the rest is behind "Show all". */
const SHOWN = 10;
const LINE_MAX = 200;
/** Card sections at most (each ≤ 3000 characters): the card stays far below Slack's 50 blocks. */
const SECTIONS_SHOWN = 8;

interface Part {
  readonly title: string;
  readonly lines: readonly string[];
}

const workloadName = (row: { namespace: string; pod: string }) => `${row.pod}.${row.namespace}`;

function notCaptured(workloads: readonly WorkloadStatus[]): WorkloadStatus[] {
  return workloads.filter((row) => row.notCaptured);
}

function optedOut(workloads: readonly WorkloadStatus[]): WorkloadStatus[] {
  return workloads.filter((row) => row.optedOut);
}

const OPTED_OUT = 'opted out (istio.io/dataplane-mode=none)';
const OPTED_OUT_LINE = 'opted out on purpose (istio.io/dataplane-mode=none)';
/** Istio's CNI leaves a pod with a sidecar to it: TCP at ztunnel is its normal state, never a problem. */
const SIDECAR_LINE = 'in the mesh through its sidecar (ztunnel leaves sidecar pods alone)';

function workloadsLine(workloads: readonly WorkloadStatus[]): string {
  const missing = notCaptured(workloads).length;
  const out = optedOut(workloads).length;
  const total = counted(workloads.length, 'workload');
  if (missing > 0) return `${total}, ${counted(missing, 'pod')} in ambient namespaces NOT captured${out > 0 ? `, ${out} ${OPTED_OUT}` : ''}`;
  return out > 0 ? `${total}, every pod in an ambient namespace captured but ${out} ${OPTED_OUT}` : `${total}, every pod in an ambient namespace captured`;
}

function servicesLine(services: readonly ServiceStatus[]): string {
  const short = services.filter((service) => service.endpointsShort).length;
  const withWaypoint = services.filter((service) => service.waypoint !== null).length;
  return `${counted(services.length, 'service')}, ${withWaypoint} with a waypoint${short > 0 ? `, ${short} with endpoints not ready` : ''}`;
}

function earliest(perZtunnel: readonly ZtunnelCertificates[]): string {
  const dates = perZtunnel.map((entry) => entry.earliestNotAfter).filter((date) => date !== '').sort((a, b) => Date.parse(a) - Date.parse(b));
  return dates[0] ?? '';
}

function certificatesLine(result: ZtunnelConfigResult, perZtunnel: readonly ZtunnelCertificates[]): string {
  const notAvailable = perZtunnel.reduce((sum, entry) => sum + entry.notAvailable.length, 0);
  const attention = perZtunnel.reduce((sum, entry) => sum + entry.certificates.filter((row) => row.health.level !== 'healthy' && row.status === 'Available').length, 0);
  const first = earliest(perZtunnel);
  const scope = perZtunnel.length === 1 && result.ztunnelCount <= 1 ? 'the ztunnel' : `${perZtunnel.length} of ${counted(result.ztunnelCount, 'ztunnel')} read`;
  const parts = [`certificates of ${scope}`, first ? `earliest NOT AFTER ${first}` : 'no certificate dates yet'];
  if (notAvailable > 0) parts.push(`${notAvailable} not Available`);
  if (attention > 0) parts.push(`${attention} needing attention`);
  return parts.join(', ');
}

function connectionsLine(connections: readonly ZtunnelConnection[]): string {
  const inbound = connections.filter((row) => row.direction === 'Inbound').length;
  return `${counted(connections.length, 'connection')} (${inbound} inbound, ${connections.length - inbound} outbound)`;
}

function reportLine(result: ZtunnelConfigResult, report: ZtunnelReport): string {
  switch (report.type) {
    case 'workloads':
      return workloadsLine(report.workloads);
    case 'services':
      return servicesLine(report.services);
    case 'certificates':
      return certificatesLine(result, report.perZtunnel);
    case 'policies':
      return counted(report.policies.length, 'authorization policy', 'authorization policies');
    case 'connections':
      return connectionsLine(report.connections);
    case 'all':
      return [
        report.workloads && workloadsLine(report.workloads),
        report.services && servicesLine(report.services),
        report.policies && counted(report.policies.length, 'policy', 'policies'),
        report.perZtunnel.length > 0 ? certificatesLine(result, report.perZtunnel) : null,
        report.connections && connectionsLine(report.connections),
      ]
        .filter((line): line is string => line !== null)
        .join('; ');
  }
}

function level(report: ZtunnelReport): HealthLevel {
  const certificates = report.type === 'certificates' || report.type === 'all' ? report.perZtunnel.flatMap((entry) => entry.certificates) : [];
  const certificateLevel = worstLevel(certificates.map((row) => row.health.level));
  if (certificateLevel === 'critical') return 'critical';
  const workloads = report.type === 'workloads' || report.type === 'all' ? (report.workloads ?? []) : [];
  const services = report.type === 'services' || report.type === 'all' ? (report.services ?? []) : [];
  return certificateLevel === 'attention' || workloads.some((row) => row.notCaptured) || services.some((row) => row.endpointsShort) ? 'attention' : 'healthy';
}

function workloadLine(row: WorkloadStatus): string {
  const what = row.notCaptured
    ? 'NOT captured (protocol TCP in an ambient namespace)'
    : row.optedOut
      ? `${OPTED_OUT_LINE}, protocol ${row.protocol}`
      : row.sidecar
        ? `${SIDECAR_LINE}, protocol ${row.protocol}`
        : row.proxyPod
          ? `${row.proxyPod} pod, ${row.protocol}`
          : row.protocol;
  return `${workloadName(row)} on ${row.node || 'no node'}: ${what}, waypoint ${row.waypoint ?? 'none'}`;
}

/** Per namespace: the pods that are not captured first, with their waypoint; then those opted out on purpose or with a sidecar. */
function workloadParts(workloads: readonly WorkloadStatus[]): Part[] {
  const parts: Part[] = [];
  const missing = notCaptured(workloads);
  if (missing.length > 0) parts.push({ title: `Not captured (${missing.length})`, lines: missing.map(workloadLine) });
  const out = optedOut(workloads);
  if (out.length > 0) parts.push({ title: `Opted out (istio.io/dataplane-mode=none): ${out.length}, not a problem`, lines: out.map(workloadLine) });
  const sidecars = workloads.filter((row) => row.sidecar);
  if (sidecars.length > 0) parts.push({ title: `With a sidecar: ${sidecars.length}, in the mesh through it, not a problem`, lines: sidecars.map(workloadLine) });
  const byNamespace = new Map<string, WorkloadStatus[]>();
  for (const row of workloads) byNamespace.set(row.namespace, [...(byNamespace.get(row.namespace) ?? []), row]);
  const lines = [...byNamespace.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([namespace, rows]) => {
      const hbone = rows.filter((row) => row.protocol === 'HBONE').length;
      const waypoints = [...new Set(rows.flatMap((row) => (row.waypoint === null ? [] : [row.waypoint])))];
      const missingHere = rows.filter((row) => row.notCaptured).length;
      const outHere = rows.filter((row) => row.optedOut).length;
      const sidecarsHere = rows.filter((row) => row.sidecar).length;
      const flags = [
        `${hbone} HBONE`,
        `${rows.length - hbone} TCP`,
        ...(missingHere > 0 ? [`${missingHere} NOT captured`] : []),
        ...(outHere > 0 ? [`${outHere} opted out`] : []),
        ...(sidecarsHere > 0 ? [`${counted(sidecarsHere, 'pod')} in the mesh through a sidecar`] : []),
      ];
      return `${namespace}${rows[0]?.ambientNamespace ? ' (ambient)' : ''}: ${counted(rows.length, 'workload')} (${flags.join(', ')})${waypoints.length > 0 ? `, waypoint ${waypoints.join(', ')}` : ''}`;
    });
  parts.push({ title: 'Workloads by namespace', lines });
  return parts;
}

function serviceLine(row: ServiceStatus): string {
  const endpoints = row.endpoints ? `, endpoints ${row.endpoints.ready}/${row.endpoints.total} ready` : '';
  return `${row.name}.${row.namespace}: VIP ${row.vip || 'none'}, waypoint ${row.waypoint ?? 'none'}${endpoints}`;
}

function certificateLine(row: CertificateRow): string {
  const dates = row.notAfter ? describeHealth(row.health) : `${row.status}, no certificate yet`;
  return `${row.name} (${row.type}): ${row.status === 'Available' ? dates : `${row.status} — not Available`}${row.health.action ? ` → ${row.health.action}` : ''}`;
}

function ztunnelCertificateLine(entry: ZtunnelCertificates): string {
  const first = entry.certificates.find((row) => row.notAfter === entry.earliestNotAfter);
  const when = entry.earliestNotAfter ? `earliest NOT AFTER ${entry.earliestNotAfter} (${remainingText(first?.health.remainingMs ?? null)})` : 'no dated certificate';
  const unavailable = entry.notAvailable.length > 0 ? `, ${entry.notAvailable.length} not Available (${[...new Set(entry.notAvailable.map((row) => row.status))].join(', ')})` : '';
  const worst = worstLevel(entry.certificates.map((row) => row.health.level));
  return `${entry.ztunnel.name} (node ${entry.ztunnel.node || 'unknown'}): ${counted(entry.certificates.length, 'certificate')}, ${when}${unavailable}${worst === 'healthy' ? '' : `, ${worst.toUpperCase()}`}`;
}

function certificateParts(perZtunnel: readonly ZtunnelCertificates[]): Part[] {
  const parts: Part[] = [{ title: 'Per ztunnel', lines: perZtunnel.map(ztunnelCertificateLine) }];
  // Only one ztunnel: list its certificates, problems first. Several: only the rows that need someone.
  const [only] = perZtunnel;
  if (perZtunnel.length === 1 && only) {
    if (only.certificates.length > 0) parts.push({ title: 'Certificates', lines: only.certificates.map(certificateLine) });
    return parts;
  }
  const lines = perZtunnel.flatMap((entry) => entry.certificates.filter((row) => row.health.level !== 'healthy' || row.status !== 'Available').map((row) => `${entry.ztunnel.name}: ${certificateLine(row)}`));
  if (lines.length > 0) parts.push({ title: 'Certificates needing attention', lines });
  return parts;
}

const policyLine = (row: ZtunnelPolicy) => `${row.name}.${row.namespace}: ${row.action}, scope ${row.scope}`;
const connectionLine = (row: ZtunnelConnection) =>
  `${row.workload} ${row.direction} ${row.local} ↔ ${row.remote}${row.remoteTarget ? ` (target ${row.remoteTarget})` : ''}${row.protocol ? ` ${row.protocol}` : ''}`;

function parts(report: ZtunnelReport): Part[] {
  switch (report.type) {
    case 'workloads':
      return workloadParts(report.workloads);
    case 'services':
      return [{ title: 'Services', lines: report.services.map(serviceLine) }];
    case 'certificates':
      return certificateParts(report.perZtunnel);
    case 'policies':
      return [{ title: 'Authorization policies', lines: report.policies.length > 0 ? report.policies.map(policyLine) : ['none'] }];
    case 'connections':
      return [{ title: 'Connections', lines: report.connections.length > 0 ? report.connections.map(connectionLine) : ['none'] }];
    case 'all':
      return [
        ...(report.workloads ? workloadParts(report.workloads) : []),
        ...(report.services ? [{ title: 'Services', lines: report.services.map(serviceLine) }] : []),
        ...(report.policies ? [{ title: 'Authorization policies', lines: report.policies.length > 0 ? report.policies.map(policyLine) : ['none'] }] : []),
        ...(report.perZtunnel.length > 0 ? certificateParts(report.perZtunnel) : []),
        ...(report.connections ? [{ title: 'Connections', lines: report.connections.length > 0 ? report.connections.map(connectionLine) : ['none'] }] : []),
      ];
  }
}

/** What was read: `ztunnel-x2k9p (node worker-2)`, `3 of 3 ztunnels`, or the workload pod. */
function subject(result: ZtunnelConfigResult): string {
  if (result.workloadFilter) return `${result.workloadFilter.name}.${result.workloadFilter.namespace}`;
  const [only] = result.read;
  if (result.read.length === 1 && only) return `${only.name} (node ${only.node || 'unknown'})`;
  if (result.read.length > 1) return `${result.read.length} of ${counted(result.ztunnelCount, 'ztunnel')}`;
  if (result.target.node !== undefined) return `node ${result.target.node}`;
  if (result.target.pod) return `${result.target.pod.name}${result.target.pod.namespace ? `.${result.target.pod.namespace}` : ''}`;
  return 'ztunnel';
}

export function ztunnelConfigHeadline(result: ZtunnelConfigResult): string {
  const where = `${result.cluster}: ztunnel-config ${result.type} of ${subject(result)}`;
  if (!result.report) return `${where} — could not be read: ${result.errors[0] ?? 'unknown error'}`;
  return `${where} — ${reportLine(result, result.report)} (as of ${clockTime(result.asOf)})`;
}

/** How many were read when the bot chose for the user (certificates across the mesh, or one of many). */
function readNote(result: ZtunnelConfigResult): string | null {
  if (result.target.pod || result.target.node !== undefined || result.ztunnelCount <= 1) return null;
  if (result.type === 'certificates') {
    if (result.read.length === result.ztunnelCount) return `Read all ${result.ztunnelCount} ztunnels.`;
    // `read` holds only the ztunnels whose certificates were read: the others asked failed, and their errors follow.
    const unread = Math.min(result.ztunnelCount, CERTIFICATE_ZTUNNELS_READ) - result.read.length;
    const failed = unread > 0 ? `; ${unread} of those asked could not be read, see the errors` : '';
    return `Read ${result.read.length} of ${result.ztunnelCount} ztunnels (at most ${CERTIFICATE_ZTUNNELS_READ} per request${failed}); name a POD or --node NODE for another.`;
  }
  if (result.read.length === 0) return null;
  return `Read one of ${result.ztunnelCount} ztunnels; every ztunnel holds the same mesh-wide workloads, services and policies, but certificates and connections are per node (name a POD or --node NODE).`;
}

const LEVEL_ICON: Readonly<Record<HealthLevel, string>> = { healthy: ':large_green_circle:', attention: ':large_yellow_circle:', critical: ':red_circle:' };

function capped(lines: readonly string[]): string[] {
  const shown = lines.slice(0, SHOWN).map((line) => `• ${escapeMrkdwn(truncate(line, LINE_MAX))}`);
  if (lines.length > SHOWN) shown.push(`…and ${lines.length - SHOWN} more (Show all)`);
  return shown;
}

export interface ShowAllValue {
  readonly cluster: string;
  readonly type: ZtunnelConfigResult['type'];
  readonly pod: string | null;
  readonly namespace: string | null;
  readonly node: string | null;
}

export function renderZtunnelConfigSlack(result: ZtunnelConfigResult): SlackMessage {
  const blocks: KnownBlock[] = [header(truncate(`ztunnel-config ${result.type} · ${subject(result)}`, 150))];
  const report = result.report;
  if (report) blocks.push(section(`${LEVEL_ICON[level(report)]} *${escapeMrkdwn(truncate(reportLine(result, report), 2800))}*`));
  for (const error of result.errors.slice(0, 5)) blocks.push(section(`:warning: ${escapeMrkdwn(truncate(error, 1000))}`));
  if (report) {
    const note = readNote(result);
    if (note) blocks.push(context([escapeMrkdwn(note)]));
    const all = parts(report);
    for (const part of all.slice(0, SECTIONS_SHOWN)) blocks.push(section(truncate(`*${escapeMrkdwn(part.title)}*\n${capped(part.lines).join('\n')}`, 3000)));
    const value: ShowAllValue = {
      cluster: result.cluster,
      type: result.type,
      pod: result.target.pod?.name ?? null,
      namespace: result.target.pod?.namespace ?? null,
      node: result.target.node ?? null,
    };
    if (all.length > SECTIONS_SHOWN || all.some((part) => part.lines.length > SHOWN)) {
      blocks.push(actions('zc_actions', [button({ text: 'Show all (upload as a file)', actionId: ZC_SHOW_ALL_ACTION, value: JSON.stringify(value) })]));
    }
  }
  const footer = [`cluster ${escapeMrkdwn(result.cluster)}`, `as of ${clockTime(result.asOf)}`];
  if (result.istioctlVersion) footer.push(`istioctl ${escapeMrkdwn(result.istioctlVersion)}`);
  blocks.push(context([footer.join(' · ')]));
  return message(ztunnelConfigHeadline(result), blocks);
}

export function renderZtunnelConfigText(result: ZtunnelConfigResult): string {
  const lines = [`ztunnel-config ${result.type}: ${subject(result)} (${result.cluster}) — ${result.report ? reportLine(result, result.report) : 'unavailable'} (as of ${clockTime(result.asOf)})`];
  const note = result.report ? readNote(result) : null;
  if (note) lines.push(note);
  if (result.report) {
    for (const part of parts(result.report)) {
      lines.push(`${part.title}:`);
      for (const line of part.lines) lines.push(`  ${line}`);
    }
  }
  for (const error of result.errors) lines.push(`Error: ${error}`);
  return `${lines.join('\n')}\n`;
}

function workloadsJson(workloads: readonly WorkloadStatus[]): Record<string, unknown> {
  return {
    workloads: workloads.map((row) => ({
      namespace: row.namespace,
      pod: row.pod,
      node: row.node,
      protocol: row.protocol,
      waypoint: row.waypoint,
      captured: row.captured,
      address: row.address,
      ambientNamespace: row.ambientNamespace,
      proxyPod: row.proxyPod,
      notCaptured: row.notCaptured,
      optedOut: row.optedOut,
      sidecar: row.sidecar,
    })),
    notCaptured: notCaptured(workloads).length,
    optedOut: optedOut(workloads).length,
  };
}

/** DESIGN.md section 5: the fields of `proxy-config secret`, plus the ztunnel that holds each certificate. */
function certificatesJson(perZtunnel: readonly ZtunnelCertificates[]): Record<string, unknown> {
  return {
    certificates: perZtunnel.flatMap((entry) =>
      entry.certificates.map((row) => ({
        name: row.name,
        type: row.type,
        status: row.status,
        valid: row.valid,
        serial: absentAsNull(row.serial),
        notAfter: absentAsNull(row.notAfter),
        daysRemaining: row.daysRemaining,
        notBefore: absentAsNull(row.notBefore),
        ztunnel: entry.ztunnel.name,
        node: entry.ztunnel.node,
        health: healthJson(row.health),
      })),
    ),
    earliestNotAfter: earliest(perZtunnel) || null,
  };
}

function reportJson(report: ZtunnelReport): Record<string, unknown> {
  switch (report.type) {
    case 'workloads':
      return workloadsJson(report.workloads);
    case 'services':
      return { services: report.services };
    case 'certificates':
      return certificatesJson(report.perZtunnel);
    case 'policies':
      return { policies: report.policies };
    case 'connections':
      return { connections: report.connections };
    case 'all':
      return {
        ...(report.workloads ? workloadsJson(report.workloads) : {}),
        ...(report.services ? { services: report.services } : {}),
        ...(report.policies ? { policies: report.policies } : {}),
        ...(report.perZtunnel.length > 0 ? certificatesJson(report.perZtunnel) : {}),
        ...(report.connections ? { connections: report.connections } : {}),
      };
  }
}

export function renderZtunnelConfigJson(result: ZtunnelConfigResult): Record<string, unknown> {
  return {
    command: 'ztunnel-config',
    cluster: result.cluster,
    asOf: result.asOf.toISOString(),
    errors: result.errors,
    type: result.type,
    ztunnels: { read: result.read.map((pod) => ({ name: pod.name, node: pod.node })), total: result.ztunnelCount },
    workload: result.workloadFilter,
    istioctlVersion: result.istioctlVersion,
    ...(result.report ? reportJson(result.report) : UNREAD[result.type]),
  };
}

const UNREAD_WORKLOADS = { workloads: null, notCaptured: null, optedOut: null };
const UNREAD_CERTIFICATES = { certificates: null, earliestNotAfter: null };
/** Each TYPE's fields when no ztunnel could be read: present and null (the reason is in `errors`), as status does it. */
const UNREAD: Readonly<Record<ZtunnelConfigResult['type'], Record<string, null>>> = {
  workloads: UNREAD_WORKLOADS,
  services: { services: null },
  certificates: UNREAD_CERTIFICATES,
  policies: { policies: null },
  connections: { connections: null },
  all: { ...UNREAD_WORKLOADS, services: null, policies: null, ...UNREAD_CERTIFICATES, connections: null },
};
