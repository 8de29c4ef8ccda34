// A root whose serial is negative in ASN.1 (the INTEGER's first byte 0x80 or above: older CAs wrote random bytes
// without the sign byte). istioctl 1.29+ prints serials with Go's `%032x` of the big.Int: `-` then the digits padded
// to 32 characters in all (`-000…05`). mesh-bot printed node's `-05` padded in front, `0000…0-05`: not hex, not
// istioctl's, and not the serial a user can search for. README: serials are shown as 1.29+ prints them.

import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { describe, it } from 'node:test';
import { selfSignedRootPem } from '../../src/sandbox/root-ca.ts';
import { hoursFromNow, meshBot } from '../breaker-ambient/support/harness.ts';
import { PRODUCTPAGE, terminalWorld } from '../breaker-analyze/support/sidecar.ts';
import { secretsConfigDumpJson } from '../support/secrets-dump.ts';

/** The sandbox's root with serial 0x7b, its DER INTEGER byte turned into 0xfb: serial -5 (signature no longer checked by anyone here). */
function negativeSerialRoot(): string {
  const pem = selfSignedRootPem({ serial: '7b', notBefore: hoursFromNow(-24 * 365), notAfter: hoursFromNow(24 * 3650) });
  const der = Buffer.from(pem.replace(/-----[A-Z ]+-----|\s/g, ''), 'base64');
  const at = der.indexOf(Buffer.from([0x02, 0x01, 0x7b]));
  assert.ok(at > 0 && at < 16, 'the serial is the first INTEGER of the TBSCertificate');
  der[at + 2] = 0xfb;
  const body = der.toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '');
  const out = `-----BEGIN CERTIFICATE-----\n${body}\n-----END CERTIFICATE-----\n`;
  assert.match(new X509Certificate(out).serialNumber, /^-0*5$/, 'node reads it as -5');
  return out;
}

describe('pc secret -o json with a negative root serial', () => {
  const world = terminalWorld('1.30.3', [{ when: ['proxy-config', 'secret'], stdout: secretsConfigDumpJson([{ name: 'ROOTCA', trustedCa: negativeSerialRoot() }]) }]);

  it('prints it as istioctl 1.29+ does: a minus sign, then the hex digits zero-padded to 32 characters in all', async () => {
    const run = await meshBot(['pc', 'secret', `${PRODUCTPAGE}.bookinfo`, '-o', 'json'], world().env);
    assert.equal(run.code, 0, run.stderr);
    const [root] = (JSON.parse(run.stdout) as { certificates: { serial: string }[] }).certificates;
    assert.equal(root?.serial, `-${'0'.repeat(30)}5`);
  });
});
