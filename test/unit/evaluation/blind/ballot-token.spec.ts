import { RSABSSA } from '@cloudflare/blindrsa-ts';
import { AppError } from '../../../../src/common/errors';
import { BallotTokenInvalidError } from '../../../../src/modules/evaluation/evaluation.errors';
import { BallotKeyMaterial, generateBallotKey, importPrivateKey, importPublicKey } from '../../../../src/modules/evaluation/blind/ballot-keys';
import { blindToken, finalizeToken, fingerprintOf, prepareToken } from '../../../../src/modules/evaluation/blind/ballot-client';
import { keyFingerprint, signBlinded, signingKey, SigningKey, verifyToken } from '../../../../src/modules/evaluation/blind/ballot-token';
import { fromBase64url, lessThan, toBase64url } from '../../../../src/modules/evaluation/blind/encoding';
import { BallotCryptoKey, TOKEN_BYTES } from '../../../../src/modules/evaluation/blind/variant';

/** One session's key as both sides hold it. */
interface SessionKey {
  material: BallotKeyMaterial;
  publicKey: BallotCryptoKey;
  privateKey: BallotCryptoKey;
  signing: SigningKey;
}

async function sessionKey(): Promise<SessionKey> {
  const material = await generateBallotKey();
  const privateKey = await importPrivateKey(material.privateKeyPkcs8);
  return { material, publicKey: await importPublicKey(material.publicKeyPem), privateKey, signing: signingKey(material.privateKeyPkcs8) };
}

/** The whole protocol: the voter prepares and blinds, the server signs, the voter finalizes. */
async function issue(key: SessionKey): Promise<{ token: string; signature: string }> {
  const token = prepareToken();
  const { blindedMessage, inv } = await blindToken(key.publicKey, token);
  const blindSignature = signBlinded(key.signing, blindedMessage);
  return { token, signature: await finalizeToken(key.publicKey, token, blindSignature, inv) };
}

function invalid(run: () => unknown): AppError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(BallotTokenInvalidError);
    expect((error as AppError).code).toBe('BALLOT_TOKEN_INVALID');
    return error as AppError;
  }
  throw new Error('expected BALLOT_TOKEN_INVALID');
}

let sessionA: SessionKey;
let sessionB: SessionKey;

beforeAll(async () => {
  sessionA = await sessionKey();
  sessionB = await sessionKey();
});

describe('blind, sign, finalize, verify', () => {
  it('gives a signature that verifies for the token', async () => {
    const { token, signature } = await issue(sessionA);

    expect(fromBase64url(token)).toHaveLength(TOKEN_BYTES);
    expect(fromBase64url(signature)).toHaveLength(256);
    await expect(verifyToken(sessionA.publicKey, token, signature)).resolves.toBe(true);
  });

  it('shows the server only a blinded message: not the token, and a different one at each blinding', async () => {
    const token = prepareToken();
    const first = await blindToken(sessionA.publicKey, token);
    const second = await blindToken(sessionA.publicKey, token);

    expect(first.blindedMessage).not.toBe(second.blindedMessage);
    expect(first.inv).not.toBe(second.inv);
    for (const { blindedMessage } of [first, second]) {
      expect(blindedMessage).not.toContain(token);
      expect(toBase64url(fromBase64url(blindedMessage)!.subarray(0, TOKEN_BYTES))).not.toBe(token);
    }
    // Either blinding unblinds to a valid signature of the same token.
    for (const { blindedMessage, inv } of [first, second]) {
      const signature = await finalizeToken(sessionA.publicKey, token, signBlinded(sessionA.signing, blindedMessage), inv);
      await expect(verifyToken(sessionA.publicKey, token, signature)).resolves.toBe(true);
    }
  });

  it('prepares a fresh token each time', () => {
    const tokens = new Set(Array.from({ length: 50 }, prepareToken));
    expect(tokens.size).toBe(50);
  });

  it('signs exactly as the library does (RFC 9474 BlindSign), whether the key comes as PEM or as a WebCrypto key', async () => {
    const { blindedMessage } = await blindToken(sessionA.publicKey, prepareToken());
    const byLibrary = await RSABSSA.SHA384.PSS.Randomized().blindSign(sessionA.privateKey, fromBase64url(blindedMessage)!);

    expect(signBlinded(sessionA.signing, blindedMessage)).toBe(toBase64url(byLibrary));
    expect(signBlinded(sessionA.material.privateKeyPkcs8, blindedMessage)).toBe(toBase64url(byLibrary));
    expect(signBlinded(signingKey(sessionA.privateKey), blindedMessage)).toBe(toBase64url(byLibrary));
  });

  it("computes on the phone the key's fingerprint the server gives it, and another key's differs", async () => {
    const [a, b] = [await generateBallotKey(), await generateBallotKey()];
    expect(await fingerprintOf(a.publicKeyPem)).toBe(keyFingerprint(a.publicKeyPem));
    expect(await fingerprintOf(`\n${a.publicKeyPem}\n`)).toMatch(/^[0-9a-f]{64}$/);
    expect(await fingerprintOf(`\n${a.publicKeyPem}\n`)).toBe(keyFingerprint(a.publicKeyPem));
    expect(await fingerprintOf(b.publicKeyPem)).not.toBe(keyFingerprint(a.publicKeyPem));
  });

  it('refuses to finalize a blind signature made with another key', async () => {
    // Blinded under A's modulus, the message is below B's about half the time (else B refuses to sign at all, as
    // another test shows): blind again until B will sign it, so that what is tested is the finalize.
    let token = prepareToken();
    let blinded = await blindToken(sessionA.publicKey, token);
    while (!lessThan(fromBase64url(blinded.blindedMessage)!, sessionB.signing.modulus)) {
      token = prepareToken();
      blinded = await blindToken(sessionA.publicKey, token);
    }
    const { blindedMessage, inv } = blinded;
    const wrong = signBlinded(sessionB.signing, blindedMessage);

    await expect(finalizeToken(sessionA.publicKey, token, wrong, inv)).rejects.toThrow();
  });
});

