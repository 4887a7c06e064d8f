/**
 * The CDK app (`cdk.json`: `npx tsx infra/app.ts`): the auth stack, checked by cdk-nag's AWS Solutions rules.
 * A finding fails synth unless it is acknowledged where it arises, with its reason
 * (`Validations.of(construct).acknowledge(...)` in `auth-backend.ts`).
 */
import { existsSync, realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { App, Validations, type AppProps } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { AuthStack } from './auth-stack.js';

export const STACK_NAME = 'AuthBackendStack';

/** Builds the app without synthesizing it, so tests can inspect it. */
export function createApp(props?: AppProps): { app: App; stack: AuthStack } {
  const app = new App(props);
  // Env-agnostic: the template deploys to whatever account and region the CLI targets.
  const stack = new AuthStack(app, STACK_NAME, {
    description: 'Serverless authentication backend: HTTP API, Lambda authorizer, DynamoDB, Secrets Manager key ring',
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stack };
}

/** True when this file is the program (`tsx infra/app.ts`, as `cdk.json` runs it), false when a test imports it. */
function isEntryPoint(): boolean {
  const script = process.argv[1];
  return script !== undefined && existsSync(script) && import.meta.url === pathToFileURL(realpathSync(script)).href;
}

if (isEntryPoint()) createApp().app.synth();
