// The planted-secret corpus (test/fixtures/planted-secrets: the corpus's real waypoint dump with 56 credentials
// in listeners, routes, clusters, bootstrap and secrets) through the summary of EVERY `/mesh pc TYPE`, not only
// `all`: README "Summaries never contain key material"; nothing of it may reach Slack or the log.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import nock from 'nock';
import { nockKubeConfig } from '../support/kube-nock.ts';
import { startBot, type Bot } from '../support/bot.ts';

before(() => nock.enableNetConnect(/127\.0\.0\.1/));
after(() => nock.restore());

const DUMP = fileURLToPath(new URL('../fixtures/planted-secrets/config_dump.json', import.meta.url));
const PLANTED = JSON.parse(readFileSync(new URL('../fixtures/planted-secrets/planted.json', import.meta.url), 'utf8')) as { place: string; secret: string }[];

describe('every pc TYPE of the planted-secret dump, through Slack with LOG_LEVEL=debug', () => {
  let bot: Bot | undefined;
  before(async () => {
    bot = await startBot({ istioctl: { version: '1.28.1', configDumpFile: DUMP }, kubeConfig: nockKubeConfig, env: { LOG_LEVEL: 'debug' } });
  });
  after(() => bot?.close());

  for (const type of ['clusters', 'listeners', 'routes', 'endpoints', 'bootstrap', 'log']) {
    it(`pc ${type}: no planted credential in the answer or the log`, async () => {
      bot!.slack.reset();
      await bot!.slash(`pc ${type} waypoint-abc.default`);
      const answer = await bot!.answer('C0OPS');
      const everything = [JSON.stringify(answer), JSON.stringify(bot!.slack.calls), JSON.stringify(bot!.slack.responses), JSON.stringify(bot!.logLines)].join('\n');
      assert.deepEqual(PLANTED.filter(({ secret }) => everything.includes(secret)).map(({ place }) => place), []);
    });
  }
});

describe('pc routes whose match carries a credential in a query string (VirtualService `uri: exact: /callback?…`)', () => {
  let bot: Bot | undefined;
  const secret = 'client-secret-in-a-route-match-7f3a9c';
  before(async () => {
    // The upload keeps a path only without its query string (README redaction); the summary must not show more.
    const dump = JSON.parse(readFileSync(DUMP, 'utf8')) as { configs: Record<string, unknown>[] };
    const routes = dump.configs.find((config) => config['@type'] === 'type.googleapis.com/envoy.admin.v3.RoutesConfigDump') as { dynamic_route_configs: { route_config: { virtual_hosts: { routes: unknown[] }[] } }[] };
    const host = routes.dynamic_route_configs[0]?.route_config.virtual_hosts[0];
    assert.ok(host, 'the planted dump has a virtual host');
    host.routes.unshift(
      { match: { path: `/oauth/callback?client_secret=${secret}` }, route: { cluster: 'outbound|8080||auth.default.svc.cluster.local' } },
      { match: { prefix: `/hooks/${secret}?` }, route: { cluster: 'outbound|8080||auth.default.svc.cluster.local' } },
    );
    const file = join(await mkdtemp(join(tmpdir(), 'breaker-route-secret-')), 'config_dump.json');
    await writeFile(file, JSON.stringify(dump));
    bot = await startBot({ istioctl: { version: '1.28.1', configDumpFile: file }, kubeConfig: nockKubeConfig });
  });
  after(() => bot?.close());

  it('shows the path without the query string', async () => {
    await bot!.slash('pc routes waypoint-abc.default');
    const answer = await bot!.answer('C0OPS');
    const shown = JSON.stringify(answer);
    assert.match(shown, /\/oauth\/callback/, 'the route is listed');
    assert.ok(!shown.includes(`client_secret=${secret}`), 'the query string of the match is not shown');
  });
});
