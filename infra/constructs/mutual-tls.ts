import { CfnOutput } from 'aws-cdk-lib';
import type { ICertificate } from 'aws-cdk-lib/aws-certificatemanager';
import { ApiMapping, DomainName, type HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { IConstruct } from 'constructs';

/** A custom domain in front of the API that requires a client certificate (API Gateway mutual TLS). */
export interface AuthMutualTlsProps {
  /** The domain, e.g. `mtls.auth.example.com` (point a DNS record at the `MtlsDomainTarget` output). */
  readonly domainName: string;
  /** An ACM certificate for `domainName` in the stack's region. */
  readonly certificate: ICertificate;
  /** The bucket holding the truststore: the PEM bundle of the CAs that may issue client certificates. */
  readonly truststoreBucket: IBucket;
  /** The truststore's object key in that bucket. */
  readonly truststoreKey: string;
  /**
   * The object version to use (versioned buckets): pin it so that a changed bundle is deployed deliberately.
   * @default - the latest version
   */
  readonly truststoreVersion?: string;
}

/**
 * The mutual-TLS front door for service-to-service calls: API Gateway checks each client certificate against the
 * truststore before any Lambda runs and passes the verified certificate to the functions
 * (`requestContext.authentication.clientCert`), where `tls_client_auth` clients (RFC 8705 §2.1) are matched on their
 * subject and get certificate-bound tokens. The default endpoint stays: people, the JWKS fetch of the authorizer and
 * the other methods use it, and a certificate-bound token is refused wherever the certificate is not presented.
 *
 * Not a construct of its own, like the API: its resources sit in the `AuthBackend`'s scope.
 */
export function addMutualTlsDomain(scope: IConstruct, api: HttpApi, props: AuthMutualTlsProps): DomainName {
  const domain = new DomainName(scope, 'MtlsDomain', {
    domainName: props.domainName,
    certificate: props.certificate,
    mtls: { bucket: props.truststoreBucket, key: props.truststoreKey, version: props.truststoreVersion },
  });
  new ApiMapping(scope, 'MtlsApiMapping', { api, domainName: domain, stage: api.defaultStage });
  new CfnOutput(scope, 'MtlsDomainTarget', {
    value: domain.regionalDomainName,
    description: 'Where the DNS record of the mutual-TLS domain must point (CNAME or alias)',
  });
  return domain;
}
