import { User } from '../../../src/auth/user.entity';
import { createUser, FACTORY_PASSWORD } from '../../factories';
import { describeEachEngine } from '../../helpers/engines';
import { codeOf, createTestApp, TestApp } from '../../helpers/test-app';

const LOGIN = `mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token user { id username roles } } }`;
const ME = `{ me { id username displayName roles } }`;

describeEachEngine('auth', (engine) => {
  let app: TestApp;
  let admin: User;

  beforeAll(async () => {
    app = await createTestApp(engine);
    admin = await createUser(app.ds.manager, { username: 'admin', roles: ['admin'] });
  });
  afterAll(() => app.close());

  describe('login', () => {
    it('issues a token that identifies the user', async () => {
      const res = await app.gql(LOGIN, { u: 'admin', p: FACTORY_PASSWORD });
      expect(res.errors).toBeUndefined();
      expect(res.data!.login.user).toEqual({ id: String(admin.id), username: 'admin', roles: ['ADMIN'] });
      const me = await app.gql(ME, {}, res.data!.login.token);
      expect(me.data!.me).toMatchObject({ id: String(admin.id), username: 'admin' });
    });

    it('fails alike for an unknown user and a wrong password', async () => {
      const wrong = await app.gql(LOGIN, { u: 'admin', p: 'not-the-password' });
      const unknown = await app.gql(LOGIN, { u: 'nobody', p: FACTORY_PASSWORD });
      expect(codeOf(wrong)).toBe('UNAUTHENTICATED');
      expect(unknown.errors).toEqual(wrong.errors);
    });

    it('never exposes the password hash', async () => {
      const res = await app.gql(`{ me { passwordHash } }`, {}, await app.tokenFor(admin));
      expect(codeOf(res)).toBe('GRAPHQL_VALIDATION_FAILED');
    });
  });

  describe('tokens', () => {
    it('rejects a malformed token and an expired one with UNAUTHENTICATED, but still allows login', async () => {
      const regions = `{ regions { id } }`;
      expect(codeOf(await app.gql(regions, {}, 'not.a.jwt'))).toBe('UNAUTHENTICATED');
      const token = await app.tokenFor(admin);
      app.clock.advance(13 * 3600 * 1000);
      const expired = await app.gql(regions, {}, token);
      expect(codeOf(expired)).toBe('UNAUTHENTICATED');
      expect(expired.errors![0].message).toMatch(/expired/);
      app.clock.advance(-13 * 3600 * 1000);
      const login = await app.gql(LOGIN, { u: 'admin', p: FACTORY_PASSWORD }, 'not.a.jwt');
      expect(login.errors).toBeUndefined();
    });

    it('answers UNAUTHENTICATED without a token and FORBIDDEN for the wrong role', async () => {
      const voter = await createUser(app.ds.manager, { roles: ['voter'] });
      const mutation = `mutation { createRegion(input: { code: "x-1", name: "某区", nameEn: "X" }) { id } }`;
      expect(codeOf(await app.gql(mutation))).toBe('UNAUTHENTICATED');
      expect(codeOf(await app.gql(mutation, {}, await app.tokenFor(voter)))).toBe('FORBIDDEN');
    });
  });

  describe('createUser', () => {
    const CREATE = `mutation($input: CreateUserInput!) { createUser(input: $input) { id username roles regionId } }`;

    it('creates an account that can sign in', async () => {
      const token = await app.tokenFor(admin);
      const res = await app.gql(CREATE, { input: { username: 'leader9', displayName: '某领导', password: 'long-enough', roles: ['LEADER'] } }, token);
      expect(res.errors).toBeUndefined();
      expect(res.data!.createUser).toMatchObject({ username: 'leader9', roles: ['LEADER'], regionId: null });
      expect((await app.gql(LOGIN, { u: 'leader9', p: 'long-enough' })).errors).toBeUndefined();
    });

    it.each([
      ['a duplicate username', { username: 'admin' }, 'CONFLICT'],
      ['a short password', { password: 'short' }, 'BAD_USER_INPUT'],
      ['a 10,000-character name', { displayName: '长'.repeat(10_000) }, 'BAD_USER_INPUT'],
      ['a blank name', { displayName: '   ' }, 'BAD_USER_INPUT'],
      ['a username with spaces', { username: 'a b c' }, 'BAD_USER_INPUT'],
      ['no roles', { roles: [] }, 'BAD_USER_INPUT'],
      ['the screen role', { roles: ['SCREEN'] }, 'BAD_USER_INPUT'],
      ['an unknown region', { regionId: '999999' }, 'NOT_FOUND'],
    ])('rejects %s and changes nothing', async (_what, override, code) => {
      const before = await app.ds.getRepository(User).count();
      const input = { username: 'fresh-user', displayName: '新用户', password: 'long-enough', roles: ['VOTER'], ...override };
      const res = await app.gql(CREATE, { input }, await app.tokenFor(admin));
      expect(codeOf(res)).toBe(code);
      expect(await app.ds.getRepository(User).count()).toBe(before);
    });
  });

  describe('issueScreenToken', () => {
    it('is refused for an unknown session', async () => {
      const res = await app.gql(`mutation { issueScreenToken(sessionId: "424242") }`, {}, await app.tokenFor(admin));
      expect(codeOf(res)).toBe('NOT_FOUND');
    });
  });
});
