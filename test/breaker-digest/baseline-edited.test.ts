// README Digests: the baseline is a ConfigMap in mesh-bot's namespace, and "the **first** digest of a channel
// compares with nothing: it shows totals and says 'first digest'". A baseline a human edited into something the bot
// cannot trust is refused — but the digest after it is no first digest: it must say that the previous facts could
// not be read, not "first digest", and the one after that compares again. One part edited out of shape costs only
// that part its comparison.

import assert from 'node:assert/strict';
import { it } from 'node:test';
import { renderDigestSlack, renderDigestText } from '../../commands/digest.render.ts';
import { baselineRecordName } from '../../src/mesh/digest/baseline.ts';
import { gatherDigest, type DigestTarget } from '../../src/mesh/digest/gather.ts';
import { BOT_NAMESPACE, DEFAULT_CLUSTER, digestDeps, meshPerTest } from '../mesh/digest/harness.ts';

const CLUSTER = DEFAULT_CLUSTER;
const TARGET: DigestTarget = { channel: 'C0OPS', cluster: CLUSTER, timezone: 'Europe/Berlin', schedule: '0 9 * * 1-5' };
const MONDAY = new Date('2025-06-02T07:00:00Z');
const TUESDAY = new Date('2025-06-03T07:00:00Z');
const WEDNESDAY = new Date('2025-06-04T07:00:00Z');

const mesh = meshPerTest();

function editBaseline(edit: (value: Record<string, unknown>) => unknown): void {
  const name = baselineRecordName(CLUSTER.name, TARGET.channel, undefined);
  const [stored] = mesh().list('v1', 'ConfigMap', BOT_NAMESPACE, { labelSelector: 'mesh-bot/kind=digest-baseline' });
  assert.ok(stored, 'the first digest stored a baseline');
  const data = (stored as { data?: Record<string, string> }).data ?? {};
  const text = data['value.json'];
  assert.ok(text !== undefined, 'the baseline is readable JSON');
  const edited = edit(JSON.parse(text) as Record<string, unknown>);
  mesh().put({ ...stored, metadata: { ...(stored as { metadata: object }).metadata, name }, data: { 'value.json': typeof edited === 'string' ? edited : JSON.stringify(edited) } });
}

it('after JSON broken by a hand edit, the digest says the previous facts could not be read — not "first digest" — and the next one compares again', async () => {
  await (await gatherDigest(await digestDeps(mesh(), { version: '1.24.2' }, MONDAY), TARGET, MONDAY)).commit();
  editBaseline(() => '{"version": 1, "at": ');

  const tuesday = await gatherDigest(await digestDeps(mesh(), { version: '1.24.2' }, TUESDAY), TARGET, TUESDAY);
  const text = renderDigestText(tuesday.digest);
  const slack = JSON.stringify(renderDigestSlack(tuesday.digest).blocks);
  assert.match(text, /previous digest's facts could not be read/);
  for (const rendered of [text, slack]) assert.doesNotMatch(rendered, /first digest/i, 'an unreadable baseline is no first digest');
  assert.match(text, /not compared with the last digest/i);
  assert.ok((await tuesday.commit()).ok, 'unusable content is replaced');

  const wednesday = await gatherDigest(await digestDeps(mesh(), { version: '1.24.2' }, WEDNESDAY), TARGET, WEDNESDAY);
  assert.match(renderDigestText(wednesday.digest), /compared with the digest of Tue 3 Jun 2025, 09:00 Europe\/Berlin/);
});

it('after one count edited to a word, only that part is not compared: the rest of the baseline still is', async () => {
  await (await gatherDigest(await digestDeps(mesh(), { version: '1.24.2' }, MONDAY), TARGET, MONDAY)).commit();
  editBaseline((value) => ({ ...value, proxies: { ...(value['proxies'] as object), total: 'six' } }));

  const tuesday = await gatherDigest(await digestDeps(mesh(), { version: '1.24.2' }, TUESDAY), TARGET, TUESDAY);
  const text = renderDigestText(tuesday.digest);
  assert.match(text, /compared with the digest of Mon 2 Jun 2025, 09:00 Europe\/Berlin/);
  assert.match(text, /Part of the previous digest's facts could not be read \(proxy counts: .*\), so it is not compared this time/);
  assert.match(text, /Analyze: 7 findings .*none new or resolved since the last digest/);
  assert.match(text, /0 restarts since the last digest/);
  assert.doesNotMatch(text, /first digest/i);
});
