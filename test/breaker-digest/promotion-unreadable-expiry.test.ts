// README Digests: a digest "must still post" whatever it reads, and a section that cannot be read says so. A
// promotion request whose expiry is not a time (a hand-edited ConfigMap; the request schema takes any string) made
// rendering the digest throw (Intl on an Invalid Date): no digest at all in the channel, scheduled or on demand.

import assert from 'node:assert/strict';
import { it } from 'node:test';
import { renderDigestJson, renderDigestSlack, renderDigestText } from '../../commands/digest.render.ts';
import { gatherDigest } from '../../src/mesh/digest/gather.ts';
import { DEFAULT_CLUSTER, digestDeps, meshPerTest, putPromotion } from '../mesh/digest/harness.ts';

const CLUSTER = DEFAULT_CLUSTER;
const NOW = new Date('2025-06-02T07:00:00Z');

const mesh = meshPerTest();

it('a pending promotion whose expiry is no time is still listed, and the digest renders in every form', async () => {
  putPromotion(mesh(), { id: 'p1', requestedAt: '2025-06-02T06:50:00Z', expiresAt: 'tomorrow 9am' });
  const gathered = await gatherDigest(await digestDeps(mesh(), { version: '1.24.2' }, NOW), { channel: 'C0OPS', cluster: CLUSTER, timezone: 'Europe/Berlin', schedule: '0 9 * * 1-5' }, NOW);
  const slack = JSON.stringify(renderDigestSlack(gathered.digest).blocks);
  assert.match(slack, /Waiting for approval:/);
  assert.match(slack, /bookinfo\/reviews .*requested by <@U0ALICE>/);
  assert.match(slack, /expires \\"tomorrow 9am\\" \(not a time\)/);
  assert.match(renderDigestText(gathered.digest), /bookinfo\/reviews/);
  assert.equal(JSON.stringify(renderDigestJson(gathered.digest)).includes('tomorrow 9am'), true);
});
