// README Digests + docs Slack limits: a digest of a large, very broken mesh must still post within Block Kit's
// limits (3000 characters of section text, ~11k of blocks) and say what it left out — a section cut mid-line with
// "…" hides the lines after the cut (the workload certificates under a long root bundle, the opted-out pods under
// long pod names) without a word.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KnownBlock } from '@slack/types';
import { renderDigestSlack, renderDigestText } from '../../commands/digest.render.ts';
import { judgeCertificate } from '../../src/mesh/certificate-health.ts';
import { decideVerdict } from '../../src/mesh/digest/verdict.ts';
import type { AmbientRunning, Digest, RootCertificate } from '../../src/mesh/digest/types.ts';
import type { AnalyzeFinding } from '../../src/istioctl/parsers/analyze.ts';
import { LIMITS } from '../../src/slack/blocks.ts';

const AT = new Date('2025-06-02T07:00:00Z');
const HOUR = 3_600_000;

/** Names of the longest legal length: a 63-character namespace and a 253-character pod or Gateway. */
const names = (count: number, kind: string) => Array.from({ length: count }, (_, i) => `ns-${i}-${'n'.repeat(58)}/${kind}-${i}-${'x'.repeat(240)}`);

/** One root of a trust bundle that expired yesterday (a mesh that federates with many trust domains). */
function expiredRoot(i: number): RootCertificate {
  const notBefore = '2015-06-01T00:00:00.000Z';
  const notAfter = new Date(AT.getTime() - 24 * HOUR).toISOString();
  return { subject: `O=trust-domain-${i}.example,CN=Root CA ${i} of ${'a federated mesh '.repeat(3)}`, notBefore, notAfter, daysRemaining: -1, serial: `${1000 + i}`, health: judgeCertificate({ role: 'ca', notBefore, notAfter }, AT) };
}

function workloadExpired(proxy: string) {
  const notBefore = new Date(AT.getTime() - 30 * HOUR).toISOString();
  const notAfter = new Date(AT.getTime() - 6 * HOUR).toISOString();
  return { proxy, name: 'default', notBefore, notAfter, daysRemaining: -1, health: judgeCertificate({ role: 'workload', notBefore, notAfter }, AT) };
}

const findings = (count: number, kind: string): AnalyzeFinding[] =>
  names(count, kind).map((name) => ({ code: 'IST0101', level: 'Error', message: `Referenced host not found: "${name}"`, origin: `VirtualService ${name}`, resource: null }));

const ambient: AmbientRunning = {
  kind: 'running',
  ztunnels: { ready: 1, desired: 40 },
  nodeAgents: { cni: { ready: 2, desired: 40 }, nodesWithoutZtunnel: 3 },
  connected: 0,
  notSynced: 1,
  certificates: { ok: false, error: 'no sampled ztunnel\'s certificates could be read: Error: failed to get config dump: connection refused' },
  waypoints: { ok: true, value: { total: 30, notProgrammed: names(30, 'waypoint') } },
  notCaptured: { ok: true, value: names(40, 'pod') },
  optedOut: { ok: true, value: names(12, 'batch') },
  captureCaveat: 'pods with a sidecar could not be listed (forbidden), so they may be counted here',
  waypointsSinceLast: { added: names(30, 'waypoint'), removed: [], unknown: 0 },
  notCapturedSinceLast: { added: names(40, 'pod'), removed: names(8, 'gone'), unknown: 0 },
  previous: { at: '2025-05-30T07:00:00.000Z', ready: 40, desired: 40, notProgrammed: [], notProgrammedCount: 0, notCaptured: 8, notCapturedPods: names(8, 'gone'), earliestNotAfter: null },
};

