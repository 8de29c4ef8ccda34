import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

/**
 * `mesh-bot … -o json` as a script runs it: the real bin with the project's Node, nothing in process. DESIGN.md §5
 * promises one JSON object on stdout for every command; a script piping it to jq must never parse an empty stdout,
 * whatever went wrong, and the exit code keeps saying what kind of failure it was.
 */
const bin = fileURLToPath(new URL('../../bin/mesh-bot.js', import.meta.url));

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

let home = '';
let kubeconfig = '';

before(async () => {
  home = await mkdtemp(join(tmpdir(), 'mesh-bot-breaker-cli-'));
  kubeconfig = join(home, 'kubeconfig');
  // Never contacted: every case below stops before anything is read.
  await writeFile(kubeconfig, 'apiVersion: v1\nkind: Config\nclusters: [{name: t, cluster: {server: "https://127.0.0.1:9"}}]\nusers: [{name: t, user: {token: x}}]\ncontexts: [{name: t, context: {cluster: t, user: t}}]\ncurrent-context: t\n');
});

function meshBot(argv: readonly string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...argv], { env: { PATH: process.env['PATH'] ?? '', HOME: home, KUBECONFIG: kubeconfig, ISTIOCTL: '/bin/false', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

interface Envelope {
  command: string;
  cluster: string;
  asOf: string;
  errors: string[];
  usage?: string;
}

/** stdout is exactly one JSON object with the §5 envelope; its one error is the sentence stderr starts with. */
function envelopeOf(run: Run): Envelope {
  assert.notEqual(run.stdout, '', `stdout is empty; stderr: ${run.stderr}`);
  const json = JSON.parse(run.stdout) as Envelope;
  assert.equal(typeof json.command, 'string');
  assert.equal(typeof json.cluster, 'string');
  assert.ok(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/.test(json.asOf), `asOf is ISO 8601: ${json.asOf}`);
  assert.ok(Array.isArray(json.errors) && json.errors.length === 1 && typeof json.errors[0] === 'string', JSON.stringify(json.errors));
  assert.equal(run.stderr.startsWith(`mesh-bot: ${json.errors[0]}`), true, `stderr says the same first: ${run.stderr}`);
  return json;
}

describe('-o json on usage errors: one JSON object, exit 2, the usage line on stderr and in the object', () => {
  it('an invalid namespace (status -n NOPE -o json)', async () => {
    const run = await meshBot(['status', '-n', 'NOPE', '-o', 'json']);
    assert.equal(run.code, 2);
    const json = envelopeOf(run);
    assert.deepEqual([json.command, json.cluster], ['status', '']);
    assert.equal(json.errors[0], '"NOPE" is not a valid namespace name (lower-case letters, digits and "-").');
    assert.equal(json.usage, 'mesh-bot status [-n NAMESPACE] [--cluster NAME] [-o text|json]');
    assert.match(run.stderr, /\nUsage: mesh-bot status \[-n NAMESPACE\] \[--cluster NAME\] \[-o text\|json\]\n$/);
  });

  it('a canary promotion with two weights (--output=json)', async () => {
    const run = await meshBot(['canary', 'promote', 'reviews', '--weight', '10', '--weight', '90', '--output=json']);
    assert.equal(run.code, 2);
    assert.equal(envelopeOf(run).errors[0], '--weight is given twice ("10" and "90"); give it once.');
  });

  it('an unknown command (-ojson): command is empty, the guess is kept', async () => {
    const run = await meshBot(['stauts', '-ojson']);
    assert.equal(run.code, 2);
    const json = envelopeOf(run);
    assert.equal(json.command, '');
    assert.equal(json.errors[0], 'unknown command "stauts". Did you mean `mesh-bot status`? Run `mesh-bot help` for the list of commands.');
  });

  it('an unknown cluster names the cluster asked for', async () => {
    const run = await meshBot(['analyze', '-A', '--cluster', 'mars', '-o=json']);
    assert.equal(run.code, 2);
    const json = envelopeOf(run);
    assert.deepEqual([json.command, json.cluster, json.errors[0]], ['analyze', 'mars', 'unknown cluster "mars"; configured: default.']);
  });
});

describe('-o json on configuration errors: one JSON object, exit 2', () => {
  it('no kubeconfig at all', async () => {
    const run = await meshBot(['waypoint', '-A', '--output', 'json'], { KUBECONFIG: '' });
    assert.equal(run.code, 2);
    const json = envelopeOf(run);
    assert.deepEqual([json.command, json.cluster], ['waypoint', 'default']);
    assert.match(json.errors[0] ?? '', /^there is no kubeconfig: KUBECONFIG is not set and .* does not exist\. Set KUBECONFIG/);
  });

  it('a kubeconfig that is not YAML', async () => {
    const broken = join(home, 'broken');
    await writeFile(broken, 'clusters: [unclosed\n');
    const run = await meshBot(['canary', 'status', 'reviews', '-o', 'json'], { KUBECONFIG: broken });
    assert.equal(run.code, 2);
    const json = envelopeOf(run);
    assert.deepEqual([json.command, json.cluster], ['canary status', 'default']);
    assert.match(json.errors[0] ?? '', /^No usable kubeconfig for cluster default: /);
  });
});

describe('text mode keeps stdout empty on the same errors', () => {
  it('status -n NOPE and no kubeconfig print nothing on stdout', async () => {
    for (const run of [await meshBot(['status', '-n', 'NOPE']), await meshBot(['status'], { KUBECONFIG: '' })]) {
      assert.equal(run.code, 2);
      assert.equal(run.stdout, '');
      assert.match(run.stderr, /^mesh-bot: /);
    }
  });
});

describe('-o json when nothing could be read: the fields of the command are there, null, and the exit code is 1', () => {
  // istioctl fails at every run (an ISTIOCTL that cannot run at all is a configuration error, exit 2:
  // test/contract-audit/env-istioctl.test.ts) and the Kubernetes API refuses connections.
  for (const [argv, fields] of [
    [['pc', 'secret', 'productpage-v1.bookinfo'], ['certificates']],
    [['pc', 'all', 'productpage-v1.bookinfo'], ['all', 'certificates']],
    [['zc', 'certificates'], ['certificates', 'earliestNotAfter']],
    [['zc', 'workloads'], ['workloads', 'notCaptured']],
    [['canary', 'status', 'reviews', '-n', 'bookinfo'], ['kind', 'routes']],
  ] as const) {
    it(`mesh-bot ${argv.join(' ')} -o json: ${fields.join(', ')} null`, async () => {
      const run = await meshBot([...argv, '-o', 'json']);
      assert.equal(run.code, 1, run.stderr);
      const json = JSON.parse(run.stdout) as Record<string, unknown> & { errors: string[] };
      assert.ok(json.errors.length > 0);
      for (const field of fields) assert.equal(json[field], null, `${field} in ${run.stdout}`);
    });
  }
});

describe('-o json for --version and COMMAND --help: one JSON object too, exit 0', () => {
  it('mesh-bot --version -o json', async () => {
    const run = await meshBot(['--version', '-o', 'json']);
    assert.equal(run.code, 0, run.stderr);
    const json = JSON.parse(run.stdout) as { command: string; errors: string[]; version: string };
    assert.deepEqual([json.command, json.errors], ['version', []]);
    assert.match(json.version, /^\d+\.\d+\.\d+/);
    assert.match((await meshBot(['--version'])).stdout, /^mesh-bot \d+\.\d+\.\d+\n$/, 'text stays as it was');
  });

  it('mesh-bot pc --help -o json', async () => {
    const run = await meshBot(['pc', '--help', '-o', 'json']);
    assert.equal(run.code, 0, run.stderr);
    const json = JSON.parse(run.stdout) as { command: string; errors: string[]; usage: string };
    assert.deepEqual([json.command, json.errors, json.usage], ['proxy-config', [], 'mesh-bot proxy-config TYPE POD[.NAMESPACE] [-n NAMESPACE] [--cluster NAME] [-o text|json]']);
  });
});

describe('-o given twice', () => {
  it('-o json -o text is refused (exit 2) rather than quietly printing text to a script that asked for JSON', async () => {
    const run = await meshBot(['status', '-o', 'json', '-o', 'text']);
    assert.equal(run.code, 2);
    assert.equal(run.stdout, '');
    assert.equal(run.stderr.split('\n')[0], 'mesh-bot: -o is given twice (json and text); give it once.');
  });
});

describe('mesh-bot help COMMAND', () => {
  it('is the usage of that command, as COMMAND --help', async () => {
    const run = await meshBot(['help', 'zc']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^Usage: mesh-bot ztunnel-config TYPE \[POD\[\.NAMESPACE\] \| --node NODE\] \[-n NAMESPACE\] \[--cluster NAME\] \[-o text\|json\]\n/);
  });
});
