import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KnownBlock } from '@slack/types';
import type { StatusResult } from '../../commands/status.ts';
import { renderStatusJson, renderStatusSlack, renderStatusText } from '../../commands/status.render.ts';
import type { ProxyStatusReport, ProxyStatusRow, SyncState } from '../../src/istioctl/types.ts';
import type { IstiodPod } from '../../src/kube/control-plane.ts';
import { summarizeStatus } from '../../src/mesh/status.ts';
import { blockText, findButton } from '../support/blocks.ts';

function syntheticMesh(proxies: number, nameLength = 40): ProxyStatusReport {
  const rows: ProxyStatusRow[] = [];
  for (let index = 0; index < proxies; index += 1) {
    const state: SyncState = index % 7 === 0 ? 'STALE' : index % 101 === 0 ? 'ERROR' : 'SYNCED';
    const name = `${`workload-${index}-`.padEnd(nameLength - 4, 'x')}.ns${index % 50}`;
    rows.push({
      name,
      namespace: `ns${index % 50}`,
      cluster: `cluster-${index % 3}`,
      istiod: `istiod-${index % 200}`,
      version: `1.${20 + (index % 90)}.${index % 4}`,
      states: { CDS: state, LDS: 'SYNCED', EDS: state, RDS: 'NOT SENT', ECDS: 'IGNORED' },
      rawStates: {},
    });
  }
  return { format: 'xds-table', proxies: rows, istiods: [] };
}

function istiods(count: number): IstiodPod[] {
  return Array.from({ length: count }, (_, index) => ({ name: `istiod-${index}`, ready: index % 5 !== 0, readyContainers: 1, totalContainers: 1, version: '1.24.2', revision: 'default', restarts: index, phase: 'Running' }));
}

function result(report: ProxyStatusReport, pods: IstiodPod[], errors: string[] = []): StatusResult {
  return { cluster: 'prod-eu', asOf: new Date('2026-11-21T10:02:03Z'), errors, summary: summarizeStatus({ report, istiods: pods }), istioctlVersion: '1.24.2' };
}

function assertWithinSlackLimits(blocks: readonly KnownBlock[], text: string): void {
  assert.ok(blocks.length <= 50, `${blocks.length} blocks`);
  assert.ok(text.length > 0 && text.length < 4000, 'top-level text present and short');
  assert.ok(JSON.stringify(blocks).length < 12_000, `blocks are ${JSON.stringify(blocks).length} characters`);
  for (const block of blocks) {
    if (block.type === 'section') {
      assert.ok((block.text?.text.length ?? 0) <= 3000);
      assert.ok((block.fields?.length ?? 0) <= 10);
    }
    if (block.type === 'header') assert.ok(block.text.text.length <= 150);
    if (block.type === 'actions') for (const element of block.elements) if (element.type === 'button') assert.ok(element.text.text.length <= 75);
  }
}

