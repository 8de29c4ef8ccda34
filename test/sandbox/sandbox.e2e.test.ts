// The sandbox driven over HTTP exactly as its page drives it (no browser): commands and clicks go through the page
// server, which signs them and sends them to the real bot; answers are read back from the local Slack's store.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createLogger } from '../../src/log.ts';
import { startSandbox, type RunningSandbox } from '../../src/sandbox/sandbox.ts';
import type { StoredMessage } from '../../src/sandbox/slack-api.ts';
import { reviewsWeights } from '../support/bookinfo.ts';
import { quietStream } from '../support/quiet.ts';

const OPS = 'C0MESHOPS';
const OPERATOR = 'U0OPERATOR';
const APPROVER = 'U0APPROVER';
const VIEWER = 'U0VIEWER';
/** Both operator and approver: four eyes must still stop them approving their own request. */
const LEAD = 'U0LEAD';

interface Block {
  type: string;
  block_id?: string;
  text?: { text: string };
  fields?: { text: string }[];
  elements?: { type: string; text?: { text: string } | string; action_id?: string; value?: string }[];
}

function allText(message: StoredMessage): string {
  return ((message.blocks as Block[] | undefined) ?? [])
    .flatMap((block) => [block.text?.text ?? '', ...(block.fields ?? []).map((field) => field.text), ...(block.elements ?? []).map((element) => (typeof element.text === 'string' ? element.text : (element.text?.text ?? '')))])
    .join('\n');
}

/** The weights of the demo's HTTPRoute `hotels` (travel), stable then canary. */
function hotelsWeights(sandbox: RunningSandbox): number[] {
  const route = sandbox.kube.get('gateway.networking.k8s.io/v1', 'HTTPRoute', 'travel', 'hotels');
  const rules = (route?.['spec'] as { rules?: { backendRefs?: { weight?: number }[] }[] } | undefined)?.rules ?? [];
  return (rules[0]?.backendRefs ?? []).map((ref) => ref.weight ?? 1);
}

function buttonBlock(message: StoredMessage, actionId: string): string | undefined {
  return ((message.blocks as Block[] | undefined) ?? []).find((block) => block.elements?.some((element) => element.action_id === actionId))?.block_id;
}

