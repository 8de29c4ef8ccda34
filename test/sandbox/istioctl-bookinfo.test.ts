// The simulated istioctl's `bookinfo` scenario, which the sandbox runs: the demo mesh in real output formats.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { parseSecretTable } from '../../src/istioctl/parsers/proxy-config.ts';
import { BOOKINFO_EXPIRING_POD, BOOKINFO_ROOT_CA } from '../../src/sandbox/istioctl/mesh.ts';

const ISTIOCTL = fileURLToPath(new URL('../../src/sandbox/istioctl/istioctl', import.meta.url));
const CORPUS_SECRET = fileURLToPath(new URL('../fixtures/istioctl/proxy-config/secret/v1.20-1.25_output.txt', import.meta.url));
const DAY_MS = 24 * 60 * 60 * 1000;

const istioctl = (args: string[], version = '1.28.1') =>
  execa(process.execPath, [fileURLToPath(new URL('../../src/sandbox/istioctl/main.ts', import.meta.url)), ...args], {
    env: { FAKE_ISTIOCTL_SCENARIO: 'bookinfo', FAKE_ISTIOCTL_VERSION: version },
    reject: false,
  });

describe('simulated istioctl, bookinfo scenario', () => {
  test('the launcher exists and is executable', () => {
    assert.ok(readFileSync(ISTIOCTL, 'utf8').startsWith('#!/usr/bin/env node'));
  });

  test('prints a secret table in the corpus layout whose workload certificate expires three days from today', async () => {
    const r = await istioctl(['pc', 'secret', `${BOOKINFO_EXPIRING_POD}.bookinfo`]);
    assert.equal(r.exitCode, 0);
    const [header] = r.stdout.split('\n');
    assert.equal(header, readFileSync(CORPUS_SECRET, 'utf8').split('\n')[0], 'same columns and padding as real istioctl');
    const parsed = parseSecretTable(r.stdout);
    assert.ok(parsed.ok);
    const chain = parsed.value.find((cert) => cert.type === 'Cert Chain');
    const root = parsed.value.find((cert) => cert.type === 'CA');
    assert.ok(chain && root);
    const daysLeft = (Date.parse(chain.notAfter) - Date.now()) / DAY_MS;
    assert.ok(daysLeft > 2 && daysLeft <= 3.5, `expires in ${daysLeft} days`);
    assert.equal(root.notAfter, BOOKINFO_ROOT_CA.notAfter);
  });

  test('other sidecars have certificates with two months left', async () => {
    const r = await istioctl(['pc', 'secret', 'reviews-v1-5fd6d4f8f8-66j45.bookinfo']);
    const parsed = parseSecretTable(r.stdout);
    assert.ok(parsed.ok);
    const chain = parsed.value.find((cert) => cert.type === 'Cert Chain');
    assert.ok(chain);
    assert.ok((Date.parse(chain.notAfter) - Date.now()) / DAY_MS > 50);
  });

  test('analyze finds the subset without pods only on versions that have IST0173', async () => {
    const newer = await istioctl(['analyze', '-n', 'bookinfo', '-o', 'json']);
    const older = await istioctl(['analyze', '-n', 'bookinfo', '-o', 'json'], '1.24.2');
    const codes = (stdout: string) => (JSON.parse(stdout) as { code: string }[]).map((finding) => finding.code);
    assert.deepEqual(codes(newer.stdout), ['IST0173', 'IST0101', 'IST0118', 'IST0108']);
    assert.deepEqual(codes(older.stdout), ['IST0101', 'IST0118', 'IST0108']);
  });

  test('proxy-status shows the two STALE sidecars of the shop namespace and a healthy bookinfo', async () => {
    const shop = await istioctl(['ps', '-n', 'shop', '--verbosity', '1']);
    assert.match(shop.stdout, /payments-v1-7c9d8b6f5-k2x8p\.shop .*STALE/);
    const bookinfo = await istioctl(['ps', '-n', 'bookinfo', '--verbosity', '1']);
    assert.doesNotMatch(bookinfo.stdout, /STALE|ERROR/);
    assert.equal(bookinfo.stdout.trim().split('\n').length, 6, 'header + 5 bookinfo proxies');
  });
});
