import assert from 'node:assert/strict';
import { chmod, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createIstioctl } from '../../../../src/istioctl/istioctl.ts';
import { trimmedEquals } from '../../../../src/istioctl/parsers/proxy-config/common.ts';
import { JsonValue, scanJson, trimmedBytes } from '../../../../src/istioctl/parsers/proxy-config/json-text.ts';
import {
  parseBootstrapJson,
  parseClustersJson,
  parseConfigDump,
  parseEndpointsJson,
  parseListenersJson,
  parseRoutesJson,
  parseSecretJson,
} from '../../../../src/istioctl/parsers/proxy-config.ts';
import { createIstioctlRunner } from '../../../../src/istioctl/runner.ts';
import { summarizeProxyConfig } from '../../../../src/mesh/proxy-config-report.ts';
import { corpus, rebuild, scanned, syntheticDump } from './fixtures.ts';

const utf8 = (text: string) => new Uint8Array(Buffer.from(text, 'utf8'));

/** Every piece of the value as decoded text, with keys: what the readers see. */
function pieces(value: JsonValue): unknown {
  if (value.kind === 'object') return value.members().map(([key, member]) => [key, member.source(), pieces(member)]);
  if (value.kind === 'array') return value.elements().map((element) => [element.source(), pieces(element)]);
  return value.source();
}

describe('scanJson on UTF-8 bytes', () => {
  const tricky = String.raw`{ "é€😀" : "}{][,:é" , "b\"q}€" : ["x\\", "\"]", "\u007d\ud83d\ude00é", "😀\\\"{"], "c": {"d€": [ ], "😀": {"": "€"}}, "e": -1.5e+3, "f": null, "\u0061b": true, "g": ["€", 1, {"h": "\\"}] }`;

  it('cuts members whose strings hold multi-byte characters, escaped quotes, backslashes and braces', () => {
    const members = scanned(utf8(tricky)).members();
    assert.deepEqual(
      members.map(([key, value]) => [key, value.source()]),
      [
        ['é€😀', '"}{][,:é"'],
        ['b"q}€', String.raw`["x\\", "\"]", "\u007d\ud83d\ude00é", "😀\\\"{"]`],
        ['c', '{"d€": [ ], "😀": {"": "€"}}'],
        ['e', '-1.5e+3'],
        ['f', 'null'],
        ['ab', 'true'],
        ['g', String.raw`["€", 1, {"h": "\\"}]`],
      ],
    );
    assert.deepEqual(members[1]?.[1].elements().map((e) => e.parse()), ['x\\', '"]', '}😀é', '😀\\"{']);
    // Offsets are byte offsets: the first value starts after the 9-byte key "é€😀" (2 + 3 + 4 bytes).
    assert.equal(members[0]?.[1].start, Buffer.byteLength('{ "é€😀" : '));
  });

  it('reads exactly what the string path reads', () => {
    assert.deepEqual(pieces(scanned(utf8(tricky))), pieces(scanned(tricky)));
    assert.deepEqual(rebuild(scanned(utf8(tricky))), JSON.parse(tricky));
  });

  it('accepts and rejects what JSON.parse does', () => {
    const valid = ['0', '-0', '1.25', '2E-3', '"\\/\\b\\f\\n\\r\\t"', ' [1 , [] , {}]\r\n', '{"":{"":""}}', '"\ud83d\ude00"', 'false', '"é€"', '{"€":["😀"]}'];
    const invalid = ['', ' ', '01', '1.', '.5', '-', '1e', '+1', '"\t"', '"\\x"', '"\\u12G4"', '"abc', '"é', '[1,]', '[1 2]', '{"a" 1}', '{"a":1,}', '{a:1}', "{'a':1}", '[1]]', '{}x', 'tru', 'nul', 'True', '\u00a0[]', '[1]\u00a0', '{"a":[}', '[é]', '{é:1}', '[1]€'];
    for (const text of valid) assert.ok(scanJson(utf8(text)) instanceof JsonValue, `should accept ${JSON.stringify(text)}`);
    for (const text of invalid) {
      assert.throws(() => JSON.parse(text), SyntaxError, `JSON.parse accepts ${JSON.stringify(text)}`);
      assert.ok(!(scanJson(utf8(text)) instanceof JsonValue), `should reject ${JSON.stringify(text)}`);
    }
  });

  it('decodes malformed UTF-8 inside a string as the string path does (U+FFFD)', () => {
    const bytes = new Uint8Array([0x5b, 0x22, 0x61, 0xe2, 0x82, 0x22, 0x2c, 0x22, 0xff, 0x22, 0x5d]); // ["a\xE2\x82","\xFF"]
    const text = Buffer.from(bytes).toString('utf8');
    assert.deepEqual(rebuild(scanned(bytes)), JSON.parse(text));
    assert.deepEqual(rebuild(scanned(bytes)), ['a\ufffd', '\ufffd']);
  });

  it('reads a Uint8Array view into a larger buffer at its own offsets', () => {
    const whole = utf8(`xx${tricky}yy`);
    const view = whole.subarray(2, whole.length - 2);
    assert.deepEqual(rebuild(scanned(view)), JSON.parse(tricky));
  });

  it('cuts a large config dump with non-ASCII text into the same values', () => {
    const dump = JSON.parse(syntheticDump()) as { configs: Record<string, unknown>[] };
    const clusters = dump.configs.find((c) => String(c['@type']).endsWith('ClustersConfigDump')) as { dynamic_active_clusters: unknown[] };
    clusters.dynamic_active_clusters = Array.from({ length: 120 }, (_, i) => clusters.dynamic_active_clusters.map((c) => ({ ...(c as object), note: `€${i}😀é "q" {}\\` }))).flat();
    const text = JSON.stringify(dump, null, 2);
    assert.ok(text.length > 1_000_000);
    assert.deepEqual(rebuild(scanned(utf8(text))), dump);
    assert.deepEqual(pieces(scanned(utf8(text))), pieces(scanned(text)));
  });
});

