import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { syntheticAnalyze } from '../../../bench/synthetic.ts';
import { parseAnalyzeJson, parseAnalyzeJsonBytes, streamAnalyzeJson } from '../../../src/istioctl/parsers/analyze.ts';
import { parseProxyStatusBytes, proxyStatusStream } from '../../../src/istioctl/parsers/proxy-status-bytes.ts';
import { parseProxyStatus } from '../../../src/istioctl/parsers/proxy-status.ts';

/**
 * The bytes readers (one element at a time, for memory) must answer exactly what the string parsers answered
 * before them: the same report or findings, and the same error sentence, on every corpus file; proxy-status also
 * however istioctl's output is cut into chunks on its way (the runner hands them over as they arrive).
 */
const fixtures = fileURLToPath(new URL('../../fixtures/', import.meta.url));
const utf8 = (text: string) => new Uint8Array(Buffer.from(text, 'utf8'));

function filesUnder(dir: string): string[] {
  return readdirSync(join(fixtures, dir), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

const proxyStatusFiles = [...filesUnder('istioctl/proxy-status'), ...filesUnder('istioctl-extra').filter((file) => /output-json|age-suffix/.test(file))];
// The DiscoveryResponse outputs (diff-mode holds Envoy config dumps, which are not proxy-status output).
const jsonProxyStatus = proxyStatusFiles.filter((file) => !file.includes('diff-mode') && readFileSync(file, 'utf8').trimStart().startsWith('{'));
const fakeIstioctl = fileURLToPath(new URL('../../../src/sandbox/istioctl/istioctl', import.meta.url));

function fakeProxyStatusJson(scenario: string): Buffer {
  return execFileSync(process.execPath, [fakeIstioctl, 'proxy-status', '--output', 'json'], { env: { ...process.env, FAKE_ISTIOCTL_VERSION: '1.30.1', FAKE_ISTIOCTL_SCENARIO: scenario }, maxBuffer: 256 * 1024 * 1024 });
}

/** Feeds `bytes` to the streaming reader in the chunks `cuts` (offsets) make, as the runner gets them from istioctl. */
function inChunks(bytes: Uint8Array, cuts: readonly number[]) {
  const stream = proxyStatusStream();
  let from = 0;
  for (const cut of [...cuts, bytes.length]) {
    stream.write(bytes.subarray(from, cut));
    from = cut;
  }
  return stream.end();
}

/** Deterministic cut points (a linear congruential generator, so a failure reproduces). */
function randomCuts(length: number, seed: number, average: number): number[] {
  const cuts: number[] = [];
  let state = seed;
  for (let at = 0; ; ) {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    at += 1 + (state % (2 * average));
    if (at >= length) return cuts;
    cuts.push(at);
  }
}

const everyByte = (bytes: Uint8Array) => Array.from({ length: Math.max(0, bytes.length - 1) }, (_, index) => index + 1);

function assertSameProxyStatus(bytes: Uint8Array, label: string): void {
  const expected = parseProxyStatus(Buffer.from(bytes).toString('utf8'));
  assert.deepEqual(parseProxyStatusBytes(bytes), expected, `${label}: all at once`);
  assert.deepEqual(inChunks(bytes, randomCuts(bytes.length, 7, 64)), expected, `${label}: random cuts`);
  assert.deepEqual(inChunks(bytes, randomCuts(bytes.length, 11, 4096)), expected, `${label}: random larger cuts`);
}

describe('proxy-status read from istioctl\'s bytes as they arrive', () => {
  it('gives the string parser\'s answer (report or error) for every proxy-status file of the corpus, however it is cut', () => {
    assert.ok(proxyStatusFiles.length >= 20, `only ${proxyStatusFiles.length} corpus files found`);
    for (const file of proxyStatusFiles) assertSameProxyStatus(readFileSync(file), file);
  });

  it('reads every 1.30+ JSON file of the corpus to the same proxies when fed one byte at a time', () => {
    assert.ok(jsonProxyStatus.length >= 3, jsonProxyStatus.join(', '));
    for (const file of jsonProxyStatus) {
      const bytes = readFileSync(file);
      const parsed = parseProxyStatus(bytes.toString('utf8'));
      assert.ok(parsed.ok, file);
      assert.deepEqual(inChunks(bytes, everyByte(bytes)), parsed, file);
    }
    const multi = parseProxyStatusBytes(readFileSync(join(fixtures, 'istioctl-extra/v1.30+_output-json_multi-istiod.json')));
    assert.ok(multi.ok && multi.value.istiods.length > 1 && multi.value.proxies.length > 1, 'the multi-istiod file has several istiods and proxies');
  });

  it('reads a large simulated mesh (several istiods back to back) to the same report in 64 KiB pipe reads', () => {
    const bytes = fakeProxyStatusJson('large:3000');
    const pipeReads = Array.from({ length: Math.floor((bytes.length - 1) / 65_536) }, (_, index) => (index + 1) * 65_536);
    const streamed = inChunks(bytes, pipeReads);
    assert.equal(streamed.ok && streamed.value.proxies.length, 3000);
    assert.deepEqual(streamed, parseProxyStatus(bytes.toString('utf8')));
    assertSameProxyStatus(bytes, 'large:3000');
  });

  it('keeps multi-byte characters and escaped quotes and backslashes whole, wherever a chunk ends', () => {
    const document = JSON.stringify({
      resources: [{ '@type': 'type.googleapis.com/envoy.service.status.v3.ClientConfig', node: { id: 'pød-€-😀.shop', metadata: { NAMESPACE: 'shop\u2028"x"', CLUSTER_ID: 'c\\"}]{[\\\\', ISTIO_VERSION: '\\' } }, genericXdsConfigs: [{ typeUrl: 'type.googleapis.com/envoy.config.cluster.v3.Cluster', configStatus: 'SYNCED' }] }],
      controlPlane: { identifier: JSON.stringify({ Component: 'istiod', ID: 'istiod-€{}"\\', Info: { version: '1.30.1' } }) },
    }, null, 2);
    const bytes = utf8(`\n${document}\n${JSON.stringify(JSON.parse(document))}\n`);
    const expected = parseProxyStatus(Buffer.from(bytes).toString('utf8'));
    assert.ok(expected.ok);
    assert.equal(expected.value.proxies[0]?.name, 'pød-€-😀.shop');
    assert.equal(expected.value.proxies[0]?.cluster, 'c\\"}]{[\\\\');
    assert.equal(expected.value.istiods[0]?.id, 'istiod-€{}"\\');
    // Every single cut point (inside each multi-byte character, between a backslash and the quote it escapes),
    // then one byte at a time.
    for (const cut of everyByte(bytes)) assert.deepEqual(inChunks(bytes, [cut]), expected, `cut at ${cut}`);
    assert.deepEqual(inChunks(bytes, everyByte(bytes)), expected, 'one byte at a time');
  });

  it('gives the string parser\'s exact error for JSON that is not a DiscoveryResponse, however it is cut', () => {
    const good = readFileSync(join(fixtures, 'istioctl/proxy-status/v1.30+_output-json-yaml/multiXdsStatusSinglePilot.json'), 'utf8');
    const misfit = JSON.stringify({ resources: [{ '@type': 'type.googleapis.com/envoy.service.status.v3.ClientConfig', node: { id: 'a.ns' } }, 7, { '@type': 5 }, 'x'] });
    const wrongShapes = [
      good.replace('"proxy1"', '""'),
      good.replace('"STALE"', '"WEIRD"'),
      good.replace(/"resources": \[/, '"resources": 5, "x": ['),
      '{"resources": [7]}',
      misfit,
      `${good}${misfit}`,
      `${misfit}\n${good.replace('"proxy1"', '""')}`,
      '{"unrelated": true}',
      `${good}\n[{"resources": []}]`,
      '[{"resources": []}]',
      '{"resources": [], "resources": 3}',
      '{"resources": 3, "resources": [{"@type": 4}]}',
      `{"controlPlane": {"identifier": "not json"}, "resources": [{"@type": 4}]}`,
    ];
    for (const text of wrongShapes) {
      const bytes = utf8(text);
      const expected = parseProxyStatus(text);
      assert.equal(expected.ok, false, text.slice(0, 60));
      assertSameProxyStatus(bytes, text.slice(0, 60));
      assert.deepEqual(inChunks(bytes, everyByte(bytes)), expected, `${text.slice(0, 60)}: one byte at a time`);
    }
  });

  it('refuses output that is not valid JSON with the byte where it stops being JSON', () => {
    const good = readFileSync(join(fixtures, 'istioctl/proxy-status/v1.30+_output-json-yaml/multiXdsStatusSinglePilot.json'), 'utf8');
    const cases: [string, RegExp][] = [
      [good.slice(0, good.length - 20), /not valid JSON at byte \d+: the output ends inside a document \(truncated\)\.$/],
      [`${good}\nnot json\n`, new RegExp(`not valid JSON at byte ${Buffer.byteLength(good) + 1}: expected the next JSON document or the end, found \`n\`\\.$`)],
      ['{"resources": [{"a": 1,}]}', /not valid JSON at byte 15: .*\(in the value starting there\)\.$/],
      ['{"resources": [{}] "nonce": "1"}', /not valid JSON at byte 19: expected "," or "}" after the value of "resources", found `"`\.$/],
      ['{"nonce" "1"}', /not valid JSON at byte 9: expected ":" after "nonce", found `"`\.$/],
      [`${good} \u00a0 {}`, /not valid JSON at byte \d+: text after the last document\.$/],
      // Parsed whole: a good document then a broken one is still broken, even though the first was read.
      [`${good}{"resources": [}`, /not valid JSON/],
    ];
    for (const [text, expected] of cases) {
      const bytes = utf8(text);
      assert.equal(parseProxyStatus(text).ok, false, `the string parser refuses it too: ${text.slice(-40)}`);
      for (const result of [parseProxyStatusBytes(bytes), inChunks(bytes, everyByte(bytes)), inChunks(bytes, randomCuts(bytes.length, 3, 16))]) {
        assert.equal(result.ok, false, text.slice(-40));
        assert.match(result.ok ? '' : result.error.message, expected);
      }
    }
    // Unicode whitespace after the last document is what String.prototype.trim removes: still read.
    const trailing = utf8(`${good}\u00a0\ufeff\n`);
    assert.deepEqual(inChunks(trailing, everyByte(trailing)), parseProxyStatus(`${good}\u00a0\ufeff\n`));
    assert.ok(parseProxyStatusBytes(trailing).ok);
  });

  it('cuts an element that starts on its own line at its own closing line only, whatever else is laid out like it', () => {
    const clientConfig = '"@type": "type.googleapis.com/envoy.service.status.v3.ClientConfig"';
    const cluster = '{"typeUrl": "type.googleapis.com/envoy.config.cluster.v3.Cluster", "configStatus": "STALE"}';
    const layouts = [
      // A nested object closes at the element's own indentation: cut there, the piece is not JSON, so it is scanned.
      `{\n    "resources": [\n        {\n            ${clientConfig},\n            "node": {"id": "a.ns",\n        "metadata": {"NAMESPACE": "ns"}\n        },\n            "genericXdsConfigs": [${cluster}]\n        },\n        {${clientConfig}, "node": {"id": "b.ns"}}\n    ]\n}\n`,
      // A string holding the text of a closing line (escaped: JSON strings hold no raw newline).
      `{\n    "resources": [\n        {\n            ${clientConfig},\n            "node": {"id": "c.ns", "metadata": {"NAMESPACE": "\\n        }"}}\n        }\n    ]\n}\n`,
      // Tabs, and elements on one line after the first.
      `{\n\t"resources": [\n\t\t{${clientConfig}, "node": {"id": "d.ns"}, "genericXdsConfigs": [${cluster}]\n\t\t}, {${clientConfig}, "node": {"id": "e.ns"}}]\n}`,
    ];
    const names = [['a.ns', 'b.ns'], ['c.ns'], ['d.ns', 'e.ns']];
    for (const [index, text] of layouts.entries()) {
      const expected = parseProxyStatus(text);
      assert.deepEqual(expected.ok && expected.value.proxies.map((proxy) => proxy.name), names[index], text);
      assertSameProxyStatus(utf8(text), text);
      assert.deepEqual(inChunks(utf8(text), everyByte(utf8(text))), expected, `${text}: one byte at a time`);
    }
    const escaped = parseProxyStatusBytes(utf8(layouts[1] ?? ''));
    assert.equal(escaped.ok && escaped.value.proxies[0]?.namespace, '\n        }');
    // An indented element that is not JSON is refused at its first byte, as a scanned one is.
    const broken = `{\n    "resources": [\n        {\n            "a": 1,\n        }\n    ]\n}\n`;
    const refused = parseProxyStatusBytes(utf8(broken));
    assert.match(refused.ok ? '' : refused.error.message, /not valid JSON at byte 29: .*\(in the value starting there\)\.$/);
  });

  it('reads tables, YAML and output before a byte-order mark whole, as the string parser does', () => {
    for (const text of ['', '  \n', '\ufeff{"resources": []}', 'controlPlane:\n  identifier: ""\nresources: []\n', 'Error: something\n']) {
      const bytes = utf8(text);
      assert.deepEqual(inChunks(bytes, everyByte(bytes)), parseProxyStatus(text), JSON.stringify(text));
    }
  });
});

describe('analyze -o json read from bytes', () => {
  const analyzeFiles = filesUnder('istioctl/analyze/formatter-golden').filter((file) => file.endsWith('.json'));

  it('gives the string parser\'s findings for every analyze JSON file of the corpus, read one finding at a time', () => {
    assert.ok(analyzeFiles.length >= 2);
    for (const file of analyzeFiles) {
      const bytes = readFileSync(file);
      const expected = parseAnalyzeJson(bytes.toString('utf8'));
      assert.ok(expected.ok, file);
      assert.deepEqual(streamAnalyzeJson(bytes), expected.value, file);
      assert.deepEqual(parseAnalyzeJsonBytes(bytes), expected, file);
    }
  });

  it('reads 2,000 synthetic findings to the same list', () => {
    const text = syntheticAnalyze(2_000);
    const streamed = streamAnalyzeJson(utf8(text));
    assert.equal(streamed?.length, 2_000);
    assert.deepEqual(parseAnalyzeJsonBytes(utf8(text)), parseAnalyzeJson(text));
  });

  it('gives the string parser\'s exact error for output that is not a findings array', () => {
    const good = readFileSync(join(fixtures, 'istioctl/analyze/formatter-golden/json.json'), 'utf8');
    for (const text of ['', '  \n', good.slice(0, -10), good.replace('"Error"', '"Fatal"'), '{"code": "IST0101"}', '[1, 2]']) {
      const bytes = utf8(text);
      assert.equal(streamAnalyzeJson(bytes), null, JSON.stringify(text.slice(0, 40)));
      const result = parseAnalyzeJsonBytes(bytes);
      assert.equal(result.ok, false);
      assert.deepEqual(result, parseAnalyzeJson(text));
    }
  });
});
