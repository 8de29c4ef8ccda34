// The README's "Install it" section is what a new user copies first: its config file must load as written and
// give the roles it describes, and its contract link must point at a file of this repository.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { loadConfig } from '../src/config.ts';

const README = await readFile(new URL('../README.md', import.meta.url), 'utf8');

function section(title: string): string {
  const found = README.split(/^## /m).find((part) => part.startsWith(`${title}\n`));
  assert.ok(found, `the README has a "${title}" section`);
  return found;
}

describe("the README's install section", () => {
  it('has a minimal config file that loads verbatim with operators, approvers, an approvals channel and a digest', async () => {
    const yaml = section('Install it').match(/```yaml\n([\s\S]*?)```/)?.[1];
    assert.ok(yaml, 'the install section shows a config file');
    const loaded = await loadConfig({ MESH_BOT_CONFIG: '/etc/mesh-bot.yaml' }, async () => yaml);
    assert.ok(loaded.ok, loaded.ok ? '' : loaded.error.message);
    assert.deepEqual(loaded.value.access.operators, { users: [], usergroups: ['S0SRE'] });
    assert.deepEqual(loaded.value.access.approvers, { users: [], usergroups: ['S0LEADS'] });
    assert.equal(loaded.value.approvals.channel, 'C0123REL');
    assert.equal(loaded.value.digests.length, 1);
  });

  it('links the public contract to a document inside the repository', async () => {
    assert.doesNotMatch(README, /\.\.\/shared\//, 'nothing links outside the repository');
    const link = README.match(/\]\((docs\/CONTRACT\.md)\)/)?.[1];
    assert.ok(link, 'the README links docs/CONTRACT.md');
    assert.match(await readFile(new URL(`../${link}`, import.meta.url), 'utf8'), /^## 1\. Command grammar/m);
  });

  it('orders the sections as a newcomer reads: try, install, use, how it works', () => {
    const headings = [...README.matchAll(/^## (.+)$/gm)].map((match) => match[1] ?? '');
    const at = (title: string) => headings.indexOf(title);
    const order = ['Try it locally (sandbox)', 'Install it', 'Commands', 'Canary promotion: four eyes, durable, exactly once, proven', 'Tests'].map(at);
    assert.ok(order.every((index) => index >= 0), `headings: ${headings.join(' | ')}`);
    assert.deepEqual([...order].sort((a, b) => a - b), order);
  });
});
