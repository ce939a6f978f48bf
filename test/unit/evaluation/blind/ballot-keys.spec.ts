import { generateKeyPairSync } from 'node:crypto';
import {
  GENERAL,
  generateKeyRing,
  importPrivateKey,
  importPublicKey,
  keyFor,
  KeyPurpose,
  KeyRing,
  parsePurpose,
  publicRing,
  skippedSpeaker,
  speakerPurpose,
} from '../../../../src/modules/evaluation/blind/ballot-keys';
import { blindToken, finalizeToken, prepareToken } from '../../../../src/modules/evaluation/blind/ballot-client';
import { keyThatSigned, signBlinded, verifyToken } from '../../../../src/modules/evaluation/blind/ballot-token';
import { BALLOT_VARIANT, BallotCryptoKey } from '../../../../src/modules/evaluation/blind/variant';

/** The session of these tests: speech 7's speaker votes, so the ring has the general key and speaker:7. */
let ring: KeyRing;
let publicKeys: Map<KeyPurpose, BallotCryptoKey>;

beforeAll(async () => {
  ring = await generateKeyRing([7, '7']);
  publicKeys = new Map();
  for (const [purpose, pem] of publicRing(ring)) publicKeys.set(purpose, await importPublicKey(pem));
});

async function issueWith(purpose: KeyPurpose): Promise<{ token: string; signature: string }> {
  const publicKey = keyFor(publicKeys, purpose);
  const token = prepareToken();
  const { blindedMessage, inv } = await blindToken(publicKey, token);
  const blindSignature = signBlinded(keyFor(ring, purpose).privateKeyPkcs8, blindedMessage);
  return { token, signature: await finalizeToken(publicKey, token, blindSignature, inv) };
}

describe('a ballot key', () => {
  it('is RSA 2048, e = 65537, SPKI and PKCS #8 in PEM, for the one variant', async () => {
    const key = keyFor(ring, GENERAL);
    expect(key.variant).toBe(BALLOT_VARIANT);
    expect(key.variant).toBe('RSABSSA-SHA384-PSS-Randomized');
    expect(key.publicKeyPem).toMatch(/^-----BEGIN PUBLIC KEY-----\n[A-Za-z0-9+/=\n]+-----END PUBLIC KEY-----\n$/);
    expect(key.privateKeyPkcs8).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);

    const publicKey = await importPublicKey(key.publicKeyPem);
    expect(publicKey.algorithm).toMatchObject({ name: 'RSA-PSS', modulusLength: 2048, publicExponent: Uint8Array.from([1, 0, 1]) });
    expect(publicKey.type).toBe('public');
    expect((await importPrivateKey(key.privateKeyPkcs8)).type).toBe('private');
  });

  it('refuses to import what is not a 2048-bit, e = 65537 key, or not PEM', async () => {
    const small = generateKeyPairSync('rsa', { modulusLength: 1024 });
    await expect(importPublicKey(small.publicKey.export({ type: 'spki', format: 'pem' }) as string)).rejects.toThrow(/RSA 2048/);
    await expect(importPrivateKey(small.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string)).rejects.toThrow(/RSA 2048/);
    await expect(importPublicKey('not a key')).rejects.toThrow(/PEM/);
    await expect(importPublicKey(keyFor(ring, GENERAL).privateKeyPkcs8)).rejects.toThrow(/PEM/);
  });
});

describe('the key ring', () => {
  it('holds the general key and one key per speaker who votes, each different', () => {
    expect([...ring.keys()]).toEqual(['general', 'speaker:7']);
    expect(keyFor(ring, 'general').publicKeyPem).not.toBe(keyFor(ring, 'speaker:7').publicKeyPem);
    expect(() => keyFor(ring, speakerPurpose(8))).toThrow(/no ballot key for speaker:8/);
  });

  it('names purposes: general, speaker:<speechId>', () => {
    expect(speakerPurpose(7)).toBe('speaker:7');
    expect(parsePurpose('speaker:7')).toBe('speaker:7');
    expect(parsePurpose('general')).toBe('general');
    expect(parsePurpose('speaker:')).toBeNull();
    expect(parsePurpose('admin')).toBeNull();
    expect(skippedSpeaker('speaker:7')).toBe('7');
    expect(skippedSpeaker(GENERAL)).toBeNull();
    expect(() => speakerPurpose('7:general')).toThrow();
  });

  it('shows only public keys in its public form', () => {
    const shown = publicRing(ring);
    expect([...shown.keys()]).toEqual(['general', 'speaker:7']);
    for (const pem of shown.values()) expect(pem).not.toContain('PRIVATE');
  });
});

describe('the per-speaker key', () => {
  it("signs a token that verifies with speaker:7's key only, and the server can tell which key signed it", async () => {
    const { token, signature } = await issueWith('speaker:7');

    await expect(verifyToken(keyFor(publicKeys, 'speaker:7'), token, signature)).resolves.toBe(true);
    await expect(verifyToken(keyFor(publicKeys, GENERAL), token, signature)).resolves.toBe(false);
    await expect(keyThatSigned(publicKeys, token, signature)).resolves.toBe('speaker:7');
  });

  it('leaves a general token to the general key', async () => {
    const { token, signature } = await issueWith(GENERAL);

    await expect(verifyToken(keyFor(publicKeys, 'speaker:7'), token, signature)).resolves.toBe(false);
    await expect(keyThatSigned(publicKeys, token, signature)).resolves.toBe(GENERAL);
  });

  it('finds no key for a forged signature', async () => {
    const { token } = await issueWith(GENERAL);
    await expect(keyThatSigned(publicKeys, token, 'AAAA')).resolves.toBeNull();
  });
});
