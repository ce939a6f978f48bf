import { fromPem, toPem } from './encoding';
import { BALLOT_VARIANT, ballotSuite, BallotCryptoKey, KEY_ALGORITHM, MODULUS_BITS, PUBLIC_EXPONENT } from './variant';

/**
 * The keys of blind-signed ballots. A session has one general key plus one key per speaker who votes: a token signed
 * with the key of purpose `speaker:<cadreId>` carries a ballot that skips that cadre's speeches. Which voter gets which
 * purpose is the caller's data; this file only makes, names, exports and imports keys. Browser-safe (WebCrypto only).
 */

export interface BallotKeyMaterial {
  /** SPKI, PEM ("PUBLIC KEY"): what `ballotKey` answers and what the archive keeps. */
  publicKeyPem: string;
  /** PKCS #8, PEM ("PRIVATE KEY"): kept only while the evaluation is open, destroyed at close. */
  privateKeyPkcs8: string;
  variant: typeof BALLOT_VARIANT;
}

/** A fresh RSA 2048 key pair, e = 65537, for the RSABSSA-SHA384-PSS-Randomized variant. */
export async function generateBallotKey(): Promise<BallotKeyMaterial> {
  const { publicKey, privateKey } = await ballotSuite().generateKey({ modulusLength: MODULUS_BITS, publicExponent: PUBLIC_EXPONENT });
  return {
    publicKeyPem: await exportPublicKeyPem(publicKey),
    privateKeyPkcs8: await exportPrivateKeyPem(privateKey),
    variant: BALLOT_VARIANT,
  };
}

export async function exportPublicKeyPem(key: BallotCryptoKey): Promise<string> {
  return toPem('PUBLIC KEY', await globalThis.crypto.subtle.exportKey('spki', key));
}

export async function exportPrivateKeyPem(key: BallotCryptoKey): Promise<string> {
  return toPem('PRIVATE KEY', await globalThis.crypto.subtle.exportKey('pkcs8', key));
}

/**
 * The public key for blinding (client) and verifying (server). Extractable because the blind RSA library reads the
 * modulus from it. Refuses anything that is not RSA 2048 with e = 65537.
 */
export async function importPublicKey(publicKeyPem: string): Promise<BallotCryptoKey> {
  const der = fromPem('PUBLIC KEY', publicKeyPem);
  if (!der) throw new Error('not a PEM public key');
  const key = await globalThis.crypto.subtle.importKey('spki', der, KEY_ALGORITHM, true, ['verify']);
  assertShape(key);
  return key;
}

/** The private key for signing blinded messages (server only, while the evaluation is open). */
export async function importPrivateKey(privateKeyPkcs8: string): Promise<BallotCryptoKey> {
  const der = fromPem('PRIVATE KEY', privateKeyPkcs8);
  if (!der) throw new Error('not a PEM PKCS #8 private key');
  const key = await globalThis.crypto.subtle.importKey('pkcs8', der, KEY_ALGORITHM, true, ['sign']);
  assertShape(key);
  return key;
}

function assertShape(key: BallotCryptoKey): void {
  const algorithm = key.algorithm as { name?: string; modulusLength?: number; publicExponent?: Uint8Array };
  const e = algorithm.publicExponent ? Array.from(algorithm.publicExponent).join(',') : '';
  if (algorithm.modulusLength !== MODULUS_BITS || e !== PUBLIC_EXPONENT.join(',')) {
    throw new Error(`a ballot key is RSA ${MODULUS_BITS} with e = 65537, not RSA ${algorithm.modulusLength} with e = [${e}]`);
  }
}

// ---- the key ring: one key per purpose ----

/** 'general' signs the full ballot; `speaker:<cadreId>` signs a ballot that skips that cadre's speeches. */
export type KeyPurpose = 'general' | `speaker:${string}`;

export const GENERAL: KeyPurpose = 'general';

export function speakerPurpose(cadreId: number | string): KeyPurpose {
  const id = String(cadreId);
  if (!/^[0-9A-Za-z_-]+$/.test(id)) throw new Error(`not a cadre id: ${JSON.stringify(id)}`);
  return `speaker:${id}`;
}

/** The purpose named by a string, or null: 'general' or 'speaker:<id>'. */
export function parsePurpose(text: string): KeyPurpose | null {
  if (text === 'general') return 'general';
  const match = /^speaker:([0-9A-Za-z_-]+)$/.exec(text);
  return match ? `speaker:${match[1]}` : null;
}

/** The cadre whose speeches a purpose skips, or null for the general key. */
export function skippedSpeaker(purpose: KeyPurpose): string | null {
  return purpose === 'general' ? null : purpose.slice('speaker:'.length);
}

/** A session's keys by purpose. */
export type KeyRing = ReadonlyMap<KeyPurpose, BallotKeyMaterial>;

/** The public half of a ring, as the archive and `ballotKey` show it. */
export type PublicKeyRing = ReadonlyMap<KeyPurpose, string>;

/**
 * One key per purpose: the general key always, plus one for each speaker who votes (by cadre id). Duplicates
 * collapse. The keys are generated together (WebCrypto generates off the event loop); each costs a fraction of a
 * second of CPU.
 */
export async function generateKeyRing(speakerCadreIds: readonly (number | string)[] = []): Promise<KeyRing> {
  const purposes = [GENERAL, ...new Set(speakerCadreIds.map(speakerPurpose))];
  const keys = await Promise.all(purposes.map(() => generateBallotKey()));
  return new Map(purposes.map((purpose, i) => [purpose, keys[i]]));
}

export function publicRing(ring: KeyRing): PublicKeyRing {
  return new Map([...ring].map(([purpose, key]) => [purpose, key.publicKeyPem]));
}

/** The key of a purpose; an error if the ring has none (the caller asked for a speaker who has no key). */
export function keyFor<T>(ring: ReadonlyMap<KeyPurpose, T>, purpose: KeyPurpose): T {
  const key = ring.get(purpose);
  if (key === undefined) throw new Error(`no ballot key for ${purpose}`);
  return key;
}
