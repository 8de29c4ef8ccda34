// Tests of the fake istioctl (src/sandbox/istioctl/). Expected bytes come from the corpus of real istioctl
// output in test/fixtures/istioctl/ and from errors/ERROR_STRINGS.md, never from the fake's own output.

import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { execa } from 'execa';
import { renderTable } from '../../src/sandbox/istioctl/tabwriter.ts';
import { writeYaml } from '../../src/sandbox/istioctl/writers.ts';
import { xdsGoldenMesh } from '../../src/sandbox/istioctl/mesh.ts';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const FAKE = join(here, '..', '..', 'src', 'sandbox', 'istioctl', 'istioctl');
const CORPUS = join(root, 'test', 'fixtures', 'istioctl');
const PS = join(CORPUS, 'proxy-status');
const NODE_BIN = join(root, 'node_modules', '.bin');

function fixture(rel: string): string {
  return readFileSync(join(CORPUS, rel), 'utf8');
}

/** Real istioctl output ends with a newline; a few goldens were stored without it (INDEX.md). */
function asPrinted(golden: string): string {
  return golden.endsWith('\n') ? golden : golden + '\n';
}

interface RunOptions {
  version?: string;
  scenario?: string;
  env?: Record<string, string>;
}

function istioctl(args: string[], opts: RunOptions = {}) {
  const env: Record<string, string> = {
    PATH: `${NODE_BIN}:${process.env['PATH'] ?? ''}`,
    ...(opts.version ? { FAKE_ISTIOCTL_VERSION: opts.version } : {}),
    ...(opts.scenario ? { FAKE_ISTIOCTL_SCENARIO: opts.scenario } : {}),
    ...opts.env,
  };
  return execa(FAKE, args, { reject: false, env, extendEnv: false, stripFinalNewline: false });
}

/** The cells of a tabwriter table, recovered from its text: cells never hold two spaces in a row. */
function rowsOf(table: string): string[][] {
  return table
    .replace(/\n$/, '')
    .split('\n')
    .map((line) => line.split(/ {2,}/));
}

const ISTIO_LOG_LINE = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z\t(debug|info|warn|error)\t[a-z]+\t.+$/;

describe('tabwriter port', () => {
  const tables = [
    'proxy-status/v1.20-1.21_default-ps_syncz/multiStatusMultiPilot.txt',
    'proxy-status/v1.20-1.21_default-ps_syncz/multiStatusSinglePilot.txt',
    'proxy-status/v1.20-1.21_default-ps_syncz/singleStatus.txt',
    'proxy-status/v1.20-1.21_default-ps_syncz/singleStatusFallback.txt',
    'proxy-status/v1.20-1.21_x-ps_xds/multiXdsStatusMultiPilot.txt',
    'proxy-status/v1.20-1.21_x-ps_xds/multiXdsStatusSinglePilot.txt',
    'proxy-status/v1.22-1.26/multiXdsStatusMultiPilot.txt',
    'proxy-status/v1.22-1.26/multiXdsStatusSinglePilot.txt',
    'proxy-status/v1.27-1.29/multiXdsStatusMultiPilot.txt',
    'proxy-status/v1.27-1.29/multiXdsStatusMultiPilot_verbose.txt',
    'proxy-status/v1.27-1.29/multiXdsStatusSinglePilot.txt',
    'proxy-status/empty-and-errors/v1.27.1+_no-proxies_stdout.txt',
    // byte-exact golden with padding before an empty last column
    'proxy-config/ecds/v1.26+_output.txt',
  ];
  for (const rel of tables) {
    test(`regenerates ${rel} byte for byte from its cells`, () => {
      const golden = asPrinted(fixture(rel));
      assert.equal(renderTable(rowsOf(golden)), golden);
    });
  }
});

