import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { AuthBackend, type AuthBackendProps } from './auth-backend.js';

export interface AuthStackProps extends StackProps {
  /**
   * Passed to the backend. Unset members are read from CDK context: `corsOrigins` (comma-separated origins),
   * `issuer`, `audience`, `mailFrom` — e.g. `cdk synth -c corsOrigins=https://app.example.com`.
   * @default - context values, then the backend's defaults
   */
  readonly backend?: AuthBackendProps;
}

/** The deployable unit: one `AuthBackend`, configured from props or context. */
export class AuthStack extends Stack {
  public readonly backend: AuthBackend;

  constructor(scope: Construct, id: string, props: AuthStackProps = {}) {
    super(scope, id, props);
    const context = (key: string): string | undefined => {
      const value: unknown = this.node.tryGetContext(key);
      return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
    };
    const corsOrigins = context('corsOrigins')
      ?.split(',')
      .map((o) => o.trim())
      .filter(Boolean);

    this.backend = new AuthBackend(this, 'Auth', {
      corsOrigins,
      issuer: context('issuer'),
      audience: context('audience'),
      mailFrom: context('mailFrom'),
      ...props.backend,
    });
  }
}
