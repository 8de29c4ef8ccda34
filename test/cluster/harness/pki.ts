/**
 * The certificates a loopback control plane needs, made with Debian's openssl: one CA that signs the API server's
 * serving certificate, the admin client certificate (group system:masters), istiod's serving certificate (xDS and
 * the validating webhook), plus the ServiceAccount token signing key.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';

export interface Pki {
  readonly dir: string;
  readonly caCert: string;
  readonly caKey: string;
  readonly apiServerCert: string;
  readonly apiServerKey: string;
  readonly adminCert: string;
  readonly adminKey: string;
  readonly istiodCert: string;
  readonly istiodKey: string;
  readonly serviceAccountKey: string;
  readonly serviceAccountPub: string;
}

async function openssl(args: readonly string[], cwd: string): Promise<void> {
  await execa('openssl', args, { cwd });
}

/** A key and a certificate signed by the CA; `sans` as openssl's subjectAltName, empty for a client certificate. */
async function signed(dir: string, name: string, subject: string, sans: string, usage: 'serverAuth' | 'clientAuth' | 'serverAuth,clientAuth'): Promise<void> {
  const extensions = [`extendedKeyUsage=${usage}`, 'keyUsage=critical,digitalSignature,keyEncipherment', ...(sans ? [`subjectAltName=${sans}`] : [])].join('\n');
  await writeFile(path.join(dir, `${name}.ext`), `${extensions}\n`);
  await openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-subj', subject, '-out', `${name}.csr`], dir);
  await openssl(['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '2', '-sha256', '-extfile', `${name}.ext`, '-out', `${name}.crt`], dir);
}

export async function createPki(dir: string): Promise<Pki> {
  await openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', '/CN=mesh-bot cluster tier CA', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign,digitalSignature'], dir);
  await signed(dir, 'apiserver', '/CN=kube-apiserver', 'IP:127.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default.svc', 'serverAuth');
  await signed(dir, 'admin', '/O=system:masters/CN=cluster-tier-admin', '', 'clientAuth');
  await signed(dir, 'istiod', '/CN=istiod.istio-system.svc', 'IP:127.0.0.1,DNS:localhost,DNS:istiod.istio-system.svc,DNS:istiod.istio-system.svc.cluster.local', 'serverAuth,clientAuth');
  await openssl(['genrsa', '-out', 'sa.key', '2048'], dir);
  await openssl(['rsa', '-in', 'sa.key', '-pubout', '-out', 'sa.pub'], dir);
  const at = (file: string) => path.join(dir, file);
  return {
    dir,
    caCert: at('ca.crt'),
    caKey: at('ca.key'),
    apiServerCert: at('apiserver.crt'),
    apiServerKey: at('apiserver.key'),
    adminCert: at('admin.crt'),
    adminKey: at('admin.key'),
    istiodCert: at('istiod.crt'),
    istiodKey: at('istiod.key'),
    serviceAccountKey: at('sa.key'),
    serviceAccountPub: at('sa.pub'),
  };
}