describe('proxy-status tables per version family', () => {
  const cases: Array<[string, string, string[], string]> = [
    ['1.20.8', 'multi-pilot', ['proxy-status'], 'v1.20-1.21_default-ps_syncz/multiStatusMultiPilot.txt'],
    ['1.21.6', 'single-pilot', ['ps'], 'v1.20-1.21_default-ps_syncz/multiStatusSinglePilot.txt'],
    ['1.21.6', 'multi-pilot', ['x', 'ps'], 'v1.20-1.21_x-ps_xds/multiXdsStatusMultiPilot.txt'],
    ['1.20.8', 'single-pilot', ['experimental', 'proxy-status'], 'v1.20-1.21_x-ps_xds/multiXdsStatusSinglePilot.txt'],
    ['1.22.8', 'multi-pilot', ['proxy-status'], 'v1.22-1.26/multiXdsStatusMultiPilot.txt'],
    ['1.26.8', 'single-pilot', ['ps'], 'v1.22-1.26/multiXdsStatusSinglePilot.txt'],
    ['1.24.6', 'multi-pilot', ['x', 'ps'], 'v1.22-1.26/multiXdsStatusMultiPilot.txt'],
    ['1.27.9', 'multi-pilot', ['ps'], 'v1.27-1.29/multiXdsStatusMultiPilot.txt'],
    ['1.28.10', 'single-pilot', ['proxy-status'], 'v1.27-1.29/multiXdsStatusSinglePilot.txt'],
    ['1.29.6', 'multi-pilot', ['ps', '-o', 'json'], 'v1.27-1.29/multiXdsStatusMultiPilot.txt'],
    ['1.30.3', 'multi-pilot', ['ps'], 'v1.27-1.29/multiXdsStatusMultiPilot.txt'],
    ['1.30.3', 'single-pilot', ['ps', '-o', 'table'], 'v1.27-1.29/multiXdsStatusSinglePilot.txt'],
  ];
  for (const [version, scenario, args, golden] of cases) {
    test(`${version} ${scenario} \`istioctl ${args.join(' ')}\` prints ${golden}`, async () => {
      const r = await istioctl(args, { version, scenario });
      assert.equal(r.exitCode, 0);
      assert.equal(r.stderr, '');
      assert.equal(r.stdout, asPrinted(readFileSync(join(PS, golden), 'utf8')));
    });
  }

  test('the default scenario and version answer `ps` with the 1.27+ subscribed-types table', async () => {
    const r = await istioctl(['ps']);
    assert.equal(r.exitCode, 0);
    const header = readFileSync(join(PS, 'empty-and-errors/v1.27.1+_no-proxies_stdout.txt'), 'utf8').trimEnd();
    const lines = r.stdout.split('\n');
    assert.deepEqual(rowsOf(lines[0] ?? ''), rowsOf(header));
    assert.ok(lines.slice(1, -1).length > 0);
  });
});

