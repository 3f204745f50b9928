/**
 * The results store's DynamoDB table. Its keys and indexes are read from the store's own
 * `dynamoTableDefinition` (lambdas/store/dynamodb), so the deployed table cannot drift from what
 * the store queries; the deployment adds what the definition leaves to it: PITR, deletion
 * protection, encryption and TTL on the store's TTL attribute.
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { dynamoTableDefinition, TTL_ATTRIBUTE } from '../../lambdas/store/dynamodb/dynamo-table.js';

export interface ResultsTableProps {
  /**
   * What happens to the table when the stack deletes it (deletion protection stays on either way).
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/** The DynamoDB actions the store uses (lambdas/store/dynamodb/dynamo-store.ts), by kind. */
export const STORE_READ_ACTIONS = ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query'] as const;
export const STORE_WRITE_ACTIONS = ['dynamodb:PutItem', 'dynamodb:UpdateItem'] as const;

function attribute(
  name: string,
  definitions: { AttributeName?: string; AttributeType?: string }[],
): dynamodb.Attribute {
  const type = definitions.find((d) => d.AttributeName === name)?.AttributeType;
  if (type !== 'S' && type !== 'N' && type !== 'B')
    throw new Error(`dynamoTableDefinition: attribute ${name} has no S/N/B type`);
  return { name, type: type as dynamodb.AttributeType };
}

function keyOf(
  schema: readonly { AttributeName?: string; KeyType?: string }[] | undefined,
  kind: 'HASH' | 'RANGE',
): string | undefined {
  return schema?.find((k) => k.KeyType === kind)?.AttributeName;
}

/** The single table of the results store (lambdas/store/README.md § DynamoDB). */
export class ResultsTable extends Construct {
  readonly table: dynamodb.TableV2;

  constructor(scope: Construct, id: string, props: ResultsTableProps = {}) {
    super(scope, id);
    // The name is CloudFormation's: the Lambdas get it as TABLE_NAME.
    const { createTable } = dynamoTableDefinition('unused');
    const definitions = createTable.AttributeDefinitions ?? [];
    const pk = keyOf(createTable.KeySchema, 'HASH');
    const sk = keyOf(createTable.KeySchema, 'RANGE');
    if (pk === undefined) throw new Error('dynamoTableDefinition: no partition key');

    this.table = new dynamodb.TableV2(this, 'Resource', {
      partitionKey: attribute(pk, definitions),
      ...(sk !== undefined ? { sortKey: attribute(sk, definitions) } : {}),
      billing: dynamodb.Billing.onDemand(),
      globalSecondaryIndexes: (createTable.GlobalSecondaryIndexes ?? []).map((gsi) => {
        const gsiPk = keyOf(gsi.KeySchema, 'HASH');
        const gsiSk = keyOf(gsi.KeySchema, 'RANGE');
        if (gsi.IndexName === undefined || gsiPk === undefined)
          throw new Error('dynamoTableDefinition: a GSI without name or partition key');
        if (gsi.Projection?.ProjectionType !== 'ALL')
          throw new Error(
            `dynamoTableDefinition: ${gsi.IndexName} projects ${gsi.Projection?.ProjectionType}, not ALL`,
          );
        return {
          indexName: gsi.IndexName,
          partitionKey: attribute(gsiPk, definitions),
          ...(gsiSk !== undefined ? { sortKey: attribute(gsiSk, definitions) } : {}),
          projectionType: dynamodb.ProjectionType.ALL,
        };
      }),
      timeToLiveAttribute: TTL_ATTRIBUTE,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      // An AWS-managed KMS key: encrypted at rest like the default, and every use is in CloudTrail.
      encryption: dynamodb.TableEncryptionV2.awsManagedKey(),
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
  }

  /** Read access for the store's queries (table and indexes). */
  grantStoreRead(grantee: iam.IGrantable): void {
    this.table.grant(grantee, ...STORE_READ_ACTIONS);
  }

  /** Read and write access for the store (table and indexes). */
  grantStoreReadWrite(grantee: iam.IGrantable): void {
    this.table.grant(grantee, ...STORE_READ_ACTIONS, ...STORE_WRITE_ACTIONS);
  }
}
