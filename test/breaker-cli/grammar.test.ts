import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findCommand } from '../../commands/index.ts';
import { tokenize } from '../../src/grammar.ts';

/**
 * What the command line does before anything runs, as Slack reads it (`/mesh <text>`: the text is tokenized) and as
 * the terminal reads it (`mesh-bot <argv>`: the shell's words, never tokenized). Both end in the same command module.
 */
function slack(text: string): { ok: true; label: string; cluster: string | undefined } | { ok: false; error: string } {
  return prepared(tokenize(text));
}

function terminal(...argv: string[]): { ok: true; label: string; cluster: string | undefined } | { ok: false; error: string } {
  return prepared(argv);
}

function prepared(tokens: readonly string[]): { ok: true; label: string; cluster: string | undefined } | { ok: false; error: string } {
  const lookup = findCommand(tokens);
  if (!lookup.ok) return { ok: false, error: lookup.error.message };
  const result = lookup.value.command.prepare(lookup.value.rest);
  return result.ok ? { ok: true, label: result.value.label, cluster: result.value.clusterName } : { ok: false, error: result.error };
}

function refusal(result: ReturnType<typeof prepared>): string {
  assert.equal(result.ok, false, 'expected a refusal');
  return result.ok ? '' : result.error;
}

describe('a value flag given twice', () => {
  // kubectl's last-value-wins would read (or promote in) whatever was typed last in a half-edited chat line.
  for (const line of ['status -n shop -n payments', 'analyze --namespace=shop -n payments', 'pc routes productpage-v1 -n shop -n payments', 'status --cluster default --cluster prod', 'waypoint -n a --namespace b', 'zc workloads --node n1 --node n2']) {
    it(`${line}: refused, both values named`, () => {
      assert.match(refusal(slack(line)), /^--(namespace|cluster|node) is given twice \("[a-z0-9-]+" and "[a-z0-9-]+"\); give it once$/);
    });
  }

  it('canary promote --weight 10 --weight 90 is refused rather than planning 90', () => {
    assert.equal(refusal(terminal('canary', 'promote', 'reviews', '--weight', '10', '--weight', '90')), '--weight is given twice ("10" and "90"); give it once');
  });

  it('the same value twice is the same request', () => {
    assert.deepEqual(slack('status -n shop --namespace=shop'), { ok: true, label: 'status', cluster: undefined });
    assert.equal(slack('analyze -A --all-namespaces').ok, true);
  });
});

describe('long dashes and curly quotes (Slack, phones and word processors make them of -- and ")', () => {
  it('Slack: an en dash before one letter is that short flag, not "unknown flag --n"', () => {
    for (const line of ['status \u2013n shop', 'analyze \u2014n shop', 'waypoint list \u2013A', 'pc routes productpage-v1 \u2013n=shop']) {
      assert.equal(slack(line).ok, true, `${line}: ${JSON.stringify(slack(line))}`);
    }
    assert.match(refusal(slack('status \u2013n NOPE')), /"NOPE" is not a valid namespace name/, 'the value is still checked');
  });

  it('Slack: a long dash before a word is that long flag, for every command', () => {
    assert.deepEqual(slack('status \u2014cluster default'), { ok: true, label: 'status', cluster: 'default' });
    assert.equal(slack('canary promote reviews \u2014weight 50 \u2014subset v2').ok, true);
    assert.equal(slack('zc workloads \u2014node kind-worker').ok, true);
  });

  it('Slack: straight quotes around a value are dropped like curly ones', () => {
    assert.deepEqual(slack('status -n "shop" --cluster \u201cdefault\u201d'), { ok: true, label: 'status', cluster: 'default' });
    assert.equal(slack("canary status 'reviews'").ok, true);
  });

  for (const [argv, flag] of [
    [['status', '\u2014cluster', 'prod'], '--cluster'],
    [['analyze', '\u2014all-namespaces'], '--all-namespaces'],
    [['waypoint', 'list', '\u2014namespace=shop'], '--namespace'],
    [['pc', 'secret', 'productpage-v1', '\u2014fqdn', 'x'], '--fqdn'],
    [['zc', 'workloads', '\u2014node', 'n1'], '--node'],
    [['digest', '\u2014cluster', 'prod'], '--cluster'],
  ] as const) {
    it(`terminal: ${argv.join(' ')} says the long dash is the flag ${flag} and what to type`, () => {
      assert.equal(refusal(terminal(...argv)), `"${argv.find((token) => token.startsWith('\u2014'))}" looks like the flag ${flag} with its two dashes turned into one long dash (phones do that); type ${flag}`);
    });
  }

  it('terminal: an en dash before one letter is that short flag (not "unexpected argument")', () => {
    assert.equal(refusal(terminal('status', '\u2013n', 'shop')), '"\u2013n" looks like the flag -n typed with a dash other than "-" (phones, word processors and some keyboards make one); type -n');
    assert.equal(refusal(terminal('analyze', '\u2013A')), '"\u2013A" looks like the flag -A typed with a dash other than "-" (phones, word processors and some keyboards make one); type -A');
  });

  it('terminal: curly quotes around a value are named, with the value to type', () => {
    assert.equal(refusal(terminal('status', '-n', '\u201cshop\u201d')), '"\u201cshop\u201d" has curly quotes in it (chat apps and word processors add them); type shop without quotes');
    assert.equal(refusal(terminal('canary', 'status', '\u2018reviews\u2019')), '"\u2018reviews\u2019" has curly quotes in it (chat apps and word processors add them); type reviews without quotes');
  });
});

