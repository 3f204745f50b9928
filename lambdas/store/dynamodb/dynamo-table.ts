/**
 * The DynamoDB store's one table (README.md § DynamoDB: single-table design): its CreateTable
 * input, its TTL attribute, and the keys of every entity. Pure: no SDK client is created here.
 */
import type { CreateTableCommandInput, TimeToLiveSpecification } from '@aws-sdk/client-dynamodb';

/** The epoch-seconds attribute DynamoDB's TTL deletes by (history, guards, events). */
export const TTL_ATTRIBUTE = 'expiresAt';

/** The overloaded GSIs, each `GSInPK` / `GSInSK`, projection ALL. */
export const GSI = {
  byCheck: 'GSI1',
  byStatus: 'GSI2',
  byAccount: 'GSI3',
  all: 'GSI4',
} as const;
export type GsiName = (typeof GSI)[keyof typeof GSI];

/** What the deployment creates: the table, and TTL on {@link TTL_ATTRIBUTE}. */
export interface DynamoTableDefinition {
  readonly createTable: CreateTableCommandInput;
  readonly timeToLive: TimeToLiveSpecification;
}

/**
 * The table of the DynamoDB store: `PK`/`SK` strings, on-demand, four GSIs; TTL on `expiresAt`
 * (UpdateTimeToLive after CreateTable; PITR is the deployment's).
 *
 * @example await client.send(new CreateTableCommand(dynamoTableDefinition('fleet-dns-results').createTable));
 */
export function dynamoTableDefinition(tableName: string): DynamoTableDefinition {
  const indexes = Object.values(GSI);
  return {
    createTable: {
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: 'PK', AttributeType: 'S' },
        { AttributeName: 'SK', AttributeType: 'S' },
        ...indexes.flatMap((name) => [
          { AttributeName: `${name}PK`, AttributeType: 'S' as const },
          { AttributeName: `${name}SK`, AttributeType: 'S' as const },
        ]),
      ],
      KeySchema: [
        { AttributeName: 'PK', KeyType: 'HASH' },
        { AttributeName: 'SK', KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: indexes.map((name) => ({
        IndexName: name,
        KeySchema: [
          { AttributeName: `${name}PK`, KeyType: 'HASH' as const },
          { AttributeName: `${name}SK`, KeyType: 'RANGE' as const },
        ],
        Projection: { ProjectionType: 'ALL' as const },
      })),
    },
    timeToLive: { AttributeName: TTL_ATTRIBUTE, Enabled: true },
  };
}

/** The partition of a cluster: its history, guards, latest, findings, statuses, sightings, events. */
export const clusterPk = (clusterId: string): string => `CLUSTER#${clusterId}`;

export const SK = {
  scan: (orderKey: string) => `SCAN#${orderKey}`,
  scanPrefix: 'SCAN#',
  guard: (scanId: string) => `SCANID#${scanId}`,
  latest: 'LATEST',
  status: (status: string) => `STATUS#${status}`,
  statusPrefix: 'STATUS#',
  finding: (checkId: string) => `FINDING#${checkId}`,
  findingPrefix: 'FINDING#',
  sighting: (checkId: string, status: string) => `SEEN#${checkId}#${status}`,
  sightingPrefix: 'SEEN#',
  event: (scanId: string, checkId: string) => `EVENT#${scanId}#${checkId}`,
  eventPrefix: (scanId: string) => `EVENT#${scanId}#`,
} as const;

export const scanRunPk = (scanId: string): string => `SCAN#${scanId}`;
export const RUN_SK = 'RUN';
export const MUTELIST_KEY = { PK: 'MUTELIST', SK: 'CURRENT' } as const;
export const CURSOR_SECRET_KEY = { PK: 'META', SK: 'CURSOR_SECRET' } as const;

/** A finding's sort key in every GSI: sorts as (cluster id, check id) since '#' sorts before any id character. */
export const findingSk = (clusterId: string, checkId: string): string => `${clusterId}#${checkId}`;
