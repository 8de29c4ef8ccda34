import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CLUSTER_FLAG, NAMESPACE_FLAG, checkObjectName, closestWord, parseArgs, tokenize, type FlagSpec } from '../src/grammar.ts';

const ALL: FlagSpec = { name: 'all-namespaces', short: 'A', takesValue: false };
const specs = [NAMESPACE_FLAG, CLUSTER_FLAG, ALL];

function flagsOf(text: string) {
  const parsed = parseArgs(tokenize(text), specs);
  assert.ok(parsed.ok, parsed.ok ? '' : parsed.error);
  return Object.fromEntries(parsed.value.flags);
}

function problemOf(text: string): string {
  const parsed = parseArgs(tokenize(text), specs);
  assert.equal(parsed.ok, false, `expected "${text}" to be refused`);
  return parsed.ok ? '' : parsed.error;
}

describe('command grammar', () => {
  it('accepts the kubectl spellings of a namespace flag', () => {
    for (const text of ['-n shop', '--namespace shop', '--namespace=shop', '-n=shop', '-nshop']) assert.deepEqual(flagsOf(text), { namespace: 'shop' }, text);
  });

  it('accepts switches and value flags together', () => {
    assert.deepEqual(flagsOf('-A --cluster prod-eu'), { 'all-namespaces': true, cluster: 'prod-eu' });
  });

  it('undoes the em dash Slack makes of a pasted double dash', () => {
    assert.deepEqual(flagsOf('\u2014namespace shop'), { namespace: 'shop' });
  });

  it('refuses an option where a namespace belongs', () => {
    assert.match(problemOf('-n --cluster'), /needs a value, got the option-like "--cluster"/);
  });

  it('refuses namespaces that are not Kubernetes names, before anything runs', () => {
    assert.match(problemOf('-n Shop'), /not a valid namespace name/);
    assert.match(problemOf('-n shop;rm'), /not a valid namespace name/);
    assert.match(problemOf(`-n ${'a'.repeat(64)}`), /not a valid namespace name/);
  });

  it('names an unknown flag and a missing value', () => {
    assert.equal(problemOf('--output json'), 'unknown flag --output');
    assert.equal(problemOf('-x'), 'unknown flag -x');
    assert.equal(problemOf('-n'), 'flag --namespace needs a value');
    assert.equal(problemOf('-A=yes'), 'flag --all-namespaces takes no value');
  });

  it('keeps positionals in order', () => {
    const parsed = parseArgs(tokenize('routes productpage-v1-abc.default -n default'), specs);
    assert.ok(parsed.ok);
    assert.deepEqual(parsed.value.positionals, ['routes', 'productpage-v1-abc.default']);
  });

  it('validates positional object names and refuses option-like ones', () => {
    assert.deepEqual(checkObjectName('reviews', 'VirtualService'), { ok: true, value: 'reviews' });
    assert.match(checkObjectName('--weight', 'VirtualService').ok ? '' : 'refused', /refused/);
    const bad = checkObjectName('Reviews_1', 'VirtualService');
    assert.equal(bad.ok, false);
    assert.match(bad.ok ? '' : bad.error, /not a valid VirtualService/);
    const missing = checkObjectName(undefined, 'VirtualService');
    assert.equal(missing.ok ? '' : missing.error, 'missing VirtualService');
  });
});

describe('did you mean', () => {
  const names = ['status', 'analyze', 'proxy-config', 'canary', 'digest', 'help'];
  it('suggests the command one or two typing slips away, swapped letters included', () => {
    assert.equal(closestWord('stauts', names), 'status');
    assert.equal(closestWord('STATSU', names), 'status');
    assert.equal(closestWord('analyse', names), 'analyze');
    assert.equal(closestWord('canry', names), 'canary');
    assert.equal(closestWord('hlep', names), 'help');
  });
  it('suggests nothing for a word that is not close to any command', () => {
    assert.equal(closestWord('reboot', names), undefined);
    assert.equal(closestWord('x', names), undefined);
  });
});
