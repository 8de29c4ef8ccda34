import type { KnownBlock } from '@slack/types';
import type { AnalyzeFinding } from '../src/istioctl/parsers/analyze.ts';
import { describeHealth, healthJson, ISTIO_GRACE_PERIOD_RATIO, ROTATION_MARGIN_RATIO, type CertificateHealth } from '../src/mesh/certificate-health.ts';
import { baselineKnows, type NamesSinceLast } from '../src/mesh/digest/ambient.ts';
import { DAEMON_SETS } from '../src/mesh/digest/verdict.ts';
import type { AmbientGone, Digest, DigestLevel, Section, ZtunnelCertificateEntry, ZtunnelCertificateSample } from '../src/mesh/digest/types.ts';
import { context, escapeMrkdwn, header, LIMITS, message, section, truncate, type SlackMessage } from '../src/slack/blocks.ts';
import { absentAsNull } from '../src/json.ts';
import type { ThreadDetail } from '../src/slack/thread-or-file.ts';
import { findingWhere } from './analyze.render.ts';
import { describeProblem } from './status.render.ts';

/**
 * List lengths per section, sized so that the whole digest stays far inside Block Kit's ~11k budget whatever the
 * mesh size (about 8 sections of at most ~1.5k each); the terminal and JSON forms list everything.
 */
type Lists = Readonly<Record<'istiods' | 'problems' | 'versions' | 'added' | 'resolved' | 'certs' | 'canaries' | 'pending' | 'ambient', number>>;
const SLACK_SHOWN: Lists = { istiods: 8, problems: 5, versions: 5, added: 8, resolved: 5, certs: 5, canaries: 6, pending: 5, ambient: 5 };
/** The terminal lists what changed in full; problem proxies stay a sample (`mesh-bot status` lists them all). */
const TEXT_SHOWN: Lists = { istiods: Infinity, problems: 20, versions: Infinity, added: Infinity, resolved: Infinity, certs: Infinity, canaries: Infinity, pending: Infinity, ambient: Infinity };
const LINE_MAX = 160;

const LEVEL_LABEL: Readonly<Record<DigestLevel, string>> = { healthy: 'Healthy', attention: 'Needs attention', critical: 'Critical' };
const LEVEL_ICON: Readonly<Record<DigestLevel, string>> = { healthy: ':large_green_circle:', attention: ':large_yellow_circle:', critical: ':red_circle:' };

/** How a line is marked up: Slack mrkdwn (escaped, mentions) or plain terminal text. */
interface Format {
  readonly shown: Lists;
  text(plain: string): string;
  bold(plain: string): string;
  user(id: string): string;
}

const SLACK: Format = {
  shown: SLACK_SHOWN,
  text: (plain) => escapeMrkdwn(plain),
  bold: (plain) => `*${escapeMrkdwn(plain)}*`,
  // Only well-formed user ids become mentions; anything else is shown as text.
  user: (id) => (/^[UW][A-Z0-9]+$/.test(id) ? `<@${id}>` : escapeMrkdwn(id)),
};
const PLAIN: Format = { shown: TEXT_SHOWN, text: (plain) => plain, bold: (plain) => plain, user: (id) => id };

const plural = (count: number, one: string, many = `${one}s`) => `${count} ${count === 1 ? one : many}`;

/**
 * `Mon 2 Jun 2025, 09:00 Europe/Berlin (GMT+2)`: the digest's own zone, named, so a team spread over zones
 * reads the same time. Built from parts so the wording does not depend on the ICU version's patterns.
 */
export function zonedTime(date: Date, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    timeZoneName: 'shortOffset',
  }).formatToParts(date);
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((entry) => entry.type === type)?.value ?? '';
  const offset = part('timeZoneName');
  // The offset says nothing new for UTC itself, but "Europe/London (GMT+1)" tells summer time from winter time.
  const zone = offset === '' || /^(Etc\/)?(UTC|UCT|GMT|Zulu)$/.test(timeZone) ? timeZone : `${timeZone} (${offset})`;
  return `${part('weekday')} ${part('day')} ${part('month')} ${part('year')}, ${part('hour')}:${part('minute')} ${zone}`;
}

/** `09:00:03 Europe/Berlin`: the read time to the second, in the digest's zone like every other time it shows. */
function zonedClock(date: Date, timeZone: string): string {
  const clock = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' }).format(date);
  return `${clock} ${timeZone}`;
}

function scopeText(digest: Digest): string {
  return digest.namespaces === undefined ? 'whole mesh' : `namespaces ${digest.namespaces.join(', ')}`;
}

function unavailable<T>(result: Section<T>, format: Format): string | null {
  return result.ok ? null : `unavailable: ${format.text(result.error)}`;
}

function clip(line: string): string {
  return truncate(line.replace(/\s+/g, ' '), LINE_MAX);
}

function more(total: number, list: keyof Lists, format: Format, what = ''): string[] {
  const shown = format.shown[list];
  return total > shown ? [`…and ${total - shown} more${what}`] : [];
}

function limit<T>(items: readonly T[], list: keyof Lists, format: Format): readonly T[] {
  return items.slice(0, format.shown[list]);
}

/**
 * A certificate's end as the digest shows every time, in its zone and named, but as short as istioctl's ISO form
 * (`2033-03-22 14:04 Europe/Berlin`): the line is clipped, and what follows it says whether to act. As istioctl
 * printed it if it is no time.
 */
