import {createHash, createPublicKey, X509Certificate} from 'node:crypto'
import {TestServerError} from './errors.js'
import type {TlsMaterial} from './http-server.js'
import type {CertificateInfo} from './types.js'

/** The names the generated certificate is valid for: every way this machine reaches a loopback server. */
export const LOCALHOST_NAMES = ['localhost', '127.0.0.1', '::1'] as const

/** How long the generated certificate is valid: long enough for any test run, short enough to never matter. */
const VALID_DAYS = 30

let generated: Promise<TlsMaterial> | undefined

/**
 * A self-signed certificate for `localhost`, `127.0.0.1` and `::1` (ECDSA P-256, SHA-256, 30 days), made once per
 * process and shared by every server in it. `selfsigned` is loaded only here, so a server without `http2` never
 * loads it. Node's crypto makes keys but cannot build an X.509 certificate; `selfsigned` does that in JavaScript on
 * Node's WebCrypto (about 30 ms).
 */
export function localhostCertificate(): Promise<TlsMaterial> {
  generated ??= (async () => {
    const {generate} = await import('selfsigned')
    const now = Date.now()
    const pems = await generate([{name: 'commonName', value: 'localhost'}], {
      keyType: 'ec',
      curve: 'P-256',
      algorithm: 'sha256',
      // A day of slack for clocks that disagree.
      notBeforeDate: new Date(now - 86_400_000),
      notAfterDate: new Date(now + VALID_DAYS * 86_400_000),
      extensions: [
        {name: 'basicConstraints', cA: false, critical: true},
        {name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true},
        {name: 'extKeyUsage', serverAuth: true},
        {
          name: 'subjectAltName',
          altNames: [
            {type: 2, value: 'localhost'},
            {type: 7, ip: '127.0.0.1'},
            {type: 7, ip: '::1'},
          ],
        },
      ],
    })
    return {cert: pems.cert, key: pems.private}
  })()
  // A failure is not cached: the next server tries again.
  generated.catch(() => (generated = undefined))
  return generated
}

/** Reads a PEM certificate; throws `invalid-option` when it is not one. */
export function certificateInfo(pem: string): CertificateInfo {
  let certificate: X509Certificate
  try {
    certificate = new X509Certificate(pem)
  } catch (error) {
    throw new TestServerError('invalid-option', 'Invalid test server option: `http2.cert` is not a PEM certificate', {
      cause: error,
    })
  }
  const spki = createPublicKey(pem).export({type: 'spki', format: 'der'})
  return {
    pem,
    fingerprint256: certificate.fingerprint256,
    spki256: createHash('sha256').update(spki).digest('base64'),
    names: certificate.subjectAltName ?? certificate.subject,
    validTo: new Date(certificate.validTo),
  }
}