describe('flags before the command and before the canary action, as kubectl and istioctl take them', () => {
  it('-n and --cluster before the command name', () => {
    assert.deepEqual(terminal('-n', 'shop', 'status'), { ok: true, label: 'status', cluster: undefined });
    assert.deepEqual(terminal('--cluster=default', 'ps', '-n', 'shop'), { ok: true, label: 'status', cluster: 'default' });
    assert.deepEqual(slack('--cluster default canary status reviews'), { ok: true, label: 'canary status', cluster: 'default' });
    assert.match(refusal(terminal('-x', 'status')), /^unknown flag -x$/, 'an unknown leading flag is refused by the command');
  });

  it('canary -n shop status reviews', () => {
    assert.deepEqual(terminal('canary', '-n', 'shop', 'status', 'reviews'), { ok: true, label: 'canary status', cluster: undefined });
    assert.deepEqual(slack('canary --cluster default promote reviews --weight 20'), { ok: true, label: 'canary promote', cluster: 'default' });
  });

  it('a canary flag of another action names the action it belongs to', () => {
    assert.equal(refusal(slack('canary status reviews --weight 50')), '--weight belongs to `canary promote`, not to `canary status`');
    assert.equal(refusal(slack('canary promote reviews --weight 50 --to v1')), '--to belongs to `canary rollback`, not to `canary promote`');
    assert.equal(refusal(slack('canary rollback reviews --subset v2')), '--subset belongs to `canary promote`, not to `canary rollback`');
  });
});

describe('canary values', () => {
  it('--weight: 50, 50%, 050 and 0050 are 50; -1 names the range, not "option-like"', () => {
    for (const weight of ['50', '50%', '050', '0050', '=0050']) {
      const argv = weight.startsWith('=') ? ['--weight' + weight] : ['--weight', weight];
      assert.equal(terminal('canary', 'promote', 'reviews', ...argv).ok, true, weight);
    }
    assert.equal(refusal(terminal('canary', 'promote', 'reviews', '--weight', '-1')), '--weight takes a whole percentage from 0 to 100 (like 50 or 50%), got "-1"');
    for (const weight of ['101', '50.5', '0x10', '1e2']) assert.match(refusal(terminal('canary', 'promote', 'reviews', '--weight', weight)), /^--weight takes a whole percentage from 0 to 100/);
  });

  it('--subset and --to are DNS labels (Istio subset names, Service names): a dotted or 64-character one is refused before anything runs', () => {
    assert.match(refusal(slack('canary promote reviews --weight 50 --subset v2.canary')), /^"v2\.canary" is not a valid name for --subset \(lower-case letters, digits and "-", at most 63, no dots\)$/);
    assert.match(refusal(slack(`canary rollback reviews --to ${'a'.repeat(64)}`)), /is not a valid name for --to/);
    assert.equal(slack(`canary rollback reviews --to ${'a'.repeat(63)}`).ok, true);
  });

  it('--kind takes kubectl spellings: plural, short name, group-qualified', () => {
    for (const kind of ['vs', 'VirtualServices', 'virtualservice.networking.istio.io', 'httproutes', 'HTTPRoute.gateway.networking.k8s.io']) {
      assert.equal(slack(`canary status reviews --kind ${kind}`).ok, true, kind);
    }
    assert.equal(refusal(slack('canary status reviews --kind gateway')), '--kind takes virtualservice or httproute, got "gateway"');
  });
});

