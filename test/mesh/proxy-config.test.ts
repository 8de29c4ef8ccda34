import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import {
  parseClustersJson,
  parseClustersTable,
  parseConfigDump,
  parseEndpointsJson,
  parseListenersJson,
  parseLogLevels,
  parseRoutesJson,
  parseSecretJson,
  parseSecretTable,
} from '../../src/istioctl/parsers/proxy-config.ts';
import {
  groupLogLevels,
  summarizeCertificates,
  summarizeClusters,
  summarizeConfigDump,
  summarizeEndpoints,
  summarizeListeners,
  summarizeRoutes,
} from '../../src/mesh/proxy-config.ts';
import { secretCertificates } from '../../src/mesh/proxy-config-report.ts';
import type { ProxyConfigOutput } from '../../src/istioctl/istioctl.ts';
import type { SecretCertificate } from '../../src/istioctl/parsers/proxy-config.ts';

const corpus = (path: string): string =>
  readFileSync(new URL(`../fixtures/istioctl/proxy-config/${path}`, import.meta.url), 'utf8');
const synthetic = (): string =>
  readFileSync(new URL('../fixtures/istioctl-extra/synthetic_sidecar_config_dump_with_secrets.json', import.meta.url), 'utf8');

function must<T>(result: { ok: true; value: T } | { ok: false; error: { message: string } }): T {
  if (!result.ok) assert.fail(result.error.message);
  return result.value;
}

// 3 days and a bit before the synthetic workload certificate expires (2026-11-26T06:19:46Z).
const NOW = new Date('2026-11-22T00:00:00Z');

describe('summarizeClusters', () => {
  it('counts a sidecar by direction and type and lists subsets and DestinationRules', () => {
    const summary = summarizeClusters(must(parseClustersJson(synthetic())));
    assert.equal(summary.total, 16);
    assert.deepEqual(summary.byDirection, { inbound: 1, outbound: 8, other: 7 });
    assert.deepEqual(summary.byType, { STATIC: 4, STRICT_DNS: 2, ORIGINAL_DST: 3, EDS: 7 });
    assert.deepEqual(summary.destinationRules, ['details.default', 'reviews.default']);
    assert.deepEqual(summary.services.find((s) => s.fqdn === 'reviews.default.svc.cluster.local'), {
      fqdn: 'reviews.default.svc.cluster.local',
      ports: [9080],
      subsets: ['v1', 'v2', 'v3'],
      destinationRules: ['reviews.default'],
    });
  });

  it('filters by service FQDN like istioctl --fqdn', () => {
    const summary = summarizeClusters(must(parseClustersJson(synthetic())), { fqdn: 'reviews.default.svc.cluster.local' });
    assert.equal(summary.total, 4);
    assert.deepEqual(summary.byDirection, { inbound: 0, outbound: 4, other: 0 });
    assert.deepEqual(summary.services.map((s) => s.fqdn), ['reviews.default.svc.cluster.local']);
  });

  it('summarizes the istio.io cluster table', () => {
    const summary = summarizeClusters(must(parseClustersTable(corpus('docs-examples/istio.io_pc-cluster_example.txt'))));
    assert.deepEqual(summary.byType, { STATIC: 4, EDS: 16, STRICT_DNS: 2 });
    assert.deepEqual(summary.byDirection, { inbound: 0, outbound: 16, other: 6 });
    assert.deepEqual(summary.destinationRules, ['details.default']);
  });
});

describe('summarizeListeners', () => {
  it('flags RDS listeners whose route config is missing from the dump', () => {
    const routes = must(parseRoutesJson(synthetic()));
    const summary = summarizeListeners(must(parseListenersJson(synthetic())), {
      routeNames: new Set(routes.map((r) => r.name)),
    });
    assert.equal(summary.total, 7);
    assert.deepEqual(summary.byPort, { '15001': 1, '15006': 1, '9080': 1, '443': 1, '15010': 1, '15090': 1, '15021': 1 });
    assert.deepEqual(summary.byProtocol, { TCP: 2, 'HTTP+TCP': 2, HTTP: 3 });
    assert.deepEqual(summary.byDirection, { outbound: 4, inbound: 1, unspecified: 2 });
    assert.deepEqual(summary.missingRoutes, [{ listener: '0.0.0.0_15010', route: '15010' }]);
  });

  it('calls nothing missing without the route names', () => {
    assert.deepEqual(summarizeListeners(must(parseListenersJson(synthetic()))).missingRoutes, []);
  });
});

describe('summarizeRoutes', () => {
  it('groups routes by the VirtualService they come from', () => {
    const summary = summarizeRoutes(must(parseRoutesJson(synthetic())));
    assert.equal(summary.tables, 1);
    assert.equal(summary.virtualHosts, 3);
    assert.deepEqual(summary.byVirtualService, { 'reviews.default': 2 });
    assert.deepEqual(summary.rows[0], {
      table: '9080',
      virtualHost: 'reviews.default.svc.cluster.local:9080',
      domains: 'reviews, reviews.default + 1 more...',
      match: '/*',
      virtualService: 'reviews.default',
    });
  });

  it('reads the gateway route of the corpus', () => {
    const summary = summarizeRoutes(must(parseRoutesJson(corpus('routes/istio-gateway-http-route-prefix/input_configdump.json'))));
    assert.deepEqual(summary.byVirtualService, { 'httpbin.default': 1 });
    assert.equal(summary.tables, 3);
  });
});