describe('proxy-status --verbosity (1.27+)', () => {
  for (const flag of [['--verbosity', '1'], ['-v', '1'], ['--verbosity=1'], ['-v=1'], ['-v1']]) {
    test(`\`ps ${flag.join(' ')}\` prints the verbose columns with proxy1 as in the verbose golden`, async () => {
      // the verbose golden shows proxy1 of the multi-pilot input alone
      const r2 = await istioctl(['ps', ...flag], { version: '1.28.10', scenario: 'multi-pilot' });
      assert.equal(r2.exitCode, 0);
      const golden = asPrinted(readFileSync(join(PS, 'v1.27-1.29/multiXdsStatusMultiPilot_verbose.txt'), 'utf8'));
      const [header, proxy1] = golden.split('\n');
      const lines = r2.stdout.split('\n');
      // same columns (CDS ECDS EDS LDS RDS) and proxy1's states as in the golden; 4 proxies
      assert.deepEqual(rowsOf(lines[0] ?? ''), rowsOf(header ?? ''));
      assert.deepEqual(rowsOf(lines[1] ?? ''), rowsOf(proxy1 ?? ''));
      assert.equal(lines.length, 6);
    });
  }

  test('the derived multi-pilot verbose rows agree with the 1.22-1.26 golden states of proxy1..4', async () => {
    const r = await istioctl(['ps', '-v', '1'], { version: '1.29.6', scenario: 'multi-pilot' });
    const fixed = rowsOf(asPrinted(readFileSync(join(PS, 'v1.22-1.26/multiXdsStatusMultiPilot.txt'), 'utf8')));
    const verbose = rowsOf(r.stdout);
    const fHead = fixed[0] ?? [];
    const vHead = verbose[0] ?? [];
    assert.deepEqual(vHead, ['NAME', 'CLUSTER', 'CDS', 'ECDS', 'EDS', 'LDS', 'RDS', 'ISTIOD', 'VERSION']);
    for (let i = 1; i < fixed.length; i++) {
      const f = fixed[i] ?? [];
      const v = verbose[i] ?? [];
      for (const col of fHead) assert.equal(v[vHead.indexOf(col)], f[fHead.indexOf(col)], `${f[0]} ${col}`);
    }
  });

  test('a verbosity that is not a number is a flag error (exit 64)', async () => {
    const r = await istioctl(['ps', '-v', 'x'], { version: '1.28.1' });
    assert.equal(r.exitCode, 64);
    assert.match(r.stderr, /^Error: invalid argument "x" for "-v, --verbosity" flag: /);
  });
});

describe('proxy-status -o json|yaml (1.30+)', () => {
  test('-o json prints one DiscoveryResponse per istiod; istiod1 is the JSON golden', async () => {
    const r = await istioctl(['ps', '-o', 'json'], { version: '1.30.3', scenario: 'multi-pilot' });
    assert.equal(r.exitCode, 0);
    const golden = readFileSync(join(PS, 'v1.30+_output-json-yaml/multiXdsStatusSinglePilot.json'), 'utf8');
    assert.ok(r.stdout.startsWith(golden), 'first document is byte-identical to the golden');
    const docs = r.stdout.split(/(?<=^\})\n(?=\{)/m).map((d) => JSON.parse(d) as { resources: Array<{ node: { id: string } }> });
    assert.equal(docs.length, 4);
    assert.deepEqual(
      docs.map((d) => d.resources[0]?.node.id),
      ['proxy1', 'proxy2', 'proxy3', 'proxy4'],
    );
  });

  test('--output=yaml prints the YAML golden for istiod1', async () => {
    const r = await istioctl(['ps', '--output=yaml'], { version: '1.30.3', scenario: 'multi-pilot' });
    assert.equal(r.exitCode, 0);
    const golden = readFileSync(join(PS, 'v1.30+_output-json-yaml/multiXdsStatusSinglePilot.yaml'), 'utf8');
    assert.ok(r.stdout.startsWith(golden));
  });

  test('the namespace-filtered YAML golden regenerates from its input (proxy1 in foo)', () => {
    const mesh = xdsGoldenMesh(true);
    const istiod1 = { istiods: mesh.istiods.slice(0, 1), proxies: mesh.proxies.slice(0, 1).map((p) => ({ ...p, namespace: 'foo' })) };
    const golden = readFileSync(join(PS, 'v1.30+_output-json-yaml/multiXdsStatusSingleNamespace.yaml'), 'utf8');
    assert.equal(writeYaml(istiod1), golden + '\n');
  });

  test('an output format other than table/json/yaml is refused (exit 1)', async () => {
    const r = await istioctl(['ps', '-o', 'wide'], { version: '1.30.0' });
    assert.equal(r.exitCode, 1);
    assert.equal(r.stderr, 'Error: output format "wide" not supported\n');
    assert.equal(r.stdout, '');
  });
});

