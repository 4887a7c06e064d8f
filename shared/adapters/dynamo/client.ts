import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { awsClientConfig } from '../aws-client-config.js';

export interface DynamoClientOptions {
  /** DynamoDB Local (e.g. `http://127.0.0.1:8000`); unset in Lambda. */
  readonly endpoint?: string;
  /** @default - the SDK's region chain (AWS_REGION in Lambda) */
  readonly region?: string;
}

/**
 * The low-level client. With an endpoint it talks to DynamoDB Local with dummy static credentials, so no
 * credential chain (files, IMDS) is ever consulted and a local run cannot reach a real account. Timeouts and
 * retries: `awsClientConfig` (S83).
 * @example const client = createDynamoClient({ endpoint: process.env.DYNAMODB_ENDPOINT });
 */
export function createDynamoClient(options: DynamoClientOptions = {}): DynamoDBClient {
  if (options.endpoint) {
    return new DynamoDBClient({
      ...awsClientConfig('dynamodb'),
      endpoint: options.endpoint,
      region: 'local',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
  }
  return new DynamoDBClient({ ...awsClientConfig('dynamodb'), ...(options.region ? { region: options.region } : {}) });
}

/**
 * The document client every store takes. `removeUndefinedValues` lets records carry optional fields
 * (`rotatedAt?`, `passwordHash?`) without the marshaller throwing.
 * @example const doc = createDocumentClient({ endpoint: process.env.DYNAMODB_ENDPOINT });
 */
export function createDocumentClient(options: DynamoClientOptions = {}): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(createDynamoClient(options), {
    marshallOptions: { removeUndefinedValues: true },
  });
}
