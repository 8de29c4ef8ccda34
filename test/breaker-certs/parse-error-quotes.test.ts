// When istioctl's `-o json` output does not parse, mesh-bot's answer says why ("mesh-bot could not read istioctl's
// output (…)", in Slack and in the terminal). The reason was JSON.parse's own message, which quotes up to ten
// characters of the output on each side of the error ("Unexpected token 'M', "…MC4CAQAwBQ"… is not valid JSON"):
// output text, possibly key material, copied into chat. README: private keys and secrets are never printed.

import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { describe, it } from 'node:test';
import { parseSecretChainsJson } from '../../src/istioctl/parsers/proxy-config/secret.ts';
import { parseError } from '../../src/istioctl/errors.ts';

const key = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'der' }).toString('base64');

describe('a secret dump that is not JSON', () => {
  for (const stdout of [`{"privateKey": ${key}}`, `[1, 2, 3, ${key}]`, `${key}\n`]) {
    it(`the error names the position, not the text around it (${stdout.slice(0, 12)}…)`, () => {
      const parsed = parseSecretChainsJson(stdout, new Date());
      assert.equal(parsed.ok, false);
      if (parsed.ok) return;
      const shown = parseError(parsed.error).message;
      assert.match(shown, /not JSON/);
      for (let at = 0; at + 6 <= key.length; at++) assert.ok(!shown.includes(key.slice(at, at + 6)), `"${key.slice(at, at + 6)}" of the key is in: ${shown}`);
    });
  }
});
