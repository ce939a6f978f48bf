import { fromBase64url, toBase64url } from './encoding';
import { ballotSuite, BallotCryptoKey, MODULUS_BYTES, TOKEN_BYTES, TOKEN_NONCE_BYTES } from './variant';

/**
 * The voter's side of blind-signed ballot tokens (RFC 9474), for the tests and for the browser: WebCrypto and the
 * blind RSA library only, no Node API, so web/ can import it. The voter
 *   1. prepares a token (kept secret until the ballot is cast),
 *   2. blinds it and sends only the blinded message to `issueBallotToken`,
 *   3. finalizes the blind signature into the token's signature,
 *   4. casts the ballot with token and signature through `castAnonymousBallot`, without Authorization.
 * Every byte string is base64url without padding.
 */

/** A fresh token: the variant's 32-byte random prefix followed by 32 random bytes. The key plays no part. */
export function prepareToken(): string {
  const nonce = globalThis.crypto.getRandomValues(new Uint8Array(TOKEN_NONCE_BYTES));
  return toBase64url(ballotSuite().prepare(nonce));
}

export interface Blinding {
  /** Sent to the server. */
  blindedMessage: string;
  /** Kept by the voter, to unblind the server's answer. */
  inv: string;
}

/** RFC 9474 Blind: a fresh random blinding each time, so two blindings of one token differ. */
export async function blindToken(publicKey: BallotCryptoKey, preparedToken: string): Promise<Blinding> {
  const { blindedMsg, inv } = await ballotSuite().blind(publicKey, tokenBytes(preparedToken));
  return { blindedMessage: toBase64url(blindedMsg), inv: toBase64url(inv) };
}

/** RFC 9474 Finalize: unblinds and checks the signature; throws if the server's answer does not verify. */
export async function finalizeToken(publicKey: BallotCryptoKey, preparedToken: string, blindSignature: string, inv: string): Promise<string> {
  const blindSig = fromBase64url(blindSignature);
  const invBytes = fromBase64url(inv);
  if (!blindSig || blindSig.length !== MODULUS_BYTES) throw new Error('the blind signature is not base64url of the modulus length');
  if (!invBytes || invBytes.length !== MODULUS_BYTES) throw new Error('inv is not base64url of the modulus length');
  return toBase64url(await ballotSuite().finalize(publicKey, tokenBytes(preparedToken), blindSig, invBytes));
}

/** The receipt the server will answer for this token (as `receiptOf` computes it), for the voter to check. */
export async function expectedReceipt(preparedToken: string): Promise<string> {
  tokenBytes(preparedToken);
  return (await sha256Hex(`receipt:${preparedToken}`)).slice(0, 16);
}

/** The key's fingerprint as the server computes it (`keyFingerprint`): hex SHA-256 of the trimmed PEM. */
export async function fingerprintOf(publicKeyPem: string): Promise<string> {
  return sha256Hex(publicKeyPem.trim());
}

async function sha256Hex(text: string): Promise<string> {
  const digest = await globalThis.crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

function tokenBytes(preparedToken: string): Uint8Array<ArrayBuffer> {
  const bytes = fromBase64url(preparedToken);
  if (!bytes || bytes.length !== TOKEN_BYTES) throw new Error(`a token is ${TOKEN_BYTES} bytes in base64url`);
  return bytes;
}