function brokenDigest(): Digest {
  const sections = {
    controlPlane: { ok: true, value: { istiods: Array.from({ length: 12 }, (_, i) => ({ name: `istiod-${'r'.repeat(40)}-${i}`, ready: i === 0, version: '1.24.2', restarts: 40 + i, restartsSinceLast: 7, isNew: false })), ready: 1, restartsSinceLast: 84, gone: names(20, 'istiod') } },
    proxies: {
      ok: true,
      value: {
        total: 900, healthy: 0, stale: 450, error: 450, statesKnown: true, previous: { total: 900, stale: 0, error: 0 },
        problems: names(450, 'app').map((name) => ({ name: name.replace('/', '.'), cluster: 'prod-eu-1', istiod: 'istiod-0', version: '1.24.2', states: { CDS: 'STALE', EDS: 'ERROR' }, stale: ['CDS'], errored: ['EDS'] })),
        notConnected: names(30, 'lost'),
      },
    },
    skew: { ok: false, error: 'proxy versions unknown: istioctl: proxy-status timed out after 60 s' },
    analyze: { ok: true, value: { total: 400, byLevel: { Error: 400, Warning: 0, Info: 0 }, compared: true, added: findings(200, 'new'), resolved: findings(200, 'old'), unchanged: 0 } },
    rootCa: { ok: true, value: { namespace: 'istio-system', roots: Array.from({ length: 25 }, (_, i) => expiredRoot(i)), rotated: true } },
    workloadCerts: { ok: true, value: { sampled: ['a.shop', 'b.shop'], inScope: 900, checked: 2, problems: [workloadExpired('a.shop'), workloadExpired('b.shop')], unread: [] } },
    canaries: { ok: true, value: Array.from({ length: 20 }, (_, i) => ({ namespace: `ns-${'c'.repeat(58)}`, virtualService: `vs-${i}-${'v'.repeat(200)}`, route: 'primary', destinations: [{ host: 'reviews', subset: 'v1', weight: 50 }, { host: 'reviews', subset: 'v2', weight: 50 }] })) },
    pending: { ok: true, value: [] },
    ambient: { ok: true, value: ambient },
  } satisfies Partial<Digest>;
  return {
    cluster: 'prod-eu',
    namespaces: undefined,
    channel: 'C0OPS',
    timezone: 'Europe/Berlin',
    schedule: '0 9 * * 1-5',
    firedAt: AT,
    baselineAt: new Date('2025-05-30T07:00:00Z'),
    verdict: decideVerdict(sections),
    ...sections,
    notes: ['Sidecars that lost their connection to istiod are not seen: forbidden.'],
    istioctlVersion: '1.24.2',
  };
}

const sectionTexts = (blocks: readonly KnownBlock[]) => blocks.flatMap((block) => (block.type === 'section' && block.text ? [block.text.text] : []));
const sectionTitled = (blocks: readonly KnownBlock[], title: string) => sectionTexts(blocks).find((text) => text.startsWith(`*${title}*`));

describe('the digest of a large, very broken mesh in Slack', () => {
  const digest = brokenDigest();
  const message = renderDigestSlack(digest);

  it('fits Block Kit: at most 50 blocks, 3000 characters per section, ~11k of blocks', () => {
    assert.ok(message.blocks.length <= LIMITS.blocks);
    for (const text of sectionTexts(message.blocks)) assert.ok(text.length <= LIMITS.sectionText, `a section of ${text.length} characters`);
    const size = message.blocks.reduce((sum, block) => sum + JSON.stringify(block).length, 0);
    assert.ok(size <= LIMITS.totalBlockText, `blocks take ${size} characters`);
  });

  it('shows every section, its title and its first line, and no block is dropped', () => {
    for (const title of ['Control plane', 'Proxies', 'Version skew', 'Analyze', 'Certificates', 'Ambient', 'Canaries']) assert.ok(sectionTitled(message.blocks, title), `no ${title} section`);
    const all = JSON.stringify(message.blocks);
    assert.doesNotMatch(all, /block\(s\) left out/);
    assert.match(all, /read at /, 'the footer is there');
  });

  it('never cuts a line mid-way without a word: the lines left out are counted', () => {
    // truncate() cuts a section at exactly 3000 characters and ends it with "…" (single lines are clipped shorter).
    for (const text of sectionTexts(message.blocks)) assert.ok(!(text.length === LIMITS.sectionText && text.endsWith('…')), `a section cut off mid-line: ${text.slice(0, 40)}…${text.slice(-80)}`);
    const certificates = sectionTitled(message.blocks, 'Certificates') ?? '';
    assert.match(certificates, /…and 20 more roots in the bundle/, 'a long trust bundle is summarized');
    assert.match(certificates, /a\.shop default: CRITICAL, expired/, 'the expired workload certificates stay in view');
    const ambientText = sectionTitled(message.blocks, 'Ambient') ?? '';
    assert.match(ambientText, /ztunnels 1\/40 ready/);
    assert.match(ambientText, /more lines? of this section left out/);
  });

  it('the terminal keeps every line the Slack message left out', () => {
    const text = renderDigestText(digest);
    assert.match(text, /Workload certificates needing attention/);
    assert.match(text, /CN=Root CA 24 of/, 'every root of the bundle');
    assert.match(text, /pods opted out \(istio\.io\/dataplane-mode=none\), not a problem: 12/);
  });
});