describe('names that only look right', () => {
  it('a zero-width space or a Cyrillic letter in a name is named by its code point', () => {
    assert.match(refusal(slack('status -n book\u200binfo')), /not a valid namespace name .*contains the character U\+200B/);
    assert.match(refusal(slack('canary status r\u0435views')), /not a valid VirtualService name .*contains the character U\+0435/);
    assert.match(refusal(terminal('pc', 'routes', 'productpage-v1.b\u043eokinfo')), /contains the character U\+043E/);
  });

  it('a plain invalid name keeps its short message', () => {
    assert.equal(refusal(slack('status -n NOPE')), '"NOPE" is not a valid namespace name (lower-case letters, digits and "-")');
  });
});

describe('proxy-config TYPE and POD.NAMESPACE', () => {
  it("istioctl's own short TYPEs work as in `istioctl pc c`, any case", () => {
    for (const type of ['c', 'L', 'r', 'EP', 's', 'b', 'a']) assert.equal(slack(`pc ${type} productpage-v1.bookinfo`).ok, true, type);
  });

  it('a 253-character pod name still takes .NAMESPACE; the pod is checked apart from the namespace', () => {
    assert.equal(terminal('pc', 'routes', `${'p'.repeat(253)}.bookinfo`).ok, true);
    assert.match(refusal(terminal('pc', 'routes', `${'p'.repeat(254)}.bookinfo`)), /is not a valid POD name/);
    assert.equal(refusal(terminal('pc', 'routes', 'productpage-v1.Bookinfo')), '"Bookinfo" in "productpage-v1.Bookinfo" is not a valid namespace name');
  });
});

describe('kubectl habits that are not in a usage line', () => {
  it('status -A is the whole mesh, as status without -n; with -n it is refused as for analyze', () => {
    assert.deepEqual(slack('status -A'), { ok: true, label: 'status', cluster: undefined });
    assert.deepEqual(terminal('ps', '--all-namespaces'), { ok: true, label: 'status', cluster: undefined });
    assert.equal(refusal(slack('status -A -n shop')), 'use either -n NAMESPACE or -A, not both');
  });

  it('a mistyped long flag gets a guess', () => {
    assert.equal(refusal(slack('status --namspace shop')), 'unknown flag --namspace (did you mean --namespace?)');
    assert.equal(refusal(slack('canary promote reviews --wieght 50')), 'unknown flag --wieght (did you mean --weight?)');
    assert.equal(refusal(slack('status --bogus')), 'unknown flag --bogus');
    assert.equal(refusal(slack('status -N shop')), 'unknown flag -N (did you mean -n? Flags are case-sensitive)');
    assert.equal(refusal(terminal('analyze', '-a')), 'unknown flag -a (did you mean -A? Flags are case-sensitive)');
  });

  it('-o in Slack says it is a terminal flag', () => {
    assert.equal(refusal(slack('status -o json')), 'unknown flag -o (-o text|json is for the terminal: `mesh-bot COMMAND -o json`)');
  });
});

