import { describe, expect, it } from 'vitest';
import { isLoopbackHost } from '../../local/loopback-host.js';
import { parseHost, parseRequestTarget } from '../../local/request-target.js';

describe('isLoopbackHost (the local pages’ DNS-rebinding guard)', () => {
  it.each([
    ['localhost:3000', true],
    ['127.0.0.1:3000', true],
    ['[::1]:3000', true],
    ['LOCALHOST:3000', true],
    ['localhost:3001', false],
    ['localhost', false],
    ['localhost.:3000', false],
    ['evil.example:3000', false],
    ['localhost.evil.example:3000', false],
    ['127.0.0.2:3000', false],
    ['[::2]:3000', false],
    ['0.0.0.0:3000', false],
    ['[::1]', false],
    ['', false],
  ])('%j on port 3000 → %s', (host, expected) => {
    // Act / Assess
    expect(isLoopbackHost(host, 3000)).toBe(expected);
  });

  it('accepts a port-less loopback Host only on port 80, as browsers send it', () => {
    // Act / Assess
    expect(isLoopbackHost('localhost', 80)).toBe(true);
    expect(isLoopbackHost('[::1]', 80)).toBe(true);
    expect(isLoopbackHost(undefined, 80)).toBe(false);
  });
});

describe('parseRequestTarget', () => {
  it.each([
    '//',
    '/\\',
    '//evil.example/orders',
    '/a\\b',
    '/a#b',
    '/%zz',
    '*',
    'orders',
    'http://',
    'http://u@h/',
    'https://h//x',
  ])('refuses %j', (target) => {
    // Act / Assess
    expect(parseRequestTarget(target, 'localhost:3000')).toEqual({ ok: false, reason: 'request-target' });
  });

  it('reads origin-form with the Host header, absolute-form with its own authority', () => {
    // Act / Assess
    expect(parseRequestTarget('/orders/ord_1?x=1', 'LocalHost:3000')).toEqual({
      ok: true,
      path: '/orders/ord_1',
      query: 'x=1',
      host: 'localhost:3000',
    });
    expect(parseRequestTarget('http://127.0.0.1:3000?x', 'evil.example')).toEqual({
      ok: true,
      path: '/',
      query: 'x',
      host: '127.0.0.1:3000',
    });
    expect(parseRequestTarget('/health', 'a b')).toEqual({ ok: false, reason: 'host' });
  });

  it.each(['a b', '[::1', '', 'h:', 'h:99999', 'h:1:2', '1.2.3.999', 'a%41', 'a/b', '[zz]'])(
    'Host %j is malformed',
    (host) => {
      // Act / Assess
      expect(parseHost(host)).toBeUndefined();
    },
  );
});