describe('proxy-status flags that older versions reject', () => {
  for (const version of ['1.20.8', '1.21.6', '1.22.8', '1.26.8']) {
    test(`${version} rejects -o with pflag's shorthand message (exit 64)`, async () => {
      const r = await istioctl(['ps', '-o', 'json'], { version });
      assert.equal(r.exitCode, 64);
      assert.equal(r.stderr, "Error: unknown shorthand flag: 'o' in -o\n");
      assert.equal(r.stdout, '');
    });
    test(`${version} rejects --output and -v (exit 64)`, async () => {
      const long = await istioctl(['proxy-status', '--output', 'json'], { version });
      assert.equal(long.exitCode, 64);
      assert.equal(long.stderr, 'Error: unknown flag: --output\n');
      const v = await istioctl(['ps', '-v', '1'], { version });
      assert.equal(v.exitCode, 64);
      assert.equal(v.stderr, "Error: unknown shorthand flag: 'v' in -v\n");
    });
  }

  test('1.27+ `ps <pod> -f file` is refused: --file lost its -f shorthand', async () => {
    const r = await istioctl(['ps', 'productpage-v1-abc.default', '-f', 'dump.json'], { version: '1.27.9' });
    assert.equal(r.exitCode, 64);
    assert.equal(r.stderr, "Error: unknown shorthand flag: 'f' in -f\n");
  });

  test('an unknown long flag is refused with exit 64', async () => {
    const r = await istioctl(['ps', '--bogus'], { version: '1.28.1' });
    assert.equal(r.exitCode, 64);
    assert.equal(r.stderr, 'Error: unknown flag: --bogus\n');
  });

  test('1.22-1.24 point --xds-via-agents to `istioctl experimental ps`', async () => {
    const r = await istioctl(['ps', '--xds-via-agents'], { version: '1.23.6' });
    assert.equal(r.exitCode, 1);
    assert.equal(r.stderr, 'Error: --xds-via-agents is experimental. Use `istioctl experimental ps --xds-via-agents`\n');
  });

  test('global flags are accepted before and after the subcommand', async () => {
    const plain = await istioctl(['ps'], { version: '1.25.5', scenario: 'multi-pilot' });
    const withGlobals = await istioctl(
      ['--context', 'prod-eu', 'ps', '--kubeconfig', '/tmp/kc', '-i', 'istio-system', '--istioNamespace=istio-system'],
      { version: '1.25.5', scenario: 'multi-pilot' },
    );
    assert.equal(withGlobals.exitCode, 0);
    assert.equal(withGlobals.stdout, plain.stdout);
  });

  test('-n NAMESPACE keeps only the proxies of that namespace', async () => {
    const r = await istioctl(['ps', '-n', 'bookinfo'], { version: '1.28.1', scenario: 'healthy' });
    assert.equal(r.exitCode, 0);
    const rows = rowsOf(r.stdout);
    assert.ok(rows.length > 1);
    for (const row of rows.slice(1)) assert.match(row[0] ?? '', /\.bookinfo$/);
    const all = rowsOf((await istioctl(['ps'], { version: '1.28.1', scenario: 'healthy' })).stdout);
    assert.ok(all.some((row) => /\.istio-system$/.test(row[0] ?? '')));
  });

  test('`x ps` is gone from 1.25 on: cobra names the canonical command path (exit 64)', async () => {
    const r = await istioctl(['x', 'ps'], { version: '1.25.5' });
    assert.equal(r.exitCode, 64);
    assert.ok(r.stderr.startsWith('Error: unknown command "ps" for "istioctl experimental"\n'), r.stderr);
  });

  test('a subcommand flag before the subcommand is still parsed by the subcommand', async () => {
    const r = await istioctl(['-o', 'json', 'ps'], { version: '1.26.8' });
    assert.equal(r.exitCode, 64);
    assert.equal(r.stderr, "Error: unknown shorthand flag: 'o' in -o\n");
  });

  test('an unknown command is refused like cobra does (exit 64)', async () => {
    const r = await istioctl(['frobnicate'], { version: '1.28.1' });
    assert.equal(r.exitCode, 64);
    assert.ok(r.stderr.startsWith('Error: unknown command "frobnicate" for "istioctl"\n'), r.stderr);
  });
});

