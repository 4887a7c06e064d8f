import { CfnOutput } from 'aws-cdk-lib';
import { StringParameter } from 'aws-cdk-lib/aws-ssm';
import type { Construct } from 'constructs';

/** The SSM parameters an `AuthBackend` publishes (see `parameterPrefix`), by what they hold. */
export interface AuthBackendParameterNames {
  readonly authorizerFunctionArn: string;
  readonly issuer: string;
  readonly jwksUrl: string;
}

/**
 * The names of the SSM parameters an `AuthBackend` publishes under `prefix`: the one home of those names, for the
 * construct and for another CDK app that reads them.
 *
 * @example
 * const names = authBackendParameterNames('/lambda-auth/Auth');
 * const arn = StringParameter.valueForStringParameter(this, names.authorizerFunctionArn);
 */
export function authBackendParameterNames(prefix: string): AuthBackendParameterNames {
  return {
    authorizerFunctionArn: `${prefix}/authorizer-function-arn`,
    issuer: `${prefix}/issuer`,
    jwksUrl: `${prefix}/jwks-url`,
  };
}

/** What the SSM parameters of `authBackendParameterNames` hold. */
export type AuthBackendParameterValues = Readonly<Record<keyof AuthBackendParameterNames, string>>;

/**
 * SSM parameters, so that a CDK app in another repository finds the authorizer without a cross-stack reference
 * (`StringParameter.valueForStringParameter`): no export ties the two stacks' lifecycles together. Created in
 * `scope` (the `AuthBackend`), where their logical ids have always been.
 */
export function publishParameters(
  scope: Construct,
  prefix: string,
  values: AuthBackendParameterValues,
): Readonly<Record<keyof AuthBackendParameterNames, StringParameter>> {
  const names = authBackendParameterNames(prefix);
  const parameter = (id: string, parameterName: string, stringValue: string, description: string) =>
    new StringParameter(scope, id, { parameterName, stringValue, description });
  const parameters = {
    authorizerFunctionArn: parameter(
      'AuthorizerFunctionArnParameter',
      names.authorizerFunctionArn,
      values.authorizerFunctionArn,
      'ARN of the Lambda authorizer that verifies these access tokens',
    ),
    issuer: parameter('IssuerParameter', names.issuer, values.issuer, 'Token issuer (iss) of the access tokens'),
    jwksUrl: parameter(
      'JwksUrlParameter',
      names.jwksUrl,
      values.jwksUrl,
      'URL of the public JWKS that verifies the access tokens',
    ),
  };
  new CfnOutput(scope, 'ParameterPrefix', {
    value: prefix,
    description: 'SSM path of the authorizer-function-arn, issuer and jwks-url parameters',
  });
  return parameters;
}
