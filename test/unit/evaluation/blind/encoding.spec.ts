import { fromBase64url, fromPem, lessThan, toBase64url, toPem } from '../../../../src/modules/evaluation/blind/encoding';

describe('base64url', () => {
  it('round-trips bytes of every length without padding', () => {
    for (let n = 0; n < 70; n++) {
      const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 37 + n) & 0xff);
      const text = toBase64url(bytes);
      expect(text).toMatch(/^[A-Za-z0-9_-]*$/);
      expect(fromBase64url(text)).toEqual(bytes);
    }
  });

  it('uses - and _ rather than + and /', () => {
    expect(toBase64url(Uint8Array.from([0xfb, 0xff]))).toBe('-_8');
  });

  it.each([
    ['padding', 'AA=='],
    ['the standard alphabet', '+/8'],
    ['whitespace', 'AA AA'],
    ['a length of 4k+1', 'AAAAA'],
    ['a non-canonical last character', 'AB'],
    ['a non-string', 42],
    ['null', null],
  ])('refuses %s', (_, text) => {
    expect(fromBase64url(text)).toBeNull();
  });

  it('decodes the empty string to no bytes', () => {
    expect(fromBase64url('')).toEqual(new Uint8Array(0));
  });
});

describe('PEM', () => {
  it('round-trips DER under its label and refuses another label', () => {
    const der = Uint8Array.from({ length: 100 }, (_, i) => i);
    const pem = toPem('PUBLIC KEY', der);
    expect(pem).toMatch(/^-----BEGIN PUBLIC KEY-----\n/);
    expect(fromPem('PUBLIC KEY', pem)).toEqual(der);
    expect(fromPem('PRIVATE KEY', pem)).toBeNull();
    expect(fromPem('PUBLIC KEY', 'garbage')).toBeNull();
  });
});

describe(lessThan.name, () => {
  it('compares big-endian', () => {
    expect(lessThan(Uint8Array.from([1, 255]), Uint8Array.from([2, 0]))).toBe(true);
    expect(lessThan(Uint8Array.from([2, 0]), Uint8Array.from([1, 255]))).toBe(false);
    expect(lessThan(Uint8Array.from([2, 0]), Uint8Array.from([2, 0]))).toBe(false);
  });
});