describe('proxy-status failures', () => {
  test('1.22+ with no istiod: the corpus stderr, exit 1', async () => {
    for (const version of ['1.22.8', '1.27.9', '1.30.3']) {
      const r = await istioctl(['ps'], { version, scenario: 'no-istiod' });
      assert.equal(r.exitCode, 1);
      assert.equal(r.stdout, '');
      assert.equal(r.stderr, fixture('proxy-status/empty-and-errors/v1.22+_no-istiod_stderr.txt'));
    }
  });

  test('1.20-1.21 with no istiod: the syncz path fails with "unable to find any Istiod instances"', async () => {
    const r = await istioctl(['ps'], { version: '1.21.6', scenario: 'no-istiod' });
    assert.equal(r.exitCode, 1);
    assert.equal(r.stderr, 'Error: unable to find any Istiod instances\n');
    const x = await istioctl(['x', 'ps'], { version: '1.21.6', scenario: 'no-istiod' });
    assert.equal(x.exitCode, 1);
    assert.equal(x.stderr, fixture('proxy-status/empty-and-errors/v1.22+_no-istiod_stderr.txt'));
  });

  test('xds-unavailable: istio log lines, then the XDS error as the last stderr line, exit 1', async () => {
    const r = await istioctl(['ps'], { version: '1.28.1', scenario: 'xds-unavailable' });
    assert.equal(r.exitCode, 1);
    assert.equal(r.stdout, '');
    const lines = r.stderr.replace(/\n$/, '').split('\n');
    assert.ok(lines.length >= 3);
    for (const l of lines.slice(0, -1)) assert.match(l, ISTIO_LOG_LINE);
    assert.match(lines.at(-1) ?? '', /^Error: could not get XDS from discovery pod "istiod-[^"]+": rpc error: code = Unavailable desc = /);
  });

  test('port-forward-error: klog lines, then the port-forward error, exit 1', async () => {
    for (const version of ['1.21.6', '1.26.8', '1.30.3']) {
      const r = await istioctl(['ps'], { version, scenario: 'port-forward-error' });
      assert.equal(r.exitCode, 1);
      const lines = r.stderr.replace(/\n$/, '').split('\n');
      for (const l of lines.slice(0, -1)) assert.match(l, /\terror\tklog\tan error occurred forwarding \d+ -> \d+: /);
      assert.match(lines.at(-1) ?? '', /^Error: failure running port forward process: /);
    }
  });
});

describe('proxy-status on an empty mesh', () => {
  test('1.27.0 fails with the corpus error, exit 1', async () => {
    const r = await istioctl(['ps'], { version: '1.27.0', scenario: 'empty-mesh' });
    assert.equal(r.exitCode, 1);
    assert.equal(r.stderr, fixture('proxy-status/empty-and-errors/v1.27.0_no-proxies_stderr.txt'));
  });

  test('1.27.1+ prints the header only', async () => {
    for (const version of ['1.27.1', '1.29.6', '1.30.3']) {
      const r = await istioctl(['ps'], { version, scenario: 'empty-mesh' });
      assert.equal(r.exitCode, 0);
      assert.equal(r.stdout, fixture('proxy-status/empty-and-errors/v1.27.1+_no-proxies_stdout.txt'));
    }
  });

  test('1.30+ -o json prints the empty DiscoveryResponse', async () => {
    const r = await istioctl(['ps', '-o', 'json'], { version: '1.30.3', scenario: 'empty-mesh' });
    assert.equal(r.exitCode, 0);
    assert.equal(r.stdout, fixture('proxy-status/empty-and-errors/v1.30+_output-json_no-proxies_stdout.txt'));
  });

  test('1.20-1.21 `x ps` prints nothing; the syncz `ps` prints its header', async () => {
    const x = await istioctl(['x', 'ps'], { version: '1.20.8', scenario: 'empty-mesh' });
    assert.equal(x.exitCode, 0);
    assert.equal(x.stdout, '');
    const ps = await istioctl(['ps'], { version: '1.21.6', scenario: 'empty-mesh' });
    assert.equal(ps.exitCode, 0);
    const prefix = fixture('proxy-status/empty-and-errors/v1.21-1.26_header-prefix_from-test.txt');
    assert.ok(ps.stdout.startsWith(prefix), ps.stdout);
    assert.equal(ps.stdout.split('\n').length, 2);
  });
});

