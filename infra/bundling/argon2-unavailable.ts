/**
 * Bundled in place of `@node-rs/argon2` into every function that does not hash passwords (esbuild `--alias`).
 *
 * Why: `shared/composition/handlers.ts` imports the argon2 adapter at module scope, so every handler's import graph
 * reaches the native package even when it never hashes. Left external, the import would fail at cold start on a
 * function whose asset has no native binary (and on arm64 there is none); bundled, esbuild cannot load a `.node`
 * file. This stub keeps those bundles loadable, and fails loudly if one of them ever does try to hash: a function
 * that needs argon2 must say so (`argon2: true` in `infra/function-specs.ts`) and gets the real binding instead.
 */
const unavailable = (): never => {
  throw new Error('@node-rs/argon2 is not bundled in this function: set argon2: true in infra/function-specs.ts');
};

export const hash = unavailable;
export const hashSync = unavailable;
export const hashRaw = unavailable;
export const hashRawSync = unavailable;
export const verify = unavailable;
export const verifySync = unavailable;
export const parseOptions = unavailable;
export const Algorithm = { Argon2d: 0, Argon2i: 1, Argon2id: 2 } as const;
export const Version = { V0x10: 0, V0x13: 1 } as const;
