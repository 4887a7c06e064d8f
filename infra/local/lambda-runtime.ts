/**
 * What Lambda itself puts in every execution environment, as the local runner and its stand-ins see it: the
 * loopback account and region of local ARNs, and per-function credentials whose access key id names the caller.
 */
import { LAMBDA_NODE_MAJOR } from './node-support.js';

/** The loopback account and region of the local ARNs. */
export const REGION = 'local';
export const ACCOUNT = '000000000000';

export const localArn = (service: string, resource: string) => `arn:aws:${service}:${REGION}:${ACCOUNT}:${resource}`;

/** The function's access key id: its name in letters and digits (DynamoDB Local refuses any other character). */
export const accessKeyIdOf = (fn: string) => fn.replace(/(^|-)([a-z])/g, (_m, _d, c: string) => c.toUpperCase());

/**
 * Lambda's own runtime variables, and where this runner's AWS clients go: the SDK's own endpoint variables.
 */
export function lambdaRuntimeEnv(
  fn: string,
  memoryMB: number,
  endpoints: { dynamodb: string; sesv2: string; secretsManager?: string },
): Record<string, string> {
  return {
    AWS_REGION: REGION,
    AWS_DEFAULT_REGION: REGION,
    AWS_ACCESS_KEY_ID: accessKeyIdOf(fn),
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_LAMBDA_FUNCTION_NAME: fn,
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(memoryMB),
    AWS_EXECUTION_ENV: `AWS_Lambda_nodejs${LAMBDA_NODE_MAJOR}.x`,
    TZ: 'UTC',
    AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb,
    AWS_ENDPOINT_URL_SESV2: endpoints.sesv2,
    ...(endpoints.secretsManager ? { AWS_ENDPOINT_URL_SECRETS_MANAGER: endpoints.secretsManager } : {}),
    // Lambda runs Node 24, where the SDK has nothing to warn about; this runner may be on Node 20 (node-support.ts).
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
}
