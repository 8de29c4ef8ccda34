// `istioctl proxy-config secret POD -o json` as stand-ins print it: the Envoy SecretsConfigDump re-marshalled with
// protojson (camelCase, 4-space indent; istioctl/pkg/writer/envoy/configdump PrintSecretDump), private keys redacted
// by Envoy to "[redacted]" as in every corpus dump (proxy-config/secret/*input_config_dump.json).

export interface SecretSpec {
  readonly name: string;
  /** A workload or gateway chain: the leaf first, then what the CA sends behind it (intermediates, maybe the root). */
  readonly chain?: readonly string[];
  /** A root bundle (`ROOTCA`). */
  readonly trustedCa?: string;
  /** `uninitialized` for a secret Envoy never received. */
  readonly versionInfo?: string;
  /** The chain's private key as the dump holds it; Envoy's "[redacted]" unless a test plants one. */
  readonly privateKey?: string;
}

const base64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
const REDACTED_KEY = base64('[redacted]');

function dynamicSecret(spec: SecretSpec): Record<string, unknown> {
  const secret: Record<string, unknown> = { '@type': 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret', name: spec.name };
  if (spec.chain) secret['tlsCertificate'] = { certificateChain: { inlineBytes: base64(spec.chain.join('')) }, privateKey: { inlineBytes: spec.privateKey === undefined ? REDACTED_KEY : base64(spec.privateKey) } };
  if (spec.trustedCa) secret['validationContext'] = { trustedCa: { inlineBytes: base64(spec.trustedCa) } };
  return { name: spec.name, ...(spec.versionInfo ? { versionInfo: spec.versionInfo } : {}), lastUpdated: '2026-12-07T00:00:00Z', secret };
}

export function secretsConfigDumpJson(active: readonly SecretSpec[], warming: readonly SecretSpec[] = []): string {
  const dump = {
    ...(active.length > 0 ? { dynamicActiveSecrets: active.map(dynamicSecret) } : {}),
    ...(warming.length > 0 ? { dynamicWarmingSecrets: warming.map(dynamicSecret) } : {}),
  };
  return `${JSON.stringify(dump, null, 4)}\n`;
}
