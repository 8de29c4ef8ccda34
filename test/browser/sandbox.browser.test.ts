// The sandbox page in a real browser (Debian's chromium driven by playwright-core; `.ci/run` installs it): run
// /mesh status, ask for a canary promotion as the operator, switch to the approver, approve through the confirm
// dialog, and see the card change in place; see four eyes refuse a self-approval; read a reviews sidecar's routes
// from the same demo mesh; read ztunnel-config of its ambient namespace and promote its HTTPRoute canary; use the
// page at phone width. Screenshots go to test-results/sandbox/.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { createLogger } from '../../src/log.ts';
import { startSandbox, type RunningSandbox } from '../../src/sandbox/sandbox.ts';
import { reviewsWeights } from '../support/bookinfo.ts';
import { quietStream } from '../support/quiet.ts';

const CHROMIUM = '/usr/bin/chromium';
const RESULTS = fileURLToPath(new URL('../../test-results/sandbox/', import.meta.url));
/** Every wait is bounded, so a broken page fails the test instead of hanging CI. */
const WAIT_MS = 15_000;

// This file runs only through `npm run test:browser` (`npm test` leaves test/browser out), so a missing browser is
// a failure with the fix in its message, never a silent skip.
if (!existsSync(CHROMIUM)) throw new Error(`the browser test needs ${CHROMIUM}: apt-get install chromium (.ci/run does), then npm run test:browser`);

