import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { z } from 'zod';
import { fields, readArrays, readAs, eachElement } from '../../../../src/istioctl/parsers/proxy-config/common.ts';
import { JsonValue, scanJson } from '../../../../src/istioctl/parsers/proxy-config/json-text.ts';
import { parseClustersJson, parseEndpointsJson } from '../../../../src/istioctl/parsers/proxy-config.ts';
import { rebuild, scanned, syntheticDump } from './fixtures.ts';

const pieceText = (value: JsonValue) => value.text.slice(value.start, value.end);

describe('scanJson', () => {
  it('cuts members whose strings hold braces, brackets, quotes, escapes and unicode', () => {
    const text = String.raw`{ "a" : "}{][,:" , "b\"q}" : ["x\\", "\"]", "\u007d\ud83d\ude00é"], "c": {"d": [ ]}, "e": -1.5e+3, "f": null, "\u0061b": true }`;
    const members = scanned(text).members();
    assert.deepEqual(
      members.map(([key, value]) => [key, pieceText(value)]),
      [
        ['a', '"}{][,:"'],
        ['b"q}', String.raw`["x\\", "\"]", "\u007d\ud83d\ude00é"]`],
        ['c', '{"d": [ ]}'],
        ['e', '-1.5e+3'],
        ['f', 'null'],
        ['ab', 'true'],
      ],
    );
    assert.deepEqual(members[1]?.[1].elements().map((e) => e.parse()), ['x\\', '"]', '}😀é']);
  });

  it('accepts exactly what JSON.parse accepts', () => {
    const valid = ['0', '-0', '1.25', '2E-3', '"\\/\\b\\f\\n\\r\\t"', ' [1 , [] , {}]\r\n', '{"":{"":""}}', '"\ud800"', 'false'];
    const invalid = ['', ' ', '01', '1.', '.5', '-', '1e', '+1', '"\t"', '"\\x"', '"\\u12G4"', '"abc', '[1,]', '[1 2]', '{"a" 1}', '{"a":1,}', '{a:1}', "{'a':1}", '[1]]', '{}x', 'tru', 'nul', 'True', '\u00a0[]', '[1]\u00a0', '{"a":[}'];
    for (const text of valid) assert.ok(scanJson(text) instanceof JsonValue, `should accept ${JSON.stringify(text)}`);
    for (const text of invalid) {
      assert.throws(() => JSON.parse(text), SyntaxError, `JSON.parse accepts ${JSON.stringify(text)}`);
      assert.ok(!(scanJson(text) instanceof JsonValue), `should reject ${JSON.stringify(text)}`);
    }
  });

  it('cuts a large config dump into sections and elements that parse to the same values', () => {
    // Large enough that the scan keeps the offsets of the big containers instead of re-scanning them later.
    const dump = JSON.parse(syntheticDump()) as { configs: Record<string, unknown>[] };
    const clusters = dump.configs.find((c) => String(c['@type']).endsWith('ClustersConfigDump')) as { dynamic_active_clusters: unknown[] };
    clusters.dynamic_active_clusters = Array.from({ length: 120 }, () => clusters.dynamic_active_clusters).flat();
    const text = JSON.stringify(dump, null, 2);
    assert.ok(text.length > 1_000_000);
    assert.deepEqual(rebuild(scanned(text)), dump);
  });
});

describe('readAs', () => {
  const schema = z.object({ clusterName: z.string(), lbEndpoints: z.array(z.object({ healthStatus: z.string().optional() })).optional() });

  it('reads proto (snake_case) and protojson (camelCase) field names alike', () => {
    const snake = readAs(schema, { cluster_name: 'a', lb_endpoints: [{ health_status: 'HEALTHY' }], other_field: {} });
    const camel = readAs(schema, { clusterName: 'a', lbEndpoints: [{ healthStatus: 'HEALTHY' }] });
    for (const result of [snake, camel]) assert.deepEqual(result.data, { clusterName: 'a', lbEndpoints: [{ healthStatus: 'HEALTHY' }] });
  });

  it('takes the later of two spellings, as renaming every key of the dump would', () => {
    assert.equal(readAs(schema, { cluster_name: 'first', clusterName: 'second' }).data?.clusterName, 'second');
    assert.equal(readAs(schema, { clusterName: 'first', cluster_name: 'second' }).data?.clusterName, 'second');
  });

  it('reports a wrong type at the camelCase path', () => {
    const result = readAs(schema, { cluster_name: 'a', lb_endpoints: [{ health_status: 3 }] });
    assert.equal(result.success, false);
    assert.deepEqual(result.error?.issues[0]?.path, ['lbEndpoints', 0, 'healthStatus']);
  });
});

describe('readArrays', () => {
  const names = eachElement(z.object({ name: z.string() }), (e) => [e.name]);

  it('reads the named arrays element by element, absent ones as empty', () => {
    const section = scanned('{"static_things": [{"name": "s"}], "dynamicThings": [{"name": "d1"}, {"name": "d2", "x_y": [1]}], "version_info": "v"}');
    assert.deepEqual(readArrays(section, 'Things', { staticThings: names, dynamicThings: names, warmingThings: names }), {
      ok: true,
      value: { staticThings: ['s'], dynamicThings: ['d1', 'd2'], warmingThings: [] },
    });
    assert.deepEqual([...fields(section).keys()], ['staticThings', 'dynamicThings', 'versionInfo']);
  });

  it('reports the first bad element with its path in the section', () => {
    const section = scanned('{"static_things": [{"name": "s"}, {"name": 7}], "dynamic_things": 3}');
    assert.deepEqual(readArrays(section, 'Things', { staticThings: names, dynamicThings: names }), {
      ok: false,
      error: { kind: 'parse', message: 'Things has an unexpected shape at staticThings.1.name: Invalid input: expected string, received number' },
    });
    assert.deepEqual(readArrays(section, 'Things', { dynamicThings: names }), {
      ok: false,
      error: { kind: 'parse', message: 'Things has an unexpected shape at dynamicThings: Invalid input: expected array, received number' },
    });
  });
});

describe('JSON output checks', () => {
  it('words a syntax error as JSON.parse does', () => {
    const truncated = syntheticDump().slice(0, 5000);
    let expected = '';
    try {
      JSON.parse(truncated.trim());
    } catch (e) {
      expected = `istioctl proxy-config clusters -o json output is not JSON: ${(e as Error).message}`;
    }
    assert.deepEqual(parseClustersJson(truncated), { ok: false, error: { kind: 'parse', message: expected } });
  });

  it('notices a syntax error inside a part no reader looks at', () => {
    const dump = syntheticDump().replace(/^\{/, '{"not_read": {"deep": [1,,2]},');
    assert.match((parseEndpointsJson(dump) as { error: { message: string } }).error.message, /^istioctl proxy-config eds -o json output is not JSON: /);
  });
});
