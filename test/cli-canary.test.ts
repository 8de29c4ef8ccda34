import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startFakeKubeApi, type FakeKubeApi } from '../src/sandbox/kube-api.ts';
import { reviewsWeights, seedReviews } from './support/bookinfo.ts';
import { cli } from './support/cli.ts';

describe('terminal mode never changes the cluster', () => {
  let api: FakeKubeApi;
  before(async () => {
    api = await startFakeKubeApi();
    seedReviews(api);
    const dir = await mkdtemp(join(tmpdir(), 'mesh-bot-cli-canary-'));
    await writeFile(join(dir, 'config'), api.kubeConfigYaml());
    process.env['KUBECONFIG'] = join(dir, 'config');
  });
  after(() => api.close());

  it('prints the promotion plan as DESIGN.md JSON (routes with the proposed weights) and writes nothing', async () => {
    const run = await cli(['canary', 'promote', 'reviews', '--weight', '50', '-n', 'bookinfo', '-o', 'json'], { version: '1.24.2', scenario: 'healthy' }, { POD_NAMESPACE: 'mesh-bot' });
    assert.equal(run.code, 0, run.stderr);
    const json = JSON.parse(run.stdout) as { command: string; routes: { name: string; destinations: { host: string; subset: string; weight: number }[] }[]; planOnly: boolean };
    assert.equal(json.command, 'canary promote');
    assert.equal(json.planOnly, true);
    assert.deepEqual(json.routes, [
      {
        name: 'reviews-route',
        destinations: [
          { host: 'reviews', subset: 'v1', weight: 50 },
          { host: 'reviews', subset: 'v2', weight: 50 },
        ],
      },
    ]);
    assert.deepEqual(reviewsWeights(api), [90, 10]);
    const writes = api.requests.filter((request) => request.method !== 'GET' && request.query['dryRun'] === undefined);
    assert.deepEqual(writes, [], 'only reads and the server-side dry run');
  });

  it('prints the current routes for canary status', async () => {
    const run = await cli(['canary', 'status', 'reviews', '-n', 'bookinfo', '-o', 'json'], { version: '1.24.2', scenario: 'healthy' }, { POD_NAMESPACE: 'mesh-bot' });
    const json = JSON.parse(run.stdout) as { routes: { destinations: { subset: string; weight: number }[] }[]; stableSubset: string | null };
    assert.deepEqual(json.routes[0]?.destinations.map((destination) => [destination.subset, destination.weight]), [['v1', 90], ['v2', 10]]);
    assert.equal(json.stableSubset, null, 'no stable/canary record before mesh-bot changed the weights');
  });

  it('counts the running pods of each subset in agreement in the text of canary status', async () => {
    const run = await cli(['canary', 'status', 'reviews', '-n', 'bookinfo'], { version: '1.24.2', scenario: 'healthy' }, { POD_NAMESPACE: 'mesh-bot' });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^Subsets: v1 \(1 running pod\), v2 \(1 running pod\), v3 \(no running pods\)$/m);
  });

  it('prints the rollback plan to the stable subset named by --to and changes nothing', async () => {
    const run = await cli(['canary', 'rollback', 'reviews', '-n', 'bookinfo', '--to', 'v1'], { version: '1.24.2', scenario: 'healthy' }, { POD_NAMESPACE: 'mesh-bot' });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /Rollback plan for default\/bookinfo\/reviews \(nothing was changed; run it in Slack\):\n  reviews-route: v1 100% \/ v2 0%/);
    assert.deepEqual(reviewsWeights(api), [90, 10]);
  });

  it('refuses a rollback plan without --to when no stable subset is on record, saying which flag to give', async () => {
    const run = await cli(['canary', 'rollback', 'reviews', '-n', 'bookinfo'], { version: '1.24.2', scenario: 'healthy' }, { POD_NAMESPACE: 'mesh-bot' });
    assert.notEqual(run.code, 0);
    assert.match(`${run.stdout}${run.stderr}`, /no record of which subset of bookinfo\/reviews is stable .*--to v1/);
  });

  it('accepts --weight 50%', async () => {
    const run = await cli(['canary', 'promote', 'reviews', '--weight', '50%', '-n', 'bookinfo'], { version: '1.24.2', scenario: 'healthy' }, { POD_NAMESPACE: 'mesh-bot' });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /reviews-route: v1 50% \/ v2 50%/);
    const over = await cli(['canary', 'promote', 'reviews', '--weight', '150%', '-n', 'bookinfo'], { version: '1.24.2', scenario: 'healthy' }, { POD_NAMESPACE: 'mesh-bot' });
    assert.notEqual(over.code, 0);
    assert.match(over.stderr, /--weight takes a whole percentage from 0 to 100 \(like 50 or 50%\), got "150%"/);
  });

  it('says a promotion to the weight already there is nothing to do, without an error or a failing exit code', async () => {
    const run = await cli(['canary', 'promote', 'reviews', '--weight', '10', '-n', 'bookinfo'], { version: '1.24.2', scenario: 'healthy' }, { POD_NAMESPACE: 'mesh-bot' });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^Nothing to do: reviews already sends 10% to v2; nothing to change/);
    assert.doesNotMatch(`${run.stdout}${run.stderr}`, /Refused|Error/);
  });
});
