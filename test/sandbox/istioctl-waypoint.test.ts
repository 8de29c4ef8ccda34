// The fake istioctl's `waypoint` per version: expected bytes are the corpus goldens (ambient/waypoint), never the
// fake's own output.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { dispatch } from '../../src/sandbox/istioctl/command.ts';
import { rootCommand } from '../../src/sandbox/istioctl/commands.ts';
import { parseScenario } from '../../src/sandbox/istioctl/scenarios.ts';
import { renderTable } from '../../src/sandbox/istioctl/tabwriter.ts';
import { parseClientVersion } from '../../src/sandbox/istioctl/version.ts';

const golden = (path: string): string => readFileSync(new URL(`../fixtures/istioctl/ambient/waypoint/${path}`, import.meta.url), 'utf8');

function run(version: string, argv: string[], scenario = 'healthy') {
  return dispatch(rootCommand, argv, { version: parseClientVersion(version), scenario: parseScenario(scenario), env: {} });
}

/** The goldens' cells, split the way a reader would (two or more spaces), re-rendered with the fake's tabwriter. */
function cellsOf(text: string): string[][] {
  return text.replace(/\n$/, '').split('\n').map((line) => line.replace(/\s+$/, '').split(/ {2,}/));
}

const FAMILIES = [
  { versions: ['1.20.8', '1.21.6'], prefix: ['x', 'waypoint'], file: 'v1.20-1.21' },
  { versions: ['1.22.8'], prefix: ['x', 'waypoint'], file: 'v1.22-1.26' },
  { versions: ['1.23.6', '1.24.6', '1.25.5', '1.26.8'], prefix: ['waypoint'], file: 'v1.22-1.26' },
  { versions: ['1.27.9', '1.28.10', '1.29.6', '1.30.3'], prefix: ['waypoint'], file: 'v1.27+' },
];

describe('fake istioctl waypoint list, every corpus version', () => {
  for (const family of FAMILIES) {
    for (const version of family.versions) {
      it(`${version}: \`${family.prefix.join(' ')} list -A\` prints the combined-gateway golden byte for byte, exit 0`, async () => {
        const out = await run(version, [...family.prefix, 'list', '-A']);
        assert.equal(out.exitCode, 0, out.stderr);
        assert.equal(out.stdout, golden(`list/${family.file}_combined-gateway.txt`));
      });
    }
  }

  it('the writer renders the all-gateway and default-gateway goldens from their cells (padding 5)', () => {
    for (const family of ['v1.20-1.21', 'v1.22-1.26', 'v1.27+']) {
      for (const name of ['all-gateway', 'default-gateway']) {
        const text = golden(`list/${family}_${name}.txt`);
        // A blank SERVICE ACCOUNT cell (1.20-1.21) cannot be split on spaces: those rows are checked through the executable above.
        if (family === 'v1.20-1.21') continue;
        assert.equal(renderTable(cellsOf(text)), text, `${family}_${name}`);
      }
    }
  });

  it('`-n NS` prints that namespace without the NAMESPACE column; a namespace without Gateways: "No waypoints found."', async () => {
    const out = await run('1.28.1', ['waypoint', 'list', '-n', 'bookinfo']);
    assert.match(out.stdout as string, /^NAME +REVISION +TRAFFIC TYPE +PROGRAMMED\nbookinfo-rev +rev1 +none +True\n/);
    assert.equal((await run('1.28.1', ['waypoint', 'list', '-n', 'shop'])).stdout, golden('list/all-versions_no-gateway.txt'));
    assert.equal((await run('1.24.6', ['waypoint', 'list', '-A'], 'empty-mesh')).stdout, golden('list/all-versions_no-gateway.txt'));
  });

  it('`waypoint` is only under `x` before 1.23, and only top level from 1.23', async () => {
    assert.equal((await run('1.22.8', ['waypoint', 'list'])).exitCode, 64);
    assert.equal((await run('1.23.6', ['x', 'waypoint', 'list'])).exitCode, 64);
  });
});