describe('other dashes: a CJK keyboard\'s full-width hyphen, Unicode hyphens', () => {
  it('Slack reads －n, ‑n and ‐‐cluster as the flags', () => {
    assert.equal(slack('status \uff0dn shop').ok, true);
    assert.equal(slack('status \u2011n shop').ok, true);
    assert.deepEqual(slack('status \u2010\u2010cluster default'), { ok: true, label: 'status', cluster: 'default' });
  });

  it('the terminal names them', () => {
    assert.equal(refusal(terminal('status', '\uff0dn', 'shop')), '"\uff0dn" looks like the flag -n typed with a dash other than "-" (phones, word processors and some keyboards make one); type -n');
    assert.match(refusal(terminal('status', '-\u2010cluster', 'default')), /looks like the flag --cluster .*; type --cluster$/);
  });
});

describe('help COMMAND', () => {
  it('help ps, help ZC: that command only, by name or alias, any case', () => {
    assert.deepEqual(slack('help ps'), { ok: true, label: 'help', cluster: undefined });
    assert.equal(slack('help ZC').ok, true);
    assert.equal(refusal(slack('help stauts')), 'there is no command "stauts" to explain (did you mean status?)');
  });
});

describe('/mesh --help and a flag without a command', () => {
  it('/mesh --help and /mesh -h are help, as in kubectl', () => {
    assert.deepEqual(slack('--help'), { ok: true, label: 'help', cluster: undefined });
    assert.deepEqual(slack('-h'), { ok: true, label: 'help', cluster: undefined });
  });

  it('/mesh -n shop says the command is missing', () => {
    assert.equal(refusal(slack('-n shop')), 'missing command after "-n shop"');
  });
});

describe('echoed input stays short', () => {
  it('a 5000-character argument or cluster name is clipped in the message, never posted whole', () => {
    const long = 'x'.repeat(5000);
    for (const line of [`analyze ${long}`, `status --cluster ${long}`, `status ${long}`]) {
      const message = refusal(slack(line));
      assert.ok(message.length < 200, `${line.slice(0, 20)}…: ${message.length} characters`);
    }
  });
});

describe('a canary value typed without its flag', () => {
  it('promote reviews 50 and rollback reviews v1 say which flag the value needs', () => {
    assert.equal(refusal(slack('canary promote reviews 50')), 'unexpected argument "50" (did you mean --weight 50?)');
    assert.equal(refusal(slack('canary rollback reviews v1')), 'unexpected argument "v1" (did you mean --to v1?)');
    assert.equal(refusal(slack('canary status reviews v1')), 'unexpected argument "v1"');
  });
});

describe('a long dash or curly quotes before the command, in a terminal', () => {
  it('mesh-bot —namespace shop status names the flag, not "unknown command"', () => {
    assert.equal(refusal(terminal('\u2014namespace', 'shop', 'status')), '"\u2014namespace" looks like the flag --namespace with its two dashes turned into one long dash (phones do that); type --namespace');
    assert.equal(refusal(terminal('\u201cstatus\u201d')), '"\u201cstatus\u201d" has curly quotes in it (chat apps and word processors add them); type status without quotes');
    assert.equal(refusal(terminal('stauts')), 'unknown command "stauts"');
  });
});

describe('quotes of other keyboards', () => {
  it('German „shop“, ‹shop› and full-width ＂shop＂ are dropped in Slack and named in a terminal', () => {
    for (const quoted of ['\u201eshop\u201c', '\u2039shop\u203a', '\uff02shop\uff02']) {
      assert.equal(slack(`status -n ${quoted}`).ok, true, quoted);
      assert.equal(refusal(terminal('status', '-n', quoted)), `"${quoted}" has curly quotes in it (chat apps and word processors add them); type shop without quotes`);
    }
  });
});

describe('/mesh COMMAND --help', () => {
  it('says the usage line that comes with the refusal is the help, instead of "unknown flag --help"', () => {
    assert.equal(refusal(slack('status --help')), '--help is not a flag here: the usage line is the help (more with `help COMMAND`)');
    assert.equal(refusal(slack('canary promote -h')), '-h is not a flag here: the usage line is the help (more with `help COMMAND`)');
  });
});