describe('the sandbox page in a browser', () => {
  let sandbox: RunningSandbox;
  let browser: Browser;
  let page: Page;
  const quiet = quietStream();

  before(async () => {
    await mkdir(RESULTS, { recursive: true });
    sandbox = await startSandbox({ port: 0, logLevel: 'error', logger: createLogger('error', quiet) });
    // The flags of .library/env/machines/node.md: without the background-networking ones, Chromium's own
    // connections are refused on a closed network and slow every start.
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      timeout: WAIT_MS,
    });
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.setDefaultTimeout(WAIT_MS);
  });
  after(async () => {
    await browser?.close();
    await sandbox?.stop();
  });

  const send = async (text: string) => {
    await page.fill('#message', text);
    await page.press('#message', 'Enter');
  };
  /** The channel message (not the thread pane) that contains `text`. */
  const messageWith = (text: string) => page.locator('#messages .message', { hasText: text });

  it('runs /mesh status, then a promotion that the approver approves, and shows the new weights on the card', async () => {
    await page.goto(`http://127.0.0.1:${sandbox.port}/`);
    await page.getByText('SANDBOX MODE').waitFor();
    assert.equal(await page.locator('#user').inputValue(), 'U0OPERATOR');

    await send('/mesh status');
    const status = messageWith('Mesh status · default');
    await status.waitFor();
    assert.match(await status.innerText(), /12 total · 10 healthy · 2 STALE · 0 ERROR/);
    await page.screenshot({ path: `${RESULTS}1-status.png` });

    await send('/mesh canary promote reviews --weight 50 -n bookinfo');
    const card = messageWith('Canary promotion · reviews');
    await card.getByText('Waiting for approval').waitFor();
    assert.match(await card.innerText(), /Current\s+v1 90% \/ v2 10%[\s\S]*Proposed\s+v1 50% \/ v2 50%/);
    // The operator's own view: the invocation is marked as visible only to them.
    await page.locator('#messages .message.ephemeral', { hasText: '/mesh canary promote' }).getByText('Only visible to you').waitFor();
    await page.screenshot({ path: `${RESULTS}2-requested.png` });

    await page.selectOption('#user', 'U0APPROVER');
    await page.locator('#messages .message.ephemeral', { hasText: '/mesh canary promote' }).waitFor({ state: 'detached' });
    await card.getByRole('button', { name: 'Approve: v2 to 50%' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    await page.screenshot({ path: `${RESULTS}3-confirm.png` });
    await dialog.locator('button.primary').click();

    // The bot proves propagation only with a proxy-status run 10 s (istiod's debounce) after the write.
    await card.getByText(/5\/5 proxies in sync/).waitFor({ timeout: 2 * WAIT_MS });
    const text = await card.innerText();
    assert.match(text, /Approved by @Aaron \(approver\)/);
    assert.match(text, /Weights changed: v1 90% \/ v2 10% → v1 50% \/ v2 50%/);
    assert.equal(await card.getByRole('button', { name: /Approve/ }).count(), 0, 'the decision buttons are gone');
    assert.deepEqual(reviewsWeights(sandbox.kube), [50, 50]);
    await card.getByRole('button', { name: '1 reply' }).click();
    await page.locator('#thread-messages').getByText(/Approved by @Aaron \(approver\)/).first().waitFor();
    await page.screenshot({ path: `${RESULTS}4-approved.png` });
  });

  it('refuses the approval of a promotion by the person who asked for it, even with both roles', async () => {
    await page.locator('#close-thread').click();
    await page.selectOption('#user', 'U0LEAD');
    await send('/mesh canary promote reviews --weight 80 -n bookinfo');
    const card = messageWith('Canary promotion · reviews').filter({ hasText: 'Waiting for approval' });
    await card.waitFor();
    await card.getByRole('button', { name: 'Approve: v2 to 80%' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    await dialog.locator('button.primary').click();
    await page.getByText('You asked for this promotion, so you cannot approve it: a second person has to.').waitFor();
    assert.deepEqual(reviewsWeights(sandbox.kube), [50, 50], 'nothing changed');
    assert.equal(await card.getByRole('button', { name: 'Approve: v2 to 80%' }).count(), 1, 'the request still waits for a second person');
    await page.screenshot({ path: `${RESULTS}5-self-approval-refused.png` });
  });

  it('shows the routes of a reviews sidecar from the same demo mesh: the reviews VirtualService, no other application', async () => {
    await send('/mesh pc routes reviews-v1-5fd6d4f8f8-66j45.bookinfo');
    const answer = messageWith('proxy-config routes · reviews-v1-5fd6d4f8f8-66j45.bookinfo');
    await answer.getByText('Routes by VirtualService').waitFor();
    const text = await answer.innerText();
    assert.match(text, /reviews\.bookinfo: 1/);
    assert.match(text, /reviews\.bookinfo\.svc\.cluster\.local:9080 · reviews\.bookinfo, reviews .* · reviews\.bookinfo/);
    assert.doesNotMatch(text, /httpbin|grafana|skywalking/);
    await page.screenshot({ path: `${RESULTS}6-routes.png` });
  });

  it('answers ztunnel-config from the ambient namespace: the pod ztunnel does not capture comes first', async () => {
    await send('/mesh zc workloads');
    const answer = messageWith('ztunnel-config workloads · ztunnel-');
    await answer.getByText('Not captured (1)').waitFor();
    const text = await answer.innerText();
    assert.ok(text.indexOf('batch-importer-5f6b7c8d9-h4j7k.travel') < text.indexOf('Workloads by namespace'), 'the not-captured pod comes first');
    await answer.scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${RESULTS}sandbox-ambient.png` });
  });

  it('promotes the HTTPRoute canary of the ambient namespace once the approver approves', async () => {
    await page.selectOption('#user', 'U0OPERATOR');
    await send('/mesh canary promote hotels --weight 50 -n travel');
    const card = messageWith('Canary promotion · hotels');
    await card.getByText('Waiting for approval').waitFor();
    assert.match(await card.innerText(), /hotels-v1 90% \/ hotels-v2 10%[\s\S]*hotels-v1 50% \/ hotels-v2 50%/);

    await page.selectOption('#user', 'U0APPROVER');
    await card.getByRole('button', { name: /^Approve/ }).click();
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    await dialog.locator('button.primary').click();

    await card.getByText(/1\/1 parents accepted the change/).waitFor({ timeout: 2 * WAIT_MS });
    assert.match(await card.innerText(), /Approved by @Aaron \(approver\)/);
    // In ambient the route is live only once the waypoint serving it took istiod's push.
    assert.match(await card.innerText(), /waypoint travel\/travel-waypoint SYNCED \(1\/1 pods?\)/);
    const route = sandbox.kube.get('gateway.networking.k8s.io/v1', 'HTTPRoute', 'travel', 'hotels');
    const refs = (route?.['spec'] as { rules: { backendRefs: { weight: number }[] }[] }).rules[0]?.backendRefs ?? [];
    assert.deepEqual(refs.map((ref) => ref.weight), [50, 50]);
    await page.screenshot({ path: `${RESULTS}9-httproute-approved.png` });
  });

  it('fits a phone: nothing scrolls sideways, the composer and the cards are within the screen', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.reload();
    await page.getByText('SANDBOX MODE').waitFor();
    await send('/mesh status');
    const status = messageWith('Mesh status · default').last();
    await status.waitFor();
    assert.equal(await page.evaluate<number>('document.documentElement.scrollWidth'), 390, 'no horizontal scrolling');
    for (const selector of ['#user', '#message', '#composer .send']) {
      const box = await page.locator(selector).boundingBox();
      assert.ok(box && box.x >= 0 && box.x + box.width <= 390 && box.y + box.height <= 844, `${selector} is on screen: ${JSON.stringify(box)}`);
    }
    const card = await status.boundingBox();
    assert.ok(card && card.width <= 390 && card.width > 300, `the card uses the width of the screen: ${JSON.stringify(card)}`);
    await page.screenshot({ path: `${RESULTS}7-phone.png` });

    await messageWith('Canary promotion · reviews').filter({ hasText: 'Approved by' }).getByRole('button', { name: '1 reply' }).click();
    await page.locator('#thread-messages').getByText(/Approved by @Aaron \(approver\)/).first().waitFor();
    const thread = await page.locator('#thread').boundingBox();
    assert.deepEqual(thread && [thread.x, thread.width], [0, 390], 'the thread opens over the channel, full width');
    await page.screenshot({ path: `${RESULTS}8-phone-thread.png` });
  });
});
