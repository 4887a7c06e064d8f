/**
 * The social sign-in parts of AuthBackend: the `{provider}` routes, the two functions and their least privilege,
 * client secrets only by ARN (never in the template), and the local-only insecure-issuer switch refused at synth.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack, type CfnElement } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { Construct } from 'constructs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthBackend, type AuthBackendProps } from '../../infra/auth-backend.js';
import { AuthStack } from '../../infra/auth-stack.js';
import type { AuthFunctionName } from '../../infra/function-specs.js';

type Json = Record<string, any>;
const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:github-client-AbCdEf';
const PROVIDERS: AuthBackendProps['oauthProviders'] = {
  google: { preset: 'google', clientId: 'google-client.apps.googleusercontent.com' },
  github: { preset: 'github', clientId: 'gh-client', clientSecretArn: SECRET_ARN },
};

describe('Construct: AuthBackend (social sign-in props)', () => {
  const build = (props: AuthBackendProps) => () => new AuthBackend(new Stack(new App(), 'S'), 'Auth', props);

  it('refuses OAUTH_ALLOW_INSECURE_ISSUER: http issuers are for local development and tests only', () => {
    expect(build({ environment: { OAUTH_ALLOW_INSECURE_ISSUER: 'true' } })).toThrow(
      /OAUTH_ALLOW_INSECURE_ISSUER.*local development/,
    );
    expect(build({ environment: { OAUTH_ALLOW_INSECURE_ISSUER: 'false' } })).toThrow(/OAUTH_ALLOW_INSECURE_ISSUER/);
  });
  it('refuses a client secret given as a literal, and OAUTH_PROVIDERS through `environment`', () => {
    const literal = {
      x: { issuer: 'https://idp.example.com', clientId: 'c', clientSecret: 's3cr3t' },
    } as unknown as AuthBackendProps['oauthProviders'];
    expect(build({ oauthProviders: literal })).toThrow(/clientSecretArn/);
    expect(build({ environment: { OAUTH_PROVIDERS: '{}' } })).toThrow(/OAUTH_PROVIDERS/);
  });
  it('refuses an http issuer, a bad provider name and a non-https redirect origin', () => {
    expect(build({ oauthProviders: { corp: { issuer: 'http://idp.example.com', clientId: 'c' } } })).toThrow(/https/);
    expect(build({ oauthProviders: { 'Not OK': { preset: 'google', clientId: 'c' } } })).toThrow(/oauthProviders/);
    expect(build({ allowedRedirectOrigins: ['http://app.example.com'] })).toThrow(/allowedRedirectOrigins/);
    expect(build({ allowedRedirectOrigins: ['https://app.example.com/'] })).toThrow(/allowedRedirectOrigins/);
  });
});

describe('Stack: AuthStack with social sign-in (synthesized)', () => {
  let outdir: string;
  let app: App;
  let stack: AuthStack;
  let template: Template;
  let json: Json;

  const logicalId = (c: Construct) => stack.getLogicalId(c.node.defaultChild as CfnElement);
  const fnProps = (name: AuthFunctionName): Json => json.Resources[logicalId(stack.backend.functions[name])].Properties;
  const roleId = (name: AuthFunctionName) => logicalId(stack.backend.functions[name].role as unknown as Construct);
  const statementsOf = (name: AuthFunctionName): Json[] =>
    Object.values<Json>(json.Resources)
      .filter((r) => r.Type === 'AWS::IAM::Policy' && r.Properties.Roles.some((ref: Json) => ref.Ref === roleId(name)))
      .flatMap((r) => r.Properties.PolicyDocument.Statement);

  beforeAll(() => {
    outdir = mkdtempSync(join(tmpdir(), 'auth-oauth-test-'));
    app = new App({ outdir, builtinCloudFormationValidation: false });
    stack = new AuthStack(app, 'OAuthStack', {
      backend: { corsOrigins: ['https://app.example.com'], oauthProviders: PROVIDERS },
    });
    template = Template.fromStack(stack);
    json = template.toJSON();
    // Bundling every function, as stack.test.ts: over a minute on two busy cores.
  }, 180_000);
  afterAll(() => {
    if (outdir) rmSync(outdir, { recursive: true, force: true });
  });

  it('routes GET /auth/oauth/{provider}/authorize and /callback to their functions, without the authorizer', () => {
    for (const key of ['GET /auth/oauth/{provider}/authorize', 'GET /auth/oauth/{provider}/callback']) {
      const routes = template.findResources('AWS::ApiGatewayV2::Route', { Properties: { RouteKey: key } });
      expect(Object.keys(routes), key).toHaveLength(1);
      expect(Object.values<Json>(routes)[0].Properties.AuthorizationType ?? 'NONE').toBe('NONE');
    }
  });

  it('gives the functions the providers (no secret value) and the redirect allowlist (the CORS origins by default)', () => {
    for (const name of ['oauth-authorize', 'oauth-callback'] as const) {
      const env = fnProps(name).Environment.Variables;
      expect(JSON.parse(env.OAUTH_PROVIDERS)).toEqual(PROVIDERS);
      expect(env.ALLOWED_REDIRECT_ORIGINS).toBe('https://app.example.com');
      expect(env.OAUTH_ALLOW_INSECURE_ISSUER).toBeUndefined();
    }
    expect(JSON.stringify(json)).not.toMatch(/clientSecret"/);
  });

  it('lets only the callback read the client secret named by ARN; authorize touches the ephemeral table only', () => {
    const reads = (name: AuthFunctionName) =>
      statementsOf(name).some(
        (s) =>
          JSON.stringify(s.Resource).includes(SECRET_ARN) &&
          [s.Action].flat().includes('secretsmanager:GetSecretValue'),
      );
    expect(reads('oauth-callback')).toBe(true);
    expect(reads('oauth-authorize')).toBe(false);
    expect(reads('login')).toBe(false);
    const env = fnProps('oauth-authorize').Environment.Variables;
    expect(env.EPHEMERAL_TABLE).toBeDefined();
    expect(env.USERS_TABLE).toBeUndefined();
    expect(env.KEY_RING_SECRET_ID).toBeUndefined();
    expect(fnProps('oauth-callback').Environment.Variables.KEY_RING_SECRET_ID).toBeDefined();
  });

  it('passes cdk-nag AwsSolutions with the providers configured', () => {
    const report = new AwsSolutionsChecks().validateScope(app);
    expect(
      report.violations.map((v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`),
    ).toEqual([]);
  });
});
