/**
 * A throw-away certificate authority and server certificate, generated in process, so the fake
 * API server speaks TLS that clients verify exactly as they verify a real cluster endpoint
 * (`certificate-authority-data` in the kubeconfig). `node:crypto` cannot issue X.509
 * certificates, so the signing is done by @peculiar/x509 over WebCrypto (ECDSA P-256).
 *
 * @see https://kubernetes.io/docs/concepts/configuration/organize-cluster-access-kubeconfig/
 * @see https://github.com/PeculiarVentures/x509
 */
import { isIP } from 'node:net';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

// Node's WebCrypto is the standard one; the DOM `Crypto` type is just not in this project's lib.
x509.cryptoProvider.set(webcrypto as never);

const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY_MS = 24 * 3600 * 1000;

/** PEM texts of a generated CA and a server certificate it signed. */
export interface GeneratedTls {
  readonly caPem: string;
  readonly certPem: string;
  /** PKCS#8 private key of the server certificate */
  readonly keyPem: string;
}

/** Options for {@link generateServerTls}. */
export interface GenerateTlsOptions {
  /** IP addresses and DNS names the certificate is valid for (subjectAltName entries). */
  readonly hosts: readonly string[];
  /** @default 'kube-apiserver' */
  readonly commonName?: string;
  /** @default 7 days */
  readonly validForMs?: number;
}

function toPem(der: ArrayBuffer, label: string): string {
  const b64 = Buffer.from(der).toString('base64');
  return `-----BEGIN ${label}-----\n${b64.replace(/.{1,64}/g, '$&\n')}-----END ${label}-----\n`;
}

/**
 * Generates a CA and a server certificate whose subjectAltNames are `hosts` (IP entries for
 * addresses, DNS entries for names), valid from one minute ago (clock skew) for `validForMs`.
 *
 * @example const { caPem, certPem, keyPem } = await generateServerTls({ hosts: ['127.0.0.1', 'localhost'] });
 */
export async function generateServerTls(options: GenerateTlsOptions): Promise<GeneratedTls> {
  const notBefore = new Date(Date.now() - 60_000);
  const notAfter = new Date(Date.now() + (options.validForMs ?? 7 * DAY_MS));
  const caKeys = await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify']);
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: 'CN=fleet-dns fake cluster CA',
    notBefore,
    notAfter,
    keys: caKeys,
    signingAlgorithm: ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(caKeys.publicKey),
    ],
  });
  const serverKeys = await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify']);
  const sans = [...new Set(options.hosts)].map((h) =>
    isIP(h) ? { type: 'ip' as const, value: h } : { type: 'dns' as const, value: h },
  );
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: `CN=${options.commonName ?? 'kube-apiserver'}`,
    issuer: ca.subject,
    notBefore,
    notAfter,
    publicKey: serverKeys.publicKey,
    signingKey: caKeys.privateKey,
    signingAlgorithm: ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment,
        true,
      ),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension(sans),
      await x509.AuthorityKeyIdentifierExtension.create(caKeys.publicKey),
    ],
  });
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', serverKeys.privateKey);
  return {
    caPem: ca.toString('pem') + '\n',
    certPem: cert.toString('pem') + '\n',
    keyPem: toPem(pkcs8, 'PRIVATE KEY'),
  };
}

// Positive, non-zero, 16 random bytes as hex (RFC 5280 §4.1.2.2).
function serial(): string {
  const bytes = webcrypto.getRandomValues(new Uint8Array(16));
  bytes[0] = ((bytes[0] ?? 0) & 0x7f) | 0x01;
  return Buffer.from(bytes).toString('hex');
}
