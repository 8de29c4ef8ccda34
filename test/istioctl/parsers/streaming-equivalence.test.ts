import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { syntheticAnalyze } from '../../../bench/synthetic.ts';
import { parseAnalyzeJson, parseAnalyzeJsonBytes, streamAnalyzeJson } from '../../../src/istioctl/parsers/analyze.ts';
import { parseProxyStatusBytes, streamProxyStatusJson } from '../../../src/istioctl/parsers/proxy-status-bytes.ts';
import { parseProxyStatus } from '../../../src/istioctl/parsers/proxy-status.ts';

/**
 * The bytes readers (one element at a time, for memory) must answer exactly what the string parsers answered
 * before them: the same report or findings, and the same error sentence, on every corpus file.
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

function assertSameProxyStatus(bytes: Uint8Array, label: string): void {
  assert.deepEqual(parseProxyStatusBytes(bytes), parseProxyStatus(Buffer.from(bytes).toString('utf8')), label);
}

describe('proxy-status read from bytes', () => {
  it('gives the string parser\'s answer (report or error) for every proxy-status file of the corpus', () => {
    assert.ok(proxyStatusFiles.length >= 20, `only ${proxyStatusFiles.length} corpus files found`);
    for (const file of proxyStatusFiles) assertSameProxyStatus(readFileSync(file), file);
  });

  it('reads every 1.30+ JSON file of the corpus one ClientConfig at a time, to the same proxies', () => {
    assert.ok(jsonProxyStatus.length >= 3, jsonProxyStatus.join(', '));
    for (const file of jsonProxyStatus) {
      const bytes = readFileSync(file);
      const streamed = streamProxyStatusJson(bytes);
      assert.ok(streamed, `${file} was not read as a stream`);
      const parsed = parseProxyStatus(bytes.toString('utf8'));
      assert.ok(parsed.ok);
      assert.deepEqual(streamed, parsed.value, file);
    }
    const multi = streamProxyStatusJson(readFileSync(join(fixtures, 'istioctl-extra/v1.30+_output-json_multi-istiod.json')));
    assert.ok(multi && multi.istiods.length > 1 && multi.proxies.length > 1, 'the multi-istiod file has several istiods and proxies');
  });

  it('reads a large simulated mesh (several istiods back to back) to the same report', () => {
    const bytes = fakeProxyStatusJson('large:3000');
    const streamed = streamProxyStatusJson(bytes);
    assert.equal(streamed?.proxies.length, 3000);
    assertSameProxyStatus(bytes, 'large:3000');
  });

  it('keeps names with multi-byte characters and escapes as the string parser reads them', () => {
    const document = JSON.stringify({
      resources: [{ '@type': 'type.googleapis.com/envoy.service.status.v3.ClientConfig', node: { id: 'pød-€-😀.shop', metadata: { NAMESPACE: 'shop\u2028"x"' } }, genericXdsConfigs: [{ typeUrl: 'type.googleapis.com/envoy.config.cluster.v3.Cluster', configStatus: 'SYNCED' }] }],
      controlPlane: { identifier: JSON.stringify({ Component: 'istiod', ID: 'istiod-€{}', Info: { version: '1.30.1' } }) },
    }, null, 2);
    const bytes = utf8(`\n${document}\n${document}\n`);
    const streamed = streamProxyStatusJson(bytes);
    assert.equal(streamed?.proxies[0]?.name, 'pød-€-😀.shop');
    assert.equal(streamed?.istiods[0]?.id, 'istiod-€{}');
    assertSameProxyStatus(bytes, 'multi-byte');
  });

  it('gives the string parser\'s exact error for malformed JSON output, and never reads it as a stream', () => {
    const good = readFileSync(join(fixtures, 'istioctl/proxy-status/v1.30+_output-json-yaml/multiXdsStatusSinglePilot.json'), 'utf8');
    const broken = [
      good.slice(0, good.length - 20),
      `${good}\nnot json\n`,
      good.replace('"proxy1"', '""'),
      good.replace('"STALE"', '"WEIRD"'),
      good.replace(/"resources": \[/, '"resources": 5, "x": ['),
      '{"resources": [7]}',
      '{"unrelated": true}',
      '[{"resources": []}]',
    ];
    for (const text of broken) {
      const bytes = utf8(text);
      assert.equal(streamProxyStatusJson(bytes), null, text.slice(0, 60));
      const result = parseProxyStatusBytes(bytes);
      assert.equal(result.ok, false, text.slice(0, 60));
      assertSameProxyStatus(bytes, text.slice(0, 60));
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