describe('trimmedBytes', () => {
  it('removes what String.prototype.trim removes, and nothing else', () => {
    const spaces = ['\t', '\n', '\v', '\f', '\r', ' ', '\u00a0', '\u1680', '\u2000', '\u200a', '\u2028', '\u2029', '\u202f', '\u205f', '\u3000', '\ufeff'];
    const kept = ['\u0085', '\u200b', '\u180e', '€', 'x', '\ufffd'];
    const cases = [...spaces.map((s) => `${s}{}${s}`), `${spaces.join('')}[1]${spaces.join('')}`, ...kept.map((k) => `${k} {} ${k}`), '', spaces.join('')];
    for (const text of cases) {
      assert.equal(Buffer.from(trimmedBytes(utf8(text))).toString('utf8'), text.trim(), JSON.stringify(text));
    }
    // Malformed sequences at either end stay (they decode to U+FFFD, which trim keeps).
    for (const bytes of [[0xe2, 0x80, 0x20, 0x7b, 0x7d], [0x7b, 0x7d, 0x20, 0x80, 0xa8], [0x7b, 0x7d, 0xe2, 0x80, 0xa8, 0x80], [0xc2]]) {
      const input = new Uint8Array(bytes);
      assert.equal(Buffer.from(trimmedBytes(input)).toString('utf8'), Buffer.from(input).toString('utf8').trim(), JSON.stringify(bytes));
    }
  });

  it('compares a trimmed message', () => {
    assert.ok(trimmedEquals(utf8('\ufeff No secrets. \n'), 'No secrets.'));
    assert.ok(!trimmedEquals(utf8('No secrets!'), 'No secrets.'));
  });
});

