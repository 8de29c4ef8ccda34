import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parseProxyStatus } from '../../src/istioctl/parsers/proxy-status.ts';
import type { ProxyStatusReport } from '../../src/istioctl/types.ts';
import type { IstiodPod } from '../../src/kube/control-plane.ts';
import { summarizeStatus } from '../../src/mesh/status.ts';

function corpus(path: string): ProxyStatusReport {
  const parsed = parseProxyStatus(readFileSync(new URL(`../fixtures/istioctl/proxy-status/${path}`, import.meta.url), 'utf8'));
  assert.ok(parsed.ok, parsed.ok ? '' : parsed.error.message);
  return parsed.value;
}

function istiod(name: string, version: string, ready = true): IstiodPod {
  return { name, ready, readyContainers: ready ? 1 : 0, totalContainers: 1, version, revision: 'default', restarts: 0, phase: ready ? 'Running' : 'Pending' };
}

describe('status summary', () => {
  // Read from v1.22-1.26/multiXdsStatusMultiPilot.txt: proxy1 CDS STALE; proxy2 CDS, EDS, ECDS STALE;
  // proxy3 LDS ERROR + EDS STALE; proxy4 all IGNORED. Versions 1.20 ×3, 1.19 ×1.
  const multiPilot = corpus('v1.22-1.26/multiXdsStatusMultiPilot.txt');

  it('counts proxies with any STALE or ERROR type as problems, and IGNORED / NOT SENT as healthy', () => {
    const summary = summarizeStatus({ report: multiPilot, istiods: [istiod('istiod-a', '1.20.2')] });
    assert.equal(summary.proxies?.total, 4);
    assert.equal(summary.proxies?.stale, 3);
    assert.equal(summary.proxies?.error, 1);
    assert.equal(summary.proxies?.healthy, 1);
    assert.deepEqual(summary.proxies?.byVersion, { '1.20': 3, '1.19': 1 });
    assert.equal(summary.verdict, 'degraded');
  });

  it('lists the worst problem proxies first: ERROR before STALE, more stale types before fewer', () => {
    const summary = summarizeStatus({ report: multiPilot, istiods: [istiod('istiod-a', '1.20.2')] });
    assert.deepEqual(summary.proxies?.problems.map((problem) => problem.name), ['proxy3', 'proxy2', 'proxy1']);
    const proxy3 = summary.proxies?.problems[0];
    assert.deepEqual(proxy3?.errored, ['LDS']);
    assert.deepEqual(proxy3?.stale, ['EDS']);
    assert.equal(proxy3?.cluster, 'cluster3');
    assert.equal(proxy3?.istiod, 'istiod3');
  });

  it('breaks sync state down per xDS type; proxy4 (IGNORED everywhere) is a ztunnel, whose Envoy columns are not states', () => {
    const summary = summarizeStatus({ report: multiPilot, istiods: [] });
    assert.deepEqual(summary.proxies?.byType['CDS'], { STALE: 2, 'NOT SENT': 1 });
    assert.deepEqual(summary.proxies?.byType['LDS'], { SYNCED: 2, ERROR: 1 });
    assert.deepEqual(summary.proxies?.byKind, { sidecar: 3, waypoint: 0, ztunnel: 1, gateway: 0 });
  });

  it('flags proxies whose minor version matches no istiod, and which proxies they are', () => {
    const summary = summarizeStatus({ report: multiPilot, istiods: [istiod('istiod-a', '1.20.2')] });
    assert.deepEqual(summary.skew.controlPlane, ['1.20.2']);
    assert.deepEqual(summary.skew.mismatched, [{ version: '1.19', count: 1 }]);
    assert.deepEqual(summary.skewedProxies, { '1.19': ['proxy2'] });
  });

  it('is never healthy with no proxy in scope: "no-proxies", for a namespace or the whole mesh', () => {
    const report: ProxyStatusReport = {
      format: 'xds-table',
      istiods: [],
      proxies: [{ name: 'a.shop', namespace: 'shop', cluster: '', istiod: 'istiod-a', version: '1.22.1', states: { CDS: 'SYNCED' }, rawStates: {} }],
    };
    assert.equal(summarizeStatus({ report, istiods: [istiod('istiod-a', '1.22.1')], namespace: 'quiet' }).verdict, 'no-proxies');
    assert.equal(summarizeStatus({ report: { ...report, proxies: [] }, istiods: [istiod('istiod-a', '1.22.1')] }).verdict, 'no-proxies');
  });

  it('treats "STALE (Never Acknowledged)" of 1.20-1.21 as stale', () => {
    // multiStatusMultiPilot.txt: proxy1 CDS STALE; proxy2 CDS+EDS STALE; proxy3 CDS+EDS "STALE (Never Acknowledged)"; proxy4 IGNORED.
    const summary = summarizeStatus({ report: corpus('v1.20-1.21_default-ps_syncz/multiStatusMultiPilot.txt'), istiods: [istiod('istiod-a', '1.21.0')] });
    assert.equal(summary.proxies?.stale, 3);
    assert.equal(summary.proxies?.error, 0);
    assert.equal(summary.proxies?.healthy, 1);
  });

  it('does not compare the Envoy-version fallback ("1.1*") with istiod versions', () => {
    const summary = summarizeStatus({ report: corpus('v1.20-1.21_default-ps_syncz/singleStatusFallback.txt'), istiods: [istiod('istiod-a', '1.21.0')] });
    assert.deepEqual(summary.skew.mismatched, []);
    assert.deepEqual(summary.proxies?.byVersion, { '1.1*': 1 });
  });

  it('says the control plane is down when istioctl finds no istiod, even with no proxy data', () => {
    const summary = summarizeStatus({ report: null, istiods: [], controlPlaneMissing: true });
    assert.equal(summary.verdict, 'control-plane-down');
    assert.equal(summary.proxies, null);
  });

  it('says the control plane is down when every istiod pod is unready', () => {
    const summary = summarizeStatus({ report: corpus('v1.22-1.26/multiXdsStatusSinglePilot.txt'), istiods: [istiod('istiod-a', '1.22.1', false)] });
    assert.equal(summary.verdict, 'control-plane-down');
  });

  it('is healthy only when every proxy is in sync and every istiod is ready', () => {
    const report: ProxyStatusReport = {
      format: 'xds-table',
      istiods: [],
      proxies: [
        { name: 'a.shop', namespace: 'shop', cluster: '', istiod: 'istiod-a', version: '1.22.1', states: { CDS: 'SYNCED', RDS: 'NOT SENT' }, rawStates: {} },
        { name: 'b.pay', namespace: 'pay', cluster: '', istiod: 'istiod-a', version: '1.22.1', states: { CDS: 'STALE' }, rawStates: {} },
      ],
    };
    assert.equal(summarizeStatus({ report, istiods: [istiod('istiod-a', '1.22.1')], namespace: 'shop' }).verdict, 'healthy');
    assert.equal(summarizeStatus({ report, istiods: [istiod('istiod-a', '1.22.1')] }).verdict, 'degraded');
    assert.equal(summarizeStatus({ report, istiods: [istiod('istiod-a', '1.22.1'), istiod('istiod-b', '1.22.1', false)], namespace: 'shop' }).verdict, 'degraded');
  });

  it('counts only the asked namespace', () => {
    const report: ProxyStatusReport = {
      format: 'xds-table',
      istiods: [],
      proxies: [
        { name: 'a.shop', namespace: 'shop', cluster: '', istiod: '', version: '1.22.1', states: { CDS: 'STALE' }, rawStates: {} },
        { name: 'b.pay', namespace: 'pay', cluster: '', istiod: '', version: '1.22.1', states: { CDS: 'SYNCED' }, rawStates: {} },
      ],
    };
    const summary = summarizeStatus({ report, istiods: null, namespace: 'pay' });
    assert.equal(summary.proxies?.total, 1);
    assert.equal(summary.proxies?.stale, 0);
    assert.equal(summary.verdict, 'unknown', 'without the Kubernetes API the control plane is unknown');
  });

  it('reports per-type states as unknown for the 1.27+ subscribed-types table', () => {
    const summary = summarizeStatus({ report: corpus('v1.27-1.29/multiXdsStatusMultiPilot.txt'), istiods: [istiod('istiod-a', '1.28.0')] });
    assert.equal(summary.proxies?.total, 4);
    assert.equal(summary.proxies?.statesKnown, false);
    assert.equal(summary.proxies?.stale, 0);
  });
});
