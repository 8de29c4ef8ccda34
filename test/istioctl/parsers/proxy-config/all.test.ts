import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseAllSummary } from '../../../../src/istioctl/parsers/proxy-config/all.ts';
import { corpus } from './fixtures.ts';

describe('parseAllSummary', () => {
  for (const file of ['v1.21-1.28_config_dump_summary.txt', 'v1.29+_config_dump_summary.txt', 'v1.29+_config_dump_summary_withheaders.txt']) {
    it(`reads every section of ${file}`, () => {
      const result = parseAllSummary(corpus(`all/${file}`));
      assert.ok(result.ok);
      const s = result.value;
      assert.deepEqual(s.bootstrap, {
        istioVersion: '1.21.0-1226',
        istioProxyVersion: 'ee85c5f28702f00621aed895915fca565796b9e4',
        envoyVersion: '0.0.0',
        clusterId: '',
        namespace: '',
        meshId: '',
      });
      assert.deepEqual(s.clusters.map((c) => c.name), ['agent', 'inbound-vip|8000|http|httpbin.default.svc.cluster.local', 'prometheus_stats']);
      assert.equal(s.listeners.length, 5);
      assert.deepEqual(s.routes.map((r) => [r.name, r.virtualHost, r.domains, r.match]), [
        ['inbound-vip|8000|http|httpbin.default.svc.cluster.local', 'inbound|http|8000', '*', '/*'],
      ]);
      assert.deepEqual(s.secrets.map((c) => [c.name, c.valid]), [['default', false], ['ROOTCA', true]]);
      assert.equal(s.secrets[1]?.serial, file.startsWith('v1.29+') ? '0193a543fe2b0d9cd4847675394dfc54' : '193a543fe2b0d9cd4847675394dfc54');
      assert.equal(s.endpoints.length, 2);
    });
  }

  it('refuses a section it does not know', () => {
    assert.equal(parseAllSummary('FOO BAR\nx y\n').ok, false);
  });
});
