/** The `mutualTls` props the template-level suites use: an example domain, an imported certificate, a truststore. */
import type { Stack } from 'aws-cdk-lib';
import { Certificate } from 'aws-cdk-lib/aws-certificatemanager';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { AuthBackendProps } from '../../infra/auth-backend.js';

export function exampleMutualTls(
  stack: Stack,
  truststoreBucket: IBucket,
  extra: Partial<NonNullable<AuthBackendProps['mutualTls']>> = {},
): NonNullable<AuthBackendProps['mutualTls']> {
  return {
    domainName: 'mtls.auth.example.com',
    certificate: Certificate.fromCertificateArn(
      stack,
      'Cert',
      'arn:aws:acm:eu-west-1:123456789012:certificate/11111111-2222-3333-4444-555555555555',
    ),
    truststoreBucket,
    truststoreKey: 'truststore.pem',
    ...extra,
  };
}
