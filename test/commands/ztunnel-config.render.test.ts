// The ztunnel-config card stays inside Slack's limits for a mesh of any size, and its rows are readable.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderZtunnelConfigJson, renderZtunnelConfigSlack } from '../../commands/ztunnel-config.render.ts';
import { judgeWorkloads, type ZtunnelConfigResult } from '../../src/mesh/ztunnel-config.ts';
import type { ZtunnelWorkload } from '../../src/istioctl/parsers/ztunnel-config/index.ts';
import { summarizeStatus } from '../../src/mesh/status.ts';

function mesh(namespaces: number, perNamespace: number): ZtunnelWorkload[] {
  return Array.from({ length: namespaces * perNamespace }, (_, index) => ({
    namespace: `team-${String(Math.floor(index / perNamespace)).padStart(3, '0')}-${'x'.repeat(40)}`,
    pod: `service-${index}-7f85d59cff-bmpln`,
    address: `10.0.${Math.floor(index / 250)}.${index % 250}`,
    node: `node-${index % 40}`,
    waypoint: index % 3 === 0 ? 'waypoint' : null,
    // Every seventh pod is not captured.
    protocol: index % 7 === 0 ? 'TCP' : 'HBONE',
  }));
}

function result(workloads: ZtunnelWorkload[]): ZtunnelConfigResult {
  const ambient = new Set(workloads.map((row) => row.namespace));
  return {
    cluster: 'prod',
    asOf: new Date('2026-12-01T10:00:00Z'),
    errors: [],
    type: 'workloads',
    target: {},
    read: [{ name: 'ztunnel-abcde', namespace: 'istio-system', node: 'node-1', ready: true }],
    ztunnelCount: 40,
    workloadFilter: null,
    istioctlVersion: '1.28.1',
    report: { type: 'workloads', workloads: judgeWorkloads(workloads, { ambientNamespaces: ambient, gatewayPods: new Map(), optedOutPods: new Set() }) },
  };
}

describe('ztunnel-config card', () => {
  it('5,000 workloads in 200 namespaces: at most 50 blocks, sections within 3,000 characters, a Show all button', () => {
    const message = renderZtunnelConfigSlack(result(mesh(200, 25)));
    const blocks = message.blocks ?? [];
    assert.ok(blocks.length <= 50, `${blocks.length} blocks`);
    for (const block of blocks) {
      const text = (block as { text?: { text?: string } }).text?.text ?? '';
      assert.ok(text.length <= 3000, `section of ${text.length} characters`);
    }
    const json = JSON.stringify(blocks);
    assert.match(json, /Not captured \(715\)/);
    assert.match(json, /…and 705 more \(Show all\)/);
    assert.match(json, /"action_id":"zc_show_all"/);
    assert.match(message.text, /5000 workloads, 715 pods in ambient namespaces NOT captured/);
  });

  it('-o json: every row with `captured`, and `notCaptured` counts only the ambient namespaces', () => {
    const workloads = mesh(2, 7);
    const json = renderZtunnelConfigJson({ ...result(workloads), report: { type: 'workloads', workloads: judgeWorkloads(workloads, { ambientNamespaces: new Set([workloads[0]?.namespace ?? '']), gatewayPods: new Map(), optedOutPods: new Set() }) } });
    assert.equal((json['workloads'] as unknown[]).length, 14);
    // Pods 0 and 7 are TCP; only pod 0 is in the ambient namespace.
    assert.equal(json['notCaptured'], 1);
    assert.equal((json['workloads'] as { captured: boolean }[]).filter((row) => !row.captured).length, 2);
  });

  it('a pod opted out with istio.io/dataplane-mode=none is listed apart, after the pods not captured by accident, and is not counted as one', () => {
    const row = (pod: string, protocol: string) => ({ namespace: 'shop', pod, address: '10.0.0.1', node: 'node-1', waypoint: null, protocol });
    const workloads = [row('cart-6d9f7c-abcde', 'HBONE'), row('legacy-batch-5c8d-fghij', 'TCP'), row('web-7f85d5-klmno', 'TCP')];
    const judged = judgeWorkloads(workloads, { ambientNamespaces: new Set(['shop']), gatewayPods: new Map(), optedOutPods: new Set(['legacy-batch-5c8d-fghij.shop']) });
    const card = renderZtunnelConfigSlack({ ...result(workloads), report: { type: 'workloads', workloads: judged } });
    assert.match(card.text, /3 workloads, 1 pod in ambient namespaces NOT captured, 1 opted out \(istio\.io\/dataplane-mode=none\)/);
    const text = (card.blocks ?? []).map((block) => (block as { text?: { text?: string } }).text?.text ?? '').join('\n');
    assert.match(text, /:large_yellow_circle: /, 'the accidental one still needs attention');
    assert.match(
      text,
      /\*Not captured \(1\)\*\n• web-7f85d5-klmno\.shop on node-1: NOT captured \(protocol TCP in an ambient namespace\), waypoint none\n[^]*\*Opted out \(istio\.io\/dataplane-mode=none\): 1, not a problem\*\n• legacy-batch-5c8d-fghij\.shop on node-1: opted out on purpose \(istio\.io\/dataplane-mode=none\), protocol TCP, waypoint none/,
    );
    assert.match(text, /• shop \(ambient\): 3 workloads \(1 HBONE, 2 TCP, 1 NOT captured, 1 opted out\)/);
    const json = renderZtunnelConfigJson({ ...result(workloads), report: { type: 'workloads', workloads: judged } });
    assert.deepEqual([json['notCaptured'], json['optedOut']], [1, 1]);
    assert.deepEqual((json['workloads'] as { pod: string; captured: boolean; notCaptured: boolean; optedOut: boolean }[]).map((entry) => [entry.pod, entry.captured, entry.notCaptured, entry.optedOut]), [
      ['web-7f85d5-klmno', false, true, false],
      ['legacy-batch-5c8d-fghij', false, false, true],
      ['cart-6d9f7c-abcde', true, false, false],
    ]);

    const onlyOptedOut = judgeWorkloads(workloads.slice(0, 2), { ambientNamespaces: new Set(['shop']), gatewayPods: new Map(), optedOutPods: new Set(['legacy-batch-5c8d-fghij.shop']) });
    const calm = renderZtunnelConfigSlack({ ...result(workloads), report: { type: 'workloads', workloads: onlyOptedOut } });
    assert.match(calm.text, /2 workloads, every pod in an ambient namespace captured but 1 opted out \(istio\.io\/dataplane-mode=none\)/);
    assert.match(JSON.stringify(calm.blocks), /:large_green_circle: /);
  });

  it('status: a mesh with neither a ztunnel DaemonSet nor a ztunnel row has no ambient part (JSON `ambient: null`)', () => {
    const summary = summarizeStatus({ report: { format: 'xds-table', proxies: [], istiods: [] }, istiods: [], ambientDaemonSets: { ztunnel: null, cni: { name: 'istio-cni-node', namespace: 'istio-system', desired: 2, ready: 2 } } });
    assert.equal(summary.ambient, null);
  });
});
