import { existsSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { assertArgon2BinaryInstalled, functionBundling } from '../bundling/bundling.js';
import { functionEnvironment, functionGrants, type FunctionGrant } from '../function-environment.js';
import type { AuthFunctionName, FunctionSpec } from '../function-specs.js';
import type { MfaDataKey } from './mfa-data-key.js';
import type { SigningKeys } from './signing-keys.js';
import type { AuthTables } from './tables.js';

/** This package's root: `functions/` lives here. */
const PACKAGE_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/**
 * Where `node_modules/` and the lock file live: this package's root in this repository, the consuming app's root
 * when the package is installed (`<app>/node_modules/lambda-auth`), where npm hoists the dependencies and which the
 * tarball's missing `package-lock.json` leaves as the nearest one.
 */
const PROJECT_ROOT = nearestLockFileDir(PACKAGE_ROOT);
const PACKAGE_DIR = relative(PROJECT_ROOT, PACKAGE_ROOT).split(sep).join('/') || '.';

function nearestLockFileDir(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package-lock.json'))) return dir.endsWith(sep) ? dir : `${dir}${sep}`;
    if (dirname(dir) === dir) return from;
  }
}

/**
 * The newest Node.js runtime this aws-cdk-lib offers (cdk-nag's AwsSolutions-L1 checks the same list).
 * The AWS SDK v3 drops Node 20 in 2027.
 */
const RUNTIME = Runtime.NODEJS_24_X;

/** What a function's grants point at: the resources of the backend. */
export interface AuthFunctionResources {
  readonly tables: AuthTables;
  readonly signingKeys: SigningKeys;
  readonly mfaDataKey: MfaDataKey;
  readonly jwksUrl: string;
  /** API Gateway's authorizer cache TTL (seconds): the API-key path caches what is left of 60 s. */
  readonly authorizerCacheSeconds: number;
  /** The OAuth client secrets, by complete ARN (never their values: those stay out of the template). */
  readonly oauthClientSecretArns: readonly string[];
  /** The SES sending identity; without it a function that mails gets no SES permission (it answers 503). */
  readonly mail?: { readonly from: string; readonly identity: string; readonly configurationSet?: string };
}

export interface AuthFunctionProps {
  readonly name: AuthFunctionName;
  readonly spec: FunctionSpec;
  /** The backend-wide variables every function gets; the spec adds its own (infra/function-environment.ts). */
  readonly commonEnvironment: Readonly<Record<string, string>>;
  readonly resources: AuthFunctionResources;
  /** @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
  /** @default RetentionDays.ONE_MONTH */
  readonly logRetention?: RetentionDays;
}

/**
 * One Lambda of the backend: its own role (logs-only until its spec's grants), its own log group, its bundle and
 * exactly the environment its spec calls for.
 */
export class AuthFunction extends Construct {
  public readonly function: NodejsFunction;
  public readonly role: Role;

