import { constants, createPrivateKey, createPublicKey, KeyObject, privateDecrypt, publicEncrypt } from 'node:crypto';
import { sha256Hex } from '../../../common/canonical';
import { BallotTokenInvalidError } from '../evaluation.errors';
import { KeyPurpose } from './ballot-keys';
import { fromBase64url, lessThan, toBase64url } from './encoding';
import { ballotSuite, BallotCryptoKey, MODULUS_BYTES, TOKEN_BYTES } from './variant';

/**
 * The server side of blind-signed ballot tokens (RFC 9474). The server signs a blinded message for an entitled voter
 * (`issueBallotToken`) without seeing the token inside it, and later accepts a ballot carrying a token and its
 * signature (`castAnonymousBallot`) without learning whose it is. Server only: uses node:crypto.
 */

/** What `signBlinded` needs: the private key in Node's form (raw RSA runs in OpenSSL) and the modulus. */
export interface SigningKey {
  readonly key: KeyObject;
  readonly modulus: Uint8Array;
}

/** From the PKCS #8 PEM of `generateBallotKey`, or from an imported WebCrypto private key. */
export function signingKey(privateKey: string | BallotCryptoKey): SigningKey {
  const key = typeof privateKey === 'string' ? createPrivateKey(privateKey) : KeyObject.from(privateKey as Parameters<typeof KeyObject.from>[0]);
  if (key.type !== 'private' || key.asymmetricKeyType !== 'rsa-pss' && key.asymmetricKeyType !== 'rsa') throw new Error('not an RSA private key');
  const jwk = key.export({ format: 'jwk' });
  if (!jwk.n || jwk.e !== 'AQAB') throw new Error('a ballot key has e = 65537');
  const modulus = fromBase64url(jwk.n);
  if (!modulus || modulus.length !== MODULUS_BYTES) throw new Error(`a ballot key is RSA ${MODULUS_BYTES * 8}`);
  return { key, modulus };
}

/**
 * RFC 9474 BlindSign: blind_sig = blinded_msg^d mod n, checked by raising it back to e (a faulty signature would leak
 * the key). The library's BlindSign gives the same bytes but computes in JavaScript without CRT, about 0.3 s of
 * blocked event loop per token; OpenSSL's raw RSA takes well under a millisecond. Refuses a blinded message that is
 * not base64url, not exactly the modulus length, zero, or not below the modulus.
 */
export function signBlinded(privateKey: SigningKey | string, blindedMessageB64url: string): string {
  const signing = typeof privateKey === 'string' ? signingKey(privateKey) : privateKey;
  const blinded = fromBase64url(blindedMessageB64url);
  if (!blinded) throw new BallotTokenInvalidError('the blinded message is not base64url');
  if (blinded.length !== MODULUS_BYTES) throw new BallotTokenInvalidError(`the blinded message is ${blinded.length} bytes, not ${MODULUS_BYTES}`);
  if (!lessThan(blinded, signing.modulus)) throw new BallotTokenInvalidError('the blinded message is not below the modulus');
  if (blinded.every((b) => b === 0)) throw new BallotTokenInvalidError('the blinded message is zero');
  const signature = privateDecrypt({ key: signing.key, padding: constants.RSA_NO_PADDING }, blinded);
  const back = publicEncrypt({ key: createPublicKey(signing.key), padding: constants.RSA_NO_PADDING }, signature);
  if (!back.equals(blinded)) throw new Error('blind signing failure');
  return toBase64url(signature);
}

/**
 * RFC 9474 Verify: whether `signature` is the key's RSASSA-PSS (SHA-384) signature of the token. Never throws on
 * garbage: a token or signature that is not base64url or not of the right length gives false.
 */
export async function verifyToken(publicKey: BallotCryptoKey, tokenB64url: string, signatureB64url: string): Promise<boolean> {
  const token = fromBase64url(tokenB64url);
  const signature = fromBase64url(signatureB64url);
  if (!token || token.length !== TOKEN_BYTES || !signature || signature.length !== MODULUS_BYTES) return false;
  try {
    return await ballotSuite().verify(publicKey, signature, token);
  } catch {
    return false;
  }
}

/**
 * Which key of a session signed the token, or null: a cast ballot carries no key name, so the server tries each key
 * (a verification is a fraction of a millisecond) and the purpose found tells the shape the ballot must have.
 */
export async function keyThatSigned(
  keys: ReadonlyMap<KeyPurpose, BallotCryptoKey>,
  tokenB64url: string,
  signatureB64url: string,
): Promise<KeyPurpose | null> {
  for (const [purpose, key] of keys) if (await verifyToken(key, tokenB64url, signatureB64url)) return purpose;
  return null;
}

function assertTokenShape(tokenB64url: string): void {
  const token = fromBase64url(tokenB64url);
  if (!token || token.length !== TOKEN_BYTES) throw new BallotTokenInvalidError(`a token is ${TOKEN_BYTES} bytes in base64url`);
}

/**
 * What is stored as spent, once, under a unique index: hex SHA-256 of the token (its one canonical base64url
 * spelling). A token that is not of the token's shape is refused (BALLOT_TOKEN_INVALID).
 */
export function tokenHash(tokenB64url: string): string {
  assertTokenShape(tokenB64url);
  return sha256Hex(`token:${tokenB64url}`);
}

/**
 * A short receipt for the voter, derived from the token alone (first 16 hex of SHA-256 of 'receipt:' + token): the
 * voter, who alone knows the token, can find their receipt in the published list of counted ballots.
 */
export function receiptOf(tokenB64url: string): string {
  assertTokenShape(tokenB64url);
  return sha256Hex(`receipt:${tokenB64url}`).slice(0, 16);
}

/**
 * Hex SHA-256 of the key's PEM (`BallotKey.fingerprint`). The big screen shows the general key's, and each phone
 * shows its own (`fingerprintOf` in ballot-client.ts computes the same): a phone given another key sees it differ.
 */
export function keyFingerprint(publicKeyPem: string): string {
  return sha256Hex(publicKeyPem.trim());
}