function shownTime(notAfter: string, timeZone: string): string {
  const end = new Date(notAfter);
  if (Number.isNaN(end.getTime())) return notAfter;
  const clock = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(end);
  return `${zonedDay(end, timeZone)} ${clock} ${timeZone}`;
}

/** `2033-05-02`: the calendar day in the digest's zone (en-CA formats dates as ISO does). */
function zonedDay(date: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(date);
}

/** "healthy, 2541 days left, until 2033-05-02" (that day in the digest's zone) or "CRITICAL, expired 2 h ago → restart the pod …". */
function healthText(health: CertificateHealth, notAfter: string, timeZone: string): string {
  const end = new Date(notAfter);
  const until = health.state === 'ok' ? `, until ${Number.isNaN(end.getTime()) ? notAfter : zonedDay(end, timeZone)}` : '';
  return `${describeHealth(health)}${until}${health.action ? ` → ${health.action}` : ''}`;
}

// ---- sections: title + lines, shared by Slack and the terminal ----

interface Part {
  readonly title: string;
  readonly lines: readonly string[];
}

function controlPlanePart(digest: Digest, format: Format): Part {
  const title = 'Control plane';
  const down = unavailable(digest.controlPlane, format);
  if (down !== null || !digest.controlPlane.ok) return { title, lines: [down ?? ''] };
  const facts = digest.controlPlane.value;
  if (facts.istiods.length === 0) return { title, lines: ['no istiod pods found'] };
  const restarts = facts.restartsSinceLast === null ? '' : facts.restartsSinceLast === 0 ? ', no restarts since the last digest' : `, ${plural(facts.restartsSinceLast, 'restart')} since the last digest`;
  const lines = [`istiod ${facts.ready}/${facts.istiods.length} ready${restarts}`];
  for (const pod of limit(facts.istiods, 'istiods', format)) {
    const state = pod.ready ? 'ready' : 'NOT READY';
    const version = pod.version ? `, ${pod.version}` : '';
    const since = pod.isNew ? `, new since the last digest (${plural(pod.restarts, 'restart')})` : pod.restartsSinceLast === null ? `, ${plural(pod.restarts, 'restart')} since it started` : `, ${plural(pod.restartsSinceLast, 'restart')} since the last digest`;
    lines.push(`• ${format.text(clip(`${pod.name}: ${state}${version}${since}`))}`);
  }
  lines.push(...more(facts.istiods.length, 'istiods', format, ' istiod pods'));
  if (facts.gone.length > 0) lines.push(`• ${format.text(clip(`gone since the last digest: ${facts.gone.join(', ')}`))}`);
  if (facts.ended && facts.ended.length > 0) lines.push(`• ${format.text(clip(`ended, not counted: ${facts.ended.join(', ')}`))}`);
  return { title, lines };
}

function proxiesPart(digest: Digest, format: Format): Part {
  const title = 'Proxies';
  const down = unavailable(digest.proxies, format);
  if (down !== null || !digest.proxies.ok) return { title, lines: [down ?? ''] };
  const facts = digest.proxies.value;
  if (!facts.statesKnown && facts.total > 0) return { title, lines: [`${facts.total} connected (this istioctl shows no per-type sync states)`] };
  // A total that changed is said too: proxies that disappeared (ztunnels deleted, a node gone) are no STALE row.
  const previous = facts.previous;
  const totalWas = previous && previous.total !== facts.total ? `${previous.total} total, ` : '';
  const was = previous && (totalWas !== '' || previous.stale !== facts.stale || previous.error !== facts.error) ? ` (last digest: ${totalWas}${previous.stale} STALE, ${previous.error} ERROR)` : '';
  const lines = [`${facts.total} total · ${facts.healthy} healthy · ${facts.stale} STALE · ${facts.error} ERROR${was}`];
  for (const problem of limit(facts.problems, 'problems', format)) lines.push(`• ${format.text(clip(describeProblem(problem)))}`);
  lines.push(...more(facts.problems.length, 'problems', format, ' problem proxies (the status command lists them all)'));
  const lost = facts.notConnected ?? [];
  if (lost.length > 0) {
    lines.push(`${plural(lost.length, 'sidecar')} not connected to istiod (Ready, yet no istiod lists them; check their istio-proxy logs):`);
    for (const name of limit(lost, 'problems', format)) lines.push(`• ${format.text(clip(name))}`);
    lines.push(...more(lost.length, 'problems', format, ' (`/mesh status -n NAMESPACE` lists them all)'));
  }
  return { title, lines };
}

function versionsPart(digest: Digest, format: Format): Part {
  const title = 'Version skew';
  const down = unavailable(digest.skew, format);
  if (down !== null || !digest.skew.ok) return { title, lines: [down ?? ''] };
  const { controlPlane, mismatched } = digest.skew.value;
  const lines = [format.text(`istiod ${controlPlane.join(', ')}`)];
  if (mismatched.length === 0) lines.push('every proxy runs a minor version istiod runs');
  for (const { version, count } of limit(mismatched, 'versions', format)) lines.push(`• ${format.text(`${plural(count, 'proxy runs', 'proxies run')} ${version}`)}`);
  lines.push(...more(mismatched.length, 'versions', format, ' versions'));
  return { title, lines };
}

