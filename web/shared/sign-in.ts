import { ApiError, graphql, whileBusy } from './api';
import { h, setText } from './dom';
import type { Lang } from './i18n';

/** The signed-in user as the pages need them. */
export interface SignedIn {
  token: string;
  user: { id: string; username: string; displayName: string; roles: string[] };
}

const zh = {
  username: '账号',
  password: '密码',
  signIn: '登录',
  badLogin: '账号或密码错误',
  busy: '服务器正忙，正在自动重试登录…',
  throttled: (s: number) => `登录失败次数过多，请 ${s} 秒后再试，或使用个人登录链接`,
};
const en: typeof zh = {
  username: 'Username',
  password: 'Password',
  signIn: 'Sign in',
  badLogin: 'Wrong username or password',
  busy: 'The server is busy; retrying the sign-in…',
  throttled: (s: number) => `Too many failed sign-ins; try again in ${s} s, or use your personal sign-in link`,
};

export interface SignInOptions {
  lang: Lang;
  title: string;
  /** A line under the title, e.g. who this page is for. */
  hint?: string;
  /** A message to show at once, e.g. that the last sign-in expired. */
  message?: string;
  /** Why this user may not use the page (shown, and the token is dropped), or null when they may. */
  refuse(roles: readonly string[]): string | null;
  /** How other errors read. */
  explain(err: unknown): string;
  signedIn(answer: SignedIn): void;
}

/**
 * The password form of the pages that are used at a desk: it waits out a busy server (8:59, the hall signing in)
 * as the server tells it to, and says plainly when an account is being slowed down.
 */
export function signInForm(opts: SignInOptions): HTMLFormElement {
  const w = opts.lang === 'en' ? en : zh;
  const user = h('input', { id: 'username', name: 'username', autocomplete: 'username', required: true, autofocus: true });
  const pass = h('input', { id: 'password', name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const error = h('div', { class: 'form-error', id: 'login-error', role: 'alert' }, opts.message ?? '');
  const form = h(
    'form',
    { class: 'card login', id: 'login-form' },
    h('h1', {}, opts.title),
    opts.hint ? h('p', { class: 'hint' }, opts.hint) : null,
    h('label', { for: 'username' }, w.username),
    user,
    h('label', { for: 'password' }, w.password),
    pass,
    error,
    h('button', { type: 'submit', class: 'primary', id: 'login-submit' }, w.signIn),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    void (async () => {
      try {
        const data = await whileBusy(
          () =>
            graphql<{ login: SignedIn }>(`mutation Login($u: String!, $p: String!) { login(username: $u, password: $p) { token user { id username displayName roles } } }`, {
              u: user.value.trim(),
              p: pass.value,
            }),
          () => setText(error, w.busy),
        );
        const roles = data.login.user.roles.map((r) => r.toLowerCase());
        const refusal = opts.refuse(roles);
        if (refusal !== null) {
          setText(error, refusal);
          return;
        }
        opts.signedIn({ token: data.login.token, user: { ...data.login.user, roles } });
      } catch (err) {
        if (err instanceof ApiError && err.code === 'RATE_LIMITED' && err.retryAfterMs !== null) setText(error, w.throttled(Math.ceil(err.retryAfterMs / 1000)));
        else setText(error, err instanceof ApiError && err.code === 'UNAUTHENTICATED' ? w.badLogin : opts.explain(err));
      }
    })();
  });
  return form;
}

/** A desk page's sign-in, kept for this tab only (sessionStorage) under `leitai.<page>.token` and `.user`. */
export interface SignInStore {
  read(): SignedIn | null;
  save(session: SignedIn): void;
  clear(): void;
}

export function signInStore(page: string): SignInStore {
  const tokenKey = `leitai.${page}.token`;
  const userKey = `leitai.${page}.user`;
  return {
    read: () => {
      const token = sessionStorage.getItem(tokenKey);
      const user = sessionStorage.getItem(userKey);
      return token && user ? { token, user: JSON.parse(user) as SignedIn['user'] } : null;
    },
    save: (session) => {
      sessionStorage.setItem(tokenKey, session.token);
      sessionStorage.setItem(userKey, JSON.stringify(session.user));
    },
    clear: () => {
      sessionStorage.removeItem(tokenKey);
      sessionStorage.removeItem(userKey);
    },
  };
}
