/**
 * Synthesizes the rehearsal's stack with mail and a social sign-in provider (the default app's `cdk.out` has
 * neither), with the same `AuthStack` the CDK app deploys. Bundling is skipped (`aws:cdk:bundling-stacks: []`):
 * a function's bundle does not depend on these props, so the rehearsal runs the bundles of `cdk.out` — the ones
 * `cdk deploy` uploads — matched by logical id, with this template's environment and IAM.
 */
import { App } from 'aws-cdk-lib';
import { AuthStack } from '../../infra/auth-stack.js';

export const MAIL_STACK = 'RehearsalMail';
export const MAIL_FROM = 'no-reply@mail.rehearsal.example';
export const APP_ORIGIN = 'https://app.rehearsal.example';
export const ADMIN_EMAIL = 'admin@rehearsal.example';
export const OAUTH_CLIENT_ID = 'rehearsal-client';

export interface RehearsalSynthOptions {
  outdir: string;
  /** The https issuer of the rehearsal's OpenID provider (started before synth: its URL goes into the template). */
  oidcIssuer: string;
  /** The ARN under which the Secrets Manager stand-in holds the OAuth client secret (created outside the stack). */
  oauthClientSecretArn: string;
}

export function synthMailStack(options: RehearsalSynthOptions): void {
  const app = new App({ outdir: options.outdir, context: { 'aws:cdk:bundling-stacks': [] } });
  new AuthStack(app, MAIL_STACK, {
    backend: {
      corsOrigins: [APP_ORIGIN],
      mailFrom: MAIL_FROM,
      // How an operator bootstraps the first admin (README): a verified address in ADMIN_EMAILS gets the role.
      // Every sign-up of the rehearsal comes from 127.0.0.1: the per-IP sign-up limit (S55) is raised for it.
      // Passkeys for the app's domain, as an operator with a custom domain sets them (functions/README.md › Passkeys).
      environment: {
        ADMIN_EMAILS: ADMIN_EMAIL,
        SIGNUP_MAX_PER_IP: '1000',
        WEBAUTHN_RP_ID: new URL(APP_ORIGIN).hostname,
        WEBAUTHN_ORIGINS: APP_ORIGIN,
      },
      oauthProviders: {
        dev: { issuer: options.oidcIssuer, clientId: OAUTH_CLIENT_ID, clientSecretArn: options.oauthClientSecretArn },
      },
    },
  });
  app.synth();
}
