import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AnalyzeResult } from '../../commands/analyze.ts';
import { analyzeHeadline, renderAnalyzeSlack, renderAnalyzeText, renderFindingList } from '../../commands/analyze.render.ts';
import { catalogueFor } from '../../src/istioctl/analyze-catalogue.ts';
import { parseOrigin, type AnalyzeFinding } from '../../src/istioctl/parsers/analyze.ts';
import { summarizeAnalyze } from '../../src/mesh/analyze.ts';
import { blockText, findButton } from '../support/blocks.ts';

function finding(code: string, level: AnalyzeFinding['level'], origin: string, message: string): AnalyzeFinding {
  return { code, level, origin, message, resource: parseOrigin(origin) };
}

function result(findings: readonly AnalyzeFinding[]): AnalyzeResult {
  return {
    cluster: 'prod-eu',
    scope: { kind: 'namespace', namespace: 'bookinfo' },
    asOf: new Date('2026-11-21T10:02:03Z'),
    errors: [],
    findings,
    summary: summarizeAnalyze(findings, { catalogue: catalogueFor(null) }),
    istioctlVersion: '1.28.1',
    namespaceDefaulted: false,
    previous: null,
  };
}

describe('analyze rendering', () => {
  it('quotes the first findings of each code with their own messages, not only the catalogue text', () => {
    const rendered = renderAnalyzeSlack(
      result([
        finding('IST0101', 'Error', 'VirtualService bookinfo/bookinfo', 'Referenced gateway not found: "bookinfo-gateway"'),
        finding('IST0101', 'Error', 'VirtualService bookinfo/reviews', 'Referenced host not found: "reviews-canary"'),
        finding('IST0101', 'Error', 'VirtualService bookinfo/ratings', 'Referenced host not found: "ratings-v9"'),
        finding('IST0101', 'Error', 'VirtualService bookinfo/details', 'Referenced host not found: "details-v9"'),
      ]),
    );
    const text = blockText(rendered.blocks);
    assert.match(
      text,
      /• VirtualService bookinfo\/bookinfo: Referenced gateway not found: "bookinfo-gateway"\n• VirtualService bookinfo\/reviews: Referenced host not found: "reviews-canary"\n• VirtualService bookinfo\/ratings: Referenced host not found: "ratings-v9"\n…and 1 more/,
    );
    assert.doesNotMatch(text, /details-v9/, 'the rest is behind the button');
    assert.match(JSON.stringify(findButton(rendered.blocks, 'analyze_show_findings')), /Show all 4 findings/);
  });

  it('agrees in number: one error, one finding, one more code', () => {
    const one = result([finding('IST0101', 'Error', 'VirtualService bookinfo/bookinfo', 'Referenced gateway not found: "bookinfo-gateway"')]);
    assert.equal(analyzeHeadline(one), 'prod-eu/bookinfo: 1 error, 0 warnings, 0 info — first analyze of this scope (as of 10:02:03 UTC)');
    const card = renderAnalyzeSlack(one);
    assert.match(blockText(card.blocks), /• VirtualService bookinfo\/bookinfo: Referenced gateway not found: "bookinfo-gateway"/);
    assert.equal(findButton(card.blocks, 'analyze_show_findings'), undefined, 'every finding is on the card: no button for "all"');
    assert.match(renderFindingList(one), /^1 finding in prod-eu\/bookinfo, as of 10:02:03 UTC:\n/);

    const nineCodes = result(Array.from({ length: 9 }, (_, index) => finding(`IST01${10 + index}`, 'Warning', `Service bookinfo/svc-${index}`, `problem ${index}`)));
    assert.match(blockText(renderAnalyzeSlack(nineCodes).blocks), /…and 1 more code$/m);
  });

  it('keeps errors out of the terminal report: they go to stderr', () => {
    const failed: AnalyzeResult = { ...result([]), errors: ['could not compare with the previous run: forbidden'] };
    assert.doesNotMatch(renderAnalyzeText(failed), /forbidden|Error:/);
  });
});
