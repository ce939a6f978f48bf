import type { NextFunction, Request, Response } from 'express';
import { isLoginOnly, loginGate } from '../../../src/app/login-gate';
import { ServiceBusyError } from '../../../src/common/errors';

const LOGIN = `mutation Login($u: String!, $p: String!) { login(username: $u, password: $p) { token user { id } } }`;

function call(gate: ReturnType<typeof loginGate>, body: unknown) {
  const sent: { status?: number; json?: any } = {};
  const res = { status: (s: number) => ((sent.status = s), res), json: (j: unknown) => ((sent.json = j), res) } as unknown as Response;
  let passed: unknown = 'not called';
  gate({ method: 'POST', body } as Request, res, ((err?: unknown) => (passed = err)) as NextFunction);
  return { sent, passed };
}

describe('isLoginOnly', () => {
  it.each([
    [LOGIN, true],
    ['mutation { signIn: login(username: "a", password: "b") { token } }', true],
    ['mutation { login(username: "a", password: "b") { token } me: signInWithLink(token: "x") { token } }', false],
    ['query { me { id } }', false],
    ['mutation { login(username: "a", password: "b") @skip(if: true) { token } }', false],
    ['mutation A { login(username: "a", password: "b") { token } } query B { me { id } }', false],
    ['mutation { login(', false],
  ])('%s → %s', (query, expected) => {
    expect(isLoginOnly(query)).toBe(expected);
  });

  it('leaves a long document to the GraphQL pipeline', () => {
    expect(isLoginOnly(`mutation { login(username: "${'x'.repeat(3000)}", password: "b") { token } }`)).toBe(false);
  });
});

describe('loginGate', () => {
  it('answers a login with the refusal the resolver would give while the hashing line is full, and passes it on otherwise', () => {
    let full = true;
    const gate = loginGate(() => {
      if (full) throw new ServiceBusyError('the server is checking 30 passwords; try again in 900 ms', 900, 'password-hashing');
    });
    const refused = call(gate, { query: LOGIN, variables: { u: 'a', p: 'b' } });
    expect(refused.passed).toBe('not called');
    expect(refused.sent.status).toBe(200);
    expect(refused.sent.json).toEqual({
      data: null,
      errors: [{ message: 'the server is checking 30 passwords; try again in 900 ms', path: ['login'], extensions: { code: 'SERVICE_UNAVAILABLE', retryAfterMs: 900, retryable: true, reason: 'password-hashing' } }],
    });
    full = false;
    expect(call(gate, { query: LOGIN }).passed).toBeUndefined();
  });

  it('never holds back anything but a login, even while the line is full', () => {
    const gate = loginGate(() => {
      throw new ServiceBusyError('busy', 900, 'password-hashing');
    });
    expect(call(gate, { query: '{ me { id } }' }).passed).toBeUndefined();
    expect(call(gate, [{ query: LOGIN }]).passed).toBeUndefined();
    expect(call(gate, undefined).passed).toBeUndefined();
  });

  it('hands any other error of admit on to the error handler', () => {
    const boom = new Error('boom');
    const gate = loginGate(() => {
      throw boom;
    });
    expect(call(gate, { query: LOGIN }).passed).toBe(boom);
  });
});
