import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KnownBlock } from '@slack/types';
import { digestHeadline, renderDigestJson, renderDigestSlack, renderDigestText, zonedTime } from '../../commands/digest.render.ts';
import type { AnalyzeFinding } from '../../src/istioctl/parsers/analyze.ts';
import { judgeCertificate } from '../../src/mesh/certificate-health.ts';
import { decideVerdict } from '../../src/mesh/digest/verdict.ts';
import type { Digest, RootCertificate, WorkloadCertificate } from '../../src/mesh/digest/types.ts';
import type { ProblemProxy } from '../../src/mesh/status.ts';
import { LIMITS } from '../../src/slack/blocks.ts';

const MONDAY_9_BERLIN = new Date('2025-06-02T07:00:00Z');

const HOUR = 3_600_000;

/** A root as the digest reads it from istio-ca-root-cert, judged at the digest's time with the default thresholds. */
function root(notBefore: string, notAfter: string): RootCertificate {
  const daysRemaining = Math.floor((Date.parse(notAfter) - MONDAY_9_BERLIN.getTime()) / (24 * HOUR));
  return { subject: 'O=cluster.local', notBefore, notAfter, daysRemaining, serial: '1000', health: judgeCertificate({ role: 'ca', notBefore, notAfter }, MONDAY_9_BERLIN) };
}

/** A 24-hour workload certificate of `proxy` issued `ageHours` before the digest. */
function workload(proxy: string, ageHours: number): WorkloadCertificate {
  const notBefore = new Date(MONDAY_9_BERLIN.getTime() - ageHours * HOUR).toISOString();
  const notAfter = new Date(Date.parse(notBefore) + 24 * HOUR).toISOString();
  const daysRemaining = Math.floor((Date.parse(notAfter) - MONDAY_9_BERLIN.getTime()) / (24 * HOUR));
  return { proxy, name: 'default', notBefore, notAfter, daysRemaining, health: judgeCertificate({ role: 'workload', notBefore, notAfter }, MONDAY_9_BERLIN) };
}

type Sections = Pick<Digest, 'controlPlane' | 'proxies' | 'skew' | 'analyze' | 'rootCa' | 'workloadCerts' | 'canaries' | 'pending'>;

const HEALTHY: Sections = {
  controlPlane: { ok: true, value: { istiods: [{ name: 'istiod-a', ready: true, version: '1.24.2', restarts: 3, restartsSinceLast: 0, isNew: false }], ready: 1, restartsSinceLast: 0, gone: [] } },
  proxies: { ok: true, value: { total: 6, healthy: 6, stale: 0, error: 0, statesKnown: true, problems: [], previous: { total: 6, stale: 0, error: 0 } } },
  skew: { ok: true, value: { controlPlane: ['1.24.2'], mismatched: [] } },
  analyze: { ok: true, value: { total: 2, byLevel: { Error: 0, Warning: 1, Info: 1 }, compared: true, added: [], resolved: [], unchanged: 2 } },
  rootCa: { ok: true, value: { namespace: 'istio-system', roots: [root('2024-01-15T00:00:00.000Z', '2034-01-15T00:00:00.000Z')], rotated: false } },
  workloadCerts: { ok: true, value: { sampled: ['a.shop', 'b.shop'], inScope: 6, checked: 2, problems: [], unread: [] } },
  canaries: { ok: true, value: [] },
  pending: { ok: true, value: [] },
};

function digest(overrides: Partial<Sections> = {}, extra: Partial<Digest> = {}): Digest {
  const sections = { ...HEALTHY, ...overrides };
  return {
    cluster: 'prod-eu',
    namespaces: undefined,
    channel: 'C0OPS',
    timezone: 'Europe/Berlin',
    schedule: '0 9 * * 1-5',
    firedAt: MONDAY_9_BERLIN,
    baselineAt: new Date('2025-05-30T07:00:00Z'),
    verdict: decideVerdict(sections),
    ...sections,
    notes: [],
    istioctlVersion: '1.24.2',
    ...extra,
  };
}

