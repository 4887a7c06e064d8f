/**
 * Reads a cloud assembly (the `cdk.out` layout: `manifest.json`, `<stack>.template.json`, `<stack>.assets.json`,
 * `asset.<hash>/`) and turns one stack's template into what the rehearsal runs: every Lambda function with its
 * bundle folder, handler and environment, every role's IAM statements, the tables, the secrets and their rotation,
 * the HTTP API's routes, integrations and authorizers, and the custom resources. CloudFormation references are
 * resolved to the rehearsal's local values (`Ref`, `Fn::GetAtt`, `Fn::Join`, `Fn::Sub`, `Fn::Select`, pseudo
 * parameters), so a function sees the same variables it would see on AWS with local names in them.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Statement } from '../../infra/local/aws/iam.js';

type Json = any;

export interface TemplateResource {
  Type: string;
  Properties?: Json;
  DependsOn?: string | string[];
}

export interface StackArtifact {
  readonly dir: string;
  readonly stackName: string;
  readonly template: { Resources: Record<string, TemplateResource> };
  /** Asset hash (the `S3Key` without `.zip`) → the folder holding the bundle. */
  readonly assetDirs: ReadonlyMap<string, string>;
}

/** Reads one stack of a cloud assembly. Throws, naming the file, when the assembly lacks it. */
export function readStack(dir: string, stackName: string): StackArtifact {
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
  const artifact = manifest.artifacts?.[stackName];
  if (artifact?.type !== 'aws:cloudformation:stack') throw new Error(`${dir}/manifest.json has no stack ${stackName}`);
  const template = JSON.parse(
    readFileSync(join(dir, artifact.properties.templateFile), 'utf8'),
  ) as StackArtifact['template'];
  const assetDirs = new Map<string, string>();
  const assetsFile = join(dir, `${stackName}.assets.json`);
  if (existsSync(assetsFile)) {
    const assets = JSON.parse(readFileSync(assetsFile, 'utf8'));
    for (const [hash, file] of Object.entries<Json>(assets.files ?? {})) {
      if (file.source?.packaging === 'zip') assetDirs.set(hash, join(dir, file.source.path));
    }
  }
  return { dir, stackName, template, assetDirs };
}

export interface LocalValues {
  region: string;
  accountId: string;
  /** What `Fn::GetAtt [<HttpApi>, ApiEndpoint]` is: the rehearsal's gateway. */
  apiEndpoint: string;
  /** A suffix that keeps this run's physical names apart from other runs on the same DynamoDB Local. */
  runId: string;
}

export interface FunctionDefinition {
  logicalId: string;
  /** The physical function name (what `Ref` gives), also its access key id towards the stand-ins. */
  name: string;
  arn: string;
  handler: string;
  runtime: string;
  timeoutSeconds: number;
  memorySize: number;
  /** The bundle folder; undefined for a function whose code is not a zip asset of this assembly. */
  codeDir?: string;
  environment: Record<string, string>;
  roleLogicalId?: string;
}

export interface RouteDefinitionFromTemplate {
  routeKey: string;
  functionLogicalId: string;
  authorizer?: { functionLogicalId: string; identitySource: string[]; ttlSeconds: number; simpleResponses: boolean };
}

export interface SecretDefinition {
  logicalId: string;
  arn: string;
  name: string;
  generateSecretString?: Json;
  secretString?: string;
  rotation?: { lambdaArn: string; rotateImmediatelyOnUpdate: boolean };
}

export interface CustomResourceDefinition {
  logicalId: string;
  type: string;
  /** The onEvent function of the `custom-resources` Provider framework behind the ServiceToken (ours). */
  onEventFunctionLogicalId: string;
  properties: Record<string, unknown>;
}

export interface CorsConfiguration {
  AllowOrigins?: string[];
  AllowCredentials?: boolean;
  AllowHeaders?: string[];
  AllowMethods?: string[];
  ExposeHeaders?: string[];
  MaxAge?: number;
}

