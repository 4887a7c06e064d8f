import { CustomResource, Duration, RemovalPolicy, Stack, Validations, type CfnElement } from 'aws-cdk-lib';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Secret, type RotationSchedule } from 'aws-cdk-lib/aws-secretsmanager';
import { Provider } from 'aws-cdk-lib/custom-resources';
import type { IConstruct } from 'constructs';
import type { Grantee } from './tables.js';

export interface SigningKeysProps {
  /** @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
  /** @default Duration.days(30) */
  readonly rotationInterval?: Duration;
  /** Retention of the bootstrap provider's logs. @default RetentionDays.ONE_MONTH */
  readonly logRetention?: RetentionDays;
}

/**
 * The signing key ring (private JWKs) and its public half in Secrets Manager, the ring's rotation schedule and the
 * `Custom::KeyRingBootstrap` that makes the first deploy wait for the first ring.
 *
 * Not a construct of its own: the secrets are created in the given scope (the `AuthBackend`), so their logical ids
 * stay what they were; a new id would replace the ring, and every token signed with it would stop verifying.
 */
export class SigningKeys {
  /** The private signing key ring. Readable by the token signers and the rotation function only. */
  public readonly keyRing: Secret;
  /** The public JWKS, written by the rotation function and served by the JWKS function. */
  public readonly publicKeys: Secret;

  private readonly scope: IConstruct;
  private readonly props: SigningKeysProps;
  private rotation?: { readonly schedule: RotationSchedule; readonly fn: IFunction };

  constructor(scope: IConstruct, props: SigningKeysProps = {}) {
    this.scope = scope;
    this.props = props;
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    // Both secrets start as a meaningless generated string, so no key ever sits in the template. The bootstrap
    // (bootstrapOnDeploy) rotates the ring once at deploy, which replaces the placeholder with a real ring and
    // publishes its public half, and the deploy finishes only once that is done: the first sign-in can sign.
    this.keyRing = new Secret(scope, 'KeyRing', {
      description: 'Signing key ring (private JWKs). Written only by its rotation function.',
      generateSecretString: { passwordLength: 32, excludePunctuation: true },
      removalPolicy,
    });
    this.publicKeys = new Secret(scope, 'PublicKeys', {
      description: 'Public JWKS of the signing key ring. Written by the key-ring rotation function.',
      generateSecretString: { passwordLength: 32, excludePunctuation: true },
      removalPolicy,
    });
    Validations.of(this.publicKeys).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Holds only public keys, derived from the key ring; it is rewritten by the key ring rotation (which has its own schedule), so rotating it separately has no meaning.',
    });
  }

  /** Lets `grantee` sign tokens with the current private key (read the ring). */
  public grantSign(grantee: Grantee): void {
    this.keyRing.grantRead(grantee);
  }

  /** Lets `grantee` read the public JWKS, and nothing of the private ring. */
  public grantReadPublicKeys(grantee: Grantee): void {
    this.publicKeys.grantRead(grantee);
  }

  /** Lets `grantee` publish the public JWKS (the rotation function, after it rotated the ring). */
  public grantWritePublicKeys(grantee: Grantee): void {
    this.publicKeys.grantWrite(grantee);
  }

  /**
   * Makes `fn` the ring's Secrets Manager rotation function, on the `rotationInterval` schedule; the schedule grants
   * it what a rotation needs on the ring. One rotation function per ring.
   */
  public grantRotate(fn: IFunction): void {
    if (this.rotation) throw new Error('SigningKeys: the key ring already has a rotation function');
    const schedule = this.keyRing.addRotationSchedule('Rotation', {
      rotationLambda: fn,
      automaticallyAfter: this.props.rotationInterval ?? Duration.days(30),
      // The first rotation is the bootstrap's (synchronous for the deploy); an immediate one here would only race it.
      rotateImmediatelyOnUpdate: false,
    });
    this.rotation = { schedule, fn };
    Validations.of(fn.role!).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Added by the RotationSchedule construct: secretsmanager:GetRandomPassword supports no resource-level permissions, so it can only be granted on *; it reads no secret.',
    });
  }

  /**
   * Lets `grantee` start a rotation of the ring (RotateSecret, which needs the rotation function's invoke too) and
   * see whether a ring exists — never its value (S44). Needs `grantRotate` first.
   */
  public grantBootstrap(grantee: Grantee): void {
    const rotationFunction = this.requireRotation('grantBootstrap').fn;
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['secretsmanager:DescribeSecret', 'secretsmanager:RotateSecret'],
        resources: [this.keyRing.secretArn],
      }),
    );
    rotationFunction.grantInvoke(grantee);
    Validations.of(grantee).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${logicalIdOf(rotationFunction)}.Arn>:*]`,
      reason:
        'Added by grantInvoke: lambda:InvokeFunction on the versions and aliases of the one rotation function, which RotateSecret invokes.',
    });
  }

  /**
   * The `Custom::KeyRingBootstrap` resource: its onEvent function (functions/bootstrap-keys, given `grantBootstrap`)
   * calls RotateSecret on the ring and returns only once AWSCURRENT holds a ring, so `cdk deploy` finishes with a
   * signing key in place instead of sign-ins answering 503 until an asynchronous first rotation has run.
   */
  public bootstrapOnDeploy(onEvent: IFunction): void {
    const { schedule } = this.requireRotation('bootstrapOnDeploy');
    const scope = this.scope;
    const retention = this.props.logRetention ?? RetentionDays.ONE_MONTH;
    const removalPolicy = this.props.removalPolicy ?? RemovalPolicy.RETAIN;
    // The framework function's own role, logs-only like ours (no AWSLambdaBasicExecutionRole managed policy).
    const logGroup = new LogGroup(scope, 'KeyRingBootstrapProviderLogs', { retention, removalPolicy });
    const role = new Role(scope, 'KeyRingBootstrapProviderRole', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: 'Execution role of the KeyRingBootstrap custom resource framework function',
    });
    logGroup.grantWrite(role);
    const provider = new Provider(scope, 'KeyRingBootstrapProvider', {
      onEventHandler: onEvent,
      logGroup,
      frameworkOnEventRole: role,
    });
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${logicalIdOf(onEvent)}.Arn>:*]`,
      reason:
        'Added by the Provider framework: it may invoke only the versions of our own onEvent function (functions/bootstrap-keys).',
    });
    const bootstrap = new CustomResource(scope, 'KeyRingBootstrap', {
      serviceToken: provider.serviceToken,
      resourceType: 'Custom::KeyRingBootstrap',
      // A replaced secret is a new ARN: an Update, which bootstraps the new ring.
      properties: { KeyRing: this.keyRing.secretArn },
    });
    // The rotation function must be attached to the secret before RotateSecret is called.
    bootstrap.node.addDependency(schedule);
  }

  private requireRotation(caller: string): { readonly schedule: RotationSchedule; readonly fn: IFunction } {
    if (!this.rotation) throw new Error(`SigningKeys.${caller}: call grantRotate first (RotateSecret needs it)`);
    return this.rotation;
  }
}

function logicalIdOf(fn: IFunction): string {
  return Stack.of(fn).getLogicalId(fn.node.defaultChild as CfnElement);
}
