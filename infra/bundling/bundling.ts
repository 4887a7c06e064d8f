/**
 * esbuild options shared by every function, and the one deliberate exception: the native argon2 binding.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Architecture, type Runtime } from 'aws-cdk-lib/aws-lambda';
import { OutputFormat, type BundlingOptions, type ICommandHooks } from 'aws-cdk-lib/aws-lambda-nodejs';

const ARGON2 = '@node-rs/argon2';

/** The `@node-rs/argon2` platform package that matches a Lambda architecture (Lambda's Amazon Linux is glibc). */
export function argon2NativePackage(architecture: Architecture): string {
  return architecture === Architecture.ARM_64 ? `${ARGON2}-linux-arm64-gnu` : `${ARGON2}-linux-x64-gnu`;
}

/**
 * Copies `@node-rs/argon2` and its Linux platform binary from the project's `node_modules` into the asset,
 * next to `index.mjs`, where Node's resolution finds them at runtime.
 *
 * Why not `bundling.nodeModules: ['@node-rs/argon2']`: that runs `npm install` inside the asset directory at
 * synth time, which needs the network and, outside Docker, installs the binary of the machine that synthesizes
 * (a Mac would ship a darwin binary). Copying the exact, lock-file-pinned files the tests ran against is offline,
 * reproducible and fast. The catch is that the platform package must be installed locally — npm only installs
 * the one matching the current machine, which is why the argon2 functions run on x86_64 (see `AuthBackend`).
 * POSIX shell commands: CDK runs them with `bash -c` locally and `sh -c` in its Docker fallback.
 */
export class Argon2NativeBinding implements ICommandHooks {
  constructor(private readonly architecture: Architecture) {}

  beforeBundling(): string[] {
    return [];
  }

  beforeInstall(): string[] {
    return [];
  }

  afterBundling(inputDir: string, outputDir: string): string[] {
    const target = `${outputDir}/node_modules/@node-rs`;
    return [
      `mkdir -p "${target}"`,
      ...[ARGON2, argon2NativePackage(this.architecture)].map(
        (pkg) => `cp -R "${inputDir}/node_modules/${pkg}" "${target}/"`,
      ),
    ];
  }
}

/**
 * Builds each lazily imported module into the asset beside `index.mjs` (infra/bundling/lazy-module.mjs), with the
 * main bundle's aliases. Runs where esbuild ran, with the project's own esbuild, offline.
 */
export class LazyModules implements ICommandHooks {
  constructor(
    private readonly entries: readonly string[],
    private readonly script: string,
    private readonly target: string,
    private readonly aliases: readonly string[],
  ) {}

  beforeBundling(): string[] {
    return [];
  }

  beforeInstall(): string[] {
    return [];
  }

  afterBundling(inputDir: string, outputDir: string): string[] {
    const aliases = this.aliases.map((a) => {
      const [name, path] = a.split('=') as [string, string];
      return `"${name}=${inputDir}/${path.replace(/^\.\//, '')}"`;
    });
    return this.entries.map(
      (entry) =>
        `cd "${inputDir}" && node "${inputDir}/${this.script}" "${inputDir}/${entry}" "${outputDir}" ${this.target} ${aliases.join(' ')}`,
    );
  }
}

/** Copies project-relative data files (the common-password list) into the asset beside `index.mjs`. */
export class DataFiles implements ICommandHooks {
  constructor(private readonly files: readonly string[]) {}

  beforeBundling(): string[] {
    return [];
  }

  beforeInstall(): string[] {
    return [];
  }

  afterBundling(inputDir: string, outputDir: string): string[] {
    return this.files.map((file) => `cp "${inputDir}/${file}" "${outputDir}/"`);
  }
}

/** Several hooks as one (`BundlingOptions.commandHooks` takes one): their commands in order. */
class AllHooks implements ICommandHooks {
  constructor(private readonly hooks: readonly ICommandHooks[]) {}

  beforeBundling(inputDir: string, outputDir: string): string[] {
    return this.hooks.flatMap((h) => h.beforeBundling(inputDir, outputDir));
  }

  beforeInstall(inputDir: string, outputDir: string): string[] {
    return this.hooks.flatMap((h) => h.beforeInstall(inputDir, outputDir));
  }

  afterBundling(inputDir: string, outputDir: string): string[] {
    return this.hooks.flatMap((h) => h.afterBundling(inputDir, outputDir));
  }
}

/** Fails at synth, with the fix, when the binary the asset needs is not installed. */
export function assertArgon2BinaryInstalled(projectRoot: string, architecture: Architecture): void {
  const pkg = argon2NativePackage(architecture);
  if (!existsSync(join(projectRoot, 'node_modules', pkg, 'package.json'))) {
    throw new Error(
      `${pkg} is not installed in ${projectRoot}/node_modules, so the argon2 functions cannot be packaged. ` +
        `Install it explicitly (e.g. npm install --no-save --os=linux --cpu=${architecture === Architecture.ARM_64 ? 'arm64' : 'x64'} ${pkg}).`,
    );
  }
}

