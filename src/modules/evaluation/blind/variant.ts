import { RSABSSA, type BlindRSA } from '@cloudflare/blindrsa-ts';

/**
 * The one RFC 9474 variant Leitai uses: RSA-PSS with SHA-384, a 48-byte salt, and a 32-byte random prefix added to
 * the message by `prepare` (so the signed message is never a value the server could have chosen). Browser-safe.
 */
export const BALLOT_VARIANT = 'RSABSSA-SHA384-PSS-Randomized';

/** RSA 2048 with e = 65537: the blinded message, the blind signature and the signature are all 256 bytes. */
export const MODULUS_BITS = 2048;
export const MODULUS_BYTES = MODULUS_BITS / 8;
export const PUBLIC_EXPONENT = Uint8Array.from([1, 0, 1]);

/** A token (the prepared message) is the 32-byte random prefix of the variant followed by 32 random bytes. */
export const TOKEN_NONCE_BYTES = 32;
export const TOKEN_PREFIX_BYTES = 32;
export const TOKEN_BYTES = TOKEN_PREFIX_BYTES + TOKEN_NONCE_BYTES;

/** What WebCrypto calls the keys: RSA-PSS bound to SHA-384, as the variant needs them. */
export const KEY_ALGORITHM = { name: 'RSA-PSS', hash: 'SHA-384' } as const;

/**
 * A WebCrypto key, typed from the global `crypto` of whichever side compiles this file (Node's webcrypto types on the
 * server, the DOM's in the browser), so the file needs no Node import.
 */
export type BallotCryptoKey = Awaited<ReturnType<typeof globalThis.crypto.subtle.importKey>>;

let cached: BlindRSA | undefined;

export function ballotSuite(): BlindRSA {
  cached ??= RSABSSA.SHA384.PSS.Randomized();
  if (cached.toString() !== BALLOT_VARIANT) throw new Error(`blind RSA suite is ${cached.toString()}, expected ${BALLOT_VARIANT}`);
  return cached;
}