function findingText(finding: AnalyzeFinding): string {
  const where = findingWhere(finding);
  const origin = where === '' ? '' : ` ${where}`;
  const text = finding.message === '' ? '' : `: ${finding.message}`;
  return clip(`${finding.level} ${finding.code}${origin}${text}`);
}

function analyzePart(digest: Digest, format: Format): Part {
  const title = 'Analyze';
  const down = unavailable(digest.analyze, format);
  if (down !== null || !digest.analyze.ok) return { title, lines: [down ?? ''] };
  const facts = digest.analyze.value;
  const counts = facts.total === 0 ? 'no findings' : `${plural(facts.total, 'finding')} (${plural(facts.byLevel.Error, 'error')}, ${plural(facts.byLevel.Warning, 'warning')}, ${facts.byLevel.Info} info)`;
  if (!facts.compared) {
    // A baseline without analyze findings (analyze could not be read then, or its snapshot not now) is no first digest.
    // The terminal (no channel) never compares, so it promises nothing about a next digest.
    if (digest.channel === null) return { title, lines: [`${counts}. Not compared: new and resolved findings are reported by the channel's digests.`] };
    const why = digest.baselineAt
      ? 'Not compared with the last digest, which kept no readable analyze findings'
      : digest.baselineUnreadable === true
        ? "Not compared with the last digest, whose facts could not be read (see the note below)"
        : 'First digest';
    return { title, lines: [`${counts}. ${why}: new and resolved findings are reported from the next digest on.`] };
  }
  if (facts.added.length === 0 && facts.resolved.length === 0) return { title, lines: [`${counts}; none new or resolved since the last digest`] };
  const lines = [`${counts}; ${format.bold(`${facts.added.length} new`)}, ${format.bold(`${facts.resolved.length} resolved`)} since the last digest`];
  if (facts.added.length > 0) lines.push('New:');
  for (const finding of limit(facts.added, 'added', format)) lines.push(`• ${format.text(findingText(finding))}`);
  lines.push(...more(facts.added.length, 'added', format, ' new (the analyze command lists every finding)'));
  if (facts.resolved.length > 0) lines.push('Resolved:');
  for (const finding of limit(facts.resolved, 'resolved', format)) lines.push(`• ${format.text(findingText(finding))}`);
  lines.push(...more(facts.resolved.length, 'resolved', format, ' resolved'));
  return { title, lines };
}

function certificatesPart(digest: Digest, format: Format): Part {
  const lines: string[] = [];
  const rootDown = unavailable(digest.rootCa, format);
  if (rootDown !== null || !digest.rootCa.ok) lines.push(`Root CA: ${rootDown ?? ''}`);
  else {
    const facts = digest.rootCa.value;
    const rotated = facts.rotated === true ? ' · rotated since the last digest' : '';
    // A long trust bundle (federated trust domains) must not push the workload certificates out of Slack's section.
    for (const root of limit(facts.roots, 'certs', format)) {
      lines.push(format.text(clip(`Root CA ${root.subject} (${facts.namespace}/istio-ca-root-cert): ${healthText(root.health, root.notAfter, digest.timezone)}`)) + rotated);
    }
    lines.push(...more(facts.roots.length, 'certs', format, ' roots in the bundle'));
  }
  const workDown = unavailable(digest.workloadCerts, format);
  if (workDown !== null || !digest.workloadCerts.ok) lines.push(`Workload certificates: ${workDown ?? ''}`);
  else {
    const facts = digest.workloadCerts.value;
    const read = facts.sampled.length - facts.unread.length;
    const sample = `${read} of ${plural(facts.inScope, 'proxy', 'proxies')} sampled`;
    if (facts.sampled.length === 0) lines.push('Workload certificates: no proxies in scope to sample');
    // Proxies that hold no workload certificate (mTLS off for them) say nothing about rotation.
    else if (facts.problems.length === 0 && facts.checked === 0) lines.push(`Workload certificates: none held by the sampled proxies (${sample})`);
    else if (facts.problems.length === 0) lines.push(`Workload certificates: rotation on schedule, ${plural(facts.checked, 'certificate')} checked (${sample})`);
    else {
      lines.push(`Workload certificates needing attention (${sample}):`);
      for (const cert of limit(facts.problems, 'certs', format)) {
        // "WARMING, no certificate yet", as `pc secret` says it.
        const waiting = cert.health.state === 'missing' && cert.status ? `${cert.status}, ` : '';
        // A plugged-in intermediate comes under the secret name of the chain it was sent in (`default`): called a CA,
        // as `pc secret` does, so it is not taken for the workload certificate. ROOTCA says what it is.
        const ca = cert.health.role === 'ca' && cert.name !== 'ROOTCA' ? ' (CA)' : '';
        lines.push(`• ${format.text(clip(`${cert.proxy} ${cert.name}${ca}: ${waiting}${healthText(cert.health, cert.notAfter, digest.timezone)}`))}`);
      }
      lines.push(...more(facts.problems.length, 'certs', format));
    }
    if (facts.unread.length > 0) lines.push(`• ${format.text(clip(`could not read ${plural(facts.unread.length, 'sampled proxy', 'sampled proxies')}: ${facts.unread[0]?.reason ?? ''}`))}`);
  }
  return { title: 'Certificates', lines };
}

