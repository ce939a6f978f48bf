import { importPublicKey } from '../../src/modules/evaluation/blind/ballot-keys';
import { blindToken, expectedReceipt, finalizeToken, prepareToken } from '../../src/modules/evaluation/blind/ballot-client';
import type { GqlResult } from './test-app';

export const BALLOT_KEY = `query($s: ID!) { ballotKey(sessionId: $s) { publicKeyPem variant fingerprint } }`;
export const ISSUE = `mutation($s: ID!, $b: String!) { issueBallotToken(sessionId: $s, blindedMessage: $b) }`;
export const CAST_ANONYMOUS = `mutation($s: ID!, $t: String!, $sig: String!, $g: [GradeInput!]!, $c: String) { castAnonymousBallot(sessionId: $s, token: $t, signature: $sig, grades: $g, clientId: $c) { sessionId receipt } }`;

/** Runs one operation: with the voter's token, or (null) without Authorization. */
export type Gql = (query: string, variables: Record<string, unknown>, token: string | null) => Promise<GqlResult>;

/** A token the voter holds, signed: what a phone keeps between taking it and casting with it. */
export interface HeldToken {
  token: string;
  signature: string;
  receipt: string;
  fingerprint: string;
}

function dataOf<T>(result: GqlResult, what: string): T {
  if (result.errors) throw Object.assign(new Error(`${what}: ${JSON.stringify(result.errors)}`), { result });
  return result.data as T;
}

/** The voter's side of the blind box, as the hall's page does it: key, token, blinding, issue, finalize. */
export async function takeBallotToken(gql: Gql, sessionId: string, voterToken: string): Promise<HeldToken> {
  const { ballotKey } = dataOf<{ ballotKey: { publicKeyPem: string; fingerprint: string } }>(await gql(BALLOT_KEY, { s: sessionId }, voterToken), 'ballotKey');
  const key = await importPublicKey(ballotKey.publicKeyPem);
  const token = prepareToken();
  const { blindedMessage, inv } = await blindToken(key, token);
  const { issueBallotToken } = dataOf<{ issueBallotToken: string }>(await gql(ISSUE, { s: sessionId, b: blindedMessage }, voterToken), 'issueBallotToken');
  return { token, signature: await finalizeToken(key, token, issueBallotToken, inv), receipt: await expectedReceipt(token), fingerprint: ballotKey.fingerprint };
}

/** Casts with a held token, without Authorization. */
export function castWith(gql: Gql, sessionId: string, held: Pick<HeldToken, 'token' | 'signature'>, grades: { speechId: string; grade: string }[], clientId: string | null = null): Promise<GqlResult> {
  return gql(CAST_ANONYMOUS, { s: sessionId, t: held.token, sig: held.signature, g: grades, c: clientId }, null);
}