export interface ResolvedStack {
  stackName: string;
  functions: Map<string, FunctionDefinition>;
  /** Caller (a function's logical id, its access key id towards the stand-ins) → the Allow statements of its role. */
  permissions: Map<string, Statement[]>;
  tables: { logicalId: string; name: string; arn: string; properties: Json }[];
  secrets: SecretDefinition[];
  routes: RouteDefinitionFromTemplate[];
  cors?: CorsConfiguration;
  customResources: CustomResourceDefinition[];
}

/** CloudFormation's 6-character random suffix of a secret ARN. */
const secretSuffix = () => randomBytes(4).toString('base64url').replace(/[-_]/g, 'x').slice(0, 6);

/**
 * Resolves one stack against local values.
 * @param codeFrom Where bundles come from when they are not in this assembly (a synth with bundling skipped):
 *   the same function, by logical id, in another assembly's stack (e.g. the default `cdk.out`).
 */
export function resolveStack(stack: StackArtifact, local: LocalValues, codeFrom?: StackArtifact): ResolvedStack {
  const resources = stack.template.Resources;
  const physical = new Map<string, { ref: string; attrs: Record<string, string> }>();
  const { region, accountId } = local;
  const arn = (service: string, resource: string) => `arn:aws:${service}:${region}:${accountId}:${resource}`;

  for (const [id, r] of Object.entries(resources)) {
    const name = `${stack.stackName}-${id}-${local.runId}`.slice(0, 140);
    switch (r.Type) {
      case 'AWS::DynamoDB::Table':
        physical.set(id, { ref: name, attrs: { Arn: arn('dynamodb', `table/${name}`) } });
        break;
      case 'AWS::SecretsManager::Secret': {
        const secretArn = arn('secretsmanager', `secret:${id}-${secretSuffix()}`);
        physical.set(id, { ref: secretArn, attrs: { Id: secretArn } });
        break;
      }
      case 'AWS::Lambda::Function': {
        const fnName = `${stack.stackName}-${id}`.slice(0, 64);
        physical.set(id, { ref: fnName, attrs: { Arn: arn('lambda', `function:${fnName}`) } });
        break;
      }
      case 'AWS::IAM::Role':
        physical.set(id, { ref: id, attrs: { Arn: `arn:aws:iam::${accountId}:role/${id}`, RoleId: id } });
        break;
      case 'AWS::Logs::LogGroup':
        physical.set(id, { ref: `/aws/lambda/${id}`, attrs: { Arn: arn('logs', `log-group:/aws/lambda/${id}:*`) } });
        break;
      case 'AWS::ApiGatewayV2::Api':
        physical.set(id, { ref: 'rehearsal', attrs: { ApiEndpoint: local.apiEndpoint, ApiId: 'rehearsal' } });
        break;
      default:
        physical.set(id, { ref: id, attrs: { Arn: arn('local', id) } });
    }
  }

  const pseudo: Record<string, string | undefined> = {
    'AWS::Region': region,
    'AWS::AccountId': accountId,
    'AWS::Partition': 'aws',
    'AWS::URLSuffix': 'amazonaws.com',
    'AWS::StackName': stack.stackName,
    'AWS::StackId': arn('cloudformation', `stack/${stack.stackName}/rehearsal`),
    'AWS::NoValue': undefined,
  };
  const ref = (name: string): string => {
    if (name in pseudo) return pseudo[name]!;
    const p = physical.get(name);
    if (!p) throw new Error(`${stack.stackName}: Ref to unknown ${name}`);
    return p.ref;
  };
  const getAtt = (id: string, attr: string): string => {
    const value = physical.get(id)?.attrs[attr];
    if (value === undefined) throw new Error(`${stack.stackName}: Fn::GetAtt ${id}.${attr} is not modelled`);
    return value;
  };
  const resolve = (v: Json): Json => {
    if (Array.isArray(v)) return v.map(resolve);
    if (!v || typeof v !== 'object') return v;
    const keys = Object.keys(v);
    if (keys.length === 1) {
      const [k] = keys as [string];
      const arg = v[k];
      switch (k) {
        case 'Ref':
          return ref(arg);
        case 'Fn::GetAtt': {
          const [id, attr] = Array.isArray(arg) ? arg : String(arg).split('.');
          return getAtt(id, attr);
        }
        case 'Fn::Join':
          return (resolve(arg[1]) as string[]).join(arg[0]);
        case 'Fn::Select':
          return (resolve(arg[1]) as Json[])[Number(resolve(arg[0]))];
        case 'Fn::Split':
          return String(resolve(arg[1])).split(arg[0]);
        case 'Fn::Sub': {
          const [text, vars] = Array.isArray(arg)
            ? [arg[0] as string, resolve(arg[1]) as Record<string, string>]
            : [arg as string, {}];
          return text.replace(/\$\{([^}!][^}]*)\}/g, (_m, name: string) =>
            name in vars
              ? vars[name]
              : name.includes('.')
                ? getAtt(name.split('.')[0], name.split('.').slice(1).join('.'))
                : ref(name),
          );
        }
        default:
          if (k.startsWith('Fn::')) throw new Error(`${stack.stackName}: ${k} is not modelled`);
      }
    }
    return Object.fromEntries(keys.map((key) => [key, resolve(v[key])]));
  };

  /** The folder of an ES module bundle (`<file>.mjs` of the handler), ours; undefined for any other code. */
  const codeDirOf = (id: string, r: TemplateResource): string | undefined => {
    const file = `${String(r.Properties?.Handler ?? '').split('.')[0]}.mjs`;
    const dirOf = (artifact: StackArtifact, resource: TemplateResource | undefined) => {
      const key =
        resource?.Type === 'AWS::Lambda::Function'
          ? (resource.Properties?.Code?.S3Key as string | undefined)
          : undefined;
      const dir = key ? artifact.assetDirs.get(key.replace(/\.zip$/, '')) : undefined;
      return dir && existsSync(join(dir, file)) ? dir : undefined;
    };
    return dirOf(stack, r) ?? (codeFrom ? dirOf(codeFrom, codeFrom.template.Resources[id]) : undefined);
  };

  const functions = new Map<string, FunctionDefinition>();
  for (const [id, r] of Object.entries(resources)) {
    if (r.Type !== 'AWS::Lambda::Function') continue;
    const p = r.Properties ?? {};
    const role = p.Role?.['Fn::GetAtt']?.[0] as string | undefined;
    functions.set(id, {
      logicalId: id,
      name: ref(id),
      arn: getAtt(id, 'Arn'),
      handler: p.Handler,
      runtime: p.Runtime,
      timeoutSeconds: p.Timeout ?? 3,
      memorySize: p.MemorySize ?? 128,
      codeDir: codeDirOf(id, r),
      environment: Object.fromEntries(
        Object.entries<Json>(resolve(p.Environment?.Variables ?? {}))
          .filter(([, value]) => value !== undefined)
          .map(([k, value]) => [k, String(value)]),
      ),
      roleLogicalId: role,
    });
  }

  // Each role's Allow statements, from its inline policies and the AWS::IAM::Policy resources attached to it.
  const statementsOfRole = new Map<string, Statement[]>();
  const addStatements = (roleId: string, document: Json) => {
    const list = statementsOfRole.get(roleId) ?? [];
    for (const s of [].concat(document?.Statement ?? [])) {
      const st = s as Json;
      if (st.Effect !== 'Allow') throw new Error(`${stack.stackName}: only Allow statements are modelled (${roleId})`);
      list.push({ actions: [].concat(resolve(st.Action)), resources: [].concat(resolve(st.Resource)) });
    }
    statementsOfRole.set(roleId, list);
  };
  for (const [id, r] of Object.entries(resources)) {
    if (r.Type === 'AWS::IAM::Role') for (const p of r.Properties?.Policies ?? []) addStatements(id, p.PolicyDocument);
    if (r.Type === 'AWS::IAM::Policy') {
      for (const role of r.Properties?.Roles ?? []) addStatements(role.Ref as string, r.Properties.PolicyDocument);
    }
  }
  const permissions = new Map<string, Statement[]>();
  for (const fn of functions.values())
    permissions.set(fn.logicalId, fn.roleLogicalId ? (statementsOfRole.get(fn.roleLogicalId) ?? []) : []);

  const fnByArn = new Map([...functions.values()].map((f) => [f.arn, f.logicalId]));
  const fnOfUri = (uri: string): string => {
    const found = [...fnByArn].find(([a]) => uri === a || uri.includes(`/functions/${a}/invocations`));
    if (!found) throw new Error(`${stack.stackName}: no function behind ${uri}`);
    return found[1];
  };

  const routes: RouteDefinitionFromTemplate[] = [];
  let cors: CorsConfiguration | undefined;
  for (const [, r] of Object.entries(resources)) {
    if (r.Type === 'AWS::ApiGatewayV2::Api' && r.Properties?.CorsConfiguration)
      cors = resolve(r.Properties.CorsConfiguration);
    if (r.Type !== 'AWS::ApiGatewayV2::Route') continue;
    const p = r.Properties;
    const integrationId = String(resolve(p.Target)).replace(/^integrations\//, '');
    const integration = resources[integrationId];
    if (integration?.Type !== 'AWS::ApiGatewayV2::Integration')
      throw new Error(`${stack.stackName}: route ${p.RouteKey} has no integration`);
    if (integration.Properties.PayloadFormatVersion !== '2.0')
      throw new Error(`${stack.stackName}: ${p.RouteKey} is not payload 2.0`);
    const route: RouteDefinitionFromTemplate = {
      routeKey: p.RouteKey,
      functionLogicalId: fnOfUri(resolve(integration.Properties.IntegrationUri)),
    };
    if (p.AuthorizationType === 'CUSTOM') {
      const authorizer = resources[p.AuthorizerId.Ref];
      const a = authorizer.Properties;
      if (a.AuthorizerType !== 'REQUEST') throw new Error(`${stack.stackName}: only REQUEST authorizers are modelled`);
      route.authorizer = {
        functionLogicalId: fnOfUri(resolve(a.AuthorizerUri)),
        identitySource: a.IdentitySource ?? [],
        ttlSeconds: a.AuthorizerResultTtlInSeconds ?? 300,
        simpleResponses: a.EnableSimpleResponses === true,
      };
    } else if (p.AuthorizationType !== 'NONE' && p.AuthorizationType !== undefined) {
      throw new Error(`${stack.stackName}: ${p.RouteKey}: authorization ${p.AuthorizationType} is not modelled`);
    }
    routes.push(route);
  }

  const rotations = new Map<string, SecretDefinition['rotation']>();
  for (const r of Object.values(resources)) {
    if (r.Type !== 'AWS::SecretsManager::RotationSchedule') continue;
    rotations.set(resolve(r.Properties.SecretId), {
      lambdaArn: resolve(r.Properties.RotationLambdaARN),
      rotateImmediatelyOnUpdate: r.Properties.RotateImmediatelyOnUpdate !== false,
    });
  }
  const secrets: SecretDefinition[] = Object.entries(resources)
    .filter(([, r]) => r.Type === 'AWS::SecretsManager::Secret')
    .map(([id, r]) => ({
      logicalId: id,
      arn: ref(id),
      name: ref(id).split(':secret:')[1].slice(0, -7),
      generateSecretString: r.Properties?.GenerateSecretString,
      secretString: r.Properties?.SecretString,
      rotation: rotations.get(ref(id)),
    }));

  const tables = Object.entries(resources)
    .filter(([, r]) => r.Type === 'AWS::DynamoDB::Table')
    .map(([id, r]) => ({ logicalId: id, name: ref(id), arn: getAtt(id, 'Arn'), properties: r.Properties }));

  const customResources: CustomResourceDefinition[] = [];
  for (const [id, r] of Object.entries(resources)) {
    if (!(r.Type.startsWith('Custom::') || r.Type === 'AWS::CloudFormation::CustomResource')) continue;
    const { ServiceToken, ...properties } = resolve(r.Properties) as Record<string, unknown>;
    const framework = functions.get(fnOfUri(String(ServiceToken)));
    const userFn = framework?.environment['USER_ON_EVENT_FUNCTION_ARN'];
    if (!userFn)
      throw new Error(`${stack.stackName}: custom resource ${id} is not backed by a custom-resources Provider`);
    customResources.push({ logicalId: id, type: r.Type, onEventFunctionLogicalId: fnOfUri(userFn), properties });
  }

  return { stackName: stack.stackName, functions, permissions, tables, secrets, routes, cors, customResources };
}
