import { AuthError } from '../../shared/domain/errors.js';

/**
 * What a use-case call ended in, as a test asserts it: `'ok'`, the stable `AuthError` code, or
 * `unexpected: …` for anything else (so an unexpected error can never pass for a code).
 */
export const codeOf = (p: Promise<unknown>): Promise<string> =>
  p.then(
    () => 'ok',
    (e: unknown) => (e instanceof AuthError ? e.code : `unexpected: ${String(e)}`),
  );