describe('summarizeEndpoints', () => {
  it('counts health per cluster and lists unhealthy endpoints first', () => {
    const summary = summarizeEndpoints(must(parseEndpointsJson(synthetic())));
    assert.equal(summary.total, 11);
    assert.deepEqual(summary.byStatus, { HEALTHY: 4, UNHEALTHY: 2, DRAINING: 2, UNKNOWN: 1, DEGRADED: 1, TIMEOUT: 1 });
    assert.ok(summary.endpoints.slice(0, 7).every((e) => e.status !== 'HEALTHY'));
    assert.ok(summary.endpoints.slice(7).every((e) => e.status === 'HEALTHY'));
    assert.deepEqual(
      new Set(summary.clusters.slice(0, 5).map((c) => c.cluster)),
      new Set([
        'outbound|9080||details.default.svc.cluster.local',
        'outbound|9080||ratings.default.svc.cluster.local',
        'outbound|9080||reviews.default.svc.cluster.local',
        'outbound|9080|v2|reviews.default.svc.cluster.local',
        'outbound|9080|v3|reviews.default.svc.cluster.local',
      ]),
    );
    assert.deepEqual(summary.clusters.find((c) => c.cluster === 'outbound|9080|v3|reviews.default.svc.cluster.local'), {
      cluster: 'outbound|9080|v3|reviews.default.svc.cluster.local',
      total: 2,
      byStatus: { DRAINING: 1, HEALTHY: 1 },
    });
  });

  it('summarizes the all-healthy corpus dump', () => {
    const summary = summarizeEndpoints(must(parseEndpointsJson(corpus('eds/input_configdump.json'))));
    assert.deepEqual(summary.byStatus, { HEALTHY: 36 });
  });
});

describe('summarizeCertificates', () => {
  it('judges the workload chain by its rotation: a 5-day certificate 18 hours old is healthy although it expires within 7 days', () => {
    const summary = summarizeCertificates(must(parseSecretJson(synthetic(), NOW)), { now: NOW });
    assert.deepEqual(
      summary.certificates.map((c) => [c.name, c.status, c.valid, c.daysRemaining, c.health.level, c.needsAttention]),
      [
        ['kubernetes://bookinfo-credential', 'WARMING', false, null, 'attention', true],
        ['default', 'ACTIVE', true, 4, 'healthy', false],
        ['ROOTCA', 'ACTIVE', true, 3649, 'healthy', false],
      ],
    );
    assert.equal(summary.needingAttention, 1);
    assert.equal(summary.level, 'attention');
  });

  it('calls the corpus\'s 24-hour chain overdue for rotation 16 hours after issue, and critical once expired', () => {
    const table = must(parseSecretTable(corpus('secret/istio/v1.29+_output.txt')));
    // default: 2023-05-15T01:30:52Z → 2023-05-16T01:32:52Z; Istio rotates it at 2023-05-15T13:31:52Z.
    const overdue = summarizeCertificates(table, { now: new Date('2023-05-15T17:31:52Z') });
    const chain = overdue.certificates.find((c) => c.name === 'default');
    assert.equal(chain?.health.state, 'rotation-overdue');
    assert.equal(chain?.health.summary, 'rotation overdue by 4 h');
    assert.equal(chain?.expiringSoon, true);
    assert.equal(overdue.level, 'attention');
    const expired = summarizeCertificates(table, { now: new Date('2023-05-16T02:00:00Z') });
    assert.equal(expired.certificates.find((c) => c.name === 'default')?.health.state, 'expired');
    assert.equal(expired.level, 'critical');
    assert.equal(expired.critical, 1);
  });

  it('flags the expired workload certificate of the corpus table', () => {
    const now = new Date('2023-05-20T01:32:52Z');
    const summary = summarizeCertificates(must(parseSecretTable(corpus('secret/v1.20-1.25_output.txt'))), { now });
    const { health, ...fields } = summary.certificates[0] ?? assert.fail('no certificate');
    assert.deepEqual(fields, {
      name: 'default',
      type: 'Cert Chain',
      status: 'ACTIVE',
      valid: false,
      serial: '6fbee254c22900615cb1f74e3d2f1713',
      notAfter: '2023-05-16T01:32:52Z',
      notBefore: '2023-05-15T01:30:52Z',
      daysRemaining: -4,
      expiringSoon: false,
      needsAttention: true,
    });
    assert.equal(health.level, 'critical');
    assert.equal(health.summary, 'expired 4 days ago');
    assert.equal(summary.certificates[1]?.needsAttention, false);
  });
});

