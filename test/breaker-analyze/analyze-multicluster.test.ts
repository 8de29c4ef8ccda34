// BD-14: multi-cluster analyze (1.26+) adds `"cluster": <cluster id>` to each `-o json` finding (istio
// pkg/config/analysis/diag/message.go Unstructured: `if m.PrintCluster { result["cluster"] = …ClusterName() }`; the log
// form prints it as ` [cluster-<id>]`, corpus analyze/formatter-golden/log_color_multicluster.txt). mesh-bot dropped it
// from the JSON, so the same problem in two clusters was one finding to the history: fixing it in one cluster was
// never "resolved", and the card showed two identical lines.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { meshBot } from '../breaker-ambient/support/harness.ts';
import { recordAsTheChannel, terminalWorld } from './support/sidecar.ts';

// Keys sorted, tab-indented, as istioctl's json.MarshalIndent of the map prints them (corpus formatter-golden/json.json).
function findings(clusters: readonly string[]): string {
  const items = clusters.map((cluster) => ({
    cluster,
    code: 'IST0101',
    documentationUrl: 'https://istio.io/v1.28/docs/reference/config/analysis/ist0101/?ref=istioctl-analyze',
    level: 'Error',
    message: 'Referenced host not found: "reviews"',
    origin: 'VirtualService bookinfo/reviews',
  }));
  return `${JSON.stringify(items, null, '\t')}\n`;
}

interface AnalyzeJson {
  findings: { total: number; items: { origin: string }[] };
  changes: { new: unknown[]; resolved: { cluster?: string }[]; unchanged: number } | null;
}

describe('analyze of a multi-cluster mesh', () => {
  const world = terminalWorld('1.28.1', [{ when: ['analyze'], stdout: findings(['east', 'west']) }]);

  it('keeps the same problem in two clusters apart: shown per cluster, and resolved in one of them', async () => {
    const { env, istioctl } = world();
    const text = await meshBot(['analyze', '-n', 'bookinfo'], env);
    assert.match(text.stdout, /east/);
    assert.match(text.stdout, /west/);
    await recordAsTheChannel(world(), 'bookinfo', findings(['east', 'west']));

    await istioctl.answer([{ when: ['analyze'], stdout: findings(['west']) }]);
    const second = JSON.parse((await meshBot(['analyze', '-n', 'bookinfo', '-o', 'json'], env)).stdout) as AnalyzeJson;
    assert.equal(second.findings.total, 1);
    assert.deepEqual(second.changes && { new: second.changes.new.length, resolved: second.changes.resolved.length, unchanged: second.changes.unchanged }, { new: 0, resolved: 1, unchanged: 1 });
    assert.equal(second.changes?.resolved[0]?.cluster, 'east');
  });
});
