import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import type { IGrantable } from 'aws-cdk-lib/aws-iam';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';

export interface MfaDataKeyProps {
  /** @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The data key that seals TOTP secrets with AES-256-GCM, by key id (`{"current":"k1","k1":…}`). Secrets
 * Manager rather than KMS: one read per cold start instead of a KMS call per seal and open (functions/README.md,
 * Second factors). Created in the backend's own scope so that its logical id is the backend's `MfaDataKey`.
 */
export class MfaDataKey {
  public readonly secret: Secret;

  constructor(scope: Construct, props: MfaDataKeyProps = {}) {
    this.secret = new Secret(scope, 'MfaDataKey', {
      description:
        'Data key (by key id) that seals TOTP secrets with AES-256-GCM. Add a key id and move "current" to rotate.',
      generateSecretString: {
        secretStringTemplate: JSON.stringify({ current: 'k1' }),
        generateStringKey: 'k1',
        passwordLength: 64,
        excludePunctuation: true,
      },
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
    Validations.of(this.secret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Rotation adds a key id and moves "current" while keeping the old ids (sealed secrets name theirs); an automatic rotation that replaced the value would make every enrolled authenticator unreadable.',
    });
  }

  /** Only the functions that seal or open a TOTP secret read it (S60). */
  grantRead(grantee: IGrantable): void {
    this.secret.grantRead(grantee);
  }
}
