// DESIGN.md §2/§4: a setting that cannot work stops the start with one line naming it and the problem; the project's
// standard adds what to do next. Two mistakes of a real install: MESH_BOT_CONFIG pointing at the ConfigMap's mount
// directory instead of the file in it, and the bot token pasted as SLACK_SIGNING_SECRET (every request then fails
// its signature check with a 401, and nothing said why).

import assert from 'node:assert/strict';
import { mkdir, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadConfig } from '../../src/config.ts';
import { emptyHome, start } from './support/start.ts';

describe('MESH_BOT_CONFIG that cannot be read', () => {
  it('a directory (the ConfigMap mount): one line saying to point at the file in it', async () => {
    const mount = join(await mkdtemp(join(tmpdir(), 'breaker-config-mount-')), 'mesh-bot');
    await mkdir(mount);
    const outcome = await start({ HOME: await emptyHome(), MESH_BOT_CONFIG: mount, SLACK_BOT_TOKEN: 'xoxb-1-2-three', SLACK_SIGNING_SECRET: 'breaker-config-signing-secret' });
    assert.equal(outcome.result, 2, outcome.lines.join('\n'));
    assert.deepEqual(outcome.lines.filter((line) => line.trim() !== ''), [`mesh-bot: MESH_BOT_CONFIG: cannot read ${mount} (EISDIR). That is a directory: set MESH_BOT_CONFIG to the file in it, such as ${mount}/config.yaml.`]);
  });

  it('a path that does not exist: says to check it or unset MESH_BOT_CONFIG', async () => {
    const loaded = await loadConfig({ MESH_BOT_CONFIG: '/etc/mesh-bot/confg.yaml' });
    assert.equal(loaded.ok, false);
    assert.equal(loaded.ok ? '' : loaded.error.message, 'MESH_BOT_CONFIG: cannot read /etc/mesh-bot/confg.yaml (ENOENT). Check the path, or unset MESH_BOT_CONFIG to run without a config file.');
  });
});

describe('SLACK_SIGNING_SECRET holding a token', () => {
  it('is refused at start, naming the setting and where the signing secret is, without echoing the token', async () => {
    for (const token of ['xoxb-1111-2222-abcdefghijkl', 'xapp-1-A0FAKE-1234-abcdef']) {
      const loaded = await loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1-2-three', SLACK_SIGNING_SECRET: token });
      assert.equal(loaded.ok, false, token);
      const message = loaded.ok ? '' : loaded.error.message;
      assert.equal(message, "SLACK_SIGNING_SECRET: holds a Slack token, not the signing secret; copy the Signing Secret from the app's Basic Information → App Credentials");
    }
  });
});
