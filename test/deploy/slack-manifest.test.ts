import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseDocument } from 'yaml';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const document = parseDocument(readFileSync(path.join(ROOT, 'manifest.yml'), 'utf8'));
const manifest: unknown = document.toJS();

type Obj = Record<string, unknown>;
const isObj = (value: unknown): value is Obj => typeof value === 'object' && value !== null && !Array.isArray(value);
function at(...keys: string[]): unknown {
  let value: unknown = manifest;
  for (const key of keys) {
    assert.ok(isObj(value), `manifest.yml: ${keys.join('.')} — ${key} is not inside a mapping`);
    value = value[key];
  }
  return value;
}

describe('manifest.yml (Slack app manifest)', () => {
  it('parses as one YAML mapping', () => {
    assert.deepEqual(document.errors.map((error) => error.message), []);
    assert.ok(isObj(manifest));
  });

  it('names and describes the app within Slack limits', () => {
    const name = at('display_information', 'name');
    const description = at('display_information', 'description');
    assert.equal(typeof name, 'string');
    assert.ok((name as string).length >= 1 && (name as string).length <= 35, 'display_information.name: 1-35 characters');
    assert.equal(typeof description, 'string');
    assert.ok((description as string).length <= 140, 'display_information.description: at most 140 characters');
    const color = at('display_information', 'background_color');
    if (color !== undefined) assert.match(String(color), /^#[0-9a-fA-F]{6}$/);
    assert.equal(typeof at('features', 'bot_user', 'display_name'), 'string');
  });

  it('declares exactly one slash command, /mesh, with a description', () => {
    const commands = at('features', 'slash_commands');
    assert.ok(Array.isArray(commands));
    assert.deepEqual(commands.map((command) => (isObj(command) ? command.command : command)), ['/mesh']);
    const mesh = commands[0] as Obj;
    assert.equal(typeof mesh.description, 'string');
    assert.ok((mesh.description as string).length <= 100, 'slash command description: at most 100 characters');
    if (mesh.usage_hint !== undefined) assert.ok(String(mesh.usage_hint).length <= 1000);
  });

  it('asks for the bot scopes the bot uses', () => {
    const scopes = at('oauth_config', 'scopes', 'bot');
    assert.ok(Array.isArray(scopes));
    for (const scope of ['commands', 'chat:write', 'chat:write.public', 'files:write', 'usergroups:read']) {
      assert.ok(scopes.includes(scope), `bot scope ${scope} is missing`);
    }
    assert.equal(new Set(scopes).size, scopes.length, 'a scope is listed twice');
  });

  it('enables interactivity (approval buttons) and says whether Socket Mode is on', () => {
    assert.equal(at('settings', 'interactivity', 'is_enabled'), true);
    assert.equal(typeof at('settings', 'socket_mode_enabled'), 'boolean');
    if (at('settings', 'socket_mode_enabled') === false) {
      // HTTP mode: Slack needs the request URLs.
      assert.match(String(at('settings', 'interactivity', 'request_url')), /^https:\/\/.+\/slack\/events$/);
    }
  });
});
