import { BallotTokenInvalidError, BallotTokenSpentError } from '../../../../src/modules/evaluation/evaluation.errors';
import { blindToken, expectedReceipt, prepareToken } from '../../../../src/modules/evaluation/blind/ballot-client';
import { generateBallotKey, importPublicKey } from '../../../../src/modules/evaluation/blind/ballot-keys';
import { receiptOf, tokenHash } from '../../../../src/modules/evaluation/blind/ballot-token';
import { checkUnspent, spentVerdict } from '../../../../src/modules/evaluation/blind/spent';

describe('the spent rule', () => {
  it('accepts a token once and refuses it the second time with BALLOT_TOKEN_SPENT', () => {
    const spent = new Set<string>();
    const token = prepareToken();

    expect(spentVerdict(spent, token)).toBe('OK');
    expect(checkUnspent(spent, token)).toBeNull();
    spent.add(tokenHash(token));

    expect(spentVerdict(spent, token)).toBe('SPENT');
    const refused = checkUnspent(spent, token);
    expect(refused).toBeInstanceOf(BallotTokenSpentError);
    expect(refused!.extensions).toEqual({ code: 'BALLOT_TOKEN_SPENT' });
  });

  it('is not fooled by another token', () => {
    const spent = new Set([tokenHash(prepareToken())]);
    expect(spentVerdict(spent, prepareToken())).toBe('OK');
  });

  it('refuses a malformed token as invalid, not as fresh', () => {
    expect(() => spentVerdict(new Set(), 'garbage!')).toThrow(BallotTokenInvalidError);
  });
});

describe(tokenHash.name, () => {
  it('is stable per token, 64 hex, and differs across tokens', () => {
    const token = prepareToken();
    expect(tokenHash(token)).toMatch(/^[0-9a-f]{64}$/);
    expect(tokenHash(token)).toBe(tokenHash(token));

    const hashes = new Set(Array.from({ length: 100 }, () => tokenHash(prepareToken())));
    expect(hashes.size).toBe(100);
  });

  it.each([['not base64url', 'a b'], ['too short', 'AAAA'], ['padded', `${'A'.repeat(84)}==`], ['empty', '']])(
    'refuses a token that is %s',
    (_, token) => {
      expect(() => tokenHash(token)).toThrow(BallotTokenInvalidError);
    },
  );
});

describe(receiptOf.name, () => {
  it('is 16 hex, stable per token, different across tokens, and not the token hash', () => {
    const token = prepareToken();
    expect(receiptOf(token)).toMatch(/^[0-9a-f]{16}$/);
    expect(receiptOf(token)).toBe(receiptOf(token));
    expect(tokenHash(token).startsWith(receiptOf(token))).toBe(false);

    const receipts = new Set(Array.from({ length: 100 }, () => receiptOf(prepareToken())));
    expect(receipts.size).toBe(100);
  });

  it('is what the voter computes in the browser', async () => {
    const token = prepareToken();
    await expect(expectedReceipt(token)).resolves.toBe(receiptOf(token));
  });

  it('depends on the token only: every blinding of the token, under any key, leaves it the same', async () => {
    const publicKey = await importPublicKey((await generateBallotKey()).publicKeyPem);
    const token = prepareToken();
    const receipt = receiptOf(token);
    const blindings = [await blindToken(publicKey, token), await blindToken(publicKey, token)];

    expect(blindings[0].blindedMessage).not.toBe(blindings[1].blindedMessage);
    expect(receiptOf(token)).toBe(receipt);
    for (const { blindedMessage } of blindings) expect(blindedMessage).not.toContain(receipt);
  });
});