function canariesPart(digest: Digest, format: Format): Part {
  const lines: string[] = [];
  const down = unavailable(digest.canaries, format);
  if (down !== null || !digest.canaries.ok) lines.push(`In progress: ${down ?? ''}`);
  else if (digest.canaries.value.length === 0) lines.push('No canary in progress');
  else {
    lines.push('In progress:');
    for (const route of limit(digest.canaries.value, 'canaries', format)) {
      const split = route.destinations.map((destination) => `${destination.subset || destination.host} ${destination.weight}%`).join(' / ');
      lines.push(`• ${format.text(clip(`${route.namespace}/${route.virtualService} (${route.route}): ${split}`))}`);
    }
    lines.push(...more(digest.canaries.value.length, 'canaries', format));
  }
  const pendingDown = unavailable(digest.pending, format);
  if (pendingDown !== null || !digest.pending.ok) lines.push(`Waiting for approval: ${pendingDown ?? ''}`);
  else if (digest.pending.value.length === 0) lines.push('No promotion waiting for approval');
  else {
    lines.push('Waiting for approval:');
    for (const request of limit(digest.pending.value, 'pending', format)) {
      // The request is stored outside input: an expiry that is no time is shown as stored, never thrown on.
      const expiry = new Date(request.expiresAt);
      const expires = Number.isNaN(expiry.getTime()) ? `"${clip(request.expiresAt)}" (not a time)` : zonedTime(expiry, digest.timezone);
      lines.push(`• ${format.text(clip(`${request.namespace}/${request.virtualService} ${request.change}`))}, requested by ${format.user(request.requester)}, expires ${format.text(expires)}`);
    }
    lines.push(...more(digest.pending.value.length, 'pending', format));
  }
  return { title: 'Canaries', lines };
}

/** ztunnel lists each identity's chain under the identity's name: `Root of spiffe://…` tells the root from the Leaf. */
const certificateName = (entry: ZtunnelCertificateEntry) => (entry.type === 'Leaf' ? entry.name : `${entry.type} of ${entry.name}`);

function ztunnelCertificateLine(facts: ZtunnelCertificateSample, previousEarliest: string | null | undefined, timeZone: string, format: Format): string[] {
  const read = `${facts.sampled.length} of ${plural(facts.ztunnels, 'ztunnel')} read`;
  const earliest = facts.earliest;
  if (earliest === null) return [`ztunnel certificates: none held yet (${read})`];
  const moved =
    previousEarliest === undefined || previousEarliest === null
      ? ''
      : previousEarliest === earliest.notAfter
        ? ' · not renewed since the last digest'
        : Date.parse(earliest.notAfter) > Date.parse(previousEarliest)
          ? ' · renewed since the last digest'
          : '';
  const lines = [format.text(clip(`ztunnel certificates: earliest expiry ${shownTime(earliest.notAfter, timeZone)} on ${earliest.ztunnel} (${certificateName(earliest)}): ${healthText(earliest.health, earliest.notAfter, timeZone)}`)) + `${moved} (${read})`];
  const worst = facts.worst;
  if (worst !== null && (worst.ztunnel !== earliest.ztunnel || worst.name !== earliest.name || worst.type !== earliest.type)) lines.push(`• ${format.text(clip(`${worst.ztunnel} ${certificateName(worst)}: ${healthText(worst.health, worst.notAfter, timeZone)}`))}`);
  if (facts.notAvailable > 0) lines.push(`• ${format.text(`${plural(facts.notAvailable, 'certificate')} not Available (Initializing or Unavailable)`)}`);
  if (facts.unread.length > 0) lines.push(`• ${format.text(clip(`could not read ${plural(facts.unread.length, 'sampled ztunnel')}: ${facts.unread[0]?.reason ?? ''}`))}`);
  return lines;
}

/** Names past the prefix a baseline kept of a long list cannot be told new or old: say how many. */
const notCompared = (changes: NamesSinceLast, kept: number) => (changes.unknown > 0 ? ` (${changes.unknown} not compared: the last digest kept the first ${kept} names)` : '');

/** Every ztunnel gone: what was lost, and the namespaces whose pods still expect a ztunnel. */
function goneLines(facts: AmbientGone, timezone: string, format: Format): string[] {
  const { at, ready, desired } = facts.lastSeen;
  const lines = [facts.news ? `ztunnels: none (last digest: ${ready}/${desired} ready)` : `ztunnels: none, as at the last digest (last seen ${ready}/${desired} ready on ${zonedTime(new Date(at), timezone)})`];
  const namespaces = facts.ambientNamespaces;
  if (!namespaces.ok) lines.push(`namespaces labelled istio.io/dataplane-mode=ambient: unavailable: ${format.text(namespaces.error)}`);
  else if (namespaces.value.length === 0) lines.push('no namespace is labelled istio.io/dataplane-mode=ambient any more');
  else {
    lines.push(`namespaces labelled istio.io/dataplane-mode=ambient: ${namespaces.value.length}; their pods have no ztunnel to carry their traffic → check the ztunnel DaemonSet in the Istio namespace`);
    for (const name of limit(namespaces.value, 'ambient', format)) lines.push(`• ${format.text(name)}`);
    lines.push(...more(namespaces.value.length, 'ambient', format));
  }
  return lines;
}

