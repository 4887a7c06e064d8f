/** The mutual-TLS front door of AuthBackend, at template level (bundling skipped: no function code is looked at). */
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { beforeAll, describe, expect, it } from 'vitest';
import { Duration } from 'aws-cdk-lib';
import { AuthBackend, type AuthBackendProps } from '../../infra/auth-backend.js';
import { exampleMutualTls } from '../helpers/mtls-props.js';

type Json = Record<string, any>;

function mtlsStack(props: Partial<AuthBackendProps> = {}): Stack {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'Mtls', { env: { account: '123456789012', region: 'eu-west-1' } });
  const truststore = new Bucket(stack, 'Truststore', { versioned: true });
  new AuthBackend(stack, 'Auth', {
    ...props,
    mutualTls: exampleMutualTls(stack, truststore, { truststoreVersion: 'v1' }),
  });
  return stack;
}

describe('Construct: AuthBackend with mutualTls', () => {
  let template: Template;

  beforeAll(() => {
    template = Template.fromStack(mtlsStack());
  }, 120_000);

  it('S74: fronts the API with a custom domain that requires client certificates checked against the S3 truststore', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::DomainName', {
      DomainName: 'mtls.auth.example.com',
      MutualTlsAuthentication: {
        TruststoreUri: {
          'Fn::Join': ['', ['s3://', { Ref: Match.stringLikeRegexp('^Truststore') }, '/truststore.pem']],
        },
        TruststoreVersion: 'v1',
      },
    });
    template.hasResourceProperties('AWS::ApiGatewayV2::ApiMapping', {
      DomainName: { Ref: Match.stringLikeRegexp('MtlsDomain') },
      Stage: Match.anyValue(),
    });
    template.hasOutput('*', { Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('MtlsDomain'), 'RegionalDomainName'] } });
  });

  it('tells the token endpoint where the mutual-TLS domain is (MTLS_ENDPOINT)', () => {
    const functions = template.findResources('AWS::Lambda::Function') as Record<string, Json>;
    const token = Object.values(functions).find((f) =>
      String(f.Properties.Description ?? '').startsWith('POST /oauth2/token'),
    );
    expect(token?.Properties.Environment.Variables.MTLS_ENDPOINT).toBe('https://mtls.auth.example.com');
  });

  it('S78: turns the authorizer cache off, which keys by Authorization and route key and so ignores the certificate', () => {
    const authorizers = Object.values(template.findResources('AWS::ApiGatewayV2::Authorizer')) as Json[];
    expect(authorizers.length).toBeGreaterThan(0);
    for (const a of authorizers) expect(a.Properties.AuthorizerResultTtlInSeconds ?? 0).toBe(0);
  });

  it('S78: refuses a non-zero authorizerCacheTtl beside mutualTls at synth, saying why', () => {
    expect(() => mtlsStack({ authorizerCacheTtl: Duration.seconds(30) })).toThrow(
      /authorizerCacheTtl \(30 s\) must be 0 with mutual TLS.*certificate-bound token/,
    );
  });
});