export interface FunctionBundlingProps {
  readonly runtime: Runtime;
  readonly architecture: Architecture;
  /** Ship the real `@node-rs/argon2` (external + copied binary) instead of the throwing stub. */
  readonly argon2: boolean;
  /**
   * Keep class and function names through minification (readable stack traces). Off for the authorizer, whose
   * 30 KB budget it would cost ~2 KB: its errors are logged by reason code and its error classes set `name`.
   * @default true
   */
  readonly keepNames?: boolean;
  /**
   * Modules (project-relative `.ts` entries) built into files of their own beside `index.mjs`, which the handler
   * imports lazily with a specifier esbuild leaves alone (infra/bundling/lazy-module.mjs): the authorizer's
   * API-key path, so that a JWT request never loads the AWS SDK.
   * @default []
   */
  readonly lazyModules?: readonly string[];
  /**
   * Files (project-relative) the code reads beside itself at run time, copied into the asset next to `index.mjs`:
   * the common-password list (`shared/domain/common-passwords.txt`) of the functions that check a new password.
   * @default []
   */
  readonly dataFiles?: readonly string[];
  /**
   * Where this package sits relative to the bundling project root, e.g. `node_modules/lambda-auth` when another
   * app installed it (the aliases below are resolved from the project root).
   * @default '.' - the project root is this package (this repository)
   */
  readonly packageDir?: string;
}

/** esbuild flags `--target=node24` from `nodejs24.x`. */
function esbuildTarget(runtime: Runtime): string {
  const match = /^nodejs(\d+)/.exec(runtime.name);
  if (!match) throw new Error(`Not a Node.js runtime: ${runtime.name}`);
  return `node${match[1]}`;
}

/**
 * Bundling for one function: minified ESM for the runtime's Node version.
 *
 * The AWS SDK v3 clients are bundled, not taken from the runtime: the bundle then runs the exact SDK version
 * the tests ran against (the runtime's copy changes under a deployed function without notice), and esbuild's
 * tree-shaking of the modular clients keeps cold starts small and predictable — one file to parse, no
 * resolution through the runtime's large `node_modules`. Source maps are off: they would roughly double each
 * asset and `--enable-source-maps` slows every cold start; error logs carry the function name and request id,
 * and `keepNames` keeps class and function names readable in stack traces.
 */
export function functionBundling(props: FunctionBundlingProps): BundlingOptions {
  // Relative to the project root (esbuild's working directory, locally and in the Docker fallback).
  const dir = `./${props.packageDir && props.packageDir !== '.' ? `${props.packageDir}/` : ''}infra/bundling`;
  const aliases = [
    // Lambda's credentials are environment variables: the SDK's default chain reduced to `fromEnv`.
    `@aws-sdk/credential-provider-node=${dir}/env-credentials.ts`,
    // No client here has an event-stream operation: the SDK's lazily imported event-stream codec stays out.
    `@smithy/core/event-streams=${dir}/no-event-streams.ts`,
    ...(props.argon2 ? [] : [`${ARGON2}=${dir}/argon2-unavailable.ts`]),
    // The Logger and Metrics methods the code calls, writing the same JSON lines as Powertools
    // (test/unit/slim-logger.test.ts, slim-metrics.test.ts): ~30 KB less to load in every function.
    `@aws-lambda-powertools/logger=${dir}/slim-logger.ts`,
    `@aws-lambda-powertools/metrics=${dir}/slim-metrics.ts`,
  ];
  const packagePrefix = dir.slice(2, -'infra/bundling'.length);
  const hooks: ICommandHooks[] = [
    ...(props.argon2 ? [new Argon2NativeBinding(props.architecture)] : []),
    ...(props.lazyModules?.length
      ? [
          new LazyModules(
            props.lazyModules.map((m) => `${packagePrefix}${m}`),
            `${dir.slice(2)}/lazy-module.mjs`,
            esbuildTarget(props.runtime),
            aliases,
          ),
        ]
      : []),
    ...(props.dataFiles?.length ? [new DataFiles(props.dataFiles.map((f) => `${packagePrefix}${f}`))] : []),
  ];
  return {
    format: OutputFormat.ESM,
    target: esbuildTarget(props.runtime),
    minify: true,
    keepNames: props.keepNames ?? true,
    sourceMap: false,
    mainFields: ['module', 'main'],
    // No `createRequire` banner: nothing bundled calls `require` (esbuild turns a CommonJS dependency's `require`
    // of a Node module it leaves external into a shim that throws "Dynamic require of … is not supported", and
    // test/infra/stack.test.ts fails any asset that contains one). The banner would import `node:module` in every
    // cold start (~1 ms) for nothing. A dependency that needs it brings it back here.
    bundleAwsSDK: true,
    externalModules: props.argon2 ? [ARGON2] : [],
    ...(hooks.length > 0 ? { commandHooks: hooks.length === 1 ? hooks[0] : new AllHooks(hooks) } : {}),
    ...(aliases.length > 0 ? { esbuildArgs: { '--alias': aliases } } : {}),
  };
}