/** Ambient data plane, "since the last digest" for each part (when the mesh runs ztunnels or just lost them). */
function ambientPart(digest: Digest, format: Format): Part | null {
  const section = digest.ambient;
  if (section === undefined || section === null) return null;
  const title = 'Ambient';
  if (!section.ok) return { title, lines: [`unavailable: ${format.text(section.error)}`] };
  const facts = section.value;
  if (facts.kind === 'gone') return { title, lines: goneLines(facts, digest.timezone, format) };
  const previous = facts.previous;
  const { ready, desired } = facts.ztunnels;
  const gone = previous?.lastSeen !== undefined && previous.lastSeen !== null;
  const was = previous === null ? '' : gone ? ' (last digest: none)' : previous.ready === ready && previous.desired === desired ? ', unchanged since the last digest' : ` (last digest: ${previous.ready}/${previous.desired})`;
  const lines = [`ztunnels ${ready}/${desired} ready (one per node)${was}`];
  if (facts.daemonSetsUnread) lines.push(`${DAEMON_SETS}: unavailable: ${format.text(facts.daemonSetsUnread)} (ztunnels counted from their pods: a node without a ztunnel pod is not seen, nor the istio-cni agent)`);
  const notConnected = facts.connected === undefined || facts.connected === null ? 0 : Math.max(0, ready - facts.connected);
  if (notConnected > 0) lines.push(`${plural(notConnected, 'ready ztunnel')} not connected to istiod: their nodes' pods get no new workload or policy updates`);
  const notSynced = facts.notSynced ?? 0;
  if (notSynced > 0) lines.push(`${plural(notSynced, 'ztunnel')} connected to istiod without every WDS/WADS SYNCED (NOT SENT or IGNORED: istiod has not sent ${notSynced === 1 ? 'it' : 'them'} every workload and policy type)`);
  const agents = facts.nodeAgents;
  if (agents?.cni === null) lines.push('no istio-cni node agent (DaemonSet istio-cni-node) in any namespace: no new pod can be captured');
  else if (agents?.cni) lines.push(`istio-cni node agent ${agents.cni.ready}/${agents.cni.desired} ready${agents.cni.ready < agents.cni.desired ? ': pods on the other nodes cannot be captured' : ''}`);
  if (agents && agents.nodesWithoutZtunnel > 0) lines.push(`${plural(agents.nodesWithoutZtunnel, 'node runs', 'nodes run')} the istio-cni agent but no ztunnel (check the ztunnel DaemonSet's nodeSelector and tolerations)`);
  if (facts.certificates.ok) lines.push(...ztunnelCertificateLine(facts.certificates.value, previous?.earliestNotAfter, digest.timezone, format));
  else lines.push(`ztunnel certificates: unavailable: ${format.text(facts.certificates.error)}`);
  if (facts.waypoints.ok) {
    const { total, notProgrammed } = facts.waypoints.value;
    const changes = facts.waypointsSinceLast;
    const since = changes === null ? '' : `; since the last digest: ${changes.added.length} newly not programmed, ${changes.removed.length} programmed again${notCompared(changes, previous?.notProgrammed.length ?? 0)}`;
    lines.push(total === 0 ? 'waypoints: none' : notProgrammed.length === 0 ? `waypoints: all ${total} programmed${since}` : `waypoints: ${notProgrammed.length} of ${total} not programmed${since}`);
    const fresh = new Set(changes?.added ?? []);
    for (const name of limit(notProgrammed, 'ambient', format)) lines.push(`• ${format.text(`${name}${fresh.has(name) ? ' (new)' : ''}`)}`);
    lines.push(...more(notProgrammed.length, 'ambient', format, ' (`waypoint -A` lists them)'));
  } else lines.push(`waypoints: unavailable: ${format.text(facts.waypoints.error)}`);
  if (facts.notCaptured.ok) {
    const pods = facts.notCaptured.value;
    const since = facts.notCapturedSinceLast;
    const was = baselineKnows(previous, 'capture') ? ` (last digest: ${previous.notCaptured})` : '';
    const changed = since === null ? '' : `; since the last digest: ${since.added.length} newly not captured, ${since.removed.length} captured again${notCompared(since, previous?.notCapturedPods?.length ?? 0)}`;
    const optedOut = facts.optedOut.ok && facts.optedOut.value.length > 0;
    lines.push(pods.length === 0 ? `every pod in ambient namespaces is captured${optedOut ? ' but those opted out below' : ''}${was}${changed}` : `pods in ambient namespaces not captured: ${pods.length}${was}${changed}`);
    const fresh = new Set(since?.added ?? []);
    // The new ones first: they are what changed since the last digest.
    const ordered = [...pods.filter((pod) => fresh.has(pod)), ...pods.filter((pod) => !fresh.has(pod))];
    for (const pod of limit(ordered, 'ambient', format)) lines.push(`• ${format.text(`${pod}${fresh.has(pod) ? ' (new)' : ''}`)}`);
    lines.push(...more(pods.length, 'ambient', format, ' (`ztunnel-config workloads` lists them)'));
    if (facts.captureCaveat !== null) lines.push(`• ${format.text(clip(facts.captureCaveat))}`);
    if (since !== null && since.removed.length > 0) {
      const shown = limit(since.removed, 'ambient', format);
      const rest = since.removed.length - shown.length;
      lines.push(`• ${format.text(clip(`captured again: ${shown.join(', ')}${rest > 0 ? ` and ${rest} more` : ''}`))}`);
    }
  } else lines.push(`pods not captured: unavailable: ${format.text(facts.notCaptured.error)}`);
  // Kept out on purpose: shown apart so nobody chases them, never a reason in the verdict.
  if (!facts.optedOut.ok) {
    if (facts.notCaptured.ok) lines.push(`pods opted out (istio.io/dataplane-mode=none): unavailable: ${format.text(facts.optedOut.error)}`);
  } else if (facts.optedOut.value.length > 0) {
    const pods = facts.optedOut.value;
    lines.push(`pods opted out (istio.io/dataplane-mode=none), not a problem: ${pods.length}`);
    for (const pod of limit(pods, 'ambient', format)) lines.push(`• ${format.text(pod)}`);
    lines.push(...more(pods.length, 'ambient', format, ' (`ztunnel-config workloads` lists them)'));
  }
  return { title, lines };
}