  constructor(scope: Construct, props: AuthFunctionProps) {
    super(scope, pascalCase(props.name));
    const { name, spec, resources } = props;
    // argon2 is a native binding; only the linux-x64 binary is installable where this is synthesized, so the
    // password functions run on x86_64 with that binary copied into their asset. Everything else is pure JS
    // and runs on arm64 (cheaper per GB-second).
    const architecture = spec.argon2 ? Architecture.X86_64 : Architecture.ARM_64;
    if (spec.argon2) assertArgon2BinaryInstalled(PROJECT_ROOT, architecture);

    const logGroup = new LogGroup(this, 'Logs', {
      retention: props.logRetention ?? RetentionDays.ONE_MONTH,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
    // An explicit role instead of the AWSLambdaBasicExecutionRole managed policy: it may write to its own log
    // group and nothing else until a grant below says so.
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of the ${name} function`,
    });
    logGroup.grantWrite(this.role);

    // The environment and the grants come from one description (infra/function-environment.ts), which the
    // local runner and the tests use too: what runs locally is given exactly what this gives it (S81).
    const environment = functionEnvironment(spec, props.commonEnvironment, {
      tableName: (id) => resources.tables.byId[id].tableName,
      keyRing: {
        secretId: resources.signingKeys.keyRing.secretArn,
        publicKeysSecretId: resources.signingKeys.publicKeys.secretArn,
      },
      mfaKey: { secretId: resources.mfaDataKey.secret.secretArn },
      jwksUrl: resources.jwksUrl,
      authorizerCacheSeconds: resources.authorizerCacheSeconds,
      mail: resources.mail && { from: resources.mail.from, configurationSet: resources.mail.configurationSet },
    });

    this.function = new NodejsFunction(this, 'Function', {
      entry: `${PACKAGE_ROOT}functions/${name}/handler.ts`,
      handler: 'handler',
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: `${PROJECT_ROOT}package-lock.json`,
      description: spec.description,
      runtime: RUNTIME,
      architecture,
      memorySize: spec.memorySize,
      timeout: spec.timeout,
      role: this.role,
      logGroup,
      // No X-Ray: it would add xray:PutTraceSegments on * to every role, and the authorizer's role stays logs-only (S44).
      tracing: Tracing.DISABLED,
      environment,
      bundling: functionBundling({
        runtime: RUNTIME,
        architecture,
        argon2: spec.argon2 === true,
        keepNames: spec.keepNames,
        packageDir: PACKAGE_DIR,
        lazyModules: spec.lazyModules,
        dataFiles: spec.dataFiles,
      }),
    });
    // After the function exists: the rotation grant attaches the function itself to the ring's schedule. That one
    // goes last, as it did before AuthBackend was split, so a deployed role's policy keeps its statement order.
    const isRotation = (g: FunctionGrant) => g.kind === 'keyRing' && g.access === 'rotate';
    const grants = functionGrants(spec);
    for (const grant of [...grants.filter((g) => !isRotation(g)), ...grants.filter(isRotation)])
      this.applyGrant(grant, resources);
  }

  /** One grant of the spec, through the owning resource's grant method (and one scoped SES statement). */
  private applyGrant(grant: FunctionGrant, resources: AuthFunctionResources): void {
    const { tables, signingKeys } = resources;
    switch (grant.kind) {
      case 'table':
        if (grant.access === 'readWrite') tables.grantReadWriteData(grant.table, this.role);
        else tables.grantReadData(grant.table, this.role);
        return;
      case 'keyRing':
        if (grant.access === 'read') signingKeys.grantSign(this.role);
        else if (grant.access === 'bootstrap') signingKeys.grantBootstrap(this.role);
        else signingKeys.grantRotate(this.function);
        return;
      case 'publicKeys':
        if (grant.access === 'read') signingKeys.grantReadPublicKeys(this.role);
        else signingKeys.grantWritePublicKeys(this.role);
        return;
      case 'mfaKey':
        resources.mfaDataKey.grantRead(this.role);
        return;
      case 'oauthClientSecrets':
        resources.oauthClientSecretArns.forEach((arn, i) =>
          Secret.fromSecretCompleteArn(this, `OAuthClientSecret${i}`, arn).grantRead(this.role),
        );
        return;
      case 'mail':
        if (resources.mail) this.grantSendMail(resources.mail);
        return;
      case 'apiKeyLookup':
        resources.tables.grantApiKeyLookup(this.role);
        return;
    }
  }

  /** Only from the one sending identity: a compromised function cannot send as another verified domain. */
  private grantSendMail(mail: NonNullable<AuthFunctionResources['mail']>): void {
    const stack = Stack.of(this);
    const resources = [stack.formatArn({ service: 'ses', resource: 'identity', resourceName: mail.identity })];
    if (mail.configurationSet) {
      resources.push(
        stack.formatArn({ service: 'ses', resource: 'configuration-set', resourceName: mail.configurationSet }),
      );
    }
    this.role.addToPolicy(new PolicyStatement({ actions: ['ses:SendEmail'], resources }));
  }
}

export function pascalCase(name: string): string {
  return name.replace(/(^|-)([a-z])/g, (_, __, c: string) => c.toUpperCase());
}