describe('proxy-status large:N', () => {
  test('prints N proxies deterministically with problems, several istiods and clusters', async () => {
    const a = await istioctl(['ps'], { version: '1.24.6', scenario: 'large:300' });
    const b = await istioctl(['ps'], { version: '1.24.6', scenario: 'large:300' });
    assert.equal(a.exitCode, 0);
    assert.equal(a.stdout, b.stdout);
    const rows = rowsOf(a.stdout);
    assert.deepEqual(rows[0], ['NAME', 'CLUSTER', 'CDS', 'LDS', 'EDS', 'RDS', 'ECDS', 'ISTIOD', 'VERSION']);
    assert.equal(rows.length, 301);
    const cells = rows.slice(1).flatMap((r) => r.slice(2, 7));
    for (const state of ['SYNCED', 'STALE', 'ERROR', 'NOT SENT', 'IGNORED']) assert.ok(cells.includes(state), state);
    assert.ok(new Set(rows.slice(1).map((r) => r[7])).size >= 2);
    assert.ok(new Set(rows.slice(1).map((r) => r[1])).size >= 2);
    assert.equal(renderTable(rows), a.stdout, 'the table is what tabwriter makes of its cells');
  });

  test('1.30 -o json holds the same N proxies across the istiods', async () => {
    const r = await istioctl(['ps', '-o', 'json'], { version: '1.30.3', scenario: 'large:50' });
    assert.equal(r.exitCode, 0);
    const docs = r.stdout.split(/(?<=^\})\n(?=\{)/m).map((d) => JSON.parse(d) as { resources?: unknown[] });
    assert.ok(docs.length >= 2);
    assert.equal(
      docs.reduce((n, d) => n + (d.resources?.length ?? 0), 0),
      50,
    );
  });
});

describe('proxy-status large:N ztunnel rows', () => {
  // Derived, as for the `ambient` scenario (no proxy-status golden of 1.22+ has a ztunnel, corpus INDEX): istiod
  // 1.20-1.22 statusgen lists the five Envoy types for a ztunnel as UNKNOWN; from 1.23 it lists a proxy's watched
  // types only, sorted by URL, and a ztunnel watches istio.security.Authorization (WADS) and istio.workload.Address (WDS).
  const ztunnelRows = (stdout: string) => rowsOf(stdout).filter((row) => row[0]?.startsWith('ztunnel-'));

  test('1.30 -o json: a ztunnel reports WADS and WDS only, never the Envoy types', async () => {
    const r = await istioctl(['ps', '-o', 'json'], { version: '1.30.3', scenario: 'large:50' });
    assert.equal(r.exitCode, 0);
    const docs = r.stdout.split(/(?<=^\})\n(?=\{)/m).map((d) => JSON.parse(d) as { resources?: { node?: { id?: string }; genericXdsConfigs?: { typeUrl: string }[] }[] });
    const ztunnels = docs.flatMap((d) => d.resources ?? []).filter((res) => res.node?.id?.startsWith('ztunnel-'));
    assert.equal(ztunnels.length, 3, 'one ztunnel per cluster');
    for (const ztunnel of ztunnels) {
      assert.deepEqual(ztunnel.genericXdsConfigs?.map((config) => config.typeUrl), ['type.googleapis.com/istio.security.Authorization', 'type.googleapis.com/istio.workload.Address'], ztunnel.node?.id);
    }
  });

  test('1.27+ tables: SUBSCRIBED TYPES `2 (WADS,WDS)`; 1.20-1.26 tables: IGNORED in every Envoy column', async () => {
    for (const version of ['1.27.9', '1.28.10', '1.30.3']) {
      const rows = ztunnelRows((await istioctl(['ps'], { version, scenario: 'large:50' })).stdout);
      assert.equal(rows.length, 3, version);
      for (const row of rows) assert.equal(row[4], '2 (WADS,WDS)', `${version} ${row[0]}`);
    }
    for (const [version, argv] of [['1.21.6', ['ps']], ['1.21.6', ['x', 'ps']], ['1.22.8', ['ps']], ['1.24.6', ['ps']], ['1.26.8', ['ps']]] as const) {
      const rows = ztunnelRows((await istioctl([...argv], { version, scenario: 'large:50' })).stdout);
      assert.equal(rows.length, 3, version);
      for (const row of rows) assert.deepEqual(row.slice(2, 7), ['IGNORED', 'IGNORED', 'IGNORED', 'IGNORED', 'IGNORED'], `${version} ${argv.join(' ')} ${row[0]}`);
    }
  });
});