function parts(digest: Digest, format: Format): Part[] {
  const ambient = ambientPart(digest, format);
  return [...[controlPlanePart, proxiesPart, versionsPart, analyzePart, certificatesPart].map((part) => part(digest, format)), ...(ambient ? [ambient] : []), canariesPart(digest, format)];
}

function verdictText(digest: Digest): string {
  const { level, reasons, unavailable: missing } = digest.verdict;
  // Attention with no reason of its own: only parts that could not be read, named right after.
  // "Nothing got worse" needs the findings compared: a last digest that kept none (analyze unread then) cannot tell.
  const compared = digest.baselineAt !== null && !(digest.analyze.ok && !digest.analyze.value.compared);
  const label = level === 'healthy' ? (compared ? 'Healthy: nothing got worse since the last digest' : 'Healthy') : reasons.length === 0 ? LEVEL_LABEL[level] : `${LEVEL_LABEL[level]}: ${reasons.join(', ')}`;
  return missing.length > 0 ? `${label}; unavailable: ${missing.join(', ')}` : label;
}

function comparedWith(digest: Digest): string {
  if (digest.baselineAt) return `compared with the digest of ${zonedTime(digest.baselineAt, digest.timezone)}`;
  if (digest.channel === null) return 'not compared: the terminal compares with no earlier digest and stores nothing';
  return digest.baselineUnreadable === true ? "not compared with the last digest: its facts could not be read" : 'first digest: no earlier one to compare with';
}

/** The one line notifications and screen readers get. */
export function digestHeadline(digest: Digest): string {
  const { level, reasons, unavailable: missing } = digest.verdict;
  const shown = reasons.slice(0, 3).join(', ') + (reasons.length > 3 ? ` and ${reasons.length - 3} more` : '');
  const what = level === 'healthy' ? 'healthy' : reasons.length === 0 ? LEVEL_LABEL[level].toLowerCase() : `${LEVEL_LABEL[level].toLowerCase()}: ${shown}`;
  const gaps = missing.length > 0 ? `; unavailable: ${missing.join(', ')}` : '';
  return `Mesh digest ${digest.cluster}, ${zonedTime(digest.firedAt, digest.timezone)}: ${what}${gaps}`;
}

/** JSON size of a section block with this text: what message() counts against Slack's budget for all blocks. */
const sectionSize = (text: string) => JSON.stringify(section(text)).length;

/** The line that replaces what a section leaves out (whole lines, never a cut one). */
const leftOut = (count: number) => `…${plural(count, 'more line')} of this section left out to fit Slack's message size`;

/**
 * A part as one section within `budget` (JSON size, as message() counts it) and Slack's 3000 characters: whole lines
 * from the top while they fit, then one line counting the rest. Its title and first line are always kept.
 */
function fitPart(part: Part, budget: number): { readonly text: string; readonly cut: boolean } {
  const title = `*${part.title}*`;
  const whole = [title, ...part.lines].join('\n');
  if (sectionSize(whole) <= budget && whole.length <= LIMITS.sectionText) return { text: whole, cut: false };
  const kept = [title];
  for (const [index, line] of part.lines.entries()) {
    const candidate = [...kept, line, leftOut(part.lines.length - index - 1)].join('\n');
    if (index > 0 && (sectionSize(candidate) > budget || candidate.length > LIMITS.sectionText)) break;
    kept.push(line);
  }
  const rest = part.lines.length - (kept.length - 1);
  return { text: [...kept, ...(rest > 0 ? [leftOut(rest)] : [])].join('\n'), cut: rest > 0 };
}

/**
 * Shares the blocks' budget among the sections so that each one is shown: small ones whole, the large ones cut
 * evenly (a very broken mesh fills every section at once, and Slack refuses the message past ~12k).
 */
function fitParts(parts: readonly Part[], budget: number): { readonly text: string; readonly cut: boolean }[] {
  const sizes = parts.map((part) => sectionSize([`*${part.title}*`, ...part.lines].join('\n')));
  const budgets = new Array<number>(parts.length).fill(0);
  let left = budget;
  const order = sizes.map((size, index) => ({ size, index })).sort((a, b) => a.size - b.size);
  for (const [rank, { size, index }] of order.entries()) {
    const share = Math.floor(left / (order.length - rank));
    budgets[index] = Math.min(size, share);
    left -= budgets[index] ?? 0;
  }
  return parts.map((part, index) => fitPart(part, budgets[index] ?? 0));
}

