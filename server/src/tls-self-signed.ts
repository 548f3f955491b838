/**
 * The self-signed certificate a server makes on first boot when none is given (tls.ts): ECDSA
 * P-256 with SHA-256. Every TLS handshake carries the certificate and a signature by its key, and
 * P-256's are far smaller than RSA-2048's (a 522-byte certificate and a ~72-byte signature against
 * 919 and 256: ~580 bytes less on every connection), its key is made in a millisecond instead of
 * ~0.2 s, and every browser and TLS library takes it. node:crypto makes the key and signs;
 * node-forge (which cannot sign with ECDSA) only writes the ASN.1 (RFC 5280, RFC 5758 §3.2).
 */
import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import forge from 'node-forge';

const { asn1, pki } = forge;
// Functions node-forge has and uses itself, missing from its type definitions.
const x509 = pki as unknown as { distinguishedNameToAsn1(dn: unknown): forge.asn1.Asn1; certificateExtensionsToAsn1(exts: unknown): forge.asn1.Asn1 };
const dates = asn1 as unknown as { dateToUtcTime(d: Date): string; dateToGeneralizedTime(d: Date): string };
const ECDSA_WITH_SHA256 = '1.2.840.10045.4.3.2';
const seq = (items: forge.asn1.Asn1[]) => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, items);
const der = (a: forge.asn1.Asn1) => Buffer.from(asn1.toDer(a).getBytes(), 'binary');
const fromDer = (b: Buffer) => asn1.fromDer(forge.util.createBuffer(b.toString('binary')));
/** ecdsa-with-SHA256: its parameters are absent, not NULL (RFC 5758 §3.2). */
const algorithm = () => seq([asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, asn1.oidToDer(ECDSA_WITH_SHA256).getBytes())]);
/** UTCTime up to 2049, GeneralizedTime from 2050 (RFC 5280 §4.1.2.5). */
const time = (d: Date) =>
  d.getUTCFullYear() < 2050
    ? asn1.create(asn1.Class.UNIVERSAL, asn1.Type.UTCTIME, false, dates.dateToUtcTime(d))
    : asn1.create(asn1.Class.UNIVERSAL, asn1.Type.GENERALIZEDTIME, false, dates.dateToGeneralizedTime(d));

export interface CertSpec {
  /** Subject and issuer (one name: self-signed). */
  attrs: forge.pki.CertificateField[];
  /** In node-forge's form (`cert.setExtensions`). */
  extensions: object[];
  notBefore: Date;
  notAfter: Date;
}

export function selfSignedP256(spec: CertSpec): { cert: string; key: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  // node-forge fills in the names' and extensions' encodings; the certificate itself is built below.
  const shell = pki.createCertificate();
  shell.setSubject(spec.attrs);
  shell.setExtensions(spec.extensions);
  // A positive 128-bit serial (a leading 01 keeps the top bit clear).
  const serial = Buffer.concat([Buffer.from([1]), randomBytes(15)]);
  const tbs = seq([
    asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, true, [asn1.create(asn1.Class.UNIVERSAL, asn1.Type.INTEGER, false, asn1.integerToDer(2).getBytes())]),
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.INTEGER, false, serial.toString('binary')),
    algorithm(),
    x509.distinguishedNameToAsn1(shell.subject), // the issuer: itself
    seq([time(spec.notBefore), time(spec.notAfter)]),
    x509.distinguishedNameToAsn1(shell.subject),
    fromDer(publicKey.export({ type: 'spki', format: 'der' })),
    x509.certificateExtensionsToAsn1((shell as unknown as { extensions: unknown }).extensions),
  ]);
  const signature = sign('sha256', der(tbs), privateKey); // DER-encoded (r, s), as X.509 wants it
  const cert = seq([tbs, algorithm(), asn1.create(asn1.Class.UNIVERSAL, asn1.Type.BITSTRING, false, '\x00' + signature.toString('binary'))]);
  const pem = `-----BEGIN CERTIFICATE-----\n${der(cert).toString('base64').match(/.{1,64}/g)!.join('\n')}\n-----END CERTIFICATE-----\n`;
  return { cert: pem, key: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string };
}
