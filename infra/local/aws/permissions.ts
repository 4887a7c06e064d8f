/**
 * The IAM policy a function's grants produce in the stack, as `Statement`s for the loopback stand-ins. The
 * action lists are the ones aws-cdk-lib's `grantReadData` / `grantReadWriteData` / `Secret.grantRead` /
 * `grantWrite` write into the template; test/infra/local-permissions.test.ts compares this with the synthesized
 * template, so the two cannot drift.
 */
import { TABLES } from '../../../shared/adapters/dynamo/tables.js';
import { API_KEY_LOOKUP_ACTIONS, functionGrants } from '../../function-environment.js';
import type { FunctionSpec, TableId } from '../../function-specs.js';
import type { Statement } from './iam.js';

export const TABLE_READ_ACTIONS = [
  'dynamodb:BatchGetItem',
  'dynamodb:Query',
  'dynamodb:GetItem',
  'dynamodb:Scan',
  'dynamodb:ConditionCheckItem',
  'dynamodb:GetRecords',
  'dynamodb:GetShardIterator',
  'dynamodb:DescribeTable',
];
export const TABLE_WRITE_ACTIONS = [
  'dynamodb:BatchWriteItem',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
];
export const SECRET_READ_ACTIONS = ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'];
export const SECRET_WRITE_ACTIONS = ['secretsmanager:PutSecretValue', 'secretsmanager:UpdateSecret'];

export interface LocalArns {
  readonly table: (id: TableId) => string;
  /** The key ring and public-keys secrets (unused when the ring is a file). */
  readonly keyRingSecret?: string;
  readonly publicKeysSecret?: string;
  /** SES resources the mail grant covers (identity and configuration set ARNs); none: no mail grant. */
  readonly mailResources?: readonly string[];
}

/** The statements a function's spec grants, with the local ARNs of the resources. */
export function localPermissions(spec: FunctionSpec, arns: LocalArns): Statement[] {
  const statements: Statement[] = [];
  for (const grant of functionGrants(spec)) {
    switch (grant.kind) {
      case 'table': {
        const def = TABLES.find((t) => t.id === grant.table)!;
        const table = arns.table(grant.table);
        statements.push({
          actions: grant.access === 'readWrite' ? [...TABLE_READ_ACTIONS, ...TABLE_WRITE_ACTIONS] : TABLE_READ_ACTIONS,
          resources: def.globalSecondaryIndexes.length ? [table, `${table}/index/*`] : [table],
        });
        break;
      }
      case 'keyRing':
        if (arns.keyRingSecret) {
          // `bootstrap` starts the first rotation and watches it, never reading the value (infra/auth-backend.ts).
          const actions =
            grant.access === 'bootstrap'
              ? ['secretsmanager:DescribeSecret', 'secretsmanager:RotateSecret']
              : SECRET_READ_ACTIONS;
          statements.push({ actions, resources: [arns.keyRingSecret] });
        }
        break;
      case 'publicKeys':
        if (arns.publicKeysSecret) {
          statements.push({
            actions: grant.access === 'read' ? SECRET_READ_ACTIONS : [...SECRET_READ_ACTIONS, ...SECRET_WRITE_ACTIONS],
            resources: [arns.publicKeysSecret],
          });
        }
        break;
      case 'mail':
        if (arns.mailResources?.length) statements.push({ actions: ['ses:SendEmail'], resources: arns.mailResources });
        break;
      case 'oauthClientSecrets':
        break;
      case 'apiKeyLookup':
        // Table.grant(…) of exactly these two actions, on the table alone (no index).
        statements.push({ actions: [...API_KEY_LOOKUP_ACTIONS], resources: [arns.table('ApiKeys')] });
        break;
      case 'mfaKey':
        // Locally the data key is a file (MFA_KEY_FILE), outside the Secrets Manager stand-in.
        break;
    }
  }
  return statements;
}