describe('FAKE_ISTIOCTL_PROXY_STATUS_FILE', () => {
  test('replays the file as stdout instead of the scenario', async () => {
    const file = join(PS, 'v1.20-1.21_x-ps_xds/multiXdsStatusMultiPilot.txt');
    const r = await istioctl(['ps'], { version: '1.28.1', scenario: 'no-istiod', env: { FAKE_ISTIOCTL_PROXY_STATUS_FILE: file } });
    assert.equal(r.exitCode, 0);
    assert.equal(r.stdout, readFileSync(file, 'utf8'));
  });

  test('still applies the version’s flag rules', async () => {
    const file = join(PS, 'v1.22-1.26/multiXdsStatusSinglePilot.txt');
    const r = await istioctl(['ps', '-o', 'json'], { version: '1.22.8', env: { FAKE_ISTIOCTL_PROXY_STATUS_FILE: file } });
    assert.equal(r.exitCode, 64);
  });
});

describe('version', () => {
  test('--remote=false -o json prints the corpus shape with the pretended version', async () => {
    const r = await istioctl(['version', '--remote=false', '-o', 'json'], { version: '1.26.3' });
    assert.equal(r.exitCode, 0);
    const shape = JSON.parse(fixture('version/json_client-only_SHAPE_from-test-regex.json')) as {
      clientVersion: Record<string, string>;
    };
    shape.clientVersion['version'] = '1.26.3';
    shape.clientVersion['tag'] = '1.26.3';
    assert.equal(r.stdout, JSON.stringify(shape, null, 2) + '\n');
  });

  test('--remote=false -o yaml prints the corpus shape with the pretended version', async () => {
    const r = await istioctl(['version', '--remote=false', '-o', 'yaml'], { version: '1.28.1' });
    assert.equal(r.exitCode, 0);
    const expected = fixture('version/yaml_client-only_SHAPE_from-test-regex.yaml')
      .replace('  tag: unknown\n', '  tag: 1.28.1\n')
      .replace('  version: unknown\n', '  version: 1.28.1\n');
    assert.equal(r.stdout, expected);
  });

  test('--short: 1.20-1.22 print the bare version, 1.23+ prefix it with "client version:"', async () => {
    const old = await istioctl(['version', '--short', '--remote=false'], { version: '1.22.8' });
    assert.equal(old.stdout, fixture('version/v1.20-1.22_short_no-control-plane_stdout.txt').replace('unknown', '1.22.8'));
    const cur = await istioctl(['version', '-s', '--remote=false'], { version: '1.23.6' });
    assert.equal(cur.stdout, fixture('version/v1.23+_short_no-control-plane_stdout.txt').replace('unknown', '1.23.6'));
  });

  test('a bad -o value is refused with exit 1', async () => {
    const r = await istioctl(['version', '-o', 'xyz'], { version: '1.28.1' });
    assert.equal(r.exitCode, 1);
    assert.equal(r.stderr, fixture('version/bad-output-flag_stderr.txt'));
  });

  test('-s with a reachable control plane adds the coalesced control plane line', async () => {
    const r = await istioctl(['version', '-s'], { version: '1.28.1', scenario: 'multi-pilot' });
    assert.equal(r.exitCode, 0);
    const shape = fixture('version/short_remote_coalesced_stdout.txt').split('\n');
    assert.equal(r.stdout, `${shape[0]?.replace('unknown', '1.28.1')}\n${shape[1]?.replace('1.2.0', '1.1')}\n`);
  });
});

