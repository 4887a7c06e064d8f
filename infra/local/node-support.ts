/**
 * Which Node runs where, and the two warnings that follow from it. Lambda runs Node 24 (`RUNTIME` in
 * infra/auth-backend.ts, `.nvmrc`); the project's machines and CI run Node 20 (`engines`: >= 20.11). On Node 20
 * the AWS SDK v3 prints a 10-line NodeVersionSupportWarning (its releases after early January 2027 need Node 22)
 * and oidc-provider prints "Unsupported runtime" (it wants 22+). Both are about the developer's machine, never
 * about the deployed functions, so the local tools (`npm start`, `npm test`, `npm run bench`) silence them and
 * `npm start` says so in one line.
 */

/** The Node major version of the Lambda runtime (a test keeps it equal to the stack's and `.nvmrc`'s). */
export const LAMBDA_NODE_MAJOR = 24;

/** The oldest Node major the AWS SDK and oidc-provider support without a warning. */
const SUPPORTED_WITHOUT_WARNING = 22;

/**
 * Sets the SDK's documented switch for its Node-version warning in this process (and the processes it starts).
 * The SDK reads it when a client is constructed, so call it before the first client. An explicit value wins.
 */
export function silenceSdkNodeVersionWarning(env: NodeJS.ProcessEnv = process.env): void {
  env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';
}

/** One line for `npm start` on a Node older than the SDK wants; `undefined` on 22 and later. */
export function nodeVersionNote(version: string = process.version): string | undefined {
  const major = Number(/^v?(\d+)/.exec(version)?.[1]);
  if (!(major < SUPPORTED_WITHOUT_WARNING)) return undefined;
  return `Node ${version}: fine locally; Lambda runs Node ${LAMBDA_NODE_MAJOR} (.nvmrc). The AWS SDK's and oidc-provider's "use Node ${SUPPORTED_WITHOUT_WARNING}+" warnings are silenced.`;
}
