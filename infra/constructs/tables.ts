import { RemovalPolicy, Stack, Validations, type CfnElement } from 'aws-cdk-lib';
import { AttributeType, BillingMode, ProjectionType, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { Grant, type IGrantable } from 'aws-cdk-lib/aws-iam';
import type { IConstruct } from 'constructs';
import { TABLES } from '../../shared/adapters/dynamo/tables.js';
import type { TableId } from '../function-specs.js';
import { API_KEY_LOOKUP_ACTIONS } from '../function-environment.js';

export interface AuthTablesProps {
  /** @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
}

/** A principal that is also a construct, so a cdk-nag acknowledgement can sit on its policy. */
export type Grantee = IGrantable & IConstruct;

/**
 * The tables of `TABLES`, with the grants the function specs name.
 *
 * Not a construct of its own: the tables are created in the given scope (the `AuthBackend`), because a new path
 * segment would change their logical ids, and a changed logical id replaces a table on deploy (data loss).
 */
export class AuthTables {
  /** The tables, by their id in `TABLES`. */
  public readonly byId: Readonly<Record<TableId, Table>>;

  constructor(scope: IConstruct, props: AuthTablesProps = {}) {
    const tables = {} as Record<TableId, Table>;
    for (const def of TABLES) {
      const table = new Table(scope, def.id, {
        partitionKey: { name: def.partitionKey, type: AttributeType.STRING },
        billingMode: BillingMode.PAY_PER_REQUEST,
        encryption: TableEncryption.AWS_MANAGED,
        timeToLiveAttribute: def.ttlAttribute,
        pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: def.pointInTimeRecovery },
        removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
      });
      for (const gsi of def.globalSecondaryIndexes) {
        table.addGlobalSecondaryIndex({
          indexName: gsi.indexName,
          partitionKey: { name: gsi.partitionKey, type: AttributeType.STRING },
          projectionType: gsi.projection === 'ALL' ? ProjectionType.ALL : ProjectionType.KEYS_ONLY,
        });
      }
      if (!def.pointInTimeRecovery) {
        const reason = NO_PITR_REASONS[def.id];
        if (!reason)
          throw new Error(`AuthBackend: table ${def.id} has no point-in-time recovery; say why in NO_PITR_REASONS`);
        Validations.of(table).acknowledge({ id: 'AwsSolutions-DDB3', reason });
      }
      tables[def.id] = table;
    }
    this.byId = tables;
  }

  /** Lets `grantee` read items of one table and query its indexes. */
  public grantReadData(id: TableId, grantee: Grantee): void {
    this.byId[id].grantReadData(grantee);
    this.acknowledgeIndexAccess(id, grantee, 'Read');
  }

  /** Lets `grantee` read and write items of one table and query its indexes. */
  public grantReadWriteData(id: TableId, grantee: Grantee): void {
    this.byId[id].grantReadWriteData(grantee);
    this.acknowledgeIndexAccess(id, grantee, 'ReadWrite');
  }

  /**
   * The authorizer's API-key lookup: `GetItem` and `UpdateItem` on the API-key table, nothing else (no Scan or
   * Query, so it cannot enumerate keys, and no index).
   */
  public grantApiKeyLookup(grantee: Grantee): void {
    Grant.addToPrincipal({
      grantee,
      actions: [...API_KEY_LOOKUP_ACTIONS],
      resourceArns: [this.byId.ApiKeys.tableArn],
    });
  }

  private acknowledgeIndexAccess(id: TableId, grantee: Grantee, access: 'Read' | 'ReadWrite'): void {
    const def = TABLES.find((t) => t.id === id)!;
    if (def.globalSecondaryIndexes.length === 0) return;
    const table = this.byId[id];
    const logicalId = Stack.of(table).getLogicalId(table.node.defaultChild as CfnElement);
    Validations.of(grantee).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${logicalId}.Arn>/index/*]`,
      reason: `grant${access}Data scopes index access to the indexes of this one table (${def.globalSecondaryIndexes.map((i) => `${i.indexName}, ${i.projection} projection`).join('; ')}); no other table or index is reachable.`,
    });
  }
}

/** Why a table of `TABLES` goes without point-in-time recovery (cdk-nag AwsSolutions-DDB3). */
const NO_PITR_REASONS: Partial<Record<TableId, string>> = {
  RefreshTokens:
    'Rows are hashed refresh tokens that expire within 30 days. Restoring an earlier copy would resurrect rotated and revoked tokens (undoing logout and reuse detection), so a restore must never be the recovery path; losing the table only signs users out.',
  Ephemeral:
    'Holds only OAuth transactions and rate-limit counters that expire within minutes by TTL; a restore has no value and would reset lockout counters.',
  MagicLinks:
    'Holds only hashed single-use email links and codes that expire within minutes by TTL; a restore would resurrect used links, so it must never be the recovery path.',
  ApiKeys:
    'Rows are hashed API keys that expire within a year. Restoring an earlier copy would un-revoke revoked keys (and those of disabled owners), so a restore must never be the recovery path; losing the table only makes users create new keys.',
};
