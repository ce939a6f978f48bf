import { graphql, liveSubscription } from './api';
import { h } from './dom';
import type { Lang } from './i18n';

/**
 * The in-app inbox (docs/notifications.md), the same on /audit and /hall: the newest notices first, unread ones
 * marked, "mark all read", and new ones arriving live over `notificationAdded`.
 */

export interface Notice {
  id: string;
  kind: string;
  text: string;
  createdAt: string;
  readAt: string | null;
}

const QUERY = `query Inbox { myNotifications(first: 50) { unreadCount edges { node { id kind text createdAt readAt } } } }`;
const MARK = `mutation Read($ids: [ID!]!) { markNotificationsRead(ids: $ids) }`;
const LIVE = `subscription Notices { notificationAdded { id kind text createdAt readAt } }`;

const WORDS = {
  zh: { title: '消息', none: '暂无消息', markRead: '全部标为已读', unread: (n: number) => `${n} 条未读` },
  en: { title: 'Notices', none: 'No notices', markRead: 'Mark all read', unread: (n: number) => `${n} unread` },
};

const when = (iso: string, lang: Lang) => new Date(iso).toLocaleString(lang === 'en' ? 'en-GB' : 'zh-CN', { month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' });

export interface Inbox {
  el: HTMLElement;
  /** Reads the notices again. */
  refresh(): Promise<void>;
  /** Stops listening. */
  dispose(): void;
}

/** `onUnread` hears the unread count whenever it changes (for a badge on a tab). */
export function inbox(lang: Lang, token: string, fail: (err: unknown) => void, onUnread: (n: number) => void = () => undefined): Inbox {
  const w = WORDS[lang];
  let notices: Notice[] = [];
  let unread = 0;
  const list = h('ul', { class: 'notices', id: 'notices' });
  const count = h('span', { class: 'unread', id: 'unread-count' });
  const markAll = h('button', { type: 'button', id: 'mark-read', class: 'small' }, w.markRead) as HTMLButtonElement;
  const render = () => {
    count.textContent = unread ? w.unread(unread) : '';
    markAll.disabled = unread === 0;
    onUnread(unread);
    list.replaceChildren(
      ...(notices.length
        ? notices.map((n) => h('li', { class: n.readAt ? 'notice' : 'notice unread', 'data-kind': n.kind, 'data-id': n.id }, h('span', { class: 'notice-text' }, n.text), h('time', { datetime: n.createdAt }, when(n.createdAt, lang))))
        : [h('li', { class: 'empty' }, w.none)]),
    );
  };
  markAll.addEventListener('click', async () => {
    const ids = notices.filter((n) => !n.readAt).map((n) => n.id);
    if (!ids.length) return;
    try {
      await graphql<{ markNotificationsRead: number }>(MARK, { ids }, token);
      const now = new Date().toISOString();
      notices = notices.map((n) => (n.readAt ? n : { ...n, readAt: now }));
      unread = 0;
      render();
    } catch (err) {
      fail(err);
    }
  });
  const refresh = async () => {
    try {
      const { myNotifications } = await graphql<{ myNotifications: { unreadCount: number; edges: { node: Notice }[] } }>(QUERY, {}, token);
      notices = myNotifications.edges.map((e) => e.node);
      unread = myNotifications.unreadCount;
      render();
    } catch (err) {
      fail(err);
    }
  };
  const live = liveSubscription<{ notificationAdded: Notice }>({
    token,
    query: LIVE,
    variables: {},
    onData: ({ notificationAdded: n }) => {
      if (notices.some((x) => x.id === n.id)) return;
      notices = [n, ...notices];
      if (!n.readAt) unread += 1;
      render();
    },
    onStatus: () => undefined,
    onError: () => undefined,
    // What arrived while the link was down is read again.
    onConnected: () => void refresh(),
  });
  render();
  void refresh();
  return {
    el: h('section', { class: 'card inbox', 'aria-labelledby': 'inbox-title' }, h('div', { class: 'row' }, h('h2', { id: 'inbox-title' }, w.title), count, markAll), list),
    refresh,
    dispose: () => live.dispose(),
  };
}
