// Text from the cluster (condition messages, analyze findings, istioctl's own errors) reaches the terminal with its
// control characters shown as `\u001b` escapes, on stdout and stderr, in text and in JSON (CVE-2021-25743 class).

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { escapeControlCharacters } from '../src/cli.ts';
import { cluster, meshBot, namespace, standIn, tabwrite, type Cluster } from './breaker-ambient/support/harness.ts';

// eslint-disable-next-line no-control-regex
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;
/** Clears the screen, retitles the window (OSC … BEL), moves the cursor back over the line, then an 8-bit CSI. */
const HOSTILE = 'bad \u001b[2J\u001b]0;owned\u0007\r\u009b31m end';

describe('escapeControlCharacters', () => {
  it('shows C0 controls, DEL and C1 controls as \\u escapes, keeps newline, tab and other text', () => {
    assert.equal(escapeControlCharacters('a\u001b[2Jb'), 'a\\u001b[2Jb');
    assert.equal(escapeControlCharacters('\u0000\u0007\r\u007f\u0085\u009b'), '\\u0000\\u0007\\u000d\\u007f\\u0085\\u009b');
    assert.equal(escapeControlCharacters('line 1\n\tline 2 — ü ✓ 日本'), 'line 1\n\tline 2 — ü ✓ 日本');
  });
});

describe('terminal mode: control characters from the cluster', () => {
  let kube: Cluster;
  before(async () => {
    kube = await cluster([namespace('istio-system'), namespace('shop')]);
  });
  after(() => kube.close());

  async function run(argv: string[], rules: Parameters<typeof standIn>[1], version = '1.29.6') {
    const istioctl = await standIn(version, rules);
    return meshBot(argv, { KUBECONFIG: kube.kubeconfig, ISTIOCTL: istioctl.path });
  }

  const waypointStatus = tabwrite([['NAME', 'STATUS', 'TYPE', 'REASON', 'MESSAGE'], ['waypoint', 'False', 'Programmed', 'AddressNotAssigned', HOSTILE]], 5);

  it('wp status -o json: valid JSON that parses back to the exact message, no raw control character on stdout', async () => {
    const answer = await run(['wp', 'status', '-n', 'shop', '-o', 'json'], [{ when: ['waypoint', 'status'], stdout: waypointStatus }]);
    assert.equal(answer.code, 0, answer.stderr);
    assert.doesNotMatch(answer.stdout, RAW_CONTROL);
    const json = JSON.parse(answer.stdout) as { waypoints: { name: string; message: string }[] };
    assert.equal(json.waypoints.find((waypoint) => waypoint.name === 'waypoint')?.message, HOSTILE);
  });

  it('analyze text: a finding message is shown with its escapes visible', async () => {
    const findings = [{ code: 'IST0171', level: 'Warning', message: `A condition with a negative status is present: message=${HOSTILE}`, origin: 'Service shop/reviews', documentationUrl: 'https://istio.io/latest/docs/reference/config/analysis/ist0171/' }];
    const answer = await run(['analyze', '-n', 'shop'], [{ when: ['analyze'], stdout: `${JSON.stringify(findings, null, '\t')}\n` }]);
    assert.equal(answer.code, 0, answer.stderr);
    assert.doesNotMatch(answer.stdout, RAW_CONTROL);
    // The analyze renderer folds whitespace (the carriage return among it) into spaces before this point.
    assert.match(answer.stdout, /bad \\u001b\[2J\\u001b\]0;owned\\u0007 \\u009b31m end/);
  });

  it("stderr: istioctl's own error text is escaped too", async () => {
    const answer = await run(['wp', 'list', '-n', 'shop'], [{ when: ['waypoint', 'list'], stderr: `Error: ${HOSTILE}\n`, exit: 1 }]);
    assert.equal(answer.code, 1);
    assert.match(answer.stderr, /bad \\u001b\[2J/);
    assert.doesNotMatch(answer.stderr, RAW_CONTROL);
  });
});