describe('verification refuses', () => {
  let token: string;
  let signature: string;

  beforeAll(async () => {
    ({ token, signature } = await issue(sessionA));
  });

  it("a token signed by another session's key", async () => {
    await expect(verifyToken(sessionB.publicKey, token, signature)).resolves.toBe(false);
  });

  it('the signature of one token on another token', async () => {
    const other = await issue(sessionA);
    await expect(verifyToken(sessionA.publicKey, other.token, signature)).resolves.toBe(false);
    await expect(verifyToken(sessionA.publicKey, token, other.signature)).resolves.toBe(false);
  });

  it('a token with one bit flipped', async () => {
    const bytes = fromBase64url(token)!;
    bytes[40] ^= 1;
    await expect(verifyToken(sessionA.publicKey, toBase64url(bytes), signature)).resolves.toBe(false);
  });

  it.each([
    ['an empty token', () => ['', signature]],
    ['a token that is not base64url', () => ['not a token!', signature]],
    ['a padded token', () => [`${token}==`, signature]],
    ['a truncated token', () => [token.slice(0, -4), signature]],
    ['a token of the right length but random', () => [toBase64url(new Uint8Array(TOKEN_BYTES).fill(7)), signature]],
    ['an empty signature', () => [token, '']],
    ['a signature that is not base64url', () => [token, '***']],
    ['a truncated signature', () => [token, signature.slice(0, -8)]],
    ['a signature of zeros', () => [token, toBase64url(new Uint8Array(256))]],
    ['a signature of 0xff (above the modulus)', () => [token, toBase64url(new Uint8Array(256).fill(0xff))]],
    ['non-strings', () => [null as unknown as string, 42 as unknown as string]],
  ])('%s, with false rather than an error', async (_, pair) => {
    const [t, s] = pair();
    await expect(verifyToken(sessionA.publicKey, t, s)).resolves.toBe(false);
  });
});

describe(signBlinded.name, () => {
  let blindedMessage: string;

  beforeAll(async () => {
    ({ blindedMessage } = await blindToken(sessionA.publicKey, prepareToken()));
  });

  it('refuses a truncated blinded message', () => {
    expect(invalid(() => signBlinded(sessionA.signing, blindedMessage.slice(0, -6))).message).toMatch(/bytes, not 256/);
  });

  it('refuses an empty blinded message', () => {
    invalid(() => signBlinded(sessionA.signing, ''));
  });

  it('refuses a blinded message one byte too long', () => {
    const longer = new Uint8Array(257);
    longer.set(fromBase64url(blindedMessage)!, 1);
    invalid(() => signBlinded(sessionA.signing, toBase64url(longer)));
  });

  it.each([
    ['text that is not base64url', 'hello, world'],
    ['standard base64 with padding', 'AAAA+/8='],
  ])('refuses %s', (_, text) => {
    expect(invalid(() => signBlinded(sessionA.signing, text)).message).toMatch(/not base64url/);
  });

  it('refuses a message not below the modulus, and zero', () => {
    invalid(() => signBlinded(sessionA.signing, toBase64url(new Uint8Array(256).fill(0xff))));
    invalid(() => signBlinded(sessionA.signing, toBase64url(new Uint8Array(256))));
  });
});