/** The terminal's lines with the Slack message's list lengths: equal to the terminal's when no list is shortened. */
const PLAIN_AS_SLACK: Format = { ...PLAIN, shown: SLACK_SHOWN };

/** Said under a digest whose lists are shortened: the thread reply (digestDetail) has them in full. */
const IN_THE_THREAD = context(["_Every list in full is in this message's thread._"]);

export interface DigestForSlack {
  readonly message: SlackMessage;
  /** True when the message leaves out lines the terminal prints (a list past its Slack length, a section cut to fit). */
  readonly leavesOut: boolean;
}

export function digestForSlack(digest: Digest): DigestForSlack {
  const top: KnownBlock[] = [
    header(`Mesh digest · ${digest.cluster} · ${zonedTime(digest.firedAt, digest.timezone)}`),
    section(`${LEVEL_ICON[digest.verdict.level]} *${escapeMrkdwn(verdictText(digest))}*`),
    context([escapeMrkdwn(`${scopeText(digest)} · ${comparedWith(digest)}`)]),
  ];
  const notes: KnownBlock[] = digest.notes.length > 0 ? [context(digest.notes.map((note) => `:warning: ${escapeMrkdwn(note)}`))] : [];
  const footer = [`read at ${escapeMrkdwn(zonedClock(digest.firedAt, digest.timezone))}`];
  if (digest.schedule) footer.push(`schedule \`${escapeMrkdwn(digest.schedule)}\` (${escapeMrkdwn(digest.timezone)})`);
  if (digest.istioctlVersion) footer.push(`istioctl ${escapeMrkdwn(digest.istioctlVersion)}`);
  // What is left of the budget message() enforces once the verdict, the notes, the thread's line and the footer
  // are in, with its margin.
  const fixed = [...top, ...notes, IN_THE_THREAD, context([footer.join(' · ')])].reduce((sum, block) => sum + JSON.stringify(block).length, 0);
  const sections = fitParts(parts(digest, SLACK), LIMITS.totalBlockText - 200 - fixed);
  const shortened = JSON.stringify(parts(digest, PLAIN_AS_SLACK)) !== JSON.stringify(parts(digest, PLAIN));
  const leavesOut = shortened || sections.some((fitted) => fitted.cut);
  const bottom = [...notes, ...(leavesOut ? [IN_THE_THREAD] : []), context([footer.join(' · ')])];
  return { message: message(digestHeadline(digest), [...top, ...sections.map((fitted) => section(fitted.text)), ...bottom]), leavesOut };
}

export function renderDigestSlack(digest: Digest): SlackMessage {
  return digestForSlack(digest).message;
}

