/**
 * One Node version story (infra/local/node-support.ts): `.nvmrc` names the Lambda runtime's Node, the stack deploys
 * it, `engines` admits the Node 20 the project's machines test on, and `npm start` says it in one line.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LAMBDA_NODE_MAJOR, nodeVersionNote, silenceSdkNodeVersionWarning } from '../../infra/local/node-support.js';

const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');

describe('Module: node-support', () => {
  it('.nvmrc and the stack runtime name the same Node as LAMBDA_NODE_MAJOR', () => {
    expect(read('.nvmrc').trim()).toBe(String(LAMBDA_NODE_MAJOR));
    expect(read('infra/constructs/auth-function.ts')).toMatch(
      new RegExp(`const RUNTIME = Runtime\\.NODEJS_${LAMBDA_NODE_MAJOR}_X;`),
    );
  });

  it('engines admits the Node these tests run on', () => {
    const { engines } = JSON.parse(read('package.json')) as { engines: { node: string } };
    const [, major, minor] = /^>=(\d+)\.(\d+)$/.exec(engines.node)!.map(Number);
    const [runMajor, runMinor] = process.versions.node.split('.').map(Number);
    expect(runMajor > major || (runMajor === major && runMinor >= minor)).toBe(true);
  });

  it('explains an older Node in one line, and says nothing from Node 22 on', () => {
    expect(nodeVersionNote('v20.20.2')).toBe(
      `Node v20.20.2: fine locally; Lambda runs Node ${LAMBDA_NODE_MAJOR} (.nvmrc). The AWS SDK's and oidc-provider's "use Node 22+" warnings are silenced.`,
    );
    expect(nodeVersionNote('v22.12.0')).toBeUndefined();
    expect(nodeVersionNote('v24.1.0')).toBeUndefined();
  });

  it("sets the SDK's documented switch unless the environment already decides", () => {
    const env: NodeJS.ProcessEnv = {};
    silenceSdkNodeVersionWarning(env);
    expect(env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED']).toBe('true');
    const explicit: NodeJS.ProcessEnv = { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'false' };
    silenceSdkNodeVersionWarning(explicit);
    expect(explicit['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED']).toBe('false');
  });
});
