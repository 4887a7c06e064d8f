/**
 * Synthesizes the rehearsal's cloud assembly with the same `AuthStack` the CDK app deploys (and cdk-nag's rules,
 * as every synth): one stack with mail and a social sign-in provider at the rehearsal's own OpenID provider, and
 * one without `mailFrom` (the default app's configuration: no mail, no OAuth). One `app.synth()`, so each
 * function is bundled once for both stacks (CDK caches identical bundling within a process).
 *
 * The harness (`assembly.ts`) reads any cloud assembly directory laid out as `cdk.out` is: `npx cdk synth` output
 * works too (`REHEARSAL_ASSEMBLY=cdk.out`), but the default app configures neither mail nor OAuth.
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { AuthStack } from '../../infra/auth-stack.js';

export const MAIL_STACK = 'RehearsalMail';
export const NO_MAIL_STACK = 'RehearsalNoMail';
export const MAIL_FROM = 'no-reply@mail.rehearsal.example';
export const APP_ORIGIN = 'https://app.rehearsal.example';
export const ADMIN_EMAIL = 'admin@rehearsal.example';
export const OAUTH_CLIENT_ID = 'rehearsal-client';

export interface RehearsalSynthOptions {
  outdir: string;
  /** The https issuer of the rehearsal's OpenID provider (started before synth: its URL goes into the template). */
  oidcIssuer: string;
  /** The ARN under which the Secrets Manager stand-in will hold the OAuth client secret. */
  oauthClientSecretArn: string;
}

export function synthRehearsal(options: RehearsalSynthOptions): void {
  const app = new App({ outdir: options.outdir, builtinCloudFormationValidation: false });
  new AuthStack(app, MAIL_STACK, {
    backend: {
      corsOrigins: [APP_ORIGIN],
      mailFrom: MAIL_FROM,
      // As an operator bootstraps the first admin (README): a verified address in ADMIN_EMAILS gets the role.
      environment: { ADMIN_EMAILS: ADMIN_EMAIL },
      oauthProviders: { dev: { issuer: options.oidcIssuer, clientId: OAUTH_CLIENT_ID, clientSecretArn: options.oauthClientSecretArn } },
    },
  });
  new AuthStack(app, NO_MAIL_STACK, { backend: { corsOrigins: [APP_ORIGIN] } });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  app.synth();
}