describe('secretCertificates: what pc secret and the digest read from `proxy-config secret -o json`', () => {
  const jsonOutput = (stdout: string): ProxyConfigOutput => ({ type: 'secret', format: 'json', stdout });
  // Tables print serials unpadded before 1.29; the JSON is read from the certificates (32 hex digits).
  const unpadded = (cert: SecretCertificate): SecretCertificate => ({ ...cert, serial: cert.serial.replace(/^0+(?=.)/, '') });

  it('gives the rows istioctl\'s table prints of the same secrets: WARMING, SPIRE trust domains, no extra row for the root behind a leaf', () => {
    // After the corpus workload certificates expired, before their roots do: the tables' VALID CERT column.
    const now = new Date('2025-06-01T00:00:00Z');
    const pairs: [string, string][] = [
      ['secret/v1.20-1.24_input_config_dump.json', 'secret/v1.20-1.25_output.txt'],
      ['secret/istio/input_config_dump.json', 'secret/istio/v1.26-1.28_output.txt'],
      ['secret/istio/input_config_dump.json', 'secret/istio/v1.29+_output.txt'],
      ['secret/spire/input_config_dump.json', 'secret/spire/v1.25+_output.txt'],
    ];
    for (const [json, table] of pairs) {
      const read = must(secretCertificates(jsonOutput(corpus(json)), { now }));
      assert.deepEqual(read.map(unpadded), must(parseSecretTable(corpus(table))).map(unpadded), `${json} against ${table}`);
    }
  });

  it('keeps an active secret Envoy never received (version_info uninitialized) apart as UNINITIALIZED', () => {
    const dump = JSON.parse(corpus('secret/istio/input_config_dump.json')) as { configs: { dynamic_active_secrets: { version_info?: string }[] }[] };
    const active = dump.configs[0]?.dynamic_active_secrets[0];
    assert.ok(active);
    active.version_info = 'uninitialized';
    const read = must(secretCertificates(jsonOutput(JSON.stringify(dump)), { now: NOW }));
    assert.deepEqual(read.map((cert) => `${cert.name} ${cert.status}`), ['configmap://some/thing WARMING', 'default UNINITIALIZED', 'ROOTCA ACTIVE']);
  });

  it('says that a ztunnel pod was asked (1.20-1.21 print ztunnel\'s own certificate list there) instead of misreading it', () => {
    const dump = JSON.parse(readFileSync(new URL('../fixtures/istioctl/ambient/ztunnel-config/inputs/v1.21_dump.json', import.meta.url), 'utf8')) as { certificates: { identity: string; state: string; cert_chain?: unknown }[] };
    // istioctl/pkg/writer/ztunnel/configdump PrintSecretDump (1.20-1.21): json.MarshalIndent of the dump's
    // certificates as its CertsDump struct {identity, state, cert_chain} keeps them, 4-space indent.
    const printed = JSON.stringify(dump.certificates.map(({ identity, state, cert_chain }) => ({ identity, state, cert_chain })), null, 4);
    const read = secretCertificates(jsonOutput(printed), { now: NOW });
    assert.equal(read.ok, false);
    assert.match(read.ok ? '' : read.error.message, /this pod is a ztunnel, whose certificates `ztunnel-config certificates` reads \(istioctl 1\.22 or newer\)/);
  });
});

describe('groupLogLevels', () => {
  it('groups loggers by level', () => {
    const [proxy] = must(parseLogLevels(`p.ns:\n${corpus('log/envoy_logging_response.txt').replace('  http: warning', '  http: debug')}`));
    assert.ok(proxy);
    const grouped = groupLogLevels(proxy);
    assert.deepEqual(grouped.debug, ['http']);
    assert.equal(grouped.warning?.length, 39);
    assert.equal(grouped.warning?.[0], 'admin');
  });
});

describe('summarizeConfigDump', () => {
  it('rolls up every section of the corpus `all` dump', () => {
    const summary = must(summarizeConfigDump(must(parseConfigDump(corpus('all/input_config_dump.json'))), { now: new Date('2024-01-01T00:00:00Z') }));
    assert.equal(summary.bootstrap?.istioVersion, '1.21.0-1226');
    assert.equal(summary.clusters?.total, 3);
    assert.equal(summary.listeners?.total, 2);
    assert.deepEqual(summary.listeners?.missingRoutes, []);
    assert.deepEqual(summary.routes?.rows.map((r) => r.virtualHost), ['inbound|http|8000']);
    assert.deepEqual(summary.endpoints?.byStatus, { HEALTHY: 2 });
    assert.deepEqual(summary.certificates?.certificates.map((c) => [c.name, c.valid]), [['default', false], ['ROOTCA', true]]);
  });

  it('rolls up a sidecar dump, including missing routes and the warming gateway credential', () => {
    const summary = must(summarizeConfigDump(must(parseConfigDump(synthetic())), { now: NOW }));
    assert.equal(summary.bootstrap?.meshId, 'mesh-prod');
    assert.deepEqual(summary.listeners?.missingRoutes, [{ listener: '0.0.0.0_15010', route: '15010' }]);
    assert.equal(summary.certificates?.needingAttention, 1);
  });

  it('leaves out the sections a partial dump does not have', () => {
    const summary = must(summarizeConfigDump(must(parseConfigDump(corpus('secret/spire/input_config_dump.json'))), { now: NOW }));
    assert.deepEqual(Object.keys(summary), ['certificates']);
  });
});
