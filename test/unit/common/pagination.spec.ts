import { decodeCursor, encodeCursor, toConnection } from '../../../src/common/pagination';

describe('cursors', () => {
  it('round-trip the key of their kind', () => {
    expect(decodeCursor('cadre', encodeCursor('cadre', 42))).toBe(42);
    expect(decodeCursor('cadre', undefined)).toBeNull();
  });

  it.each([['a cursor of another kind', encodeCursor('session', 3)], ['garbage', '%%%'], ['a non-numeric key', Buffer.from('cadre:x').toString('base64url')]])(
    'reject %s with BAD_USER_INPUT',
    (_what, cursor) => {
      expect(() => decodeCursor('cadre', cursor)).toThrow(expect.objectContaining({ extensions: expect.objectContaining({ code: 'BAD_USER_INPUT' }) }));
    },
  );
});

describe(toConnection.name, () => {
  const cursorOf = (n: number) => `c${n}`;

  it('uses the extra row only to tell that a next page exists', () => {
    const page = toConnection([1, 2, 3], 2, 10, false, cursorOf);
    expect(page.edges.map((e) => e.node)).toEqual([1, 2]);
    expect(page.pageInfo).toEqual({ hasNextPage: true, hasPreviousPage: false, startCursor: 'c1', endCursor: 'c2' });
    expect(page.totalCount).toBe(10);
  });

  it('ends on the last page and on an empty one', () => {
    expect(toConnection([3], 2, 3, true, cursorOf).pageInfo).toEqual({ hasNextPage: false, hasPreviousPage: true, startCursor: 'c3', endCursor: 'c3' });
    expect(toConnection([], 2, 0, false, cursorOf).pageInfo).toEqual({ hasNextPage: false, hasPreviousPage: false, startCursor: null, endCursor: null });
  });
});
