/**
 * The phone's side of the blind ballot box (docs/blind-ballots.md), apart from the page so that it reads as the
 * protocol does: take a token as soon as the box opens, keep it on the phone, cast with it later in a request that
 * does not say who sends it. The cryptography is the server's own browser-safe client
 * (src/modules/evaluation/blind/ballot-client.ts); nothing here touches the DOM.
 */
import { blindToken, expectedReceipt, finalizeToken, prepareToken } from '../../src/modules/evaluation/blind/ballot-client';
import { importPublicKey } from '../../src/modules/evaluation/blind/ballot-keys';

/** The fingerprint of the key a token was signed under, as the server and the big screen compute it. */
export { fingerprintOf } from '../../src/modules/evaluation/blind/ballot-client';

/**
 * What the phone keeps between asking for its token and casting with it. Saved before `issueBallotToken` is asked,
 * so that an answer lost on bad Wi-Fi is asked again with the same blinded message (the server then signs the same
 * message again instead of refusing a second token).
 */
export interface HeldToken {
  token: string;
  /** The receipt the server must answer for this token; computed here, never taken on trust. */
  receipt: string;
  publicKeyPem: string;
  blindedMessage: string;
  inv: string;
  /** Present once the blind signature came back and unblinded into a valid signature. */
  signature?: string;
}

export interface SignedToken extends HeldToken {
  signature: string;
}

export interface TokenSteps {
  /** The token this phone keeps for this session and voter, if any. */
  load(): HeldToken | null;
  save(held: HeldToken): void;
  /** `ballotKey(sessionId)` with the voter's authorization. */
  ballotKey(): Promise<string>;
  /** `issueBallotToken(sessionId, blindedMessage)` with the voter's authorization: the blind signature. */
  issue(blindedMessage: string): Promise<string>;
}

/** Whether this browser can blind a token: WebCrypto's subtle API exists only on HTTPS pages (and on localhost). */
export function canBlind(): boolean {
  return typeof globalThis.crypto?.subtle?.importKey === 'function';
}

/**
 * The voter's signed token: the one kept on the phone if it is signed already, else the kept one asked again, else a
 * fresh one made, kept and asked for. Throws what `issue` throws (BALLOT_TOKEN_ALREADY_ISSUED when another phone
 * took this voter's token), or an Error when the server's answer does not verify under its own key.
 */
export async function signedToken(steps: TokenSteps): Promise<SignedToken> {
  let held = steps.load();
  if (held?.signature) return held as SignedToken;
  if (!held) {
    const publicKeyPem = await steps.ballotKey();
    const key = await importPublicKey(publicKeyPem);
    const token = prepareToken();
    const { blindedMessage, inv } = await blindToken(key, token);
    held = { token, receipt: await expectedReceipt(token), publicKeyPem, blindedMessage, inv };
    steps.save(held);
  }
  const blindSignature = await steps.issue(held.blindedMessage);
  const signature = await finalizeToken(await importPublicKey(held.publicKeyPem), held.token, blindSignature, held.inv);
  const signed: SignedToken = { ...held, signature };
  steps.save(signed);
  return signed;
}
