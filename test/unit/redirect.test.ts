import { describe, expect, it } from 'vitest';
import { isAllowedRedirect, withError } from '../../shared/domain/redirect.js';

const ALLOWED = ['https://app.example.com', 'http://127.0.0.1:3000'];

describe('Function: isAllowedRedirect', () => {
  it.each([
    'https://app.example.com',
    'https://app.example.com/',
    'https://app.example.com/signed-in?x=1#top',
    'https://APP.example.com/path',
    'http://127.0.0.1:3000/',
  ])('S39: accepts %s (exact allowlisted origin)', (url) => {
    expect(isAllowedRedirect(url, ALLOWED)).toBe(true);
  });

  it.each([
    ['scheme-relative', '//evil.com/'],
    ['backslash authority', '/\\evil.com/'],
    ['backslash after scheme', 'https:/\\evil.com/'],
    ['backslash in path-looking authority', 'https://app.example.com\\@evil.com/'],
    ['userinfo', 'https://app.example.com@evil.com/'],
    ['userinfo with password', 'https://app.example.com:pw@evil.com/'],
    ['userinfo on the allowed host', 'https://user@app.example.com/'],
    ['javascript:', 'javascript:alert(1)'],
    ['javascript: with //origin comment', 'javascript://https://app.example.com/%0aalert(1)'],
    ['data:', 'data:text/html,<script>alert(1)</script>'],
    ['encoded dot in host', 'https://app%2eexample.com/'],
    ['encoded slash', 'https:%2f%2fevil.com/'],
    ['suffix look-alike', 'https://app.example.com.evil.com/'],
    ['prefix look-alike', 'https://evilapp.example.com/'],
    ['sibling subdomain', 'https://www.app.example.com/'],
    ['Unicode look-alike (Cyrillic a)', 'https://\u0430pp.example.com/'],
    ['other scheme', 'http://app.example.com/'],
    ['other port', 'https://app.example.com:8443/'],
    ['explicit default port', 'https://app.example.com:443/'],
    ['scheme without slashes', 'https:app.example.com/x'],
    ['scheme with one slash', 'https:/app.example.com/x'],
    ['trailing dot host', 'https://app.example.com./'],
    ['tab inside', 'https://app.example.com\t/'],
    ['newline inside', 'https://app.example.com/\nSet-Cookie:x'],
    ['leading space', ' https://app.example.com/'],
    ['relative path', '/dashboard'],
    ['empty', ''],
    ['ftp', 'ftp://app.example.com/'],
  ])('S39: refuses %s', (_name, url) => {
    expect(isAllowedRedirect(url, ALLOWED)).toBe(false);
  });

  it('refuses everything when the allowlist is empty, and non-strings', () => {
    expect(isAllowedRedirect('https://app.example.com/', [])).toBe(false);
    expect(isAllowedRedirect(undefined, ALLOWED)).toBe(false);
    expect(isAllowedRedirect(`https://app.example.com/${'a'.repeat(3000)}`, ALLOWED)).toBe(false);
  });
});

describe('Function: withError', () => {
  it('adds error=<code> to the query and keeps the rest', () => {
    expect(withError('https://app.example.com/cb?x=1#h', 'access_denied')).toBe(
      'https://app.example.com/cb?x=1&error=access_denied#h',
    );
  });
});