describe('invocation log and slow mode', () => {
  test('FAKE_ISTIOCTL_LOG gets one JSON line per process', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fake-istioctl-'));
    const log = join(dir, 'calls.jsonl');
    const env = { FAKE_ISTIOCTL_LOG: log };
    const a = istioctl(['ps', '-n', 'bookinfo'], { env });
    await a;
    const b = istioctl(['version', '--remote=false', '-o', 'json'], { env });
    await b;
    const lines = readFileSync(log, 'utf8').trimEnd().split('\n');
    assert.equal(lines.length, 2);
    const entries = lines.map((l) => JSON.parse(l) as { argv: string[]; pid: number; startedAt: string });
    assert.deepEqual(entries[0]?.argv, ['ps', '-n', 'bookinfo']);
    assert.deepEqual(entries[1]?.argv, ['version', '--remote=false', '-o', 'json']);
    assert.equal(entries[0]?.pid, a.pid);
    assert.equal(entries[1]?.pid, b.pid);
    for (const e of entries) assert.ok(!Number.isNaN(Date.parse(e.startedAt)));
  });

  test('FAKE_ISTIOCTL_DELAY_MS still answers after the delay', async () => {
    const r = await istioctl(['ps'], { version: '1.28.1', scenario: 'single-pilot', env: { FAKE_ISTIOCTL_DELAY_MS: '20' } });
    assert.equal(r.exitCode, 0);
    assert.equal(r.stdout, fixture('proxy-status/v1.27-1.29/multiXdsStatusSinglePilot.txt'));
  });

  for (const signal of ['SIGKILL', 'SIGTERM'] as const) {
    test(`a slow fake dies on ${signal}`, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'fake-istioctl-'));
      const log = join(dir, 'calls.jsonl');
      const sub = istioctl(['ps'], { env: { FAKE_ISTIOCTL_DELAY_MS: '600000', FAKE_ISTIOCTL_LOG: log } });
      // wait until the process is running (it logs before sleeping)
      while (!existsSync(log) || readFileSync(log, 'utf8') === '') await sleep(10);
      sub.kill(signal);
      const r = await sub;
      assert.equal(r.isTerminated, true);
      assert.equal(r.signal, signal);
      assert.equal(r.stdout, '');
    });
  }
});

describe('fake configuration errors', () => {
  test('an unknown scenario exits 2 with a fake-istioctl message', async () => {
    const r = await istioctl(['ps'], { scenario: 'nope' });
    assert.equal(r.exitCode, 2);
    assert.match(r.stderr, /^fake-istioctl: unknown FAKE_ISTIOCTL_SCENARIO "nope"/);
  });

  test('commands the fake does not model exit 2 instead of pretending', async () => {
    const r = await istioctl(['proxy-config', 'ecds', 'web-1.shop']);
    assert.equal(r.exitCode, 2);
    assert.match(r.stderr, /^fake-istioctl: not implemented: proxy-config ecds/);
  });
});
