/**
 * Issue 10's cold-start crashes: a composition hands out every port its use-cases might call, so building a deps
 * object must need no variable; a port's table or secret variable is checked when that port is first used.
 */
import { describe, expect, it } from 'vitest';
import { lazy } from '../../shared/composition/config.js';
import { ConfigError, required } from '../../shared/config/config.js';

describe('Function: lazy', () => {
  it('builds nothing until a member is used, then builds once and binds methods to the real adapter', async () => {
    let built = 0;
    const port = lazy(() => {
      built += 1;
      return {
        name: 'store',
        hello(this: { name: string }) {
          return `hi from ${this.name}`;
        },
      };
    });
    const deps = { port };
    // Handing it around, spreading deps and awaiting a deps object build nothing.
    await Promise.resolve({ ...deps });
    expect(built).toBe(0);
    expect(deps.port.hello()).toBe('hi from store');
    expect(deps.port.name).toBe('store');
    expect(built).toBe(1);
  });

  it('a missing variable fails the first call that needs it, naming the variable, not the cold start', () => {
    const store = lazy((): { get(): string } => {
      const table = required(undefined as string | undefined, 'EPHEMERAL_TABLE');
      return { get: () => table };
    });
    expect(() => store.get()).toThrow(ConfigError);
    expect(() => store.get()).toThrow(/EPHEMERAL_TABLE is required/);
  });
});
