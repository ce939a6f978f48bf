import { generateBallotKey, importPublicKey } from '../../../src/modules/evaluation/blind/ballot-keys';
import { receiptOf, signBlinded, verifyToken } from '../../../src/modules/evaluation/blind/ballot-token';
import { signedToken, type HeldToken, type TokenSteps } from '../../../web/hall/blind';

/**
 * The phone's token (web/hall/blind.ts) against the server's own signing: kept before it is asked for, asked again
 * with the same blinded message after a lost answer, never asked for twice once signed.
 */

interface Phone extends TokenSteps {
  kept: HeldToken | null;
  saves: HeldToken[];
  asked: string[];
}

/** `issue` answers the n-th question: 'sign' for the server's signature, or another answer, or a throw. */
async function phone(issue: (blinded: string, n: number) => string): Promise<{ p: Phone; publicKeyPem: string }> {
  const key = await generateBallotKey();
  const p: Phone = {
    kept: null,
    saves: [],
    asked: [],
    load: () => p.kept,
    save(held) {
      p.kept = held;
      p.saves.push(held);
    },
    ballotKey: async () => key.publicKeyPem,
    // The server's side of issuing, with the key's private half, unless `answer` says otherwise.
    async issue(blinded) {
      p.asked.push(blinded);
      const answer = issue(blinded, p.asked.length);
      return answer === 'sign' ? signBlinded(key.privateKeyPkcs8, blinded) : answer;
    },
  };
  return { p, publicKeyPem: key.publicKeyPem };
}

describe("the hall's anonymous ballot token", () => {
  it('keeps the token before it asks, and ends with a signature the key verifies and the receipt the server will answer', async () => {
    const { p, publicKeyPem } = await phone(() => 'sign');
    const signed = await signedToken(p);
    expect(p.asked).toHaveLength(1);
    // The first save came before the question, without a signature; the second holds it.
    expect(p.saves).toHaveLength(2);
    expect(p.saves[0].signature).toBeUndefined();
    expect(p.saves[0].blindedMessage).toBe(p.asked[0]);
    expect(await verifyToken(await importPublicKey(publicKeyPem), signed.token, signed.signature)).toBe(true);
    expect(signed.receipt).toBe(receiptOf(signed.token));
    // The server sees only the blinded message, which is not the token.
    expect(p.asked[0]).not.toContain(signed.token);
  });

  it('asks again with the same blinded message after a lost answer, so the server signs the same token', async () => {
    const { p } = await phone((_, n) => {
      if (n === 1) throw new Error('network');
      return 'sign';
    });
    await expect(signedToken(p)).rejects.toThrow('network');
    expect(p.kept?.signature).toBeUndefined();
    const kept = p.kept!;
    const signed = await signedToken(p);
    expect(p.asked).toEqual([kept.blindedMessage, kept.blindedMessage]);
    expect(signed.token).toBe(kept.token);
  });

  it('asks nothing once it holds a signed token', async () => {
    const { p } = await phone(() => 'sign');
    const first = await signedToken(p);
    const again = await signedToken(p);
    expect(again).toEqual(first);
    expect(p.asked).toHaveLength(1);
  });

  it('refuses an answer that does not verify under the key, and keeps no signature', async () => {
    const other = await generateBallotKey();
    const { p } = await phone((blinded) => signBlinded(other.privateKeyPkcs8, blinded));
    await expect(signedToken(p)).rejects.toThrow();
    expect(p.kept?.signature).toBeUndefined();
  });
});
