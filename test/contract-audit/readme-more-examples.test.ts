// README examples that test/readme-examples.test.ts, test/readme-install.test.ts and
// test/slack/readme-config.e2e.test.ts do not run: each is read from the README as written and checked against
// what the product does.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { renderProxyConfigText } from '../../commands/proxy-config.render.ts';
import { loadConfig } from '../../src/config.ts';
import { summarizeProxyConfig } from '../../src/mesh/proxy-config-report.ts';
import { ambientMesh, cluster, meshBot, standIn, type Cluster } from '../breaker-ambient/support/harness.ts';

const README = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

function section(title: string): string {
  const found = README.split(/^## /m).find((part) => part.startsWith(`${title}\n`));
  assert.ok(found, `the README has a "${title}" section`);
  return found;
}

/** The fenced blocks of a section, in order, of one language (`` ``` `` alone for a block without one). */
function blocks(text: string, language: string): string[] {
  return [...text.matchAll(new RegExp(`^\`\`\`${language}\\n([\\s\\S]*?)^\`\`\``, 'gm'))].map((match) => match[1] ?? '');
}

describe("the README's Digests example", () => {
  it('loads as the digests of the Configuration example, with every key it shows', async () => {
    const digests = blocks(section('Digests'), 'yaml')[0] ?? '';
    assert.ok(digests.startsWith('digests:\n'));
    // Its `cluster: prod-eu` is the cluster of the Configuration example, which it replaces the digests of.
    const configuration = blocks(section('Configuration'), 'yaml')[0] ?? '';
    const combined = configuration.replace(/^digests:\n(?:[ -].*\n)*/m, digests);
    assert.notEqual(combined, configuration);
    const loaded = await loadConfig({ MESH_BOT_CONFIG: '/etc/mesh-bot/config.yaml' }, async () => combined);
    assert.ok(loaded.ok, loaded.ok ? '' : loaded.error.message);
    assert.deepEqual(loaded.value.digests, [{ channel: 'C0123OPS', schedule: '0 9 * * 1-5', timezone: 'Europe/Berlin', cluster: 'prod-eu', namespaces: ['checkout', 'payments'] }]);
  });
});

describe('the config file example of the contract (docs/CONTRACT.md §4, linked from the README)', () => {
  it('loads as written, with the roles, approvals and digest it shows', async () => {
    const contract = readFileSync(new URL('../../docs/CONTRACT.md', import.meta.url), 'utf8');
    const yaml = blocks(contract.split(/^## /m).find((part) => part.startsWith('4. ')) ?? '', 'yaml')[0] ?? '';
    const loaded = await loadConfig({ MESH_BOT_CONFIG: '/etc/mesh-bot/config.yaml' }, async () => yaml);
    assert.ok(loaded.ok, loaded.ok ? '' : loaded.error.message);
    assert.deepEqual(loaded.value.clusters.map((entry) => [entry.name, entry.context, entry.default]), [['prod-eu', 'gke_prod_europe-west1', true]]);
    assert.deepEqual(loaded.value.access.approvers, { users: ['U0BOB'], usergroups: ['S0LEADS'] });
    assert.equal(loaded.value.approvals.ttl, 30 * 60_000);
    assert.equal(loaded.value.approvals.channel, 'C0123REL');
    assert.deepEqual(loaded.value.digests.map((digest) => digest.namespaces), [['checkout', 'payments']]);
  });
});

describe("the README's certificate lines (Certificate health)", () => {
  it('are what `pc secret` prints for the corpus table 16 h after the chain was issued', () => {
    const [sample] = blocks(section('Certificate health: is rotation working?'), '');
    assert.ok(sample, 'the section shows sample lines');
    const table = readFileSync(new URL('../fixtures/istioctl/proxy-config/secret/istio/v1.29+_output.txt', import.meta.url), 'utf8');
    // The corpus chain was issued 2023-05-15T01:30:52Z; the README's "rotation overdue by 3 h, 8 h left" is 16 h later.
    const report = summarizeProxyConfig({ type: 'secret', format: 'table', stdout: table }, { now: new Date(Date.parse('2023-05-15T01:30:52Z') + 16 * 3_600_000) });
    assert.ok(report.ok);
    const text = renderProxyConfigText({ cluster: 'default', asOf: new Date(), errors: [], type: 'secret', pod: 'web-1', namespace: 'shop', report: report.value });
    const printed = text.split('\n').map((line) => line.trim());
    for (const line of sample.trim().split('\n')) assert.ok(printed.includes(line), `README line not printed: ${line}\nprinted:\n${text}`);
  });
});

describe("the README's RBAC refusal (Terminal mode and JSON)", () => {
  let kube: Cluster;
  before(async () => {
    kube = await cluster(ambientMesh());
  });
  after(() => kube.close());

  it('is what `mesh-bot waypoint -A` says when the API refuses to list gateways cluster-wide, piece by piece', async () => {
    const example = /An istioctl run the Kubernetes API refuses \(RBAC 403, for any command\) names the\s+permission, who lacks it and where mesh-bot's RBAC grants it \(`([^`]+)`\)/.exec(section('Terminal mode and JSON'))?.[1];
    assert.ok(example, 'the README quotes the refusal');
    const user = 'system:serviceaccount:mesh-bot:mesh-bot';
    const stderr = `Error: gateways.gateway.networking.k8s.io is forbidden: User "${user}" cannot list resource "gateways" in API group "gateway.networking.k8s.io" at the cluster scope\n`;
    const istioctl = await standIn('1.28.10', [{ when: ['waypoint', 'list'], stderr, exit: 1 }]);
    const run = await meshBot(['waypoint', '-A'], { KUBECONFIG: kube.kubeconfig, ISTIOCTL: istioctl.path });
    assert.equal(run.code, 1, run.stdout);
    // The README leaves parts out with "…": every piece it shows is said, in its order.
    let from = 0;
    for (const piece of example.replace(/\s+/g, ' ').split('…').map((part) => part.trim()).filter((part) => part !== '')) {
      const at = run.stderr.indexOf(piece, from);
      assert.ok(at >= 0, `"${piece}" is not in what mesh-bot said after position ${from}:\n${run.stderr}`);
      from = at + piece.length;
    }
  });
});
