import { describe, expect, it } from 'vitest';
import { clearRefreshCookieCopies, readCookie, readCookies } from '../../shared/http/cookies.js';

const NAME = '__Secure-refresh_token';

describe('Function: readCookies', () => {
  it('S54: returns every copy of a name, in order, from event.cookies or else the Cookie header', () => {
    // Act
    const fromEvent = readCookies([`${NAME}=attacker`, 'other=1', `${NAME}=victim`], undefined, NAME);
    const fromHeader = readCookies(undefined, `${NAME}=attacker; other=1; ${NAME}=victim`, NAME);
    const once = readCookies([`${NAME}=victim`], `${NAME}=victim`, NAME);

    // Assess
    expect(fromEvent).toEqual(['attacker', 'victim']);
    expect(fromHeader).toEqual(['attacker', 'victim']);
    expect(once).toEqual(['victim']); // API Gateway's cookies list and the header it came from are one copy
  });

  it('readCookie keeps answering a single value, undefined when empty or absent', () => {
    expect(readCookie(['a=1', 'b=2'], undefined, 'b')).toBe('2');
    expect(readCookie(['a='], undefined, 'a')).toBeUndefined();
    expect(readCookie(undefined, undefined, 'a')).toBeUndefined();
  });
});

describe('Function: clearRefreshCookieCopies', () => {
  const cleared = (line: string) => /; Max-Age=0$/.test(line) && line.startsWith(`${NAME}=;`) && /; Secure;/.test(line);

  it('S54: expires our host-only cookie and the Domain-scoped copies a sibling could have planted, at both paths', () => {
    // Act
    const lines = clearRefreshCookieCopies(NAME, { host: 'auth.eu.example.com', path: '/auth/refresh' });

    // Assess
    expect(lines.every(cleared)).toBe(true);
    expect(lines).toContain(`${NAME}=; HttpOnly; Secure; SameSite=Strict; Path=/auth; Max-Age=0`);
    for (const domain of ['eu.example.com', 'example.com']) {
      expect(lines).toContain(`${NAME}=; HttpOnly; Secure; SameSite=Strict; Domain=${domain}; Path=/auth; Max-Age=0`);
      expect(lines).toContain(
        `${NAME}=; HttpOnly; Secure; SameSite=Strict; Domain=${domain}; Path=/auth/refresh; Max-Age=0`,
      );
    }
    expect(lines.some((l) => /Domain=com;/.test(l))).toBe(false);
  });

  it('S54: on an IP address or localhost only host-only copies exist; a __Host- cookie has a single copy', () => {
    expect(clearRefreshCookieCopies(NAME, { host: '127.0.0.1:3000', path: '/auth/logout' })).toEqual([
      `${NAME}=; HttpOnly; Secure; SameSite=Strict; Path=/auth; Max-Age=0`,
      `${NAME}=; HttpOnly; Secure; SameSite=Strict; Path=/auth/logout; Max-Age=0`,
    ]);
    expect(clearRefreshCookieCopies('__Host-rt', { host: 'auth.example.com', path: '/auth/refresh' })).toEqual([
      '__Host-rt=; HttpOnly; Secure; SameSite=Strict; Path=/; Max-Age=0',
    ]);
  });
});
