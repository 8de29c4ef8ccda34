import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { catalogueFor } from '../../src/istioctl/analyze-catalogue.ts';

describe('catalogueFor', () => {
  it('picks the messages file of each istioctl release range', () => {
    const expected: [number, string][] = [
      [20, 'v1.20'],
      [21, 'v1.21'],
      [22, 'v1.22'],
      [23, 'v1.23-1.24'],
      [24, 'v1.23-1.24'],
      [25, 'v1.25'],
      [26, 'v1.26-1.27'],
      [27, 'v1.26-1.27'],
      [28, 'v1.28-1.29'],
      [29, 'v1.28-1.29'],
      [30, 'v1.30'],
      [31, 'master-2026-08'],
    ];
    for (const [minor, file] of expected) assert.equal(catalogueFor({ major: 1, minor }).file, file, `1.${minor}`);
    assert.equal(catalogueFor(null).file, 'master-2026-08');
  });

  it('ships the catalogues byte-identical to the corpus', () => {
    for (const file of ['v1.20', 'v1.23-1.24', 'v1.30', 'master-2026-08']) {
      const shipped = readFileSync(new URL(`../../src/istioctl/analyze-messages/${file}_messages.yaml`, import.meta.url));
      const corpus = readFileSync(new URL(`../fixtures/istioctl/analyze/messages/${file}_messages.yaml`, import.meta.url));
      assert.ok(shipped.equals(corpus), file);
    }
  });

  it('describes a code with a versioned documentation link', () => {
    const described = catalogueFor({ major: 1, minor: 28 }).describeCode('IST0101');
    assert.deepEqual(described, {
      code: 'IST0101',
      name: 'ReferencedResourceNotFound',
      level: 'Error',
      description: 'A resource being referenced does not exist.',
      docUrl: 'https://istio.io/v1.28/docs/reference/config/analysis/ist0101/',
    });
    assert.equal(
      catalogueFor({ major: 1, minor: 23 }).describeCode('IST0102')?.docUrl,
      'https://istio.io/v1.23/docs/reference/config/analysis/ist0102/',
    );
  });

  it('links master and unknown versions to the latest docs', () => {
    assert.equal(
      catalogueFor(null).describeCode('IST0177')?.docUrl,
      'https://istio.io/latest/docs/reference/config/analysis/ist0177/',
    );
  });

  it('knows only the codes of its own version', () => {
    // CODES.md: IST0113 removed in 1.21, IST0174 added in 1.25, IST0175 in 1.28-1.29, IST0176 in 1.30.
    assert.equal(catalogueFor({ major: 1, minor: 20 }).describeCode('IST0113')?.name, 'MTLSPolicyConflict');
    assert.equal(catalogueFor({ major: 1, minor: 21 }).describeCode('IST0113'), undefined);
    assert.equal(catalogueFor({ major: 1, minor: 24 }).describeCode('IST0174'), undefined);
    assert.equal(catalogueFor({ major: 1, minor: 25 }).describeCode('IST0174')?.level, 'Warning');
    assert.equal(catalogueFor({ major: 1, minor: 29 }).describeCode('IST0175')?.name, 'JwksUriFetchUnrestricted');
    assert.equal(catalogueFor({ major: 1, minor: 29 }).describeCode('IST0176'), undefined);
    assert.equal(catalogueFor({ major: 1, minor: 30 }).describeCode('ist0176')?.code, 'IST0176');
  });

  it('still links unknown codes to their analysis page', () => {
    assert.equal(
      catalogueFor({ major: 1, minor: 28 }).docUrlFor('B1'),
      'https://istio.io/v1.28/docs/reference/config/analysis/b1/',
    );
  });
});