/** The whole digest as the terminal prints it, every list in full: posted under the Slack message that shortens it. */
export function digestDetail(digest: Digest): ThreadDetail {
  const minute = new Intl.DateTimeFormat('en-GB', { timeZone: digest.timezone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(digest.firedAt).replace(':', '');
  return {
    title: `The whole digest of ${digest.cluster}, ${zonedTime(digest.firedAt, digest.timezone)}, every list in full`,
    text: renderDigestText(digest),
    filename: `mesh-digest-${digest.cluster}-${zonedDay(digest.firedAt, digest.timezone)}-${minute}.txt`,
  };
}

export function renderDigestText(digest: Digest): string {
  const lines = [
    `Mesh digest: ${digest.cluster} — ${zonedTime(digest.firedAt, digest.timezone)}`,
    `Verdict: ${verdictText(digest)}`,
    `Scope: ${scopeText(digest)}; ${comparedWith(digest)}`,
  ];
  for (const part of parts(digest, PLAIN)) {
    const [first, ...rest] = part.lines;
    lines.push('', `${part.title}: ${first ?? ''}`, ...rest.map((line) => `  ${line}`));
  }
  for (const note of digest.notes) lines.push(`Note: ${note}`);
  return `${lines.join('\n')}\n`;
}

/** Unavailable sections, one "area: reason" each (the JSON envelope's `errors`). */
export function digestErrors(digest: Digest): string[] {
  const sections: [string, Section<unknown>][] = [
    ['control plane', digest.controlPlane],
    ['proxies', digest.proxies],
    ['version skew', digest.skew],
    ['analyze', digest.analyze],
    ['root CA', digest.rootCa],
    ['workload certificates', digest.workloadCerts],
    ['canaries', digest.canaries],
    ['approval requests', digest.pending],
  ];
  const ambient = digest.ambient;
  if (ambient) {
    sections.push(['ambient', ambient]);
    if (ambient.ok && ambient.value.kind === 'gone') sections.push(['ambient namespaces', ambient.value.ambientNamespaces]);
    if (ambient.ok && ambient.value.kind === 'running' && ambient.value.daemonSetsUnread) sections.push([DAEMON_SETS, { ok: false, error: ambient.value.daemonSetsUnread }]);
    if (ambient.ok && ambient.value.kind === 'running') sections.push(['ztunnel certificates', ambient.value.certificates], ['waypoints', ambient.value.waypoints], ['ambient capture', ambient.value.notCaptured]);
    // When capture could not be read, the opted-out pods fail with it: one error, not two.
    if (ambient.ok && ambient.value.kind === 'running' && ambient.value.notCaptured.ok) sections.push(['opted-out pods', ambient.value.optedOut]);
  }
  return [...sections.flatMap(([name, result]) => (result.ok ? [] : [`${name}: ${result.error}`])), ...digest.notes];
}

function json<T>(result: Section<T>, shape: (value: T) => Record<string, unknown>): Record<string, unknown> {
  return result.ok ? { available: true, ...shape(result.value) } : { available: false, reason: result.error };
}

const findingJson = (finding: AnalyzeFinding) => ({ code: finding.code, level: finding.level, message: finding.message, origin: finding.origin, ...(finding.cluster !== undefined ? { cluster: finding.cluster } : {}) });

export function renderDigestJson(digest: Digest): Record<string, unknown> {
  return {
    command: 'digest',
    cluster: digest.cluster,
    asOf: digest.firedAt.toISOString(),
    errors: digestErrors(digest),
    channel: digest.channel,
    namespaces: digest.namespaces ?? null,
    timezone: digest.timezone,
    schedule: digest.schedule ?? null,
    baselineAt: digest.baselineAt?.toISOString() ?? null,
    verdict: { level: digest.verdict.level, reasons: digest.verdict.reasons, unavailable: digest.verdict.unavailable },
    controlPlane: json(digest.controlPlane, (facts) => ({ istiods: facts.istiods, ready: facts.ready, restartsSinceLast: facts.restartsSinceLast, gone: facts.gone, ended: facts.ended ?? [] })),
    proxies: json(digest.proxies, (facts) => ({
      total: facts.total,
      healthy: facts.healthy,
      stale: facts.stale,
      error: facts.error,
      statesKnown: facts.statesKnown,
      previous: facts.previous,
      problems: facts.problems.map((problem) => ({ name: problem.name, cluster: problem.cluster, istiod: problem.istiod, states: problem.states })),
      // mesh-bot extension, present in a digest scoped to namespaces only (the whole mesh's sidecar pods are never listed).
      ...(facts.notConnected !== undefined && facts.notConnected !== null ? { notConnected: facts.notConnected } : {}),
    })),
    versionSkew: json(digest.skew, (skew) => ({ controlPlane: skew.controlPlane, mismatched: skew.mismatched })),
    analyze: json(digest.analyze, (facts) => ({
      total: facts.total,
      byLevel: facts.byLevel,
      compared: facts.compared,
      new: facts.added.map(findingJson),
      resolved: facts.resolved.map(findingJson),
      unchanged: facts.unchanged,
    })),
    certificates: {
      rootCa: json(digest.rootCa, (facts) => ({ namespace: facts.namespace, roots: facts.roots.map((root) => ({ ...root, health: healthJson(root.health) })), rotated: facts.rotated })),
      workloads: json(digest.workloadCerts, (facts) => ({
        rotation: { gracePeriodRatio: ISTIO_GRACE_PERIOD_RATIO, marginRatio: ROTATION_MARGIN_RATIO },
        sampled: facts.sampled,
        inScope: facts.inScope,
        checked: facts.checked,
        problems: facts.problems.map((cert) => ({ ...cert, notBefore: absentAsNull(cert.notBefore), notAfter: absentAsNull(cert.notAfter), health: healthJson(cert.health) })),
        unread: facts.unread,
      })),
    },
    canaries: {
      inProgress: json(digest.canaries, (routes) => ({ routes })),
      pendingApproval: json(digest.pending, (requests) => ({ requests })),
    },
    ambient:
      digest.ambient === undefined || digest.ambient === null
        ? null
        : json(digest.ambient, (facts) =>
            facts.kind === 'gone'
              ? {
                  ztunnels: { ready: 0, desired: 0 },
                  lastSeen: facts.lastSeen,
                  ambientNamespaces: json(facts.ambientNamespaces, (names) => ({ names })),
                  previous: facts.previous,
                }
              : {
                  ztunnels: facts.ztunnels,
                  // mesh-bot extensions, as status reads them: the istio-cni agent and the ztunnels connected to istiod.
                  cni: facts.nodeAgents?.cni ?? null,
                  connected: facts.connected ?? null,
                  notSynced: facts.notSynced ?? null,
                  certificates: json(facts.certificates, (sample) => ({
                    ...sample,
                    earliest: sample.earliest && { ...sample.earliest, notAfter: absentAsNull(sample.earliest.notAfter), health: healthJson(sample.earliest.health) },
                    worst: sample.worst && { ...sample.worst, notAfter: absentAsNull(sample.worst.notAfter), health: healthJson(sample.worst.health) },
                  })),
                  waypoints: json(facts.waypoints, (waypoints) => ({ total: waypoints.total, notProgrammed: waypoints.notProgrammed, sinceLast: facts.waypointsSinceLast })),
                  notCaptured: json(facts.notCaptured, (pods) => ({ count: pods.length, pods, sinceLast: facts.notCapturedSinceLast, caveat: facts.captureCaveat })),
                  optedOut: json(facts.optedOut, (pods) => ({ count: pods.length, pods })),
                  previous: facts.previous,
                },
          ),
    istioctlVersion: digest.istioctlVersion ?? null,
  };
}