describe('status rendering', () => {
  it('stays within Block Kit limits for a 50,000-proxy mesh with 200 istiods, 90 versions and long names', () => {
    const rendered = renderStatusSlack(result(syntheticMesh(50_000, 250), istiods(200), ['istioctl: something went wrong '.repeat(200)]));
    assertWithinSlackLimits(rendered.blocks, rendered.text);
    assert.match(rendered.text, /^prod-eu: degraded — \d+ of 50000 proxies STALE, \d+ ERROR — istiod 160\/200 ready/);
  });

  it('says the essentials in the top-level text: scope, verdict, counts and freshness', () => {
    const rendered = renderStatusSlack(result(syntheticMesh(14), istiods(1).map((pod) => ({ ...pod, ready: true }))));
    // indexes 0 and 7 are STALE; none of 0..13 except 0 is a multiple of 101, and 0 is STALE first.
    assert.equal(rendered.text, 'prod-eu: degraded — 2 of 14 proxies STALE, 0 ERROR — istiod 1/1 ready (as of 10:02:03 UTC)');
  });

  it('offers the full problem list behind a button whose label fits', () => {
    const rendered = renderStatusSlack(result(syntheticMesh(50_000), istiods(2)));
    const buttons = rendered.blocks.flatMap((block) => (block.type === 'actions' ? block.elements : []));
    assert.equal(buttons.length, 1);
    assert.match(JSON.stringify(buttons[0]), /Show all problem proxies \(\d+\)/);
    assert.match(JSON.stringify(buttons[0]), /"action_id":"status_show_problems"/);
  });

  it('lists every problem proxy without a button when all fit on the card, and offers the rest of the same run otherwise', () => {
    const few = renderStatusSlack(result(syntheticMesh(50), istiods(1)));
    // multiples of 7 below 50 are STALE: 8 proxies, exactly what the card lists.
    assert.match(blockText(few.blocks), /^\*Problem proxies\*\n(• `workload-.*\n){7}• `workload-/m);
    assert.equal(findButton(few.blocks, 'status_show_problems'), undefined);
    const many = renderStatusSlack(result(syntheticMesh(57), istiods(1)));
    assert.match(blockText(many.blocks), /\*Worst problem proxies\* \(8 of 9\)/);
    assert.deepEqual(JSON.parse(findButton(many.blocks, 'status_show_problems')?.value ?? '{}'), { cluster: 'prod-eu', namespace: null, asOf: '2026-11-21T10:02:03.000Z' });
  });

  it('says nothing about proxy versions or sync when istioctl could not be read', () => {
    const ready = istiods(1).map((pod) => ({ ...pod, ready: true }));
    const unread: StatusResult = { ...result(syntheticMesh(1), ready), summary: summarizeStatus({ report: null, istiods: ready }), errors: ['istioctl: istiod is not reachable'] };
    const rendered = renderStatusSlack(unread);
    const text = blockText(rendered.blocks);
    assert.match(text, /proxy versions unknown: istioctl proxy-status could not be read/);
    assert.doesNotMatch(text, /every proxy|matching minor|all in sync|healthy/i);
    assert.equal(rendered.text, 'prod-eu: unknown — proxy sync state unavailable — istiod 1/1 ready (as of 10:02:03 UTC)');
    assert.equal((renderStatusJson(unread) as { versionSkew: unknown }).versionSkew, null);
  });

  it('agrees in number and does not vouch for proxies without a comparable version', () => {
    const report: ProxyStatusReport = {
      format: 'syncz-table',
      istiods: [],
      proxies: [{ name: 'a.shop', namespace: 'shop', cluster: 'Kubernetes', istiod: 'istiod-0', version: '1.1*', states: { CDS: 'SYNCED' }, rawStates: {} }],
    };
    const rendered = renderStatusSlack(result(report, istiods(1).map((pod) => ({ ...pod, ready: true }))));
    assert.equal(rendered.text, 'prod-eu: healthy — 1 proxy, all in sync — istiod 1/1 ready (as of 10:02:03 UTC)');
    assert.match(blockText(rendered.blocks), /every proxy with a known version runs a matching minor version \(1 proxy without one\)/);
  });

  it('escapes names so a crafted pod name cannot mention @channel or make links', () => {
    const report: ProxyStatusReport = {
      format: 'xds-table',
      istiods: [],
      proxies: [{ name: '<!channel>.evil', namespace: 'evil', cluster: '', istiod: '', version: '1.24.2', states: { CDS: 'STALE' }, rawStates: {} }],
    };
    const rendered = renderStatusSlack(result(report, istiods(1)));
    assert.equal(JSON.stringify(rendered.blocks).includes('<!channel>'), false);
    assert.match(JSON.stringify(rendered.blocks), /&lt;!channel&gt;\.evil/);
  });

  it('prints every problem proxy in the terminal text, and the DESIGN.md fields in JSON', () => {
    const status = result(syntheticMesh(30), istiods(1));
    const text = renderStatusText(status);
    const json = renderStatusJson(status) as { proxies: { total: number; stale: number; error: number; healthy: number; problems: { name: string; states: Record<string, string> }[] }; controlPlane: { istiods: unknown[] } };
    assert.equal(json.proxies.total, 30);
    // multiples of 7 below 30 are STALE: 0, 7, 14, 21, 28.
    assert.equal(json.proxies.stale, 5);
    assert.equal(json.proxies.healthy, 25);
    assert.equal(json.proxies.problems.length, 5);
    for (const problem of json.proxies.problems) assert.match(text, new RegExp(problem.name));
    assert.deepEqual(json.controlPlane.istiods, [{ name: 'istiod-0', ready: false, version: '1.24.2', restarts: 0 }]);
  });
});