/** A fresh sandbox for the tests of one `describe`, and what its page does: type a command, click a button, read #mesh-ops. */
function sandboxPage() {
  let sandbox: RunningSandbox | undefined;
  const quiet = quietStream();
  before(async () => {
    sandbox = await startSandbox({ port: 0, logLevel: 'error', logger: createLogger('error', quiet) });
  });
  after(() => sandbox?.stop());

  const running = (): RunningSandbox => {
    assert.ok(sandbox, 'the sandbox is started before the tests run');
    return sandbox;
  };
  const base = () => `http://127.0.0.1:${running().port}`;
  const post = async (path: string, body: Record<string, string>) => {
    const response = await fetch(`${base()}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: response.status, body: (await response.json()) as { ok: boolean; error?: string } };
  };
  return {
    running,
    base,
    post,
    command: (text: string, user = OPERATOR) => post('/sandbox/command', { channel: OPS, user, text }),
    click: (message: StoredMessage, actionId: string, user: string) => post('/sandbox/action', { channel: OPS, user, messageTs: message.ts, blockId: buttonBlock(message, actionId) ?? '', actionId }),
    /** The first channel message (not ephemeral) after `since` whose top-level text matches. */
    channelMessage: (pattern: RegExp, since = 0, timeoutMs = 15_000) =>
      running().slack.waitFor((slack) => slack.messages(OPS).slice(since).find((message) => message.ephemeralTo === undefined && pattern.test(message.text)), { timeoutMs }),
    mark: () => running().slack.messages(OPS).length,
  };
}

describe('the local sandbox, driven like its page', () => {
  const page = sandboxPage();
  const { post, command, click, channelMessage, mark } = page;
  // Read when a test runs, after `before` started the sandbox.
  let sandbox: RunningSandbox;
  let base: string;
  before(() => {
    sandbox = page.running();
    base = page.base();
  });

  it('answers /mesh status with the demo mesh summary in the channel', async () => {
    const since = mark();
    const sent = await command('/mesh status');
    assert.deepEqual(sent, { status: 200, body: { ok: true } });
    const answer = await channelMessage(/^default: degraded — 2 of 12 proxies STALE, 0 ERROR — istiod 2\/2 ready/, since);
    assert.match(allText(answer), /payments-v1-7c9d8b6f5-k2x8p\.shop/);
    assert.match(allText(answer), /shipping-v2-84f7d9c6b-w7m4t\.shop/);
    // The ambient namespace travel: a ztunnel on each of the 3 nodes, its waypoint, bookinfo's ingress gateway.
    assert.match(allText(answer), /7 sidecars · 1 waypoint · 3 ztunnels · 1 gateway/);
    assert.match(allText(answer), /ztunnels 3\/3 ready \(DaemonSet ztunnel, one per node\)/);
    assert.match(allText(answer), /istio-cni node agent 3\/3 ready/);
    assert.match(allText(answer), /3 ztunnels connected to istiod: 3 WDS\/WADS SYNCED/);
    assert.doesNotMatch(allText(answer), /ztunnel-\w+\.istio-system/, 'no ztunnel is a problem proxy');
  });

  it('names the one pod of the ambient namespace that ztunnel does not capture first, in /mesh zc workloads', async () => {
    const since = mark();
    await command('/mesh zc workloads');
    const answer = await channelMessage(/^default: ztunnel-config workloads of ztunnel-\w+ \(node sandbox-[\w-]+\) — 17 workloads, 1 pod in ambient namespaces NOT captured/, since);
    const text = allText(answer);
    const notCaptured = text.indexOf('batch-importer-5f6b7c8d9-h4j7k.travel');
    assert.ok(notCaptured !== -1 && notCaptured < text.indexOf('Workloads by namespace'), 'the not-captured pod comes before the other workloads');
    assert.match(text, /batch-importer-5f6b7c8d9-h4j7k\.travel on sandbox-worker2: NOT captured \(protocol TCP in an ambient namespace\)/);
    assert.match(text, /travel \(ambient\): 6 workloads \(4 HBONE, 2 TCP, 1 NOT captured\)/);
  });

  it('reads the certificates of every ztunnel, each renewed on Istio\'s 24 h rotation', async () => {
    const since = mark();
    await command('/mesh zc certificates');
    const answer = await channelMessage(/^default: ztunnel-config certificates of 3 of 3 ztunnels/, since);
    const text = allText(answer);
    assert.match(text, /:large_green_circle:/);
    const left = [...text.matchAll(/ztunnel-\w+ \(node sandbox-[\w-]+\): \d+ certificates, earliest NOT AFTER \S+ \((\d+) h left\)/g)].map((match) => Number(match[1]));
    assert.equal(left.length, 3, 'one line per ztunnel');
    // Issued at the last half-life renewal of a 24 h certificate: 12 to 24 hours left, never flagged.
    assert.ok(left.every((hours) => hours >= 12 && hours <= 24), `hours left ${left.join(', ')}`);
  });

  it('lists the ambient namespace\'s waypoint as programmed, and the Service that uses it', async () => {
    const since = mark();
    await command('/mesh wp list -A');
    const answer = await channelMessage(/^default \(all namespaces\): 1 waypoint, all programmed/, since);
    assert.match(allText(answer), /travel\/travel-waypoint — PROGRAMMED True · traffic type service/);
    assert.match(allText(answer), /1 Service labelled `istio\.io\/use-waypoint` in scope; every one names a programmed waypoint/);
  });

  it('answers /mesh wp status and /mesh zc services and all from the same ambient namespace', async () => {
    let since = mark();
    await command('/mesh wp status -n travel');
    const status = await channelMessage(/^default\/travel: 1 waypoint, all programmed/, since);
    assert.match(allText(status), /travel\/travel-waypoint — PROGRAMMED True/);

    since = mark();
    await command('/mesh zc services');
    const services = await channelMessage(/— 10 services, 1 with a waypoint/, since);
    assert.match(allText(services), /hotels\.travel: VIP 10\.96\.130\.12, waypoint travel-waypoint, endpoints 2\/2 ready/);

    since = mark();
    await command('/mesh zc all');
    const all = await channelMessage(/^default: ztunnel-config all of ztunnel-\w+ .*1 pod in ambient namespaces NOT captured; 10 services, 1 with a waypoint; 0 policies; certificates of 1 of 3 ztunnels read/, since);
    assert.match(allText(all), /spiffe:\/\/cluster\.local\/ns\/travel\/sa\/\S+ \(Leaf\): healthy/);
  });

  it('shows the acknowledgement and the invocation only to the person who ran the command', async () => {
    await command('/mesh help', VIEWER);
    await sandbox.slack.waitFor((slack) => slack.messages(OPS).some((message) => message.ephemeralTo === VIEWER && message.user === sandbox.slack.botUserId));
    const seen = async (user: string) => ((await (await fetch(`${base}/sandbox/messages?user=${user}`)).json()) as { channels: Record<string, { ephemeral: boolean; text: string }[]> }).channels[OPS] ?? [];
    assert.ok((await seen(VIEWER)).some((message) => message.ephemeral && message.text === '`/mesh help`'));
    assert.ok(!(await seen(OPERATOR)).some((message) => message.text === '`/mesh help`'), 'another user does not see it');
  });

  it('promotes the reviews canary only after the approver approves, and updates the card in place', async () => {
    const since = mark();
    await command('/mesh canary promote reviews --weight 50 -n bookinfo', OPERATOR);
    const card = await channelMessage(/^Canary promotion of bookinfo\/reviews on default v1 90% \/ v2 10% → v1 50% \/ v2 50%: waiting for approval/, since);
    assert.deepEqual(reviewsWeights(sandbox.kube), [90, 10]);

    const responsesBefore = sandbox.slack.responses.length;
    assert.equal((await click(card, 'canary_approve', OPERATOR)).status, 200);
    const refusal = await sandbox.slack.waitFor((slack) => slack.responses.slice(responsesBefore).find((response) => response.body['response_type'] === 'ephemeral'), { timeoutMs: 10_000 });
    assert.match(String(refusal.body['text']), /approv/i);
    assert.deepEqual(reviewsWeights(sandbox.kube), [90, 10], 'the operator is no approver');

    assert.equal((await click(card, 'canary_approve', APPROVER)).status, 200);
    // The bot proves propagation only with a proxy-status run 10 s (istiod's debounce) after the write.
    const updated = await sandbox.slack.waitFor((slack) => {
      const current = slack.message(OPS, card.ts);
      return current && /proxies in sync/.test(allText(current)) ? current : undefined;
    }, { timeoutMs: 30_000 });
    assert.deepEqual(reviewsWeights(sandbox.kube), [50, 50]);
    assert.match(allText(updated), /Approved\* by <@U0APPROVER>/);
    assert.match(allText(updated), /5\/5 proxies in sync/);
  });

  it('promotes the ambient HTTPRoute canary of hotels after approval; its parent accepts the new generation', async () => {
    const since = mark();
    await command('/mesh canary promote hotels --weight 50 -n travel', OPERATOR);
    const card = await channelMessage(/^Canary promotion of travel\/hotels on default hotels-v1 90% \/ hotels-v2 10% → hotels-v1 50% \/ hotels-v2 50%: waiting for approval/, since);
    assert.deepEqual(hotelsWeights(sandbox), [90, 10], 'nothing is written before approval');

    assert.equal((await click(card, 'canary_approve', APPROVER)).status, 200);
    const updated = await sandbox.slack.waitFor((slack) => {
      const current = slack.message(OPS, card.ts);
      return current && /parents accepted the change/.test(allText(current)) ? current : undefined;
    }, { timeoutMs: 30_000 });
    assert.deepEqual(hotelsWeights(sandbox), [50, 50]);
    assert.match(allText(updated), /1\/1 parents accepted the change/);
    // In ambient the proof includes the waypoint serving hotels (its Service's istio.io/use-waypoint label).
    assert.match(allText(updated), /and waypoint travel\/travel-waypoint SYNCED \(1\/1 pods\) after \d+ s/);
    assert.doesNotMatch(allText(updated), /still waiting/);
  });

  it('refuses a promotion asked by the viewer, who is no operator', async () => {
    await command('/mesh canary promote reviews --weight 80 -n bookinfo', VIEWER);
    const refusal = await sandbox.slack.waitFor((slack) => slack.messages(OPS).find((message) => message.ephemeralTo === VIEWER && /operator/i.test(message.text) && message.user === slack.botUserId && !/Running/.test(message.text)), { timeoutMs: 10_000 });
    assert.match(refusal.text, /:no_entry:/);
  });

  it('reports the demo mesh analyze findings for bookinfo', async () => {
    const since = mark();
    await command('/mesh analyze -n bookinfo');
    const answer = await channelMessage(/^default\/bookinfo: 2 errors, 1 warning, 1 info/, since);
    assert.match(allText(answer), /IST0173/);
    assert.match(allText(answer), /DestinationRule bookinfo\/reviews/);
  });

  it('refuses the self-approval of someone who is both operator and approver, and keeps the weights', async () => {
    const since = mark();
    await command('/mesh canary promote reviews --weight 80 -n bookinfo', LEAD);
    const card = await channelMessage(/^Canary promotion of bookinfo\/reviews on default .*→ v1 20% \/ v2 80%: waiting for approval/, since);
    const responsesBefore = sandbox.slack.responses.length;
    assert.equal((await click(card, 'canary_approve', LEAD)).status, 200);
    const refusal = await sandbox.slack.waitFor((slack) => slack.responses.slice(responsesBefore).find((response) => response.body['response_type'] === 'ephemeral' && /cannot approve/.test(String(response.body['text']))), { timeoutMs: 10_000 });
    assert.match(String(refusal.body['text']), /You asked for this promotion, so you cannot approve it: a second person has to/);
    assert.deepEqual(reviewsWeights(sandbox.kube), [50, 50], 'the promotion approved before still stands, the new one is not applied');
    assert.match(allText(sandbox.slack.message(OPS, card.ts) ?? card), /waiting for approval/i);
  });

  it('shows the reviews VirtualService in the routes of a reviews sidecar, and nothing of another application', async () => {
    const since = mark();
    await command('/mesh pc routes reviews-v1-5fd6d4f8f8-66j45.bookinfo');
    const answer = await channelMessage(/^reviews-v1-5fd6d4f8f8-66j45\.bookinfo .*routes/, since);
    assert.match(allText(answer), /reviews\.bookinfo\.svc\.cluster\.local:9080 · reviews\.bookinfo, reviews .*· reviews\.bookinfo/);
    assert.doesNotMatch(allText(answer), /httpbin|grafana|skywalking/);
  });

  it('answers a pod that does not exist with an error, never a green summary', async () => {
    const since = mark();
    await command('/mesh pc routes reviews.bookinfo');
    const answer = await channelMessage(/^reviews\.bookinfo .*routes/, since);
    assert.doesNotMatch(allText(answer), /large_green_circle|route tables/);
    assert.match(allText(answer), /:warning:/);
  });

  it('flags the one workload certificate whose rotation is overdue, and uploads the redacted output as a downloadable file', async () => {
    const since = mark();
    await command('/mesh pc secret productpage-v1-d5789fdfb-7pq2k.bookinfo');
    const answer = await channelMessage(/^productpage-v1-d5789fdfb-7pq2k\.bookinfo .*secret: 2 certificates/, since);
    assert.match(allText(answer), /default .*rotation overdue/);
    assert.match(allText(answer), /ROOTCA .*healthy/);

    await click(answer, 'pc_upload_full', OPERATOR).then((result) => assert.equal(result.status, 200));
    const file = await sandbox.slack.waitFor((slack) => slack.files.find((candidate) => candidate.completed && candidate.channel === OPS), { timeoutMs: 15_000 });
    const download = await fetch(`${base}/sandbox/files/${file.id}`);
    assert.equal(download.status, 200);
    assert.match(download.headers.get('content-disposition') ?? '', /^attachment; filename="/);
    assert.ok((await download.text()).length > 0);
  });

  it('posts the digest on demand with the same overdue certificate, the healthy root and the STALE proxies', async () => {
    const since = mark();
    await command('/mesh digest now');
    const digest = await channelMessage(/^Mesh digest default/, since);
    assert.match(digest.text, /2 proxies STALE/);
    const text = allText(digest);
    assert.match(text, /productpage-v1-d5789fdfb-7pq2k\.bookinfo default: rotation overdue/);
    assert.equal(text.match(/rotation overdue by/g)?.length, 1, 'every other sampled proxy rotates on schedule');
    assert.match(text, /Root CA .*healthy/);
  });

  it('refuses a click on a button that the message does not have', async () => {
    const [first] = sandbox.slack.messages(OPS).filter((message) => message.ephemeralTo === undefined);
    assert.ok(first);
    const answer = await post('/sandbox/action', { channel: OPS, user: OPERATOR, messageTs: first.ts, blockId: 'nope', actionId: 'canary_approve' });
    assert.equal(answer.status, 404);
  });
});

describe('the sandbox\'s suggested rollback, on a freshly started sandbox', () => {
  const { running, command, channelMessage, mark } = sandboxPage();

  it('rolls reviews back to its recorded stable subset at once: no promotion and no --to needed', async () => {
    const since = mark();
    await command('/mesh canary status reviews -n bookinfo');
    const status = await channelMessage(/^default\/bookinfo\/reviews: v1 90% \/ v2 10%$/, since);
    assert.match(allText(status), /\*Stable \/ canary\*\nv1 \/ v2 \(recorded by mesh-bot's last change\)/);

    const beforeRollback = mark();
    await command('/mesh canary rollback reviews -n bookinfo', OPERATOR);
    // The answer follows the proof of propagation, a proxy-status run 10 s (istiod's debounce) after the write.
    const answer = await channelMessage(/^Rolled back bookinfo\/reviews/, beforeRollback, 30_000);
    assert.match(answer.text, /^Rolled back bookinfo\/reviews on default: v1 90% \/ v2 10% → v1 100% \/ v2 0% by <@U0OPERATOR>\.$/);
    assert.deepEqual(reviewsWeights(running().kube), [100, 0]);
  });
});