function sectionTexts(blocks: readonly KnownBlock[]): string[] {
  return blocks.flatMap((block) => (block.type === 'section' && block.text ? [block.text.text] : []));
}

function allText(blocks: readonly KnownBlock[]): string {
  return blocks
    .flatMap((block) => {
      if (block.type === 'header') return [block.text.text];
      if (block.type === 'section') return [block.text?.text ?? '', ...(block.fields ?? []).map((field) => field.text)];
      if (block.type === 'context') return block.elements.map((element) => ('text' in element ? element.text : ''));
      return [];
    })
    .join('\n');
}

describe('digest message', () => {
  it('dates the header in the digest\'s own time zone and names the zone', () => {
    const message = renderDigestSlack(digest());
    const header = message.blocks[0];
    assert.equal(header?.type, 'header');
    assert.equal(header?.type === 'header' ? header.text.text : '', 'Mesh digest · prod-eu · Mon 2 Jun 2025, 09:00 Europe/Berlin (GMT+2)');
    assert.equal(zonedTime(new Date('2025-01-06T08:00:00Z'), 'Europe/Berlin'), 'Mon 6 Jan 2025, 09:00 Europe/Berlin (GMT+1)');
    assert.equal(zonedTime(MONDAY_9_BERLIN, 'UTC'), 'Mon 2 Jun 2025, 07:00 UTC');
    assert.equal(zonedTime(MONDAY_9_BERLIN, 'America/New_York'), 'Mon 2 Jun 2025, 03:00 America/New_York (GMT-4)');
  });

  it('says in one line that nothing got worse when all is well', () => {
    const message = renderDigestSlack(digest());
    assert.equal(message.text, 'Mesh digest prod-eu, Mon 2 Jun 2025, 09:00 Europe/Berlin (GMT+2): healthy');
    assert.match(allText(message.blocks), /Healthy: nothing got worse since the last digest/);
    assert.match(allText(message.blocks), /compared with the digest of Fri 30 May 2025, 09:00 Europe\/Berlin/);
  });

  it('leads with what needs attention, in the top-level text too', () => {
    const problem: ProblemProxy = { name: 'reviews-v2-abc.shop', cluster: 'Kubernetes', istiod: 'istiod-a', version: '1.24.2', states: { CDS: 'STALE', LDS: 'SYNCED' }, stale: ['CDS'], errored: [] };
    const gateway: AnalyzeFinding = { code: 'IST0101', level: 'Error', message: 'Referenced selector not found: "istio=ingressgateway"', origin: 'Gateway shop/main', resource: null };
    const resolved: AnalyzeFinding = { code: 'IST0174', level: 'Warning', message: '', origin: 'DestinationRule shop/old', resource: null };
    const message = renderDigestSlack(
      digest({
        controlPlane: { ok: true, value: { istiods: [{ name: 'istiod-a', ready: true, version: '1.24.2', restarts: 5, restartsSinceLast: 2, isNew: false }], ready: 1, restartsSinceLast: 2, gone: ['istiod-old'] } },
        proxies: { ok: true, value: { total: 6, healthy: 5, stale: 1, error: 0, statesKnown: true, problems: [problem], previous: { total: 6, stale: 0, error: 0 } } },
        analyze: { ok: true, value: { total: 2, byLevel: { Error: 1, Warning: 0, Info: 1 }, compared: true, added: [gateway], resolved: [resolved], unchanged: 1 } },
        workloadCerts: { ok: true, value: { sampled: ['a.shop'], inScope: 6, checked: 1, problems: [workload('a.shop', 17)], unread: [] } },
        canaries: { ok: true, value: [{ namespace: 'shop', virtualService: 'reviews', route: 'primary', destinations: [{ host: 'reviews', subset: 'v1', weight: 90 }, { host: 'reviews', subset: 'v2', weight: 10 }] }] },
        pending: { ok: true, value: [{ id: 'pr-000000000001', namespace: 'shop', virtualService: 'reviews', change: 'v1 90% / v2 10% → v1 50% / v2 50%', requester: 'U0ALICE', expiresAt: '2025-06-02T07:30:00Z' }] },
      }),
    );
    assert.equal(
      message.text,
      'Mesh digest prod-eu, Mon 2 Jun 2025, 09:00 Europe/Berlin (GMT+2): needs attention: 2 istiod restarts since the last digest, 1 proxy STALE, 1 new analyze finding (errors or warnings) and 1 more',
    );
    const text = allText(message.blocks);
    assert.match(text, /istiod 1\/1 ready, 2 restarts since the last digest/);
    assert.match(text, /gone since the last digest: istiod-old/);
    assert.match(text, /6 total · 5 healthy · 1 STALE · 0 ERROR \(last digest: 0 STALE, 0 ERROR\)/);
    assert.match(text, /reviews-v2-abc\.shop: CDS STALE/);
    assert.match(text, /\*1 new\*, \*1 resolved\* since the last digest/);
    assert.match(text, /Error IST0101 Gateway shop\/main: Referenced selector not found: "istio=ingressgateway"/);
    assert.match(text, /Warning IST0174 DestinationRule shop\/old/);
    assert.match(text, /a\.shop default: rotation overdue by 5 h, 7 h left → check that the proxy reaches istiod/);
    assert.match(text, /shop\/reviews \(primary\): v1 90% \/ v2 10%/);
    assert.match(text, /shop\/reviews v1 90% \/ v2 10% → v1 50% \/ v2 50%, requested by <@U0ALICE>, expires Mon 2 Jun 2025, 09:30 Europe\/Berlin/);
  });

  it('names the previous total when proxies disappeared, though none is STALE or ERROR', () => {
    const text = renderDigestText(digest({ proxies: { ok: true, value: { total: 1, healthy: 1, stale: 0, error: 0, statesKnown: true, problems: [], previous: { total: 4, stale: 0, error: 0 } } } }));
    assert.match(text, /\nProxies: 1 total · 1 healthy · 0 STALE · 0 ERROR \(last digest: 4 total, 0 STALE, 0 ERROR\)\n/);
  });

  it('says that rotation is on schedule when every sampled 24-hour certificate is younger than its rotation time', () => {
    const d = digest({ workloadCerts: { ok: true, value: { sampled: ['a.shop', 'b.shop'], inScope: 6, checked: 2, problems: [], unread: [] } } });
    const text = allText(renderDigestSlack(d).blocks);
    assert.match(text, /Workload certificates: rotation on schedule, 2 certificates checked \(2 of 6 proxies sampled\)/);
    assert.match(text, /Root CA O=cluster\.local \(istio-system\/istio-ca-root-cert\): healthy, 3148 days left, until 2034-01-15/);
    assert.equal(d.verdict.level, 'healthy');
    // The day is the digest's: the root ends at midnight UTC, which is still the evening before in New York.
    assert.match(renderDigestText({ ...d, timezone: 'America/New_York' }), /Root CA O=cluster\.local .*: healthy, 3148 days left, until 2034-01-14/);
  });

  it('does not call rotation on schedule when the sampled proxies hold no workload certificate at all', () => {
    const d = digest({ workloadCerts: { ok: true, value: { sampled: ['a.shop', 'b.shop'], inScope: 6, checked: 0, problems: [], unread: [] } } });
    const text = allText(renderDigestSlack(d).blocks);
    assert.match(text, /Workload certificates: none held by the sampled proxies \(2 of 6 proxies sampled\)/);
    assert.doesNotMatch(text, /rotation on schedule/);
    assert.doesNotMatch(renderDigestText(d), /rotation on schedule/);
  });

  it('names an Evicted istiod as ended and not counted, and stays healthy (issue #14 item 4)', () => {
    const d = digest({ controlPlane: { ok: true, value: { istiods: [{ name: 'istiod-a', ready: true, version: '1.24.2', restarts: 3, restartsSinceLast: 0, isNew: false }], ready: 1, restartsSinceLast: 0, gone: [], ended: ['istiod-old (Evicted)'] } } });
    const text = allText(renderDigestSlack(d).blocks);
    assert.match(text, /istiod 1\/1 ready, no restarts since the last digest\n/);
    assert.match(text, /ended, not counted: istiod-old \(Evicted\)/);
    assert.match(renderDigestText(d), /ended, not counted: istiod-old \(Evicted\)/);
    assert.equal(d.verdict.level, 'healthy');
  });

  it('counts in singular for one: one finding is "1 error", one proxy in scope is "1 of 1 proxy sampled"', () => {
    const d = digest({
      analyze: { ok: true, value: { total: 1, byLevel: { Error: 1, Warning: 0, Info: 0 }, compared: true, added: [], resolved: [], unchanged: 1 } },
      workloadCerts: { ok: true, value: { sampled: ['a.shop'], inScope: 1, checked: 1, problems: [], unread: [] } },
    });
    const text = allText(renderDigestSlack(d).blocks);
    assert.match(text, /1 finding \(1 error, 0 warnings, 0 info\)/);
    assert.match(text, /rotation on schedule, 1 certificate checked \(1 of 1 proxy sampled\)/);
  });

  it('is red when a workload certificate expired, and says so first in the top-level text', () => {
    const d = digest({ workloadCerts: { ok: true, value: { sampled: ['a.shop', 'b.shop'], inScope: 6, checked: 2, problems: [workload('a.shop', 27), workload('b.shop', 16)], unread: [] } } });
    const message = renderDigestSlack(d);
    assert.equal(message.text, 'Mesh digest prod-eu, Mon 2 Jun 2025, 09:00 Europe/Berlin (GMT+2): critical: 1 workload certificate expired, 1 workload certificate overdue for rotation (by up to 4 h)');
    assert.match(sectionTexts(message.blocks)[0] ?? '', /^:red_circle: \*Critical: /);
    assert.match(allText(message.blocks), /• a\.shop default: CRITICAL, expired 3 h ago → restart the pod to get a new certificate now/);
    assert.match(renderDigestText(d), /\n {2}• b\.shop default: rotation overdue by 4 h, 8 h left → /);
    const workloads = (renderDigestJson(d)['certificates'] as Record<string, Record<string, unknown>>)['workloads'];
    const problems = workloads?.['problems'] as { proxy: string; health: { level: string; state: string; overdueMinutes: number | null } }[];
    assert.deepEqual(problems.map((cert) => [cert.proxy, cert.health.level, cert.health.state, cert.health.overdueMinutes]), [
      ['a.shop', 'critical', 'expired', null],
      ['b.shop', 'attention', 'rotation-overdue', 240],
    ]);
  });

  it('-o json: a sampled secret Envoy is still waiting for (WARMING) has null times, not "" a script would hand its date parser', () => {
    const waiting: WorkloadCertificate = { proxy: 'c.shop', name: 'default', notBefore: '', notAfter: '', daysRemaining: null, status: 'WARMING', health: judgeCertificate({ role: 'workload', notBefore: '', notAfter: '' }, MONDAY_9_BERLIN) };
    const d = digest({ workloadCerts: { ok: true, value: { sampled: ['c.shop'], inScope: 6, checked: 1, problems: [waiting], unread: [] } } });
    const workloads = (renderDigestJson(d)['certificates'] as Record<string, Record<string, unknown>>)['workloads'];
    const [problem] = workloads?.['problems'] as { proxy: string; notBefore: unknown; notAfter: unknown; health: { state: string } }[];
    assert.deepEqual([problem?.proxy, problem?.notBefore, problem?.notAfter, problem?.health.state], ['c.shop', null, null, 'missing']);
  });

  it('asks for attention on a root CA with 60 days left and is critical with 10 (days-based, unlike workload certificates)', () => {
    const soon = digest({ rootCa: { ok: true, value: { namespace: 'istio-system', roots: [root('2015-08-01T07:00:00.000Z', '2025-08-01T07:00:00.000Z')], rotated: false } } });
    assert.equal(soon.verdict.level, 'attention');
    assert.deepEqual(soon.verdict.reasons, ['root CA expires in 60 days']);
    const critical = digest({ rootCa: { ok: true, value: { namespace: 'istio-system', roots: [root('2015-06-12T07:00:00.000Z', '2025-06-12T07:00:00.000Z')], rotated: false } } });
    assert.equal(critical.verdict.level, 'critical');
    assert.match(allText(renderDigestSlack(critical).blocks), /Root CA O=cluster\.local \(istio-system\/istio-ca-root-cert\): CRITICAL, expires in 10 days → rotate the CA now/);
  });

  it('never calls a scope without proxies healthy, and says whether they all went away since the last digest', () => {
    const none = (previous: number) => ({ ok: true as const, value: { total: 0, healthy: 0, stale: 0, error: 0, statesKnown: false, problems: [], previous: { total: previous, stale: 0, error: 0 } } });
    assert.deepEqual(decideVerdict({ ...HEALTHY, proxies: none(0) }).reasons, ['no proxies connected to istiod']);
    assert.deepEqual(decideVerdict({ ...HEALTHY, proxies: none(3) }).reasons, ['no proxies connected to istiod any more (last digest: 3)']);
    assert.deepEqual(decideVerdict({ ...HEALTHY, proxies: none(0), namespaces: ['checkout'] }).reasons, ['no proxies in checkout']);
    assert.equal(decideVerdict({ ...HEALTHY, proxies: none(3) }).level, 'attention');
  });

  it('shows "unavailable: <reason>" for a section that failed and renders every other one', () => {
    const reason = 'mesh-bot may not read ConfigMap istio-system/istio-ca-root-cert in cluster prod-eu (403 Forbidden). Grant it with the Role in deploy/.';
    const d = digest({ rootCa: { ok: false, error: reason }, analyze: { ok: false, error: 'istioctl analyze: istiod is not reachable.' } });
    const message = renderDigestSlack(d);
    const text = allText(message.blocks);
    assert.ok(text.includes(`Root CA: unavailable: ${reason}`));
    assert.ok(text.includes('*Analyze*\nunavailable: istioctl analyze: istiod is not reachable.'));
    for (const title of ['Control plane', 'Proxies', 'Version skew', 'Certificates', 'Canaries']) assert.ok(text.includes(`*${title}*`), title);
    // Not "healthy" over parts it could not read (README Digests: the verdict names them instead).
    assert.match(message.text, /: needs attention; unavailable: analyze, root CA$/);
    assert.equal(d.verdict.level, 'attention');
    const json = renderDigestJson(d);
    assert.deepEqual(json['errors'], [`analyze: istioctl analyze: istiod is not reachable.`, `root CA: ${reason}`]);
    assert.deepEqual((json['analyze'] as Record<string, unknown>)['available'], false);
  });

  it('explains the first digest instead of listing every finding as new', () => {
    const d = digest({ analyze: { ok: true, value: { total: 7, byLevel: { Error: 2, Warning: 4, Info: 1 }, compared: false, added: [], resolved: [], unchanged: 0 } } }, { baselineAt: null });
    const text = allText(renderDigestSlack(d).blocks);
    assert.match(text, /7 findings \(2 errors, 4 warnings, 1 info\)\. First digest: new and resolved findings are reported from the next digest on\./);
    assert.match(text, /first digest: no earlier one to compare with/);
  });

  it('stays within Block Kit limits with 10,000 new findings and 50,000 proxies, and the terminal lists every change', () => {
    const findings = (n: number, prefix: string): AnalyzeFinding[] =>
      Array.from({ length: n }, (_, i) => ({ code: 'IST0101', level: 'Error', message: `Referenced host not found: "${prefix}-${'x'.repeat(200)}-${i}"`, origin: `VirtualService ns-${i % 5}/${prefix}-${i}`, resource: null }));
    const problems: ProblemProxy[] = Array.from({ length: 50_000 }, (_, i) => ({ name: `app-${i}-${'y'.repeat(80)}.ns-${i % 5}`, cluster: 'prod-eu-1', istiod: 'istiod-1', version: '1.23.1', states: { CDS: 'STALE', EDS: 'ERROR' }, stale: ['CDS'], errored: ['EDS'] }));
    const d = digest({
      controlPlane: { ok: true, value: { istiods: Array.from({ length: 60 }, (_, i) => ({ name: `istiod-${i}`, ready: i % 2 === 0, version: '1.24.2', restarts: i, restartsSinceLast: i, isNew: false })), ready: 30, restartsSinceLast: 1770, gone: Array.from({ length: 500 }, (_, i) => `istiod-old-${i}`) } },
      proxies: { ok: true, value: { total: 50_000, healthy: 0, stale: 50_000, error: 50_000, statesKnown: true, problems, previous: { total: 50_000, stale: 0, error: 0 } } },
      skew: { ok: true, value: { controlPlane: ['1.24.2'], mismatched: Array.from({ length: 40 }, (_, i) => ({ version: `1.${i}.0`, count: 1000 })) } },
      analyze: { ok: true, value: { total: 10_000, byLevel: { Error: 10_000, Warning: 0, Info: 0 }, compared: true, added: findings(10_000, 'new'), resolved: findings(10_000, 'old'), unchanged: 0 } },
      workloadCerts: { ok: true, value: { sampled: ['a', 'b', 'c', 'd', 'e'], inScope: 50_000, checked: 5, problems: Array.from({ length: 5 }, (_, i) => workload(`p-${i}-${'z'.repeat(300)}`, 30)), unread: [] } },
      canaries: { ok: true, value: Array.from({ length: 300 }, (_, i) => ({ namespace: 'shop', virtualService: `vs-${i}`, route: 'r', destinations: [{ host: 'h', subset: 'v1', weight: 50 }, { host: 'h', subset: 'v2', weight: 50 }] })) },
      pending: { ok: true, value: Array.from({ length: 100 }, (_, i) => ({ id: `pr-${i}`, namespace: 'shop', virtualService: `vs-${i}`, change: 'v1 90% / v2 10% → v1 50% / v2 50%', requester: 'U0ALICE', expiresAt: '2025-06-02T07:30:00Z' })) },
    }, { notes: ['The previous digest\'s facts could not be read.'] });

    const message = renderDigestSlack(d);
    assert.ok(message.blocks.length <= LIMITS.blocks);
    for (const text of sectionTexts(message.blocks)) assert.ok(text.length <= LIMITS.sectionText, `section of ${text.length} characters`);
    const size = message.blocks.reduce((sum, block) => sum + JSON.stringify(block).length, 0);
    assert.ok(size <= LIMITS.totalBlockText, `blocks take ${size} characters`);
    assert.doesNotMatch(allText(message.blocks), /left out to fit/, 'every section is shown, each summarized');
    assert.match(allText(message.blocks), /…and 9992 more new/);
    assert.match(allText(message.blocks), /…and 49995 more problem proxies/);
    assert.ok(message.text.length < LIMITS.topLevelText && !message.text.includes('\n'));

    const terminal = renderDigestText(d);
    assert.ok(terminal.includes('new-9999'), 'the terminal lists every new finding');
    assert.ok(terminal.includes('old-9999'), 'the terminal lists every resolved finding');
    assert.match(terminal, /…and 49980 more problem proxies/, 'problem proxies stay a sample: the status command lists them');
    assert.equal(digestHeadline(d), message.text);
  });

  it('writes the JSON envelope (command, cluster, asOf, errors) with one object per section', () => {
    const json = renderDigestJson(digest({}, { namespaces: ['checkout', 'payments'] }));
    assert.equal(json['command'], 'digest');
    assert.equal(json['cluster'], 'prod-eu');
    assert.equal(json['asOf'], '2025-06-02T07:00:00.000Z');
    assert.deepEqual(json['errors'], []);
    assert.deepEqual(json['namespaces'], ['checkout', 'payments']);
    assert.equal(json['timezone'], 'Europe/Berlin');
    assert.deepEqual(json['verdict'], { level: 'healthy', reasons: [], unavailable: [] });
    assert.deepEqual((json['certificates'] as Record<string, Record<string, unknown>>)['rootCa']?.['available'], true);
    assert.deepEqual((json['canaries'] as Record<string, Record<string, unknown>>)['inProgress'], { available: true, routes: [] });
  });
});