describe('fake istioctl waypoint status before 1.29 (no --wait yet)', () => {
  // istioctl/pkg/waypoint/waypoint.go: `status` has no flags of its own in 1.23-1.26, only --waypoint-timeout in
  // 1.27-1.28; --wait and -A arrived in 1.29. pflag refuses the rest through the root FlagErrorFunc (exit 64,
  // errors/ERROR_STRINGS.md), before anything is read.
  for (const version of ['1.23.6', '1.24.6', '1.25.5', '1.26.8', '1.27.9', '1.28.10']) {
    it(`${version}: \`waypoint status --wait=false\` is an unknown flag, exit 64, nothing on stdout`, async () => {
      const out = await run(version, ['waypoint', 'status', '--wait=false', '-n', 'bookinfo']);
      assert.deepEqual([out.exitCode, out.stdout, out.stderr], [64, '', 'Error: unknown flag: --wait\n']);
      const all = await run(version, ['waypoint', 'status', '-A']);
      assert.deepEqual([all.exitCode, all.stderr], [64, "Error: unknown shorthand flag: 'A' in -A\n"]);
    });
  }

  it('1.27-1.28 accept --waypoint-timeout, 1.23-1.26 do not', async () => {
    assert.equal((await run('1.26.8', ['waypoint', 'status', '--waypoint-timeout', '1s'])).stderr, 'Error: unknown flag: --waypoint-timeout\n');
    assert.notEqual((await run('1.27.9', ['waypoint', 'status', '--waypoint-timeout', '1s'])).exitCode, 64);
  });

  it('the executable answers the same from outside: stderr and exit code 64, as the bot would see it', async () => {
    const here = dirname(fileURLToPath(import.meta.url));
    const fake = join(here, '..', '..', 'src', 'sandbox', 'istioctl', 'istioctl');
    const nodeBin = join(here, '..', '..', 'node_modules', '.bin');
    const out = await execa(fake, ['waypoint', 'status', '--wait=false', '-A'], { reject: false, env: { PATH: `${nodeBin}:${process.env['PATH'] ?? ''}`, FAKE_ISTIOCTL_VERSION: '1.28.10' }, extendEnv: false, stripFinalNewline: false });
    assert.deepEqual([out.exitCode, out.stdout, out.stderr], [64, '', 'Error: unknown flag: --wait\n']);
  });
});

describe('fake istioctl waypoint status (1.29+ goldens)', () => {
  it('renders the status goldens from their cells, trailing padding kept', () => {
    for (const name of ['waypoint-status-ready', 'waypoint-status-notready', 'waypoint-status-all']) {
      const text = golden(`status/v1.29+_${name}.txt`);
      const rows = text.replace(/\n$/, '').split('\n').map((line) => line.split(/ {2,}/).map((cell) => cell.trim()));
      // Blank REASON and MESSAGE: each row is the header's width.
      const width = rows[0]?.length ?? 0;
      assert.equal(renderTable(rows.map((row) => [...row, ...Array<string>(width - row.length).fill('')].slice(0, width))), text, name);
    }
  });

  it('--wait=false -A lists every waypoint with its Programmed status', async () => {
    const out = await run('1.30.3', ['waypoint', 'status', '--wait=false', '-A']);
    assert.equal(out.exitCode, 0, out.stderr);
    assert.match(out.stdout as string, /^NAMESPACE +NAME +STATUS +TYPE +REASON +MESSAGE\n/);
    assert.match(out.stdout as string, /\ndefault +waypoint +False +Programmed {16}\n/);
  });

  it('waiting on a waypoint that is not programmed fails like the notready-wait golden (stderr, exit 1, no header)', async () => {
    const out = await run('1.29.6', ['waypoint', 'status', '-n', 'default']);
    assert.equal(out.exitCode, 1);
    assert.equal(out.stdout, '');
    // The golden merges the test's empty usage line; real istioctl writes only the Error line.
    assert.equal(out.stderr, golden('status/v1.29+_waypoint-notready-wait.txt').replace(/\n\n$/, '\n').replace('default/waypoint', 'default/bookinfo'));
  });
});