describe('proxy-config parsers on bytes', () => {
  const NOW = new Date('2024-01-01T00:00:00Z');
  const inputs = [
    'all/input_config_dump.json',
    'config-dumps/configdump.json',
    'eds/input_configdump.json',
    'eds/portfilter_output.json',
    'bootstrap/v1.26+_bootstrapdump.json',
    'secret/v1.20-1.24_input_config_dump.json',
  ];

  it('give the same results (and the same failures) as on the decoded string', () => {
    const parsers = [
      parseClustersJson,
      parseListenersJson,
      parseRoutesJson,
      parseEndpointsJson,
      parseBootstrapJson,
      // The dump's sections are still text, at byte or string offsets: compared as the values they hold.
      function configDump(stdout: string | Uint8Array) {
        const dump = parseConfigDump(stdout);
        return dump.ok ? dump.value.configs.map((section) => ({ type: section.type, value: rebuild(section.value) })) : dump;
      },
      function secretJson(stdout: string | Uint8Array) {
        return parseSecretJson(stdout, NOW);
      },
    ];
    const texts = [
      ...inputs.map(corpus),
      syntheticDump(),
      `\ufeff${syntheticDump()}\u3000\n`,
      syntheticDump().slice(0, 5000),
      syntheticDump().replace(/^\{/, '{"not_read": {"deep": [1,,2]},'),
      syntheticDump().replace(/^\{/, '{"é€😀": "}{\\"",'),
      '',
      ' \n',
      '[]',
      '{"configs": 3}',
      'No active or warming secrets found.\n',
      '[{"name": "é€😀"}]',
    ];
    for (const text of texts) {
      for (const parse of parsers) assert.deepEqual(parse(utf8(text)), parse(text), `${parse.name} on ${JSON.stringify(text.slice(0, 60))}`);
    }
  });

  it('summarize a dump from bytes as from its string', () => {
    for (const path of inputs) {
      const stdout = corpus(path);
      const fromText = summarizeProxyConfig({ type: 'all', format: 'json', stdout }, { now: NOW });
      const fromBytes = summarizeProxyConfig({ type: 'all', format: 'json', stdout: '', bytes: utf8(stdout) }, { now: NOW });
      assert.deepEqual(fromBytes, fromText, path);
    }
  });
});

describe('proxy-config output as bytes', () => {
  it('is kept as bytes by the runner for -o json, with stdout decoded only when read', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mesh-bot-bytes-'));
    const binary = join(dir, 'istioctl');
    const dump = syntheticDump().replace(/^\{/, '{"note": "é€😀",');
    const file = join(dir, 'dump.json');
    await writeFile(file, dump);
    await writeFile(
      binary,
      `#!/usr/bin/env node
import { readFileSync } from 'node:fs';
const args = process.argv.slice(2);
if (args[0] === 'version') process.stdout.write(JSON.stringify({ clientVersion: { version: '1.28.1' } }));
else if (args.includes('--output')) process.stdout.write(readFileSync(${JSON.stringify(file)}));
else process.stdout.write('NAME   TYPE\\né€ x\\n');
`,
    );
    await chmod(binary, 0o755);
    const run = createIstioctlRunner({ binary, timeoutMs: 10_000, cacheTtlMs: 5_000, concurrency: 4, maxOutputBytes: 64 * 1024 * 1024 });
    const istioctl = createIstioctl(run, { runTimeoutMs: 10_000 });
    const cluster = { name: 'c', context: 'ctx', default: true, istioNamespace: 'istio-system', defaultNamespace: 'default' };

    for (const attempt of [1, 2]) {
      // The second answer comes from the runner's cache: still bytes.
      const output = await istioctl.proxyConfig(cluster, { type: 'all', pod: 'web-1', namespace: 'shop' });
      assert.ok(output.ok, `attempt ${attempt}`);
      assert.ok(output.value.value.bytes instanceof Uint8Array);
      assert.equal(Buffer.from(output.value.value.bytes).toString('utf8'), dump);
      assert.equal(output.value.value.stdout, dump);
      const summary = summarizeProxyConfig(output.value.value, { now: new Date('2024-01-01T00:00:00Z') });
      assert.deepEqual(summary, summarizeProxyConfig({ type: 'all', format: 'json', stdout: dump }, { now: new Date('2024-01-01T00:00:00Z') }));
    }
    // `log` is the one proxy-config type without `-o json` (secret reads its JSON too, for the intermediates).
    const text = await istioctl.proxyConfig(cluster, { type: 'log', pod: 'web-1', namespace: 'shop' });
    assert.ok(text.ok);
    assert.deepEqual(text.value.value, { type: 'log', format: 'text', stdout: 'NAME   TYPE\né€ x\n' });
    const raw = await run({ args: ['proxy-status'] });
    assert.ok(raw.ok && raw.value.stdoutBytes === undefined && raw.value.stdout === 'NAME   TYPE\né€ x\n');
  });
});
