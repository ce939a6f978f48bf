import { parseId } from '../../../src/common/ids';

describe(parseId.name, () => {
  it('accepts positive integers as strings or numbers', () => {
    expect(parseId('cadre', '12')).toBe(12);
    expect(parseId('cadre', 12)).toBe(12);
  });

  it.each(['0', '-1', '1.5', 'abc', '', '01', '9'.repeat(20)])('reports %j as NOT_FOUND, like an id that names no row', (raw) => {
    expect(() => parseId('cadre', raw, 'id')).toThrow(expect.objectContaining({ extensions: expect.objectContaining({ code: 'NOT_FOUND', field: 'id' }) }));
  });
});
