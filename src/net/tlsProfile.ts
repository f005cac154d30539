/**
 * The TLS settings of every door that serves TLS (FTPS control and data
 * connections, the HTTPS web door): Mozilla's "intermediate" profile
 * (wiki.mozilla.org/Security/Server_Side_TLS, guidelines 5.7), spread into
 * each server-side SecureContext. A new TLS door takes its options from here.
 *
 * testssl.sh 3.0.8 against Node's defaults found client-initiated
 * renegotiation accepted ("VULNERABLE, potential DoS"), obsolete CBC suites
 * offered (and so "potentially VULNERABLE" to LUCKY13) and no server cipher
 * order ("NOT ok"); test/security/testssl.test.ts runs it on every door.
 */
import { constants } from 'node:crypto';
import type * as tls from 'node:tls';

/**
 * Mozilla intermediate's TLS 1.3 suites, then its TLS 1.2 ones: ECDHE with
 * AES-GCM or ChaCha20-Poly1305 only, AEAD, forward secret. Its DHE suites are
 * left out, as they need DH parameters we do not ship; every client the
 * profile supports has ECDHE. Node splits the TLS_ names (1.3) from the rest.
 */
const CIPHERS = [
  'TLS_AES_128_GCM_SHA256',
  'TLS_AES_256_GCM_SHA384',
  'TLS_CHACHA20_POLY1305_SHA256',
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-CHACHA20-POLY1305',
].join(':');

/**
 * NO_RENEGOTIATION: a TLS 1.2 renegotiation costs the server a full
 * handshake whenever the client asks, and no client of ours needs one;
 * OpenSSL answers it with a no_renegotiation alert. Without the option Node
 * lets a client renegotiate 3 times in 10 minutes (tls.CLIENT_RENEG_LIMIT),
 * and TLSSocket.disableRenegotiation() only reports the attempt as an error
 * after the new handshake has gone through: testssl still finds it
 * VULNERABLE. PRIORITIZE_CHACHA: see honorCipherOrder. NO_COMPRESSION: CRIME.
 */
const SECURE_OPTIONS = constants.SSL_OP_NO_RENEGOTIATION | constants.SSL_OP_PRIORITIZE_CHACHA | constants.SSL_OP_NO_COMPRESSION;

/** Spread into tls.createSecureContext() or https.createServer() beside the certificate and key. */
export const tlsProfile = {
  minVersion: 'TLSv1.2',
  maxVersion: 'TLSv1.3',
  ciphers: CIPHERS,
  /** Mozilla intermediate's groups: no X448, secp521r1 or finite-field groups. */
  ecdhCurve: 'X25519:prime256v1:secp384r1',
  /**
   * Mozilla's profile lets the client choose; we keep the order above, since
   * testssl 3.0.8 rates a server without one "NOT ok". PRIORITIZE_CHACHA still
   * gives ChaCha20 to a client that lists it first (one without AES
   * instructions), the reason Mozilla leaves the choice to clients.
   */
  honorCipherOrder: true,
  secureOptions: SECURE_OPTIONS,
} as const satisfies tls.SecureContextOptions;
